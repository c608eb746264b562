-- Creators' rows change all the time (lifecycle stage, tier, first sale day, opt-out). Leaving room
-- on each page lets PostgreSQL update a row in place without touching its indexes when no
-- indexed column changes (a stage move, an opt-out), which is most of the sequence scheduler's
-- writes. Applies to pages written from now on.
ALTER TABLE creators SET (fillfactor = 80);
