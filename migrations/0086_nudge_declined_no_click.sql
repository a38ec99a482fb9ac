-- 0086: "Not interested" is no click since 6c93078; before, its tap set
-- clicked_at too (at the very instant of declined_at, with click 'no' as
-- the first button tapped). Such a refusal is no click in /stats nudges,
-- the KPI report and the customer card either.
UPDATE nudges SET clicked_at = NULL
 WHERE click = 'no' AND clicked_at IS NOT NULL AND clicked_at = declined_at;
