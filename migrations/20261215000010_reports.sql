-- The staff reports: when a creator last went dormant (the monthly deep-dive names who went
-- dormant in the month). Tier history by instant is indexed already (tier_history_changed).

ALTER TABLE creators ADD COLUMN went_dormant_at TIMESTAMPTZ;
-- Creators already dormant: the last time their row changed is the best guess there is.
UPDATE creators SET went_dormant_at = updated_at WHERE stage = 'dormant';
CREATE INDEX creators_went_dormant ON creators (program_id, went_dormant_at)
    WHERE went_dormant_at IS NOT NULL;
