-- Keyword alerts (/watch) and forum topics (issue 15).
--
-- A forum supergroup's subscription belongs to the topic it was made in: thread_id is the
-- topic's message_thread_id, 0 outside forum topics (a private chat, a plain group, the
-- forum's General topic). The same group may follow Mali in one topic and Sport in another.
ALTER TABLE subscriptions ADD COLUMN thread_id INTEGER NOT NULL DEFAULT 0;
DROP INDEX subscriptions_by_topic;
DROP INDEX subscriptions_by_author;
CREATE UNIQUE INDEX subscriptions_by_topic ON subscriptions (topic_id, chat_id, thread_id)
    WHERE topic_id IS NOT NULL;
CREATE UNIQUE INDEX subscriptions_by_author ON subscriptions (author_id, chat_id, thread_id)
    WHERE author_id IS NOT NULL;

-- A keyword watch: an article matches when it holds every one of its terms. `key` is the
-- terms sorted, one space apart, so "Mali élections" and "élections mali" are one watch.
CREATE TABLE watches (
    id         INTEGER PRIMARY KEY,
    chat_id    INTEGER NOT NULL REFERENCES chats (id) ON UPDATE CASCADE ON DELETE CASCADE,
    thread_id  INTEGER NOT NULL DEFAULT 0,
    key        TEXT NOT NULL,
    words      TEXT NOT NULL,               -- as the reader typed them, for the list
    term_count INTEGER NOT NULL CHECK (term_count >= 1),
    created_at REAL NOT NULL,
    UNIQUE (chat_id, thread_id, key)
);

-- The index a new article is matched through: one row per watched term. A watch matches
-- when the rows found for the article's terms number its term_count (copied here so the
-- count is read from this index alone, without visiting the watches that do not match).
CREATE TABLE watch_terms (
    term       TEXT NOT NULL,
    watch_id   INTEGER NOT NULL REFERENCES watches (id) ON DELETE CASCADE,
    term_count INTEGER NOT NULL,
    PRIMARY KEY (term, watch_id)
) WITHOUT ROWID;
CREATE INDEX watch_terms_by_watch ON watch_terms (watch_id);

-- An alert is owed per article, chat and topic: an article with both Mali and Sport goes to
-- both topics of a forum that follows each in its own. SQLite cannot change a table's
-- UNIQUE constraint in place: the outbox is rebuilt with the same rows (thread 0).
CREATE TABLE deliveries_new (
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
    revision        INTEGER NOT NULL DEFAULT 1,
    thread_id       INTEGER NOT NULL DEFAULT 0,
    UNIQUE (article_id, chat_id, thread_id)
);
INSERT INTO deliveries_new
    (id, article_id, chat_id, status, action, priority, attempts, next_attempt_at,
     created_at, sent_at, message_id, last_error, revision)
SELECT id, article_id, chat_id, status, action, priority, attempts, next_attempt_at,
       created_at, sent_at, message_id, last_error, revision
FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;
CREATE INDEX deliveries_due ON deliveries (priority DESC, next_attempt_at, id)
    WHERE status = 'pending';
CREATE INDEX deliveries_in_flight ON deliveries (status) WHERE status = 'sending';
CREATE INDEX deliveries_by_chat ON deliveries (chat_id, status);
CREATE INDEX deliveries_pending_by_time ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_by_created ON deliveries (created_at);
