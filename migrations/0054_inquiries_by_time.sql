-- 0054: the owners' report (/stats) counts the period's questions to the
-- shop and how soon they were answered: it finds them by time.
CREATE INDEX inquiries_created ON inquiries (created_at);
