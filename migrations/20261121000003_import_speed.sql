-- Order lines are written in bulk by the import (hundreds of thousands per file) and read only by
-- the rollup refresh, so every per-row cost on them counts:
-- - no surrogate id: the natural key (program, order, SKU) becomes the primary key;
-- - no foreign keys: each costs a lookup per inserted row. The import creates a line's creator
--   in the same transaction before the line, and deleting a program deletes its lines explicitly;
-- - no per-creator index: stats and tiers read the rollups, never a creator's raw lines.
ALTER TABLE order_lines DROP CONSTRAINT order_lines_program_id_fkey;
ALTER TABLE order_lines DROP CONSTRAINT order_lines_creator_id_fkey;
ALTER TABLE order_lines DROP COLUMN id;
ALTER TABLE order_lines DROP CONSTRAINT order_lines_program_id_order_id_sku_id_key,
    ADD CONSTRAINT order_lines_pkey PRIMARY KEY (program_id, order_id, sku_id);
DROP INDEX order_lines_creator_day;
