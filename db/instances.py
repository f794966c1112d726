"""What several instances of the bot share besides the outbox: Telegram's send budget.

One row, `send_pace`: until when Telegram asked the whole bot to wait (a 429 that one
instance saw), and the replies sent by the instances that do not send alerts, which the
instance that does leaves room for (bot/instances.py explains the scheme).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from db.connection import Connection, Database

if TYPE_CHECKING:
    from db.postgres import PostgresSession

__all__ = ["SENDER_LOCK", "PaceState", "SenderLock", "is_postgres", "sync_pace"]

# The advisory lock key every instance of newsbot agrees on ("newsbot" as digits, near enough).
SENDER_LOCK = 6_385_778_311


def is_postgres(conn: Connection) -> bool:
    """Tell whether the connection is to PostgreSQL (several instances may share it)."""
    return conn.dialect == "postgresql"


@dataclass(frozen=True, slots=True)
class PaceState:
    """What `sync_pace` read: the shared pause, and the replies handed to the sender."""

    paused_until: float = 0.0
    taken: int = 0


async def sync_pace(
    conn: Connection, *, paused_until: float, replies: int, take: bool
) -> PaceState:
    """Add what this instance knows to the shared row and read back what all know.

    `paused_until` raises the shared pause (never lowers it); `replies` are this instance's
    replies since it last synced. With `take` (the alert sender) every instance's replies are
    handed over and the count starts again. Call in a write transaction.
    """
    async with conn.execute(
        """
        UPDATE send_pace SET
            paused_until = CASE WHEN paused_until < ? THEN ? ELSE paused_until END,
            borrowed = borrowed + ?
        WHERE id = 1
        RETURNING paused_until, borrowed
        """,
        (paused_until, paused_until, replies),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return PaceState()
    taken = int(row[1]) if take else 0
    if taken:
        await conn.execute("UPDATE send_pace SET borrowed = borrowed - ? WHERE id = 1", (taken,))
    return PaceState(float(row[0]), taken)


class SenderLock:
    """PostgreSQL's session-level advisory lock `SENDER_LOCK`, on a connection of its own.

    Held by the instance that sends alerts; the session ending (the process died, or its
    connection broke) frees it at once for another instance.
    """

    def __init__(self, session: PostgresSession):
        self._session = session

    @classmethod
    async def open(cls, database: Database) -> SenderLock:
        """Open the lock's own session (not yet holding the lock)."""
        from db.postgres import PostgresDatabase  # the driver is imported for PostgreSQL only

        if not isinstance(database, PostgresDatabase):
            raise TypeError("the sender's lock is PostgreSQL's: one SQLite process sends alone")
        return cls(await database.session())

    async def acquire(self) -> bool:
        """Take the lock if nobody holds it; return whether this session holds it."""
        return bool(await self._session.fetchval("SELECT pg_try_advisory_lock(?)", (SENDER_LOCK,)))

    async def check(self) -> None:
        """Raise unless the session still answers (and so still holds the lock)."""
        # A session that answers still holds its lock: nothing but closing it lets go.
        await self._session.fetchval("SELECT 1")

    async def close(self) -> None:
        """Close the session, which frees the lock."""
        await self._session.close()
