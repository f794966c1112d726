-- Follow-ups that reach every alert. A broadcast lasts seconds; an article corrected or
-- withdrawn meanwhile has alerts already sent, being sent, and not sent yet.
--
-- articles.revision counts the changes readers can see (content and status); the trigger
-- bumps it on every such UPDATE, whoever writes it. deliveries.revision is the article
-- revision a delivery was claimed at: the alert it sent shows that revision or a newer one.
-- When a sent alert's revision is older than its article's, the alert is stale and is owed
-- an edit (or a deletion): the outbox decides that in one place, whether the send finished
-- before the change or only after it (db/deliveries.py).
ALTER TABLE articles ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
ALTER TABLE deliveries ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;

CREATE TRIGGER articles_revision
AFTER UPDATE OF title, lead, body, url, image_url, author_id, urgent, status, updated_at
ON articles BEGIN
    UPDATE articles SET revision = revision + 1 WHERE id = new.id;
END;
