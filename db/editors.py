"""The editors a chief editor added from Telegram (the chief editors are NEWSBOT_ADMINS)."""

from __future__ import annotations

from dataclasses import dataclass

from db.connection import Connection

__all__ = ["Editor", "add_editor", "editor_ids", "list_editors", "remove_editor"]


@dataclass(frozen=True, slots=True)
class Editor:
    user_id: int
    name: str  # as Telegram gave it when she was added, or since in her private chat
    added_by: int
    added_at: float


async def add_editor(conn: Connection, user_id: int, name: str, added_by: int, now: float) -> bool:
    """Make a user an editor; return False if she was one already (her name is refreshed)."""
    cursor = await conn.execute(
        "INSERT INTO editors (user_id, name, added_by, added_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (user_id) DO NOTHING",
        (user_id, name, added_by, now),
    )
    if cursor.rowcount > 0:
        return True
    if name:
        await conn.execute("UPDATE editors SET name = ? WHERE user_id = ?", (name, user_id))
    return False


async def remove_editor(conn: Connection, user_id: int) -> bool:
    """Take a user's editor rights away; return whether she had them."""
    cursor = await conn.execute("DELETE FROM editors WHERE user_id = ?", (user_id,))
    return cursor.rowcount > 0


async def list_editors(conn: Connection) -> list[Editor]:
    """Return the editors added from Telegram, the most recent first, with their current name."""
    async with conn.execute(
        """
        SELECT e.user_id, COALESCE(NULLIF(c.title, ''), e.name) AS name, e.added_by, e.added_at
        FROM editors AS e LEFT JOIN chats AS c ON c.id = e.user_id
        ORDER BY e.added_at DESC, e.user_id
        """
    ) as cursor:
        return [Editor(*row) for row in await cursor.fetchall()]


async def editor_ids(conn: Connection) -> frozenset[int]:
    """Return the user ids of the editors added from Telegram."""
    async with conn.execute("SELECT user_id FROM editors") as cursor:
        return frozenset(int(row[0]) for row in await cursor.fetchall())
