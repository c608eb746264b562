-- What the sequence scheduler reads on every run, indexed so that a run costs what is due, not
-- the size of the program.

-- Onboarding: creators whose join date puts a step due now.
CREATE INDEX creators_joined ON creators (program_id, joined_on);

-- Milestones and promotion notes: tier changes of the last few days.
CREATE INDEX tier_history_changed ON tier_history (program_id, changed_at);
