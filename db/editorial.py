"""Queries behind the editors' commands: reach of a draft, recent repeats, alerts to correct."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from db.connection import Connection
from db.recipients import recipients_sql

__all__ = [
    "RecentTitle",
    "author_name",
    "count_recipients",
    "recent_titles_by_author",
    "sent_alert_count",
    "topic_names",
]


@dataclass(frozen=True, slots=True)
class RecentTitle:
    article_id: int
    title: str
    published_at: float


async def count_recipients(
    conn: Connection,
    topic_keys: Sequence[str],
    author_key: str,
    extra_chat_ids: Sequence[int] = (),
    coauthor_keys: Sequence[str] = (),
    terms: Sequence[str] = (),
) -> int:
    """Count the active chats an article with these topics and authors would be sent to.

    The chats `deliveries.queue_article` would queue (the same `recipients_sql`), found by
    folded keys because a draft's topics and authors may not exist yet; `terms` are the
    draft's `watches.article_terms`, for the keyword watches it would match.
    """
    authors = (author_key, *coauthor_keys)
    recipients = recipients_sql(
        len(topic_keys),
        len(extra_chat_ids),
        by="key",
        author_count=len(authors),
        term_count=len(terms),
    )
    async with conn.execute(
        f"SELECT count(*) FROM ({recipients}) AS r",
        (*topic_keys, *authors, *extra_chat_ids, *terms),
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def recent_titles_by_author(
    conn: Connection, author_key: str, since: float
) -> list[RecentTitle]:
    """Return the titles an author published since `since`, newest first.

    A range scan of `articles_by_author`; the caller compares titles the way names are
    compared (without case or accents), which SQLite's collations cannot do.
    """
    async with conn.execute(
        """
        SELECT a.id, a.title, a.published_at
        FROM authors AS au JOIN articles AS a ON a.author_id = au.id
        WHERE au.key = ? AND a.status = 'published' AND a.published_at >= ?
        ORDER BY a.published_at DESC, a.id DESC
        """,
        (author_key, since),
    ) as cursor:
        return [RecentTitle(*row) for row in await cursor.fetchall()]


async def sent_alert_count(conn: Connection, article_id: int) -> int:
    """Count an article's alerts in readers' chats or on their way: what a correction edits.

    The rows `deliveries.queue_followups` counts, whatever the article's revision.
    """
    async with conn.execute(
        """
        SELECT count(*) FROM deliveries
        WHERE article_id = ? AND (status = 'sending' OR (message_id IS NOT NULL
          AND (status = 'sent' OR (status IN ('pending', 'failed') AND action <> 'send'))))
        """,
        (article_id,),
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def topic_names(conn: Connection, keys: Sequence[str]) -> dict[str, str]:
    """Return the display names of the known topics among these folded keys."""
    if not keys:
        return {}
    marks = ",".join("?" * len(keys))
    async with conn.execute(
        f"SELECT key, name FROM topics WHERE key IN ({marks})", list(keys)
    ) as cursor:
        return {key: name for key, name in await cursor.fetchall()}


async def author_name(conn: Connection, key: str) -> str | None:
    """Return the display name of a known author by folded key."""
    async with conn.execute("SELECT name FROM authors WHERE key = ?", (key,)) as cursor:
        row = await cursor.fetchone()
    return str(row[0]) if row else None
