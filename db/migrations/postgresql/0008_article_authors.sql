-- Co-signed articles and the newsroom's editors (the SQLite 0008, in PostgreSQL).
--
-- An article has one or more authors ("Par Awa KEITA et Issa DEMBÉLÉ"), in byline order;
-- articles.author_id stays the first one. published_at is copied here so an author's newest
-- articles are one index range scan, as article_topics does for topics.
CREATE TABLE article_authors (
    article_id   BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    author_id    BIGINT NOT NULL REFERENCES authors (id),
    position     INTEGER NOT NULL DEFAULT 0,   -- order in the byline
    published_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (article_id, author_id)
);
CREATE INDEX article_authors_by_author
    ON article_authors (author_id, published_at DESC, article_id DESC);

INSERT INTO article_authors (article_id, author_id, position, published_at)
SELECT id, author_id, 0, published_at FROM articles;

-- An author's count is now that of the articles listing her, co-signed ones included.
DROP TRIGGER IF EXISTS authors_count_insert ON articles;
DROP TRIGGER IF EXISTS authors_count_update ON articles;
DROP TRIGGER IF EXISTS authors_count_delete ON articles;
DROP FUNCTION IF EXISTS authors_count();

CREATE FUNCTION article_authors_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE authors SET article_count = article_count + 1
        WHERE id = NEW.author_id
          AND (SELECT status FROM articles WHERE id = NEW.article_id) = 'published';
        RETURN NEW;
    END IF;
    UPDATE authors SET article_count = article_count - 1
    WHERE id = OLD.author_id
      AND (SELECT status FROM articles WHERE id = OLD.article_id) = 'published';
    RETURN OLD;
END;
$$;

CREATE TRIGGER authors_count_insert AFTER INSERT ON article_authors
FOR EACH ROW EXECUTE FUNCTION article_authors_count();
CREATE TRIGGER authors_count_delete AFTER DELETE ON article_authors
FOR EACH ROW EXECUTE FUNCTION article_authors_count();

CREATE FUNCTION article_authors_count_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE authors
    SET article_count = article_count + (CASE NEW.status WHEN 'published' THEN 1 ELSE -1 END)
    WHERE id IN (SELECT author_id FROM article_authors WHERE article_id = NEW.id);
    RETURN NEW;
END;
$$;

CREATE TRIGGER authors_count_status AFTER UPDATE OF status ON articles
FOR EACH ROW WHEN ((OLD.status = 'published') <> (NEW.status = 'published'))
EXECUTE FUNCTION article_authors_count_status();

UPDATE authors SET article_count = (
    SELECT count(*) FROM article_authors AS aa JOIN articles AS a ON a.id = aa.article_id
    WHERE aa.author_id = authors.id AND a.status = 'published'
);

-- Editors added from Telegram by a chief editor (NEWSBOT_ADMINS are the chief editors).
CREATE TABLE editors (
    user_id  BIGINT PRIMARY KEY,               -- Telegram user id (64-bit)
    name     TEXT NOT NULL DEFAULT '',         -- as Telegram gave it when she was added
    added_by BIGINT NOT NULL,
    added_at DOUBLE PRECISION NOT NULL
);
