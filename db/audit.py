"""The editors' audit log: who did what to which article, and when.

Actions written today: "publish", "revise", "withdraw", "preview", "cancel" (a draft
dropped), "feed.add", "feed.remove", "editor.add", "editor.remove"; /journal shows them.
"""

from __future__ import annotations

from dataclasses import dataclass

from db.connection import Connection

__all__ = ["AuditEntry", "JournalEntry", "audit", "journal_page", "recent_audit"]


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: float
    user_id: int
    action: str
    article_id: int | None
    detail: str


async def audit(
    conn: Connection,
    user_id: int,
    action: str,
    now: float,
    *,
    article_id: int | None = None,
    detail: str = "",
) -> None:
    """Record an editor action."""
    await conn.execute(
        "INSERT INTO audit_log (at, user_id, action, article_id, detail) VALUES (?, ?, ?, ?, ?)",
        (now, user_id, action, article_id, detail),
    )


async def recent_audit(conn: Connection, limit: int = 50) -> list[AuditEntry]:
    """Return the latest audit entries, newest first."""
    async with conn.execute(
        "SELECT at, user_id, action, article_id, detail FROM audit_log ORDER BY at DESC, id DESC "
        "LIMIT ?",
        (limit,),
    ) as cursor:
        return [AuditEntry(*row) for row in await cursor.fetchall()]


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One line of /journal: an audit entry with who it was and the article's title."""

    id: int
    at: float
    user_id: int
    who: str  # her name in her private chat with the bot, or when she was made an editor
    action: str
    article_id: int | None
    article_title: str | None
    detail: str


async def journal_page(
    conn: Connection, limit: int, *, before: int | None = None, after: int | None = None
) -> tuple[list[JournalEntry], bool]:
    """Return `limit` entries older than `before` (or newer than `after`), newest first.

    Keyset paging on the log's id, the order actions were recorded in; the boolean says
    whether more entries lie beyond, in the direction read.
    """
    newer = after is not None
    position = after if after is not None else (before if before is not None else 2**62)
    beyond, order = (">", "ASC") if newer else ("<", "DESC")
    async with conn.execute(
        f"""
        SELECT l.id, l.at, l.user_id,
               COALESCE(NULLIF(c.title, ''), e.name, '') AS who,
               l.action, l.article_id, a.title, l.detail
        FROM audit_log AS l
        LEFT JOIN chats AS c ON c.id = l.user_id
        LEFT JOIN editors AS e ON e.user_id = l.user_id
        LEFT JOIN articles AS a ON a.id = l.article_id
        WHERE l.id {beyond} ?
        ORDER BY l.id {order} LIMIT ?
        """,
        (position, limit + 1),
    ) as cursor:
        rows = list(await cursor.fetchall())
    entries = [JournalEntry(*row) for row in rows[:limit]]
    return (entries[::-1] if newer else entries), len(rows) > limit
