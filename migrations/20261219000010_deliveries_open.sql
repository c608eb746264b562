-- The deliveries not finished yet, by program, platform and queue order: a post waits for the
-- earlier posts to its channel (deliveries::claim).
CREATE INDEX deliveries_open ON deliveries (program_id, platform, outbox_id)
    WHERE status IN ('pending', 'sending');
