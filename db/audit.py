"""The editors' audit log: who did what to which article, and when."""

from __future__ import annotations

from dataclasses import dataclass

from db.connection import Connection

__all__ = ["AuditEntry", "audit", "recent_audit"]


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
