-- Deliveries per platform. A program may be connected to Discord and Slack at once: an outbox
-- row is the message; when it falls due the dispatcher fans it out into one delivery per
-- connected platform (a post or staff alert: every platform the program is connected to; a DM or
-- a membership action: every platform where the creator linked an account), and each delivery
-- has its own status, attempts, retry time and platform message id.
--
-- Message statuses: 'pending' (not due or not fanned out yet), 'queued' (fanned out: see its
-- deliveries), 'unlinked' (a DM or membership action for a creator with no linked account on any
-- connected platform), 'waiting' (a post for a program connected to no platform yet), 'cancelled'.
-- 'sending', 'sent' and 'failed' remain for rows written before deliveries existed.
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
    CHECK (status IN ('pending', 'queued', 'unlinked', 'waiting', 'sending', 'sent', 'failed',
                      'cancelled'));

ALTER TABLE chat_identities DROP CONSTRAINT chat_identities_platform_check;
ALTER TABLE chat_identities ADD CONSTRAINT chat_identities_platform_check
    CHECK (platform IN ('discord', 'slack', 'console', 'recording'));
ALTER TABLE chat_workspaces DROP CONSTRAINT chat_workspaces_platform_check;
ALTER TABLE chat_workspaces ADD CONSTRAINT chat_workspaces_platform_check
    CHECK (platform IN ('discord', 'slack', 'console', 'recording'));

CREATE TABLE deliveries (
    id                  BIGSERIAL PRIMARY KEY,
    program_id          BIGINT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    outbox_id           BIGINT NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
    platform            TEXT NOT NULL
                        CHECK (platform IN ('discord', 'slack', 'console', 'recording')),
    -- 'waiting': the program channel (or tier role) is not mapped on this platform yet; mapping
    -- it puts the delivery back to 'pending'.
    status              TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'sending', 'sent', 'waiting', 'failed',
                                          'cancelled')),
    due_at              TIMESTAMPTZ NOT NULL,
    attempts            INTEGER NOT NULL DEFAULT 0,
    lease_until         TIMESTAMPTZ,
    locked_by           TEXT,
    last_error          TEXT,
    platform_message_id TEXT,
    sent_at             TIMESTAMPTZ,
    failed_at           TIMESTAMPTZ,
    UNIQUE (program_id, outbox_id, platform)
);
CREATE INDEX deliveries_due ON deliveries (platform, due_at) WHERE status = 'pending';
CREATE INDEX deliveries_leases ON deliveries (lease_until) WHERE status = 'sending';
CREATE INDEX deliveries_waiting ON deliveries (program_id, platform) WHERE status = 'waiting';
CREATE INDEX deliveries_outbox ON deliveries (outbox_id);

-- Rows already claimed under the old scheme go back to pending so they are fanned out.
UPDATE outbox SET status = 'pending', lease_until = NULL, locked_by = NULL
 WHERE status = 'sending';

-- The program's channels and tier roles on each platform, filled by the adapters' setup or
-- `creator-bot channels set`.
CREATE TABLE chat_channels (
    program_id  BIGINT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    platform    TEXT NOT NULL CHECK (platform IN ('discord', 'slack', 'console', 'recording')),
    -- 'staff', 'competitions', 'tier:all_stars', 'tier:steady_earners'
    channel     TEXT NOT NULL,
    channel_id  TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (program_id, platform, channel)
);
CREATE TABLE chat_roles (
    program_id  BIGINT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    platform    TEXT NOT NULL CHECK (platform IN ('discord', 'slack', 'console', 'recording')),
    -- 'staff', 'all_stars', 'steady_earners'
    role        TEXT NOT NULL,
    role_id     TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (program_id, platform, role)
);
