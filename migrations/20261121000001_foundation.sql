-- Foundation schema: programs, creators and their chat identities, the TikTok Shop data a brand
-- brings (products, samples, videos, affiliate order lines), daily rollups that the stats read,
-- tier history and the outbox. Every table carries program_id and every unique key starts with it.

CREATE TABLE programs (
    id          BIGSERIAL PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9_-]*$'),
    name        TEXT NOT NULL,
    timezone    TEXT NOT NULL,
    currency    TEXT NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE creators (
    id              BIGSERIAL PRIMARY KEY,
    program_id      BIGINT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    -- TikTok username, lower case, without the leading '@'
    handle          TEXT NOT NULL CHECK (handle ~ '^[a-z0-9_.]{1,64}$'),
    first_name      TEXT,
    joined_on       DATE NOT NULL,
    -- IANA name; NULL means the program's timezone
    timezone        TEXT,
    niche           TEXT,
    stage           TEXT NOT NULL DEFAULT 'invited'
                    CHECK (stage IN ('invited', 'onboarding', 'awaiting_first_post', 'active', 'dormant')),
    tier            TEXT NOT NULL DEFAULT 'new_and_promising'
                    CHECK (tier IN ('all_stars', 'steady_earners', 'new_and_promising')),
    tier_pinned     BOOLEAN NOT NULL DEFAULT false,
    tier_since      TIMESTAMPTZ NOT NULL DEFAULT now(),
    opted_out       BOOLEAN NOT NULL DEFAULT false,
    opted_out_at    TIMESTAMPTZ,
    -- maintained with the rollups: the program-local day of the first net order line
    first_sale_on   DATE,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (program_id, handle),
    UNIQUE (program_id, id)
);
CREATE INDEX creators_program_tier ON creators (program_id, tier);

CREATE TABLE staff (
    id          BIGSERIAL PRIMARY KEY,
    program_id  BIGINT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL DEFAULT 'community_manager'
                CHECK (role IN ('owner', 'community_manager', 'account_manager')),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (program_id, name)
);

-- A Discord guild or Slack workspace belongs to exactly one program.
CREATE TABLE chat_workspaces (
    program_id    BIGINT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    platform      TEXT NOT NULL CHECK (platform IN ('discord', 'slack')),
    workspace_id  TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (program_id, platform, workspace_id),
    UNIQUE (platform, workspace_id)
);

-- A chat user is either a creator or a staff member of the program.
CREATE TABLE chat_identities (
    id            BIGSERIAL PRIMARY KEY,
    program_id    BIGINT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    platform      TEXT NOT NULL CHECK (platform IN ('discord', 'slack')),
    workspace_id  TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    creator_id    BIGINT REFERENCES creators(id) ON DELETE CASCADE,
    staff_id      BIGINT REFERENCES staff(id) ON DELETE CASCADE,
    -- the DM channel once opened, so it is not opened again
    dm_channel_id TEXT,
    linked_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((creator_id IS NULL) <> (staff_id IS NULL)),
    UNIQUE (program_id, platform, workspace_id, user_id)
);
CREATE INDEX chat_identities_creator ON chat_identities (program_id, creator_id) WHERE creator_id IS NOT NULL;

CREATE TABLE products (
    id               BIGSERIAL PRIMARY KEY,
    program_id       BIGINT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    -- TikTok Shop product id as exported
    product_id       TEXT NOT NULL,
    name             TEXT NOT NULL,
    unit_cost_cents  BIGINT NOT NULL CHECK (unit_cost_cents >= 0),
    launched_on      DATE,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (program_id, product_id)
);

CREATE TABLE samples (
    id               BIGSERIAL PRIMARY KEY,
    program_id       BIGINT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    creator_id       BIGINT NOT NULL REFERENCES creators(id) ON DELETE CASCADE,
    product_id       TEXT NOT NULL,
    shipped_on       DATE NOT NULL,
    delivered_on     DATE,
    -- shipping and handling; the product's unit cost is added from products
    cost_cents       BIGINT NOT NULL DEFAULT 0 CHECK (cost_cents >= 0),
    -- maintained when videos are imported: the first video of this product by this creator
    first_video_at   TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (delivered_on IS NULL OR delivered_on >= shipped_on),
    UNIQUE (program_id, creator_id, product_id, shipped_on)
);
CREATE INDEX samples_program_delivered ON samples (program_id, delivered_on);

CREATE TABLE videos (
    id           BIGSERIAL PRIMARY KEY,
    program_id   BIGINT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    content_id   TEXT NOT NULL,
    creator_id   BIGINT NOT NULL REFERENCES creators(id) ON DELETE CASCADE,
    product_id   TEXT,
    posted_at    TIMESTAMPTZ NOT NULL,
    views        BIGINT NOT NULL DEFAULT 0 CHECK (views >= 0),
    likes        BIGINT NOT NULL DEFAULT 0 CHECK (likes >= 0),
    comments     BIGINT NOT NULL DEFAULT 0 CHECK (comments >= 0),
    shares       BIGINT NOT NULL DEFAULT 0 CHECK (shares >= 0),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (program_id, content_id)
);
CREATE INDEX videos_program_posted ON videos (program_id, posted_at);
CREATE INDEX videos_creator_posted ON videos (program_id, creator_id, posted_at);

-- One line of the Seller Center affiliate orders export (or the Open API), keyed by order and SKU.
CREATE TABLE order_lines (
    id                               BIGSERIAL PRIMARY KEY,
    program_id                       BIGINT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    order_id                         TEXT NOT NULL,
    sku_id                           TEXT NOT NULL,
    creator_id                       BIGINT NOT NULL REFERENCES creators(id) ON DELETE CASCADE,
    product_id                       TEXT,
    product_name                     TEXT,
    currency                         TEXT NOT NULL,
    price_cents                      BIGINT,
    payment_amount_cents             BIGINT NOT NULL,
    quantity                         INTEGER NOT NULL DEFAULT 1,
    refunded                         BOOLEAN NOT NULL DEFAULT false,
    payment_method                   TEXT,
    status                           TEXT NOT NULL
                                     CHECK (status IN ('customer_unpaid', 'pending', 'settled', 'ineligible', 'frozen')),
    content_type                     TEXT,
    content_id                       TEXT,
    standard_rate_bp                 INTEGER,
    est_commission_base_cents        BIGINT,
    est_standard_commission_cents    BIGINT NOT NULL DEFAULT 0,
    actual_standard_commission_cents BIGINT,
    shop_ads_rate_bp                 INTEGER,
    est_shop_ads_commission_cents    BIGINT NOT NULL DEFAULT 0,
    actual_shop_ads_commission_cents BIGINT,
    est_cofunded_bonus_cents         BIGINT NOT NULL DEFAULT 0,
    actual_cofunded_bonus_cents      BIGINT,
    created_at                       TIMESTAMPTZ NOT NULL,
    -- program-local calendar day of created_at; the rollups and period filters use it
    created_on                       DATE NOT NULL,
    imported_at                      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at                       TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (program_id, order_id, sku_id)
);
CREATE INDEX order_lines_creator_day ON order_lines (program_id, creator_id, created_on);
CREATE INDEX order_lines_day ON order_lines (program_id, created_on);

-- Per creator and program-local day, recomputed from order_lines for every day an import touches.
CREATE TABLE creator_daily (
    program_id                  BIGINT NOT NULL,
    creator_id                  BIGINT NOT NULL,
    day                         DATE NOT NULL,
    gross_gmv_cents             BIGINT NOT NULL,
    refunded_gmv_cents          BIGINT NOT NULL,
    net_lines                   INTEGER NOT NULL,
    orders                      INTEGER NOT NULL,
    commission_cents            BIGINT NOT NULL,
    commission_estimated_cents  BIGINT NOT NULL,
    commission_actual_cents     BIGINT NOT NULL,
    PRIMARY KEY (program_id, creator_id, day),
    FOREIGN KEY (program_id, creator_id) REFERENCES creators (program_id, id) ON DELETE CASCADE
);
CREATE INDEX creator_daily_day ON creator_daily (program_id, day) INCLUDE (creator_id, gross_gmv_cents, refunded_gmv_cents, net_lines);

CREATE TABLE program_daily (
    program_id                  BIGINT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    day                         DATE NOT NULL,
    gross_gmv_cents             BIGINT NOT NULL,
    refunded_gmv_cents          BIGINT NOT NULL,
    orders                      INTEGER NOT NULL,
    commission_cents            BIGINT NOT NULL,
    commission_estimated_cents  BIGINT NOT NULL,
    commission_actual_cents     BIGINT NOT NULL,
    PRIMARY KEY (program_id, day)
);

-- Flat fees and bonuses paid outside TikTok Shop commissions; part of program cost.
CREATE TABLE program_costs (
    id           BIGSERIAL PRIMARY KEY,
    program_id   BIGINT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    creator_id   BIGINT REFERENCES creators(id) ON DELETE SET NULL,
    incurred_on  DATE NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
    description  TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX program_costs_day ON program_costs (program_id, incurred_on);

CREATE TABLE tier_history (
    id          BIGSERIAL PRIMARY KEY,
    program_id  BIGINT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    creator_id  BIGINT NOT NULL REFERENCES creators(id) ON DELETE CASCADE,
    from_tier   TEXT CHECK (from_tier IN ('all_stars', 'steady_earners', 'new_and_promising')),
    to_tier     TEXT NOT NULL CHECK (to_tier IN ('all_stars', 'steady_earners', 'new_and_promising')),
    -- 'monthly_review', 'daily_check', 'viral', 'pinned', 'unpinned', 'joined'
    kind        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    changed_at  TIMESTAMPTZ NOT NULL,
    -- 'system' or the staff member / CLI user who made the change
    changed_by  TEXT NOT NULL,
    pinned      BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX tier_history_creator ON tier_history (program_id, creator_id, changed_at);

-- Every scheduled or delayed message. The dispatcher (next issue) claims due rows with
-- FOR UPDATE SKIP LOCKED under a lease.
CREATE TABLE outbox (
    id              BIGSERIAL PRIMARY KEY,
    program_id      BIGINT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    dedupe_key      TEXT NOT NULL,
    -- 'dm', 'channel', 'membership', 'staff_alert'
    kind            TEXT NOT NULL,
    creator_id      BIGINT REFERENCES creators(id) ON DELETE CASCADE,
    -- platform-neutral target such as 'tier:all_stars' or 'staff'; NULL for a creator DM
    channel         TEXT,
    template        TEXT,
    payload         JSONB NOT NULL DEFAULT '{}'::jsonb,
    due_at          TIMESTAMPTZ NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_until     TIMESTAMPTZ,
    locked_by       TEXT,
    last_error      TEXT,
    platform        TEXT CHECK (platform IN ('discord', 'slack', 'console')),
    platform_message_id TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at         TIMESTAMPTZ,
    UNIQUE (program_id, dedupe_key)
);
CREATE INDEX outbox_due ON outbox (due_at) WHERE status IN ('pending', 'sending');
