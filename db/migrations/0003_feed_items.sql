-- What each feed item looked like when it was last published, so a repeat costs nothing and
-- an article an editor corrected is not overwritten by the unchanged item on the next poll
-- (kept in memory only, that knowledge was lost at every restart).
CREATE TABLE feed_items (
    source_key TEXT PRIMARY KEY,
    item_hash  TEXT NOT NULL
) WITHOUT ROWID;
