-- The SQLite 0005, in PostgreSQL: other names of a stored feed item, and undated items.
CREATE TABLE feed_aliases (
    alias      text PRIMARY KEY,
    source_key text NOT NULL
);

ALTER TABLE feed_items ADD COLUMN undated integer NOT NULL DEFAULT 0;
