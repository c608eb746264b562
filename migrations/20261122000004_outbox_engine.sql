-- What the dispatcher needs on the outbox, and a console platform for the terminal workspace.
--
ALTER TABLE outbox ADD COLUMN failed_at TIMESTAMPTZ;
-- A claimed row is 'sending' until its lease runs out; a worker that died holding it lets it be
-- claimed again then. Few rows are in flight at once, so this index stays small.
CREATE INDEX outbox_leases ON outbox (lease_until) WHERE status = 'sending';
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
