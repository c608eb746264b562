-- What the tier-mix chart reads to rebuild the mix at past month ends: the tier changes since a
-- day (every creator's, by time) and the creators who joined after a day. Both stay index ranges
-- however long the program's history.
CREATE INDEX tier_history_program_changed ON tier_history (program_id, changed_at);
CREATE INDEX creators_program_joined ON creators (program_id, joined_on);
