-- 0067: whether a rating or a question got an answer (a reply, or points
-- for a bad rating), kept when it is later marked resolved or "no answer
-- needed", which the resolution then says: /stats counted such a thread
-- as closed without an answer, and the wait to the answer as the wait to
-- the last tap.
ALTER TABLE feedback ADD COLUMN answered boolean NOT NULL DEFAULT false;
ALTER TABLE inquiries ADD COLUMN answered boolean NOT NULL DEFAULT false;
UPDATE feedback SET answered = true WHERE resolution IN ('replied', 'goodwill');
UPDATE inquiries SET answered = true WHERE resolution = 'replied';
