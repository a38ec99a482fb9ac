-- 0024: children's and pets' birthdays (the family_birthday nudge). The
-- dates live in the items of repeating group answers (JSON); an
-- expression index over the month-days of every dated field of the items
-- lets the rule's query pick the answers with a birthday around today
-- without unpacking every current answer. The function tolerates any
-- JSON (an index expression must never fail on a stored row).
CREATE FUNCTION answer_item_month_days(v jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(f.value ->> 'date', 6, 5)), '{}')
      FROM jsonb_array_elements(CASE WHEN jsonb_typeof(v -> 'items') = 'array' THEN v -> 'items' ELSE '[]' END) i,
           jsonb_each(CASE WHEN jsonb_typeof(i) = 'object' THEN i ELSE '{}' END) f
     WHERE jsonb_typeof(f.value) = 'object' AND f.value ->> 'date' IS NOT NULL
$$;

CREATE INDEX answers_item_month_days ON answers USING gin (answer_item_month_days(value))
    WHERE superseded_at IS NULL AND value ? 'items';
