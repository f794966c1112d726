-- The SQLite 0006, in PostgreSQL: what the last read of a feed found (JSON, from bot.feeds).
ALTER TABLE feeds ADD COLUMN last_counts text;
