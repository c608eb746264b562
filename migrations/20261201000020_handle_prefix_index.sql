-- Suggestions while a handle is typed read creators by handle prefix; text_pattern_ops lets a
-- range or LIKE 'abc%' use the index whatever the database's collation.
CREATE INDEX creators_handle_prefix ON creators (program_id, handle text_pattern_ops);
