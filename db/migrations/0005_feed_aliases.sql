-- Another name for a feed item already stored: its link, or its title and date. A feed
-- that changes an item's guid but not its link (a CMS migration, a re-import) reaches the
-- article stored under the old guid through this table, instead of making a duplicate.
CREATE TABLE feed_aliases (
    alias      TEXT PRIMARY KEY,
    source_key TEXT NOT NULL
) WITHOUT ROWID;

-- An item whose date could not be read is dated when it was first seen; this says so.
ALTER TABLE feed_items ADD COLUMN undated INTEGER NOT NULL DEFAULT 0;
