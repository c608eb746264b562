-- `creator-bot outbox` lists a program's messages latest due first, and a creator's card shows
-- their last few: both read the outbox by due time, which no index served (the others are
-- partial, for the dispatcher).
CREATE INDEX outbox_program_due ON outbox (program_id, due_at DESC);
CREATE INDEX outbox_creator_due ON outbox (program_id, creator_id, due_at DESC)
    WHERE creator_id IS NOT NULL;
