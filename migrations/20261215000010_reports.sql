-- The staff reports: when a creator last went dormant (the monthly deep-dive names who went
-- dormant in the month), and tier history by instant (a tier at a given instant, the migration
-- matrix of a quarter, the latest monthly review).

ALTER TABLE creators ADD COLUMN went_dormant_at TIMESTAMPTZ;
-- Creators already dormant: the last time their row changed is the best guess there is.
UPDATE creators SET went_dormant_at = updated_at WHERE stage = 'dormant';
CREATE INDEX creators_went_dormant ON creators (program_id, went_dormant_at)
    WHERE went_dormant_at IS NOT NULL;

CREATE INDEX tier_history_changed ON tier_history (program_id, changed_at);
