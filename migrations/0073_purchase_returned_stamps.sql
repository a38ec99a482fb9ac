-- 0073: the stamps partial returns took off a purchase, as its returned
-- points are kept: with what stands they give the receipt's stamps, so
-- each return leaves the share of the whole receipt that stays, and
-- returns in steps leave what one return of as much would.
ALTER TABLE purchases ADD COLUMN returned_stamps int NOT NULL DEFAULT 0;
