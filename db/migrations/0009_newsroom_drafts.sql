-- The newsroom's work in progress, in the database rather than in one process's memory, so
-- that a restart keeps it and any instance continues it (handlers/publish.py).
--
-- drafts: the article an editor is preparing in one chat (one at a time), what her next
-- message or press answers (`step`), and the message holding its buttons. A draft left
-- alone expires (`expires_at`, pushed back at every step); expired ones are swept.
CREATE TABLE drafts (
    id                 INTEGER PRIMARY KEY,
    editor_id          INTEGER NOT NULL,
    chat_id            INTEGER NOT NULL,
    token              TEXT NOT NULL,            -- named by the draft's buttons
    step               TEXT NOT NULL,
    lang               TEXT NOT NULL,
    source_key         TEXT NOT NULL,            -- chosen at the start: one article however often confirmed
    original_id        INTEGER,                  -- a correction: the article it replaces
    original_hash      TEXT,                     -- that article's content when the editor saw it
    guided             INTEGER NOT NULL DEFAULT 0 CHECK (guided IN (0, 1)),
    title              TEXT NOT NULL DEFAULT '', -- the title line, hashtags included
    byline             TEXT,                     -- the byline without its "Par"; NULL: the newsroom
    body               TEXT NOT NULL DEFAULT '', -- the lead, then the other paragraphs
    photo              TEXT,                     -- a web address or a Telegram file_id
    link               TEXT,
    publish_at         REAL,                     -- scheduled publication; NULL: at confirmation
    urgent             INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
    duplicate_checked  INTEGER NOT NULL DEFAULT 0 CHECK (duplicate_checked IN (0, 1)),
    preview_message_id INTEGER,                  -- the message with the confirmation buttons
    created_at         REAL NOT NULL,
    updated_at         REAL NOT NULL,
    expires_at         REAL NOT NULL,
    UNIQUE (editor_id, chat_id)
);
CREATE INDEX drafts_by_expiry ON drafts (expires_at);

-- scheduled_articles: confirmed articles waiting for their minute. They are not articles yet,
-- so no list, search, inline result or alert can show them. At the minute one instance claims
-- the row (an UPDATE only one wins), publishes it (by its source key: a second try changes
-- nothing) and deletes it; a claim whose instance died runs out and is taken again.
CREATE TABLE scheduled_articles (
    id         INTEGER PRIMARY KEY,
    source_key TEXT NOT NULL UNIQUE,
    publish_at REAL NOT NULL,
    title      TEXT NOT NULL,                    -- for /scheduled
    draft      TEXT NOT NULL,                    -- the ArticleDraft, as JSON
    editor_id  INTEGER NOT NULL,
    chat_id    INTEGER NOT NULL,                 -- where to say it is out
    lang       TEXT NOT NULL,
    claimed_until REAL NOT NULL DEFAULT 0,  -- being published until then
    created_at REAL NOT NULL
);
CREATE INDEX scheduled_articles_due ON scheduled_articles (publish_at);

-- pending_withdrawals: an /unpublish asked and not yet confirmed or called off; its buttons
-- name the token, so the press works on any instance, once.
CREATE TABLE pending_withdrawals (
    token      TEXT PRIMARY KEY,
    editor_id  INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    created_at REAL NOT NULL
);
