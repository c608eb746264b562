-- What the dispatcher needs on the outbox, and a console platform for the terminal workspace.
--
-- A claimed row is 'sending' with due_at moved to the end of its lease: the one index on due_at
-- then finds both pending rows that fell due and rows whose worker died holding them.
ALTER TABLE outbox ADD COLUMN failed_at TIMESTAMPTZ;
-- Opt-out cancels a creator's queued messages at once.
CREATE INDEX outbox_creator_pending ON outbox (program_id, creator_id) WHERE status = 'pending';

ALTER TABLE outbox DROP CONSTRAINT outbox_platform_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_platform_check
    CHECK (platform IN ('discord', 'slack', 'console', 'recording'));
ALTER TABLE chat_identities DROP CONSTRAINT chat_identities_platform_check;
ALTER TABLE chat_identities ADD CONSTRAINT chat_identities_platform_check
    CHECK (platform IN ('discord', 'slack', 'console'));
ALTER TABLE chat_workspaces DROP CONSTRAINT chat_workspaces_platform_check;
ALTER TABLE chat_workspaces ADD CONSTRAINT chat_workspaces_platform_check
    CHECK (platform IN ('discord', 'slack', 'console'));
