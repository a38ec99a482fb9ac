-- 0061: one open code word per spelling, whatever two owners do at the
-- same moment. A word past its end is closed (stopped at its end) when
-- another of its spelling starts, so "open" is "not stopped".
UPDATE code_words w SET stopped_at = w.ends_at
 WHERE w.stopped_at IS NULL
   AND EXISTS (SELECT 1 FROM code_words n WHERE n.word_key = w.word_key AND n.id > w.id);
CREATE UNIQUE INDEX code_words_open_key ON code_words (word_key) WHERE stopped_at IS NULL;
