-- Each order line remembers two 64-bit hashes the import computes (XXH3): of its key (order ID and
-- SKU ID) and of the whole line as it was last written (every column the file had). An import
-- reads them by day, straight from the day index, and recognises the lines of a file that are
-- already stored as they are without sending them to the database at all.
-- Lines stored before this migration have neither; the next import that meets them stamps them.
ALTER TABLE order_lines ADD COLUMN key_hash BIGINT, ADD COLUMN line_hash BIGINT;
DROP INDEX order_lines_day;
CREATE INDEX order_lines_day ON order_lines (program_id, created_on) INCLUDE (key_hash, line_hash);
