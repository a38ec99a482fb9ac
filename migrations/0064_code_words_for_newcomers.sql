-- 0064: a code word may be for new members only: a post that brings
-- people in pays those who join with the word, not the members who
-- read it too.
ALTER TABLE code_words ADD COLUMN new_only boolean NOT NULL DEFAULT false;
