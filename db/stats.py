"""Figures for the editors' /stats: articles, chats, subscriptions, deliveries and delays."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from db.connection import Connection

__all__ = [
    "ArticleStats",
    "ChatStats",
    "DeliveryStats",
    "Ranked",
    "article_stats",
    "chat_stats",
    "delivery_stats",
    "top_author_subscriptions",
    "top_topic_subscriptions",
]


@dataclass(frozen=True, slots=True)
class ArticleStats:
    published: int
    published_since: int
    withdrawn: int


@dataclass(frozen=True, slots=True)
class ChatStats:
    active: int = 0
    blocked: int = 0
    left: int = 0
    active_private: int = 0
    active_groups: int = 0  # groups and supergroups
    active_channels: int = 0


@dataclass(frozen=True, slots=True)
class Ranked:
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class DeliveryStats:
    sent: int = 0
    pending: int = 0
    failed: int = 0
    cancelled: int = 0
    median_delay: float | None = None
    p95_delay: float | None = None


async def article_stats(conn: Connection, since: float) -> ArticleStats:
    """Count published articles (all, and since `since`) and withdrawn ones."""
    async with conn.execute(
        """
        SELECT
            count(*) FILTER (WHERE status = 'published'),
            count(*) FILTER (WHERE status = 'published' AND published_at >= ?),
            count(*) FILTER (WHERE status = 'withdrawn')
        FROM articles
        """,
        (since,),
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return ArticleStats(*row)


async def chat_stats(conn: Connection) -> ChatStats:
    """Count chats by status, and the active ones by kind (reads `chats_by_status` only)."""
    async with conn.execute(
        "SELECT status, type, count(*) FROM chats GROUP BY status, type"
    ) as cursor:
        rows = await cursor.fetchall()
    by_status = {"active": 0, "blocked": 0, "left": 0}
    by_kind = {"private": 0, "groups": 0, "channel": 0}
    for status, chat_type, count in rows:
        by_status[status] += count
        if status == "active":
            by_kind["groups" if chat_type in ("group", "supergroup") else chat_type] += count
    return ChatStats(
        active=by_status["active"],
        blocked=by_status["blocked"],
        left=by_status["left"],
        active_private=by_kind["private"],
        active_groups=by_kind["groups"],
        active_channels=by_kind["channel"],
    )


async def top_topic_subscriptions(conn: Connection, limit: int = 10) -> list[Ranked]:
    """Return the most followed topics, counting active chats only (those alerts reach)."""
    return await _most_followed(conn, "topics", "topic_id", limit)


async def top_author_subscriptions(conn: Connection, limit: int = 10) -> list[Ranked]:
    """Return the most followed authors, counting active chats only (those alerts reach)."""
    return await _most_followed(conn, "authors", "author_id", limit)


async def _most_followed(
    conn: Connection,
    table: Literal["topics", "authors"],
    column: Literal["topic_id", "author_id"],
    limit: int,
) -> list[Ranked]:
    async with conn.execute(
        f"""
        SELECT followed.name, count(*) AS followers
        FROM subscriptions AS s
        JOIN chats AS c ON c.id = s.chat_id AND c.status = 'active'
        JOIN {table} AS followed ON followed.id = s.{column}
        GROUP BY followed.id ORDER BY followers DESC, followed.key LIMIT ?
        """,
        (limit,),
    ) as cursor:
        return [Ranked(*row) for row in await cursor.fetchall()]


# An alert counts as sent once it reached the chat (sent_at is set), even if the row has
# since moved on to a correction or a withdrawal; pending and failed are alerts never sent.
_DELIVERY_COUNTS = """
    SELECT
        count(*) FILTER (WHERE sent_at IS NOT NULL),
        count(*) FILTER (WHERE sent_at IS NULL AND status IN ('pending', 'sending')),
        count(*) FILTER (WHERE sent_at IS NULL AND status = 'failed'),
        count(*) FILTER (WHERE sent_at IS NULL AND status = 'cancelled')
    FROM deliveries WHERE created_at >= ?
"""

_NTH_DELAY = """
    SELECT CASE WHEN d.sent_at > a.published_at THEN d.sent_at - a.published_at ELSE 0 END
        AS delay
    FROM deliveries AS d JOIN articles AS a ON a.id = d.article_id
    WHERE d.created_at >= ? AND d.sent_at IS NOT NULL
    ORDER BY delay LIMIT 1 OFFSET ?
"""


async def delivery_stats(conn: Connection, since: float) -> DeliveryStats:
    """Count the alerts queued since `since` by outcome, with the publication-to-delivery delay.

    Percentiles are nearest-rank, read by SQLite at their offset in the sorted delays, so no
    list of deliveries is ever loaded into Python.
    """
    async with conn.execute(_DELIVERY_COUNTS, (since,)) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    sent, pending, failed, cancelled = row
    median = p95 = None
    if sent:
        median = await _nth_delay(conn, since, _nearest_rank(0.5, sent))
        p95 = await _nth_delay(conn, since, _nearest_rank(0.95, sent))
    return DeliveryStats(sent, pending, failed, cancelled, median, p95)


def _nearest_rank(fraction: float, count: int) -> int:
    """Return the 0-based position of the `fraction` percentile among `count` sorted values."""
    return max(0, math.ceil(fraction * count) - 1)


async def _nth_delay(conn: Connection, since: float, offset: int) -> float | None:
    async with conn.execute(_NTH_DELAY, (since, offset)) as cursor:
        row = await cursor.fetchone()
    return float(row[0]) if row else None
