-- Co-signed articles and the newsroom's editors.
--
-- An article has one or more authors ("Par Awa KEITA et Issa DEMBÉLÉ"), in byline order;
-- articles.author_id stays the first one. published_at is copied here so an author's newest
-- articles are one index range scan, as article_topics does for topics.
CREATE TABLE article_authors (
    article_id   INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    author_id    INTEGER NOT NULL REFERENCES authors (id),
    position     INTEGER NOT NULL DEFAULT 0,   -- order in the byline
    published_at REAL NOT NULL,
    PRIMARY KEY (article_id, author_id)
) WITHOUT ROWID;
CREATE INDEX article_authors_by_author
    ON article_authors (author_id, published_at DESC, article_id DESC);

INSERT INTO article_authors (article_id, author_id, position, published_at)
SELECT id, author_id, 0, published_at FROM articles;

-- An author's count is now that of the articles listing her, co-signed ones included.
DROP TRIGGER authors_count_insert;
DROP TRIGGER authors_count_update;
DROP TRIGGER authors_count_delete;

CREATE TRIGGER authors_count_insert AFTER INSERT ON article_authors BEGIN
    UPDATE authors SET article_count = article_count + 1
    WHERE id = new.author_id
      AND (SELECT status FROM articles WHERE id = new.article_id) = 'published';
END;

CREATE TRIGGER authors_count_delete AFTER DELETE ON article_authors BEGIN
    UPDATE authors SET article_count = article_count - 1
    WHERE id = old.author_id
      AND (SELECT status FROM articles WHERE id = old.article_id) = 'published';
END;

CREATE TRIGGER authors_count_status AFTER UPDATE OF status ON articles
WHEN (old.status = 'published') <> (new.status = 'published') BEGIN
    UPDATE authors
    SET article_count = article_count + (CASE new.status WHEN 'published' THEN 1 ELSE -1 END)
    WHERE id IN (SELECT author_id FROM article_authors WHERE article_id = new.id);
END;

UPDATE authors SET article_count = (
    SELECT count(*) FROM article_authors AS aa JOIN articles AS a ON a.id = aa.article_id
    WHERE aa.author_id = authors.id AND a.status = 'published'
);

-- Editors added from Telegram by a chief editor (NEWSBOT_ADMINS are the chief editors).
CREATE TABLE editors (
    user_id  INTEGER PRIMARY KEY,               -- Telegram user id (64-bit)
    name     TEXT NOT NULL DEFAULT '',          -- as Telegram gave it when she was added
    added_by INTEGER NOT NULL,
    added_at REAL NOT NULL
);
