-- A change log the stats caches check before serving a value: one row per program, source and
-- writing transaction, written by triggers so that every write path (imports, commands, tests that
-- write SQL directly, cascades) is covered. A cached value was computed in a snapshot that saw
-- some set of these rows; rows are only ever added and a later snapshot sees a superset of an
-- earlier one, so two snapshots that count the same rows saw the same writes to the source.
-- Inserting one row per transaction takes no lock another writer waits on (unlike a counter row).
--
-- Sources:
--   activity — videos, samples, products (video boards, sample conversion and cost);
--   accounts — creators added or removed, chat identities and workspaces (unlinked creators);
--   tiers    — creators added or removed, a creator's tier changed (the tier mix).
CREATE TABLE stats_changes (
    -- No foreign key: deleting a program cascades to tables whose triggers write here.
    program_id  BIGINT NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('activity', 'accounts', 'tiers')),
    xact        xid8 NOT NULL DEFAULT pg_current_xact_id(),
    changed_at  TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (program_id, source, xact)
);

-- Statement-level: `changed` is the statement's transition table; TG_ARGV are the sources.
CREATE FUNCTION stats_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    src TEXT;
BEGIN
    FOREACH src IN ARRAY TG_ARGV LOOP
        INSERT INTO stats_changes (program_id, source)
        SELECT DISTINCT program_id, src FROM changed ORDER BY 1
        ON CONFLICT DO NOTHING;
    END LOOP;
    RETURN NULL;
END $$;

-- Row-level, for updates that only matter when some columns change (a transition table cannot be
-- limited to columns, and creators and chat identities are updated all the time otherwise).
CREATE FUNCTION stats_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_changes (program_id, source)
    VALUES (NEW.program_id, TG_ARGV[0])
    ON CONFLICT DO NOTHING;
    IF OLD.program_id <> NEW.program_id THEN
        INSERT INTO stats_changes (program_id, source)
        VALUES (OLD.program_id, TG_ARGV[0])
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER videos_inserted AFTER INSERT ON videos REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION stats_changed('activity');
CREATE TRIGGER videos_updated AFTER UPDATE ON videos REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION stats_changed('activity');
CREATE TRIGGER videos_deleted AFTER DELETE ON videos REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION stats_changed('activity');

CREATE TRIGGER samples_inserted AFTER INSERT ON samples REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION stats_changed('activity');
CREATE TRIGGER samples_updated AFTER UPDATE ON samples REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION stats_changed('activity');
CREATE TRIGGER samples_deleted AFTER DELETE ON samples REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION stats_changed('activity');

CREATE TRIGGER products_inserted AFTER INSERT ON products REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION stats_changed('activity');
CREATE TRIGGER products_updated AFTER UPDATE ON products REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION stats_changed('activity');
CREATE TRIGGER products_deleted AFTER DELETE ON products REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION stats_changed('activity');

CREATE TRIGGER creators_inserted AFTER INSERT ON creators REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION stats_changed('accounts', 'tiers');
CREATE TRIGGER creators_deleted AFTER DELETE ON creators REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION stats_changed('accounts', 'tiers');
CREATE TRIGGER creators_tier_changed AFTER UPDATE OF tier, program_id ON creators
    FOR EACH ROW WHEN (OLD.tier IS DISTINCT FROM NEW.tier OR OLD.program_id <> NEW.program_id)
    EXECUTE FUNCTION stats_row_changed('tiers');

CREATE TRIGGER chat_identities_inserted AFTER INSERT ON chat_identities
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION stats_changed('accounts');
CREATE TRIGGER chat_identities_deleted AFTER DELETE ON chat_identities
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION stats_changed('accounts');
CREATE TRIGGER chat_identities_relinked
    AFTER UPDATE OF program_id, platform, workspace_id, creator_id, left_at ON chat_identities
    FOR EACH ROW WHEN (OLD.program_id <> NEW.program_id OR OLD.platform <> NEW.platform
                       OR OLD.workspace_id <> NEW.workspace_id
                       OR OLD.creator_id IS DISTINCT FROM NEW.creator_id
                       OR OLD.left_at IS DISTINCT FROM NEW.left_at)
    EXECUTE FUNCTION stats_row_changed('accounts');

CREATE TRIGGER chat_workspaces_inserted AFTER INSERT ON chat_workspaces
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION stats_changed('accounts');
CREATE TRIGGER chat_workspaces_updated AFTER UPDATE ON chat_workspaces
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION stats_changed('accounts');
CREATE TRIGGER chat_workspaces_deleted AFTER DELETE ON chat_workspaces
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION stats_changed('accounts');
