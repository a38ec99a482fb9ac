-- 0042: points promotions.
--
-- A promotion of the business config ([[program.promotions]]: double
-- points on weekday afternoons, …) multiplies the points a purchase
-- earns while it runs. The purchase keeps the id of the one that applied
-- (NULL: none), so its message, the customer card and the owner's
-- numbers can say what it gave.
ALTER TABLE purchases ADD COLUMN promotion text;
