"""The RSS/Atom feeds the bot polls, and the state of each poll."""

from __future__ import annotations

from collections.abc import Sequence

from db.connection import Connection, Row
from db.instances import is_postgres
from db.models import Feed

__all__ = [
    "aliased_source",
    "claim_due_feeds",
    "delete_feed",
    "due_feeds",
    "get_feed",
    "get_feed_by_url",
    "insert_feed",
    "is_undated",
    "item_hash",
    "list_feeds",
    "record_failure",
    "record_success",
    "remember_aliases",
    "remember_item",
]


def _feed(row: Row) -> Feed:
    return Feed(
        row["id"], row["url"], row["title"], row["interval_minutes"], row["etag"],
        row["last_modified"], row["next_poll_at"], row["last_success_at"],
        row["last_polled_at"], row["consecutive_failures"], row["last_error"],
        bool(row["enabled"]), row["added_at"], row["added_by"], row["last_counts"],
    )  # fmt: skip


async def insert_feed(
    conn: Connection,
    url: str,
    interval_minutes: int,
    now: float,
    next_poll_at: float,
    *,
    added_by: int | None = None,
    title: str | None = None,
) -> Feed | None:
    """Add a feed; return it, or None if a feed with this URL exists already."""
    feed_id = await conn.fetchval(
        """
        INSERT INTO feeds (url, title, interval_minutes, next_poll_at, added_at, added_by)
        VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (url) DO NOTHING
        RETURNING id
        """,
        (url, title, interval_minutes, next_poll_at, now, added_by),
    )
    if feed_id is None:
        return None
    return await get_feed(conn, int(feed_id))


async def get_feed(conn: Connection, feed_id: int) -> Feed | None:
    """Return one feed by id."""
    async with conn.execute("SELECT * FROM feeds WHERE id = ?", (feed_id,)) as cursor:
        row = await cursor.fetchone()
    return _feed(row) if row else None


async def get_feed_by_url(conn: Connection, url: str) -> Feed | None:
    """Return the feed with this exact URL."""
    async with conn.execute("SELECT * FROM feeds WHERE url = ?", (url,)) as cursor:
        row = await cursor.fetchone()
    return _feed(row) if row else None


async def list_feeds(conn: Connection) -> list[Feed]:
    """Return every feed, oldest first."""
    async with conn.execute("SELECT * FROM feeds ORDER BY id") as cursor:
        return [_feed(row) for row in await cursor.fetchall()]


async def due_feeds(conn: Connection, now: float, limit: int) -> list[Feed]:
    """Return up to `limit` enabled feeds whose next poll is due, the most overdue first."""
    async with conn.execute(
        "SELECT * FROM feeds WHERE enabled = 1 AND next_poll_at <= ? "
        "ORDER BY next_poll_at, id LIMIT ?",
        (now, limit),
    ) as cursor:
        return [_feed(row) for row in await cursor.fetchall()]


async def claim_due_feeds(
    conn: Connection, now: float, limit: int, lease_until: float
) -> list[Feed]:
    """Take up to `limit` due feeds to poll, the most overdue first; return them.

    Their next poll moves to `lease_until` in the same statement, so no other instance (nor
    the next tick) takes them meanwhile; the poll's outcome then sets the real next one, and
    a poll that never reports (its instance died) is tried again once the lease is over. On
    PostgreSQL the rows are locked as they are picked, skipping those another instance is
    claiming at that moment.
    """
    lock = "FOR UPDATE SKIP LOCKED" if is_postgres(conn) else ""
    async with conn.execute(
        f"""
        UPDATE feeds SET next_poll_at = ?
        WHERE id IN (
            SELECT id FROM feeds WHERE enabled = 1 AND next_poll_at <= ?
            ORDER BY next_poll_at, id LIMIT ? {lock}
        )
        RETURNING *
        """,
        (lease_until, now, limit),
    ) as cursor:
        claimed = [_feed(row) for row in await cursor.fetchall()]
    claimed.sort(key=lambda feed: feed.id)
    return claimed


async def delete_feed(conn: Connection, feed_id: int) -> Feed | None:
    """Remove a feed (its articles stay); return what was removed, or None."""
    feed = await get_feed(conn, feed_id)
    if feed is not None:
        await conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
    return feed


async def record_success(
    conn: Connection,
    feed_id: int,
    now: float,
    next_poll_at: float,
    *,
    etag: str | None,
    last_modified: str | None,
    title: str | None,
    counts: str | None = None,
) -> int:
    """Store a good poll (a 304 too); return how many failures in a row it ends.

    A None validator, title or counts keeps the stored one: a 304 need not repeat them,
    and what the last read document held stays shown.
    """
    async with conn.execute(
        "SELECT consecutive_failures FROM feeds WHERE id = ?", (feed_id,)
    ) as cursor:
        row = await cursor.fetchone()
    await conn.execute(
        """
        UPDATE feeds SET
            etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified),
            title = COALESCE(?, title), last_counts = COALESCE(?, last_counts),
            next_poll_at = ?, last_success_at = ?, last_polled_at = ?,
            consecutive_failures = 0, last_error = NULL
        WHERE id = ?
        """,
        (etag, last_modified, title, counts, next_poll_at, now, now, feed_id),
    )
    return int(row[0]) if row else 0


async def record_failure(
    conn: Connection, feed_id: int, now: float, next_poll_at: float, error: str
) -> int:
    """Store a failed poll and when to try again; return the failures in a row, this one too."""
    await conn.execute(
        """
        UPDATE feeds SET
            consecutive_failures = consecutive_failures + 1, last_error = ?,
            next_poll_at = ?, last_polled_at = ?
        WHERE id = ?
        """,
        (error, next_poll_at, now, feed_id),
    )
    async with conn.execute(
        "SELECT consecutive_failures FROM feeds WHERE id = ?", (feed_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def item_hash(conn: Connection, source_key: str) -> str | None:
    """Return the fingerprint of a feed item as it was last published, if it was."""
    async with conn.execute(
        "SELECT item_hash FROM feed_items WHERE source_key = ?", (source_key,)
    ) as cursor:
        row = await cursor.fetchone()
    return row[0] if row else None


async def remember_item(
    conn: Connection, source_key: str, fingerprint: str, *, undated: bool = False
) -> None:
    """Record the fingerprint of a feed item just published, and whether it had no date."""
    await conn.execute(
        "INSERT INTO feed_items (source_key, item_hash, undated) VALUES (?, ?, ?) "
        "ON CONFLICT (source_key) DO UPDATE SET item_hash = excluded.item_hash, "
        "undated = excluded.undated",
        (source_key, fingerprint, int(undated)),
    )


async def is_undated(conn: Connection, source_key: str) -> bool:
    """Tell whether a feed item was stored without a readable date (dated when first seen)."""
    async with conn.execute(
        "SELECT undated FROM feed_items WHERE source_key = ?", (source_key,)
    ) as cursor:
        row = await cursor.fetchone()
    return bool(row and row[0])


async def aliased_source(conn: Connection, aliases: Sequence[str]) -> str | None:
    """Return the source key stored under the first of `aliases` that names one, if any."""
    for alias in aliases:
        async with conn.execute(
            "SELECT source_key FROM feed_aliases WHERE alias = ?", (alias,)
        ) as cursor:
            row = await cursor.fetchone()
        if row is not None:
            return str(row[0])
    return None


async def remember_aliases(conn: Connection, source_key: str, aliases: Sequence[str]) -> None:
    """Record other names (link, title and date) of the item stored under `source_key`."""
    await conn.executemany(
        "INSERT INTO feed_aliases (alias, source_key) VALUES (?, ?) ON CONFLICT (alias) DO NOTHING",
        [(alias, source_key) for alias in aliases if alias != source_key],
    )
