-- The SQLite 0003, in PostgreSQL: what each feed item looked like when last published.
CREATE TABLE feed_items (
    source_key text PRIMARY KEY,
    item_hash  text NOT NULL
);
