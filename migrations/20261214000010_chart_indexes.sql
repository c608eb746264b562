-- What the tier-mix chart reads to rebuild the mix at past month ends: the tier changes since a
-- day (every creator's, by time) and how many creators of each tier joined on each day since a
-- day (from the index alone). Both stay index ranges however long the program's history.
CREATE INDEX tier_history_program_changed ON tier_history (program_id, changed_at);
CREATE INDEX creators_program_joined ON creators (program_id, joined_on) INCLUDE (tier);
