-- TikTok Shop sync: the connected shop of each program (tokens encrypted by the bot; never in
-- clear), the authorization states it handed out, a record of every sync run with its progress
-- (a run commits page by page, so a crashed run resumes where it stopped), and the sample
-- applications it has seen with the time it first saw each status (the API carries no dates).

CREATE TABLE tiktok_shops (
    program_id          BIGINT PRIMARY KEY REFERENCES programs(id) ON DELETE CASCADE,
    shop_id             TEXT NOT NULL,
    shop_name           TEXT NOT NULL,
    shop_cipher         TEXT NOT NULL,
    region              TEXT,
    seller_name         TEXT,
    -- nonce || XChaCha20-Poly1305 ciphertext, keyed by CREATOR_BOT_SECRET_KEY
    access_token_enc    BYTEA NOT NULL,
    access_expires_at   TIMESTAMPTZ NOT NULL,
    refresh_token_enc   BYTEA NOT NULL,
    refresh_expires_at  TIMESTAMPTZ NOT NULL,
    connected_at        TIMESTAMPTZ NOT NULL,
    refreshed_at        TIMESTAMPTZ,
    -- set when the authorization stopped working: the sync waits for a new connect
    stopped_at          TIMESTAMPTZ,
    stopped_reason      TEXT,
    -- orders created before this instant have been read
    orders_watermark    TIMESTAMPTZ,
    failures_in_a_row   INTEGER NOT NULL DEFAULT 0,
    failures_alerted    BOOLEAN NOT NULL DEFAULT false
);

CREATE TABLE tiktok_auth_states (
    state       TEXT PRIMARY KEY,
    program_id  BIGINT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE tiktok_syncs (
    id              BIGSERIAL PRIMARY KEY,
    program_id      BIGINT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    -- orders, settlements, backfill, samples
    kind            TEXT NOT NULL,
    window_from     TIMESTAMPTZ,
    window_to       TIMESTAMPTZ,
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ,
    -- running, done, failed
    status          TEXT NOT NULL DEFAULT 'running',
    -- progress: the start of the part of the window being read and the next page's token
    cursor_from     TIMESTAMPTZ,
    page_token      TEXT,
    pages           INTEGER NOT NULL DEFAULT 0,
    inserted        BIGINT NOT NULL DEFAULT 0,
    updated         BIGINT NOT NULL DEFAULT 0,
    unchanged       BIGINT NOT NULL DEFAULT 0,
    rejected        BIGINT NOT NULL DEFAULT 0,
    new_creators    BIGINT NOT NULL DEFAULT 0,
    samples_changed BIGINT NOT NULL DEFAULT 0,
    -- the first rejected lines: [{order_id, sku_id, field, reason}]
    rejects         JSONB NOT NULL DEFAULT '[]',
    -- days whose rollups wait for a refresh (written with the page that touched them)
    dirty_days      DATE[] NOT NULL DEFAULT '{}',
    error           TEXT
);
CREATE INDEX tiktok_syncs_program ON tiktok_syncs (program_id, started_at DESC);

CREATE TABLE tiktok_sample_applications (
    program_id          BIGINT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    application_id      TEXT NOT NULL,
    creator_id          BIGINT NOT NULL REFERENCES creators(id) ON DELETE CASCADE,
    product_id          TEXT NOT NULL,
    status              TEXT NOT NULL,
    first_seen_at       TIMESTAMPTZ NOT NULL,
    awaiting_shipment_at TIMESTAMPTZ,
    shipped_at          TIMESTAMPTZ,
    content_pending_at  TIMESTAMPTZ,
    completed_at        TIMESTAMPTZ,
    cancelled_at        TIMESTAMPTZ,
    sample_id           BIGINT REFERENCES samples(id) ON DELETE SET NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (program_id, application_id)
);

-- A sample whose application was cancelled is closed: no follow-up nudges for it.
ALTER TABLE samples ADD COLUMN closed_at TIMESTAMPTZ;
