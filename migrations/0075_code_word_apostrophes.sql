-- 0075: code words fold every apostrophe into ʻ (the Uzbek oʻ, gʻ) since
-- 00c8e4f, as they are written and as they are found; a word started
-- before with ʼ (a letter then) is spelled so too, or nobody finds it as
-- it was printed. Of two open words that fold to one spelling, the one
-- that ends first is closed at its end (one open word per key): a word
-- that still runs is kept over one that has ended, whichever is newer.
UPDATE code_words w SET stopped_at = w.ends_at
 WHERE w.stopped_at IS NULL
   AND EXISTS (SELECT 1 FROM code_words n WHERE n.stopped_at IS NULL AND (n.ends_at, n.id) > (w.ends_at, w.id)
                  AND replace(n.word_key, 'ʼ', 'ʻ') = replace(w.word_key, 'ʼ', 'ʻ'));
UPDATE code_words SET word = replace(word, 'ʼ', 'ʻ'), word_key = replace(word_key, 'ʼ', 'ʻ')
 WHERE word_key LIKE '%ʼ%';
