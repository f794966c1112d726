"""The outbox: one row per article and chat, worked through by the delivery worker."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import aiosqlite

from db.models import Delivery

__all__ = [
    "DeliveryCounts",
    "cancel_chat_deliveries",
    "claim_due",
    "delivery_counts",
    "mark_failed",
    "mark_retry",
    "mark_sent",
    "next_due_at",
    "queue_article",
    "queue_followups",
    "release_in_flight",
]


def _delivery(row: sqlite3.Row) -> Delivery:
    return Delivery(
        row["id"], row["article_id"], row["chat_id"], row["status"], row["action"],
        row["priority"], row["attempts"], row["next_attempt_at"], row["created_at"],
        row["sent_at"], row["message_id"], row["last_error"],
    )  # fmt: skip


async def queue_article(
    conn: aiosqlite.Connection,
    article_id: int,
    topic_ids: Sequence[int],
    author_id: int,
    now: float,
    *,
    priority: int = 0,
    extra_chat_ids: Sequence[int] = (),
) -> int:
    """Queue one delivery per active chat following a topic or the author; return the count.

    One INSERT … SELECT: the subscribers never pass through Python, and a chat that follows
    both a topic and the author is queued once. Call inside the publishing transaction.
    """
    topic_marks = ",".join("?" * len(topic_ids))
    extra_marks = ",".join("?" * len(extra_chat_ids))
    cursor = await conn.execute(
        f"""
        INSERT OR IGNORE INTO deliveries
            (article_id, chat_id, priority, next_attempt_at, created_at)
        SELECT ?, c.id, ?, ?, ? FROM chats AS c
        WHERE c.status = 'active' AND c.id IN (
            SELECT chat_id FROM subscriptions WHERE topic_id IN ({topic_marks})
            UNION SELECT chat_id FROM subscriptions WHERE author_id = ?
            UNION SELECT value FROM json_each(json_array({extra_marks}))
        )
        """,
        (article_id, priority, now, now, *topic_ids, author_id, *extra_chat_ids),
    )
    return cursor.rowcount


async def queue_followups(
    conn: aiosqlite.Connection, article_id: int, action: str, now: float, *, priority: int = 1
) -> int:
    """Owe every chat that received the article an edit or a deletion; return the count.

    Alerts not sent yet need nothing: they are rendered when sent, so they carry the new
    text, or are cancelled on withdrawal.
    """
    if action == "delete":
        await conn.execute(
            "UPDATE deliveries SET status = 'cancelled' "
            "WHERE article_id = ? AND action = 'send' AND status IN ('pending', 'failed')",
            (article_id,),
        )
    cursor = await conn.execute(
        """
        UPDATE deliveries
        SET status = 'pending', action = ?, attempts = 0, next_attempt_at = ?, priority = ?,
            last_error = NULL
        WHERE article_id = ? AND message_id IS NOT NULL
          AND (status = 'sent' OR (status IN ('pending', 'failed') AND action <> 'send'))
        """,
        (action, now, priority, article_id),
    )
    return cursor.rowcount


async def claim_due(conn: aiosqlite.Connection, now: float, limit: int) -> list[Delivery]:
    """Mark up to `limit` due deliveries as sending and return them, urgent first.

    The index is named: walking deliveries_due in order stops after `limit` rows, while the
    planner, offered the time index, may pick it and sort every due row instead.
    """
    async with conn.execute(
        """
        UPDATE deliveries SET status = 'sending', attempts = attempts + 1
        WHERE id IN (
            SELECT id FROM deliveries INDEXED BY deliveries_due
            WHERE status = 'pending' AND next_attempt_at <= ?
            ORDER BY priority DESC, next_attempt_at, id LIMIT ?
        )
        RETURNING *
        """,
        (now, limit),
    ) as cursor:
        rows = await cursor.fetchall()
    deliveries = [_delivery(row) for row in rows]
    deliveries.sort(key=lambda d: (-d.priority, d.next_attempt_at, d.id))
    return deliveries


async def next_due_at(conn: aiosqlite.Connection) -> float | None:
    """Return when the next pending delivery falls due, if any."""
    async with conn.execute(
        "SELECT min(next_attempt_at) FROM deliveries WHERE status = 'pending'"
    ) as cursor:
        row = await cursor.fetchone()
    return row[0] if row else None


async def mark_sent(
    conn: aiosqlite.Connection, sent: Iterable[tuple[int, int | None, float]]
) -> None:
    """Record finished deliveries: (delivery id, Telegram message_id, sent at)."""
    await conn.executemany(
        """
        UPDATE deliveries
        SET status = 'sent', message_id = COALESCE(?, message_id), sent_at = COALESCE(sent_at, ?),
            last_error = NULL
        WHERE id = ?
        """,
        [(message_id, sent_at, delivery_id) for delivery_id, message_id, sent_at in sent],
    )


async def mark_retry(
    conn: aiosqlite.Connection, retries: Iterable[tuple[int, float, str, bool]]
) -> None:
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


async def mark_failed(conn: aiosqlite.Connection, failures: Iterable[tuple[int, str]]) -> None:
    """Give up on deliveries, keeping the last error."""
    await conn.executemany(
        "UPDATE deliveries SET status = 'failed', last_error = ? WHERE id = ?",
        [(error, delivery_id) for delivery_id, error in failures],
    )


async def cancel_chat_deliveries(conn: aiosqlite.Connection, chat_id: int, reason: str) -> int:
    """Cancel everything still owed to a chat that is gone; return how many."""
    cursor = await conn.execute(
        """
        UPDATE deliveries SET status = 'cancelled', last_error = ?
        WHERE chat_id = ? AND status IN ('pending', 'sending')
        """,
        (reason, chat_id),
    )
    return cursor.rowcount


async def release_in_flight(conn: aiosqlite.Connection) -> int:
    """Return deliveries left 'sending' by a crash to the queue; return how many.

    A message that Telegram accepted just before the crash is sent again: the only
    duplicate the design allows.
    """
    cursor = await conn.execute("UPDATE deliveries SET status = 'pending' WHERE status = 'sending'")
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


async def delivery_counts(conn: aiosqlite.Connection, article_id: int) -> DeliveryCounts:
    """Count an article's deliveries by status."""
    async with conn.execute(
        "SELECT status, count(*) FROM deliveries WHERE article_id = ? GROUP BY status",
        (article_id,),
    ) as cursor:
        counts = {status: count for status, count in await cursor.fetchall()}
    return DeliveryCounts(**counts)
