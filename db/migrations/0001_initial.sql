-- newsbot schema, version 1.
-- Times are Unix seconds in UTC (REAL). Folded keys (`key`) are lower-case, accent-free
-- forms used for matching; `name` keeps the nicest display form seen.

-- article_count (published articles) is kept by triggers so listings never count rows.
CREATE TABLE authors (
    id            INTEGER PRIMARY KEY,
    key           TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    article_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX authors_by_count ON authors (article_count DESC, key);

CREATE TABLE topics (
    id            INTEGER PRIMARY KEY,
    key           TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    article_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX topics_by_count ON topics (article_count DESC, key);

CREATE TABLE articles (
    id           INTEGER PRIMARY KEY,
    source_key   TEXT NOT NULL UNIQUE,          -- feed guid, editor id or import key
    url          TEXT,
    title        TEXT NOT NULL,
    lead         TEXT NOT NULL,
    body         TEXT NOT NULL DEFAULT '',
    image_url    TEXT,
    author_id    INTEGER NOT NULL REFERENCES authors (id),
    published_at REAL NOT NULL,
    updated_at   REAL NOT NULL,
    status       TEXT NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'withdrawn')),
    origin       TEXT NOT NULL CHECK (origin IN ('editor', 'feed', 'import')),
    urgent       INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
    content_hash TEXT NOT NULL DEFAULT ''      -- lets a feed tell a changed item from a repeat
);

-- Reader queries only ever see published articles: partial indexes keep them range scans.
CREATE INDEX articles_latest ON articles (published_at DESC, id DESC)
    WHERE status = 'published';
CREATE INDEX articles_by_author ON articles (author_id, published_at DESC, id DESC)
    WHERE status = 'published';

-- published_at is copied here so a topic's newest articles are one index range scan.
CREATE TABLE article_topics (
    article_id   INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    topic_id     INTEGER NOT NULL REFERENCES topics (id),
    position     INTEGER NOT NULL DEFAULT 0,   -- order of the hashtags in the title
    published_at REAL NOT NULL,
    PRIMARY KEY (article_id, topic_id)
) WITHOUT ROWID;
CREATE INDEX article_topics_by_topic ON article_topics (topic_id, published_at DESC, article_id DESC);

CREATE TABLE chats (
    id         INTEGER PRIMARY KEY,            -- Telegram chat id (64-bit)
    type       TEXT NOT NULL CHECK (type IN ('private', 'group', 'supergroup', 'channel')),
    title      TEXT,
    language   TEXT NOT NULL DEFAULT 'fr',
    status     TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked', 'left')),
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX chats_by_status ON chats (status, type);

CREATE TABLE subscriptions (
    id         INTEGER PRIMARY KEY,
    chat_id    INTEGER NOT NULL REFERENCES chats (id) ON UPDATE CASCADE ON DELETE CASCADE,
    topic_id   INTEGER REFERENCES topics (id),
    author_id  INTEGER REFERENCES authors (id),
    created_at REAL NOT NULL,
    CHECK ((topic_id IS NULL) <> (author_id IS NULL))
);
CREATE UNIQUE INDEX subscriptions_by_topic ON subscriptions (topic_id, chat_id)
    WHERE topic_id IS NOT NULL;
CREATE UNIQUE INDEX subscriptions_by_author ON subscriptions (author_id, chat_id)
    WHERE author_id IS NOT NULL;
CREATE INDEX subscriptions_by_chat ON subscriptions (chat_id);

-- The outbox. One row per article and chat; `action` says what is owed to the chat:
-- the alert itself, an edit of the sent alert (correction) or its deletion (withdrawal).
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    article_id      INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    chat_id         INTEGER NOT NULL REFERENCES chats (id) ON UPDATE CASCADE ON DELETE CASCADE,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    action          TEXT NOT NULL DEFAULT 'send' CHECK (action IN ('send', 'edit', 'delete')),
    priority        INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    created_at      REAL NOT NULL,
    sent_at         REAL,
    message_id      INTEGER,
    last_error      TEXT,
    UNIQUE (article_id, chat_id)
);
CREATE INDEX deliveries_due ON deliveries (priority DESC, next_attempt_at, id)
    WHERE status = 'pending';
CREATE INDEX deliveries_in_flight ON deliveries (status) WHERE status = 'sending';
CREATE INDEX deliveries_by_chat ON deliveries (chat_id, status);

CREATE TABLE feeds (
    id                   INTEGER PRIMARY KEY,
    url                  TEXT NOT NULL UNIQUE,
    title                TEXT,
    interval_minutes     INTEGER NOT NULL DEFAULT 5 CHECK (interval_minutes >= 1),
    etag                 TEXT,
    last_modified        TEXT,
    next_poll_at         REAL NOT NULL,
    last_success_at      REAL,
    last_polled_at       REAL,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_error           TEXT,
    enabled              INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    added_at             REAL NOT NULL,
    added_by             INTEGER
);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         REAL NOT NULL,
    user_id    INTEGER NOT NULL,
    action     TEXT NOT NULL,
    article_id INTEGER,
    detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_by_time ON audit_log (at);

-- Full-text search over published articles only; "securite" finds "sécurité".
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, lead, body,
    content = 'articles', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles
WHEN new.status = 'published' BEGIN
    INSERT INTO articles_fts (rowid, title, lead, body) VALUES (new.id, new.title, new.lead, new.body);
END;

CREATE TRIGGER articles_fts_update_old AFTER UPDATE OF title, lead, body, status ON articles
WHEN old.status = 'published' BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, lead, body)
    VALUES ('delete', old.id, old.title, old.lead, old.body);
END;

CREATE TRIGGER articles_fts_update_new AFTER UPDATE OF title, lead, body, status ON articles
WHEN new.status = 'published' BEGIN
    INSERT INTO articles_fts (rowid, title, lead, body) VALUES (new.id, new.title, new.lead, new.body);
END;

CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles
WHEN old.status = 'published' BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, lead, body)
    VALUES ('delete', old.id, old.title, old.lead, old.body);
END;

-- Published-article counters of authors and topics.
CREATE TRIGGER authors_count_insert AFTER INSERT ON articles
WHEN new.status = 'published' BEGIN
    UPDATE authors SET article_count = article_count + 1 WHERE id = new.author_id;
END;

CREATE TRIGGER authors_count_update AFTER UPDATE OF status, author_id ON articles BEGIN
    UPDATE authors SET article_count = article_count - 1
    WHERE id = old.author_id AND old.status = 'published';
    UPDATE authors SET article_count = article_count + 1
    WHERE id = new.author_id AND new.status = 'published';
END;

CREATE TRIGGER authors_count_delete AFTER DELETE ON articles
WHEN old.status = 'published' BEGIN
    UPDATE authors SET article_count = article_count - 1 WHERE id = old.author_id;
END;

CREATE TRIGGER topics_count_insert AFTER INSERT ON article_topics BEGIN
    UPDATE topics SET article_count = article_count + 1
    WHERE id = new.topic_id
      AND (SELECT status FROM articles WHERE id = new.article_id) = 'published';
END;

CREATE TRIGGER topics_count_delete AFTER DELETE ON article_topics BEGIN
    UPDATE topics SET article_count = article_count - 1
    WHERE id = old.topic_id
      AND (SELECT status FROM articles WHERE id = old.article_id) = 'published';
END;

CREATE TRIGGER topics_count_status AFTER UPDATE OF status ON articles
WHEN old.status <> new.status BEGIN
    UPDATE topics
    SET article_count = article_count + (CASE new.status WHEN 'published' THEN 1 ELSE -1 END)
    WHERE id IN (SELECT topic_id FROM article_topics WHERE article_id = new.id);
END;
