"""Who may edit: the chief editors (NEWSBOT_ADMINS) and the editors they added from Telegram.

The editors live in the database (db/editors.py), so every instance agrees on them. Each
instance keeps the set it last read for a few seconds: an editor check on every update must
not cost a query, and a change made here is seen at once (`invalidate`), one made on another
instance within `ttl` seconds.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable

from db import Database, editors

__all__ = ["ROSTER_TTL", "EditorRoster"]

ROSTER_TTL = 5.0
"""Seconds an instance trusts the editors it read: a removal elsewhere applies within this."""


class EditorRoster:
    """The editors added from Telegram, read from the database at most every `ttl` seconds."""

    def __init__(self, ttl: float = ROSTER_TTL, clock: Callable[[], float] = time.monotonic):
        self._ttl = ttl
        self._clock = clock
        self._ids: frozenset[int] = frozenset()
        self._read_at = -math.inf
        self._lock = asyncio.Lock()

    @property
    def known(self) -> frozenset[int]:
        """Return the editors as last read (what menus and /help show)."""
        return self._ids

    async def current(self, db: Database) -> frozenset[int]:
        """Return the editors now: read again when the last reading is older than `ttl`."""
        if self._clock() - self._read_at < self._ttl:
            return self._ids
        async with self._lock:
            if self._clock() - self._read_at >= self._ttl:
                self._ids = await editors.editor_ids(db.reader)
                self._read_at = self._clock()
        return self._ids

    def invalidate(self) -> None:
        """Forget the last reading: an editor was added or removed on this instance."""
        self._read_at = -math.inf
