-- Publishing queues one delivery per chat in one INSERT … SELECT: 300,000 rows for an article
-- that many chats follow (bench B3). PostgreSQL checks a foreign key row by row — a query
-- and a KEY SHARE lock on the referenced row, for each of the 300,000 deliveries, on the
-- article and again on the chat (a lock is a write to the chat's row and to the WAL) — and
-- those two checks took 2.1 of B3's 5 s (EXPLAIN ANALYZE: "Trigger for constraint
-- deliveries_chat_id_fkey: time=1169 calls=300000", deliveries_article_id_fkey 915).
-- So deliveries' two references are kept by triggers instead, with the same rules:
-- new rows are checked once per statement, in one query over all of them (a missing
-- article or chat is the same foreign_key_violation); a chat's deletion or new id, and an
-- article's deletion, cascade as ON DELETE / ON UPDATE CASCADE did; an article's id cannot
-- change under its deliveries. What the checks no longer take is the row locks that kept a
-- concurrent transaction from deleting a chat or an article being referenced: every
-- newsbot write transaction holds the advisory write lock (db/postgres.py), so no two
-- run at once. SQLite checks its foreign keys cheaply and keeps them (its 0014 is empty).
ALTER TABLE deliveries DROP CONSTRAINT deliveries_article_id_fkey;
ALTER TABLE deliveries DROP CONSTRAINT deliveries_chat_id_fkey;

CREATE FUNCTION deliveries_check_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM (SELECT DISTINCT article_id FROM inserted) AS d
               WHERE NOT EXISTS (SELECT 1 FROM articles AS a WHERE a.id = d.article_id)) THEN
        RAISE EXCEPTION 'a delivery names an article that does not exist'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'deliveries',
                  CONSTRAINT = 'deliveries_article_id_fkey';
    END IF;
    IF EXISTS (SELECT 1 FROM inserted AS d
               WHERE NOT EXISTS (SELECT 1 FROM chats AS c WHERE c.id = d.chat_id)) THEN
        RAISE EXCEPTION 'a delivery names a chat that does not exist'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'deliveries',
                  CONSTRAINT = 'deliveries_chat_id_fkey';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER deliveries_check_insert AFTER INSERT ON deliveries
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT
    EXECUTE FUNCTION deliveries_check_inserted();

-- A delivery moved to another article or chat (db/chats.py's migrate_chat): a few rows.
CREATE FUNCTION deliveries_check_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM articles WHERE id = NEW.article_id) THEN
        RAISE EXCEPTION 'a delivery names an article that does not exist'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'deliveries',
                  CONSTRAINT = 'deliveries_article_id_fkey';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM chats WHERE id = NEW.chat_id) THEN
        RAISE EXCEPTION 'a delivery names a chat that does not exist'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'deliveries',
                  CONSTRAINT = 'deliveries_chat_id_fkey';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER deliveries_check_move AFTER UPDATE OF article_id, chat_id ON deliveries
    FOR EACH ROW
    WHEN (OLD.article_id <> NEW.article_id OR OLD.chat_id <> NEW.chat_id)
    EXECUTE FUNCTION deliveries_check_moved();

CREATE FUNCTION deliveries_follow_chat() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM deliveries WHERE chat_id = OLD.id;
    ELSE
        UPDATE deliveries SET chat_id = NEW.id WHERE chat_id = OLD.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER deliveries_chat_deleted AFTER DELETE ON chats
    FOR EACH ROW EXECUTE FUNCTION deliveries_follow_chat();
CREATE TRIGGER deliveries_chat_renumbered AFTER UPDATE OF id ON chats
    FOR EACH ROW WHEN (OLD.id <> NEW.id) EXECUTE FUNCTION deliveries_follow_chat();

CREATE FUNCTION deliveries_follow_article() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM deliveries WHERE article_id = OLD.id;
    ELSIF EXISTS (SELECT 1 FROM deliveries WHERE article_id = OLD.id) THEN
        RAISE EXCEPTION 'an article with deliveries cannot change its id'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'articles',
                  CONSTRAINT = 'deliveries_article_id_fkey';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER deliveries_article_deleted AFTER DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION deliveries_follow_article();
CREATE TRIGGER deliveries_article_renumbered AFTER UPDATE OF id ON articles
    FOR EACH ROW WHEN (OLD.id <> NEW.id) EXECUTE FUNCTION deliveries_follow_article();
