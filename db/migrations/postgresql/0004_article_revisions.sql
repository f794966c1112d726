-- The SQLite 0004, in PostgreSQL (that file says why): articles.revision counts the changes
-- readers can see, deliveries.revision the revision an alert was claimed at. The revision
-- is bumped before the row is written, by every UPDATE naming one of these columns, as the
-- SQLite trigger does after it.
ALTER TABLE articles ADD COLUMN revision integer NOT NULL DEFAULT 1;
ALTER TABLE deliveries ADD COLUMN revision integer NOT NULL DEFAULT 1;

CREATE FUNCTION articles_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.revision := OLD.revision + 1;
    RETURN NEW;
END;
$$;
CREATE TRIGGER articles_revision
BEFORE UPDATE OF title, lead, body, url, image_url, author_id, urgent, status, updated_at
ON articles FOR EACH ROW EXECUTE FUNCTION articles_revision();
