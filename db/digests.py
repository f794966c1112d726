"""Reader settings (digest times, quiet hours) and the digests they owe: held articles and
the digest outbox.

An ordinary (not urgent) alert for a chat that holds alerts — one with digest times, or in
its quiet hours when it is published — leaves the deliveries outbox in the publishing
transaction (`hold_article`) and waits in `digest_items`. Each such chat has one digest row
pending (or being sent) at a time: `claim_due` takes it at its minute together with the
articles held so far; its outcome (`finish`) and the next one's scheduling are written in
one transaction by the caller, so that a crash anywhere leaves either the digest owed or
it done and the next one owed — never both, never neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from db.connection import Connection, Row
from db.models import Digest, ReaderSettings

__all__ = [
    "cancel_digests",
    "chats_owed_nothing",
    "claim_due",
    "digest_articles",
    "finish",
    "forget_done",
    "get_settings",
    "held_count",
    "hold_article",
    "mark_part_sent",
    "mark_retry",
    "next_due_at",
    "release_in_flight",
    "schedule",
    "set_digest_times",
    "set_quiet_hours",
]


def _times(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part)


def _digest(row: Row) -> Digest:
    return Digest(
        row["id"], row["chat_id"], row["due_at"], row["status"], row["attempts"],
        row["next_attempt_at"], row["parts_sent"], _times(row["message_ids"]),
    )  # fmt: skip


# --- settings ------------------------------------------------------------------------------


async def get_settings(conn: Connection, chat_id: int) -> ReaderSettings:
    """Return a chat's digest times and quiet hours (none set: alerts at once)."""
    async with conn.execute(
        "SELECT digest_times, quiet_from, quiet_until FROM reader_settings WHERE chat_id = ?",
        (chat_id,),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return ReaderSettings(chat_id)
    return ReaderSettings(chat_id, _times(row[0]), row[1], row[2])


async def set_digest_times(
    conn: Connection, chat_id: int, times: Sequence[int], now: float
) -> None:
    """Set a chat's digest times (minutes after local midnight); none turns digests off."""
    await conn.execute(
        """
        INSERT INTO reader_settings (chat_id, digest_times, updated_at) VALUES (?, ?, ?)
        ON CONFLICT (chat_id) DO UPDATE SET
            digest_times = excluded.digest_times, updated_at = excluded.updated_at
        """,
        (chat_id, ",".join(str(minute) for minute in sorted(set(times))), now),
    )


async def set_quiet_hours(
    conn: Connection, chat_id: int, window: tuple[int, int] | None, now: float
) -> None:
    """Set a chat's quiet hours (start, end), or turn them off with None."""
    start, end = window if window is not None else (None, None)
    await conn.execute(
        """
        INSERT INTO reader_settings (chat_id, quiet_from, quiet_until, updated_at)
        VALUES (?, ?, ?, ?)
        ON CONFLICT (chat_id) DO UPDATE SET
            quiet_from = excluded.quiet_from, quiet_until = excluded.quiet_until,
            updated_at = excluded.updated_at
        """,
        (chat_id, start, end, now),
    )


# --- holding alerts for a digest -------------------------------------------------------

# The chats whose ordinary alerts wait at this local minute (the four ? are that minute).
# Read through the partial index of the chats that hold at all (its condition is repeated so
# the planner may use it; CROSS JOIN keeps SQLite's loop on them), so that publishing costs
# nothing more while nobody takes digests or quiet hours, however many readers an article has.
_HOLDING = """
    SELECT s.chat_id FROM reader_settings AS s
    WHERE (s.digest_times <> '' OR s.quiet_from IS NOT NULL)
      AND (s.digest_times <> ''
           OR (s.quiet_from < s.quiet_until AND ? >= s.quiet_from AND ? < s.quiet_until)
           OR (s.quiet_from > s.quiet_until AND (? >= s.quiet_from OR ? < s.quiet_until)))
"""


async def hold_article(conn: Connection, article_id: int, minute: int, now: float) -> int:
    """Move an article's alerts still to send for chats that hold alerts into their digests.

    `minute` is the local time of day (quiet hours are read against it). Call in the
    publishing transaction, after the alerts were queued, for an article that is not
    urgent. Each holding chat is one lookup in the outbox's (article, chat) index. Return
    how many alerts now wait for a digest.
    """
    window = (minute, minute, minute, minute)
    await conn.execute(
        f"""
        INSERT INTO digest_items (chat_id, thread_id, article_id, held_at)
        SELECT d.chat_id, d.thread_id, d.article_id, ?
        FROM ({_HOLDING}) AS h CROSS JOIN deliveries AS d
        WHERE d.article_id = ? AND d.chat_id = h.chat_id
          AND d.action = 'send' AND d.status = 'pending'
        ON CONFLICT (chat_id, thread_id, article_id) DO NOTHING
        """,
        (now, *window, article_id),
    )
    cursor = await conn.execute(
        f"""
        DELETE FROM deliveries
        WHERE article_id = ? AND chat_id IN ({_HOLDING})
          AND action = 'send' AND status = 'pending'
        """,
        (article_id, *window),
    )
    return cursor.rowcount


async def held_count(conn: Connection, chat_id: int) -> int:
    """Return how many articles wait for the chat's next digest."""
    async with conn.execute(
        "SELECT count(*) FROM digest_items WHERE chat_id = ? AND digest_id IS NULL", (chat_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def chats_owed_nothing(conn: Connection) -> list[int]:
    """Return the chats holding articles that no digest is owed for."""
    async with conn.execute(
        """
        SELECT DISTINCT i.chat_id FROM digest_items AS i
        WHERE i.digest_id IS NULL AND NOT EXISTS (
            SELECT 1 FROM digests AS d
            WHERE d.chat_id = i.chat_id AND d.status IN ('pending', 'sending')
        )
        """
    ) as cursor:
        return [row[0] for row in await cursor.fetchall()]


# --- the digest outbox -----------------------------------------------------------------


async def schedule(conn: Connection, chat_id: int, due_at: float | None, now: float) -> None:
    """Owe the chat its next digest at `due_at` (None: none), replacing the one pending.

    A digest being sent is left alone: its outcome schedules the next one. With no time
    left but articles still held (digests just turned off), they go out now, once.
    """
    await conn.execute("DELETE FROM digests WHERE chat_id = ? AND status = 'pending'", (chat_id,))
    if due_at is None:
        if not await held_count(conn, chat_id):
            return
        due_at = now
    await conn.execute(
        """
        INSERT INTO digests (chat_id, due_at, next_attempt_at, created_at) VALUES (?, ?, ?, ?)
        ON CONFLICT DO NOTHING
        """,
        (chat_id, due_at, due_at, now),
    )


async def claim_due(
    conn: Connection, now: float, limit: int, *, lease_until: float | None = None
) -> list[Digest]:
    """Mark up to `limit` due digests as sending and give each the articles held so far.

    With several instances (`lease_until` given), a digest whose claim's lease ran out —
    its instance died while sending it — is due again too. The outer status test makes a
    second claimer (another instance) skip a row the first took meanwhile.
    """
    async with conn.execute(
        """
        UPDATE digests SET status = 'sending', attempts = attempts + 1, lease_until = ?
        WHERE (status = 'pending' OR (status = 'sending' AND lease_until < ?)) AND id IN (
            SELECT id FROM digests
            WHERE (status = 'pending' AND next_attempt_at <= ?)
               OR (status = 'sending' AND lease_until < ?)
            ORDER BY next_attempt_at, id LIMIT ?
        )
        RETURNING *
        """,
        (lease_until, now, now, now, limit),
    ) as cursor:
        claimed = [_digest(row) for row in await cursor.fetchall()]
    for digest in claimed:
        await conn.execute(
            "UPDATE digest_items SET digest_id = ? WHERE chat_id = ? AND digest_id IS NULL",
            (digest.id, digest.chat_id),
        )
    claimed.sort(key=lambda d: (d.next_attempt_at, d.id))
    return claimed


async def digest_articles(conn: Connection, digest_id: int) -> list[tuple[int, int]]:
    """Return what a digest carries, as (forum topic, article id): published articles only,
    topic by topic (0, no topic, first), newest first in each."""
    async with conn.execute(
        """
        SELECT i.thread_id, a.id FROM digest_items AS i JOIN articles AS a ON a.id = i.article_id
        WHERE i.digest_id = ? AND a.status = 'published'
        ORDER BY i.thread_id, a.published_at DESC, a.id DESC
        """,
        (digest_id,),
    ) as cursor:
        return [(int(row[0]), int(row[1])) for row in await cursor.fetchall()]


async def next_due_at(conn: Connection) -> float | None:
    """Return when the next digest falls due, if any: a pending one, or one being sent whose
    lease runs out (several instances)."""
    async with conn.execute(
        """
        SELECT min(due) FROM (
            SELECT min(next_attempt_at) AS due FROM digests WHERE status = 'pending'
            UNION ALL
            SELECT min(lease_until) AS due FROM digests WHERE status = 'sending'
        ) AS next_ones
        """
    ) as cursor:
        row = await cursor.fetchone()
    return row[0] if row else None


async def forget_done(conn: Connection, before: float) -> int:
    """Delete the digests done (sent, failed, cancelled) created before `before`."""
    cursor = await conn.execute(
        "DELETE FROM digests WHERE created_at < ? AND status NOT IN ('pending', 'sending')",
        (before,),
    )
    return cursor.rowcount


async def mark_part_sent(conn: Connection, digest_id: int, message_ids: Sequence[int]) -> None:
    """Record the parts of a long digest sent so far, so a retry sends only the rest."""
    await conn.execute(
        "UPDATE digests SET parts_sent = ?, message_ids = ? WHERE id = ?",
        (len(message_ids), ",".join(str(m) for m in message_ids), digest_id),
    )


async def mark_retry(
    conn: Connection, digest_id: int, at: float, error: str, *, counted: bool = True
) -> None:
    """Put a digest back in the queue for another attempt at `at`."""
    await conn.execute(
        """
        UPDATE digests SET status = 'pending', next_attempt_at = ?, last_error = ?,
            attempts = attempts - ?
        WHERE id = ?
        """,
        (at, error, 0 if counted else 1, digest_id),
    )


async def finish(
    conn: Connection,
    digest_id: int,
    status: Literal["sent", "failed", "cancelled"],
    now: float,
    *,
    articles: int = 0,
    error: str | None = None,
) -> None:
    """Close a digest: 'sent' (with how many articles), 'failed' or 'cancelled'.

    An empty digest (nothing held, or all of it withdrawn) is deleted: nothing was owed.
    Its articles go with it either way. Schedule the next digest in the same transaction.
    """
    await conn.execute("DELETE FROM digest_items WHERE digest_id = ?", (digest_id,))
    if status == "sent" and articles == 0:
        await conn.execute("DELETE FROM digests WHERE id = ?", (digest_id,))
        return
    await conn.execute(
        """
        UPDATE digests SET status = ?, article_count = ?, last_error = ?,
            sent_at = COALESCE(?, sent_at)
        WHERE id = ?
        """,
        (status, articles, error, now if status == "sent" else None, digest_id),
    )


async def cancel_digests(conn: Connection, chat_id: int, reason: str) -> None:
    """Drop everything a chat that is gone was owed: its digests and held articles."""
    await conn.execute("DELETE FROM digest_items WHERE chat_id = ?", (chat_id,))
    await conn.execute(
        """
        UPDATE digests SET status = 'cancelled', last_error = ?
        WHERE chat_id = ? AND status IN ('pending', 'sending')
        """,
        (reason, chat_id),
    )


async def release_in_flight(conn: Connection) -> int:
    """Return digests left 'sending' by a crash to the queue; return how many.

    For one process only: with several, another instance may be sending them (their
    leases say when they are nobody's, see `claim_due`). Their articles stay theirs; parts
    already recorded as sent are not sent again.
    """
    cursor = await conn.execute("UPDATE digests SET status = 'pending' WHERE status = 'sending'")
    return cursor.rowcount
