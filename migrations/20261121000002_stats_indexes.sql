-- What the stats (KPIs, creator card, leaderboard) read, indexed so a request never scans a
-- program's whole history, and a change stamp on the program rollups so a cached ranking can tell
-- it is stale.

-- Median days to first sale (creators whose first sale falls in the period) and CLV (creators who
-- sold before the period's end).
CREATE INDEX creators_first_sale ON creators (program_id, first_sale_on) INCLUDE (joined_on)
    WHERE first_sale_on IS NOT NULL;

-- Sample cost counts samples shipped in the period.
CREATE INDEX samples_program_shipped ON samples (program_id, shipped_on);

-- Activated creators, views and engagement of the videos posted in a period, from the index alone.
CREATE INDEX videos_program_posted_counts ON videos (program_id, posted_at)
    INCLUDE (creator_id, views, likes, comments, shares);

-- refresh_days deletes and re-inserts the rollup rows of every day an import touches, so the
-- newest stamp (with the row count) over a period changes whenever that period's numbers can have
-- changed.
ALTER TABLE program_daily ADD COLUMN refreshed_at TIMESTAMPTZ NOT NULL DEFAULT now();

-- Whether a sample was followed by a video of its product by its creator: one index probe per
-- sample, however many videos the creator posted.
CREATE INDEX videos_creator_product ON videos (program_id, creator_id, product_id, posted_at);
