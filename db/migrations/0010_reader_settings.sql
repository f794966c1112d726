-- Reader settings (issue 15): digests and quiet hours, and the digests' own outbox.
-- Times of day are minutes after midnight in NEWSBOT_TIMEZONE (0-1439); digest_times lists
-- them comma-separated ("420,1080"), '' for none.
CREATE TABLE reader_settings (
    chat_id      INTEGER PRIMARY KEY REFERENCES chats (id) ON UPDATE CASCADE ON DELETE CASCADE,
    digest_times TEXT NOT NULL DEFAULT '',
    quiet_from   INTEGER CHECK (quiet_from BETWEEN 0 AND 1439),
    quiet_until  INTEGER CHECK (quiet_until BETWEEN 0 AND 1439),
    updated_at   REAL NOT NULL,
    CHECK ((quiet_from IS NULL) = (quiet_until IS NULL))
);
-- The chats that hold alerts at all: publishing looks only at them (db/digests.py).
CREATE INDEX reader_settings_holding ON reader_settings (chat_id)
    WHERE digest_times <> '' OR quiet_from IS NOT NULL;

-- One row per digest message owed to a chat. A chat that holds alerts always has exactly
-- one digest pending or being sent (the unique index); its outcome schedules the next one
-- in the same transaction, so a restart at the digest minute neither loses nor doubles it.
CREATE TABLE digests (
    id              INTEGER PRIMARY KEY,
    chat_id         INTEGER NOT NULL REFERENCES chats (id) ON UPDATE CASCADE ON DELETE CASCADE,
    due_at          REAL NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    lease_until     REAL,  -- a claim older than this is a dead instance's
    parts_sent      INTEGER NOT NULL DEFAULT 0,  -- a long digest is several messages
    message_ids     TEXT NOT NULL DEFAULT '',
    article_count   INTEGER NOT NULL DEFAULT 0,
    sent_at         REAL,
    last_error      TEXT,
    created_at      REAL NOT NULL
);
CREATE UNIQUE INDEX digests_one_owed ON digests (chat_id) WHERE status IN ('pending', 'sending');
CREATE INDEX digests_due ON digests (next_attempt_at) WHERE status = 'pending';
CREATE INDEX digests_in_flight ON digests (lease_until) WHERE status = 'sending';
CREATE INDEX digests_by_created ON digests (created_at);

-- Articles waiting for a chat's next digest: moved here from the outbox when published
-- (urgent ones never are), with the forum topic their alert was for (thread_id, 0: none):
-- a forum's digest lists each topic's articles in that topic. `digest_id` is set when a
-- digest claims them; they go with it.
CREATE TABLE digest_items (
    chat_id    INTEGER NOT NULL REFERENCES chats (id) ON UPDATE CASCADE ON DELETE CASCADE,
    thread_id  INTEGER NOT NULL DEFAULT 0,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    digest_id  INTEGER REFERENCES digests (id) ON DELETE CASCADE,
    held_at    REAL NOT NULL,
    PRIMARY KEY (chat_id, thread_id, article_id)
);
CREATE INDEX digest_items_by_digest ON digest_items (digest_id);
