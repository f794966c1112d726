"""The outbox: one row per article and chat, worked through by the delivery worker.

A row remembers the article revision it was claimed at (`revision`): the worker reads the
article in the claim's transaction, so the alert it sends shows that revision. An alert whose
revision is older than its article's is stale: `_follow_up_stale` owes it an edit, or a
deletion once the article is withdrawn. It runs when an article changes (`queue_followups`)
for the alerts already written back, and when a send's outcome is written (`mark_sent`) for
those that were on their way meanwhile: whichever of the two comes last sees the other, as
both run in write transactions, so no alert is missed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from db.connection import Connection, Row
from db.instances import is_postgres
from db.models import Delivery
from db.recipients import recipients_sql
from db.watches import article_terms, chat_watches, matches

__all__ = [
    "DeliveryCounts",
    "cancel_chat_deliveries",
    "cancel_unfollowed",
    "claim_due",
    "count_pending",
    "delivery_counts",
    "mark_cancelled",
    "mark_failed",
    "mark_retry",
    "mark_sent",
    "next_due_at",
    "queue_article",
    "queue_followups",
    "recent_sends",
    "release_expired",
    "release_in_flight",
    "renew_leases",
]


def _delivery(row: Row) -> Delivery:
    return Delivery(
        row["id"], row["article_id"], row["chat_id"], row["status"], row["action"],
        row["priority"], row["attempts"], row["next_attempt_at"], row["created_at"],
        row["sent_at"], row["message_id"], row["last_error"], row["revision"],
        row["thread_id"],
    )  # fmt: skip


async def queue_article(
    conn: Connection,
    article_id: int,
    topic_ids: Sequence[int],
    author_id: int,
    now: float,
    *,
    priority: int = 0,
    extra_chat_ids: Sequence[int] = (),
    coauthor_ids: Sequence[int] = (),
    terms: Sequence[str] = (),
) -> int:
    """Queue one delivery per active chat following a topic or an author; return the count.

    One INSERT … SELECT of `recipients_sql`: the subscribers never pass through Python, and
    a chat that follows a topic and both authors of a co-signed article is queued once. Call
    inside the publishing transaction. `terms` are the article's (`watches.article_terms`),
    for the keyword watches; a forum topic's subscriptions queue one delivery per topic.
    """
    authors = (author_id, *coauthor_ids)
    recipients = recipients_sql(
        len(topic_ids),
        len(extra_chat_ids),
        by="id",
        author_count=len(authors),
        term_count=len(terms),
    )
    # PostgreSQL's UNION hashes: its rows are put in chat order, as SQLite's index walk
    # yields them, so a broadcast goes out in the same order on both.
    in_order = "ORDER BY r.id" if conn.dialect == "postgresql" else ""
    cursor = await conn.execute(
        f"""
        INSERT INTO deliveries
            (article_id, chat_id, thread_id, priority, next_attempt_at, created_at)
        SELECT CAST(? AS BIGINT), r.id, r.thread_id, CAST(? AS INTEGER),
               CAST(? AS DOUBLE PRECISION), CAST(? AS DOUBLE PRECISION)
        FROM ({recipients}) AS r
        WHERE true  -- SQLite reads an ON right after FROM … AS r as a join's
        {in_order}
        ON CONFLICT DO NOTHING
        """,
        (article_id, priority, now, now, *topic_ids, *authors, *extra_chat_ids, *terms),
    )
    return cursor.rowcount


async def _follow_up_stale(
    conn: Connection, scope: str, params: Sequence[object], now: float, priority: int
) -> int:
    """Owe an edit (or a deletion, the article withdrawn) to every stale alert in `scope`.

    An alert is stale when it was claimed at an older revision than its article's. In-flight
    rows ('sending') are left to `mark_sent`; a deletion already owed or done for a withdrawn
    article stays as it is.
    """
    cursor = await conn.execute(
        f"""
        UPDATE deliveries
        SET status = 'pending',
            action = CASE a.status WHEN 'published' THEN 'edit' ELSE 'delete' END,
            attempts = 0, next_attempt_at = ?, priority = ?, last_error = NULL
        FROM articles AS a
        WHERE a.id = deliveries.article_id AND ({scope})
          AND deliveries.message_id IS NOT NULL
          AND deliveries.status IN ('sent', 'pending', 'failed')
          AND deliveries.revision < a.revision
          AND (a.status = 'published' OR deliveries.action <> 'delete')
        """,
        (now, priority, *params),
    )
    return cursor.rowcount


async def queue_followups(
    conn: Connection, article_id: int, now: float, *, priority: int = 1
) -> int:
    """Owe every stale alert of a changed article an edit or a deletion; return how many.

    Call in the transaction that changed the article. Alerts not sent yet need nothing on a
    correction (the worker renders them at the article's latest revision) and are cancelled
    on a withdrawal. Alerts in flight are followed up when their outcome is written: they
    are counted here, as they will be corrected (or deleted) too.
    """
    await conn.execute(
        """
        UPDATE deliveries SET status = 'cancelled', last_error = 'article withdrawn'
        WHERE article_id = ? AND action = 'send' AND status IN ('pending', 'failed')
          AND (SELECT status FROM articles WHERE id = ?) <> 'published'
        """,
        (article_id, article_id),
    )
    owed = await _follow_up_stale(conn, "deliveries.article_id = ?", (article_id,), now, priority)
    async with conn.execute(
        "SELECT count(*) FROM deliveries WHERE article_id = ? AND status = 'sending'",
        (article_id,),
    ) as cursor:
        row = await cursor.fetchone()
    return owed + (row[0] if row else 0)


async def claim_due(
    conn: Connection,
    now: float,
    limit: int,
    *,
    claimed_by: str | None = None,
    lease_until: float | None = None,
) -> list[Delivery]:
    """Mark up to `limit` due deliveries as sending and return them, urgent first.

    Each is stamped with its article's current revision, the one it will show (read the
    article in this transaction): `mark_sent` compares it with the article's once it is out.
    It also names who claimed it and until when (`claimed_by`, `lease_until`): with several
    instances, a claim whose lease runs out goes back to the queue (`release_expired`).
    The index is named on SQLite: walking deliveries_due in order stops after `limit` rows,
    while the planner, offered the time index, may pick it and sort every due row instead.
    On PostgreSQL the rows are locked as they are picked, skipping those another instance
    is claiming at that moment, so two claims never take the same row.
    """
    postgres = is_postgres(conn)
    index = "" if postgres else "INDEXED BY deliveries_due"
    lock = "FOR UPDATE SKIP LOCKED" if postgres else ""
    async with conn.execute(
        f"""
        UPDATE deliveries SET status = 'sending', attempts = attempts + 1,
            revision = coalesce(
                (SELECT revision FROM articles WHERE id = deliveries.article_id), revision
            ),
            claimed_by = ?, lease_until = ?
        WHERE id IN (
            SELECT id FROM deliveries {index}
            WHERE status = 'pending' AND next_attempt_at <= ?
            ORDER BY priority DESC, next_attempt_at, id LIMIT ?
            {lock}
        )
        RETURNING *
        """,
        (claimed_by, lease_until, now, limit),
    ) as cursor:
        rows = await cursor.fetchall()
    deliveries = [_delivery(row) for row in rows]
    deliveries.sort(key=lambda d: (-d.priority, d.next_attempt_at, d.id))
    return deliveries


async def recent_sends(conn: Connection, since: float) -> list[tuple[int, float]]:
    """Return (chat id, sent at) of every alert sent since `since`, oldest first."""
    async with conn.execute(
        "SELECT chat_id, sent_at FROM deliveries WHERE sent_at >= ? ORDER BY sent_at",
        (since,),
    ) as cursor:
        return [(int(row[0]), float(row[1])) for row in await cursor.fetchall()]


async def renew_leases(conn: Connection, claimed_by: str, lease_until: float) -> int:
    """Extend the leases of the deliveries this instance is sending; return how many."""
    cursor = await conn.execute(
        "UPDATE deliveries SET lease_until = ? WHERE status = 'sending' AND claimed_by = ?",
        (lease_until, claimed_by),
    )
    return cursor.rowcount


async def release_expired(conn: Connection, now: float, *, keep: str) -> int:
    """Return to the queue the deliveries whose claim's lease ran out; return how many.

    Those of `keep` (this instance) stay: it is alive, and its sends may be on their way.
    A row whose outcome was written is not 'sending' any more: it is never sent again.
    """
    cursor = await conn.execute(
        """
        UPDATE deliveries SET status = 'pending', claimed_by = NULL, lease_until = NULL
        WHERE status = 'sending' AND lease_until < ? AND claimed_by <> ?
        """,
        (now, keep),
    )
    return cursor.rowcount


async def next_due_at(conn: Connection) -> float | None:
    """Return when the next pending delivery falls due, if any."""
    async with conn.execute(
        "SELECT min(next_attempt_at) FROM deliveries WHERE status = 'pending'"
    ) as cursor:
        row = await cursor.fetchone()
    return row[0] if row else None


async def count_pending(conn: Connection) -> int:
    """Return how many deliveries wait in the outbox (due or not): GET /metrics's gauge."""
    async with conn.execute("SELECT count(*) FROM deliveries WHERE status = 'pending'") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def mark_sent(
    conn: Connection,
    sent: Iterable[tuple[int, int | None, float]],
    *,
    now: float | None = None,
    priority: int = 1,
) -> int:
    """Record finished deliveries: (delivery id, Telegram message_id, sent at).

    An alert whose article was corrected or withdrawn while it was on its way is owed its
    edit or deletion at once (due at `now`, else at the latest send); return how many.
    """
    rows = [(message_id, sent_at, delivery_id) for delivery_id, message_id, sent_at in sent]
    if not rows:
        return 0
    await conn.executemany(
        """
        UPDATE deliveries
        SET status = 'sent', message_id = COALESCE(?, message_id), sent_at = COALESCE(sent_at, ?),
            last_error = NULL
        WHERE id = ?
        """,
        rows,
    )
    due = now if now is not None else max(sent_at for _, sent_at, _ in rows)
    ids = [delivery_id for _, _, delivery_id in rows]
    marks = ",".join("?" * len(ids))
    return await _follow_up_stale(conn, f"deliveries.id IN ({marks})", ids, due, priority)


async def mark_retry(conn: Connection, retries: Iterable[tuple[int, float, str, bool]]) -> None:
    """Put deliveries back in the queue: (id, next attempt at, error, count the attempt)."""
    await conn.executemany(
        """
        UPDATE deliveries
        SET status = 'pending', next_attempt_at = ?, last_error = ?,
            attempts = attempts - (CASE WHEN ? THEN 0 ELSE 1 END)
        WHERE id = ?
        """,
        [(at, error, counted, delivery_id) for delivery_id, at, error, counted in retries],
    )


async def mark_failed(conn: Connection, failures: Iterable[tuple[int, str]]) -> None:
    """Give up on deliveries, keeping the last error."""
    await conn.executemany(
        "UPDATE deliveries SET status = 'failed', last_error = ? WHERE id = ?",
        [(error, delivery_id) for delivery_id, error in failures],
    )


async def mark_cancelled(conn: Connection, cancellations: Iterable[tuple[int, str]]) -> None:
    """Drop deliveries nothing is owed for any more (article withdrawn or gone), with why."""
    await conn.executemany(
        "UPDATE deliveries SET status = 'cancelled', last_error = ? WHERE id = ?",
        [(reason, delivery_id) for delivery_id, reason in cancellations],
    )


async def cancel_unfollowed(conn: Connection, chat_id: int) -> int:
    """Cancel the alerts still waiting for a chat that no longer follows anything in them.

    Call in the transaction that removed subscriptions or watches: an alert whose article has
    neither a topic nor an author the chat still follows in that forum topic, nor the words
    of one of its watches there, is not sent. One already on its way is left to arrive.
    Return how many were cancelled.
    """
    async with conn.execute(
        """
        SELECT d.id, d.thread_id, a.title, a.lead, a.body
        FROM deliveries AS d JOIN articles AS a ON a.id = d.article_id
        WHERE d.chat_id = ? AND d.status = 'pending' AND d.action = 'send'
          AND NOT EXISTS (
              SELECT 1 FROM subscriptions AS s
              WHERE s.chat_id = d.chat_id AND s.thread_id = d.thread_id
                AND (s.author_id IN (
                    SELECT author_id FROM article_authors WHERE article_id = a.id
                ) OR s.topic_id IN (
                    SELECT topic_id FROM article_topics WHERE article_id = a.id
                ))
          )
        """,
        (chat_id,),
    ) as cursor:
        unfollowed = await cursor.fetchall()
    if not unfollowed:
        return 0
    # A chat's waiting alerts are few: its watches are checked against them here.
    watched: dict[int, list[str]] = {}
    for watch in await chat_watches(conn, chat_id, None):
        watched.setdefault(watch.thread_id, []).append(watch.key)
    cancelled = [
        row["id"]
        for row in unfollowed
        if not any(
            matches(key, set(article_terms(row["title"], row["lead"], row["body"])))
            for key in watched.get(row["thread_id"], [])
        )
    ]
    await conn.executemany(
        "UPDATE deliveries SET status = 'cancelled', last_error = 'unsubscribed' WHERE id = ?",
        [(delivery_id,) for delivery_id in cancelled],
    )
    return len(cancelled)


async def cancel_chat_deliveries(conn: Connection, chat_id: int, reason: str) -> int:
    """Cancel everything still owed to a chat that is gone; return how many."""
    cursor = await conn.execute(
        """
        UPDATE deliveries SET status = 'cancelled', last_error = ?
        WHERE chat_id = ? AND status IN ('pending', 'sending')
        """,
        (reason, chat_id),
    )
    return cursor.rowcount


async def release_in_flight(conn: Connection, *, claimed_by: str | None = None) -> int:
    """Return deliveries left 'sending' to the queue: all, or those `claimed_by` one instance.

    All is for one process on SQLite, at start-up after a crash; with several instances each
    releases only its own when it stops (the others' are alive). A message that Telegram
    accepted just before a crash is sent again: the only duplicate the design allows.
    """
    mine = "" if claimed_by is None else "AND claimed_by = ?"
    cursor = await conn.execute(
        "UPDATE deliveries SET status = 'pending', claimed_by = NULL, lease_until = NULL "
        f"WHERE status = 'sending' {mine}",
        () if claimed_by is None else (claimed_by,),
    )
    return cursor.rowcount


@dataclass(frozen=True, slots=True)
class DeliveryCounts:
    pending: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0
    cancelled: int = 0

    @property
    def done(self) -> bool:
        return self.pending == 0 and self.sending == 0


async def delivery_counts(conn: Connection, article_id: int) -> DeliveryCounts:
    """Count an article's deliveries by status."""
    async with conn.execute(
        "SELECT status, count(*) FROM deliveries WHERE article_id = ? GROUP BY status",
        (article_id,),
    ) as cursor:
        counts = {status: count for status, count in await cursor.fetchall()}
    return DeliveryCounts(**counts)
