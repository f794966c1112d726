"""Memory with bounds: what the bot keeps per user or chat is forgotten in size and in time.

Each map holds at most `max_size` entries (the least recently used go first) and each entry
for at most `ttl` seconds, so none grows with every user the bot has ever seen.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, Literal, TypeVar

__all__ = ["AdminCache", "Admission", "BoundedMap", "FloodBuckets", "RecordedChats"]

K = TypeVar("K")
V = TypeVar("V")

Clock = Callable[[], float]

Admission = Literal["pass", "warn", "drop"]
"""A flood check's verdict: let the update through, refuse it telling the user, or drop it."""

DEFAULT_MAX_SIZE = 10_000
"""Entries per map: far more than the users or chats active within one entry's lifetime."""


class BoundedMap(Generic[K, V]):
    """Keep at most `max_size` entries, each for `ttl` seconds; the least recently used go first."""

    def __init__(
        self, *, ttl: float, max_size: int = DEFAULT_MAX_SIZE, clock: Clock = time.monotonic
    ):
        self.ttl = ttl
        self.max_size = max_size
        self._clock = clock
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()  # key -> (expiry, value)

    def get(self, key: K) -> V | None:
        """Return the value kept for this key, or None when there is none or it expired."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        expiry, value = entry
        if expiry <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        """Keep the value for `ttl` seconds, forgetting the least recently used beyond the cap."""
        self._entries[key] = (self._clock() + self.ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_size:
            self._entries.popitem(last=False)

    def forget(self, key: K) -> None:
        """Drop the key's entry, if any."""
        self._entries.pop(key, None)

    def clear(self) -> None:
        """Forget everything."""
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class AdminCache(BoundedMap[tuple[int, int], bool]):
    """(chat, user) -> whether the user administers the chat, as getChatMember said lately."""

    def __init__(
        self, *, ttl: float = 300.0, max_size: int = DEFAULT_MAX_SIZE, clock: Clock = time.monotonic
    ):
        super().__init__(ttl=ttl, max_size=max_size, clock=clock)


class RecordedChats(BoundedMap[int, tuple[str | None, str]]):
    """Chat -> (title, language) written lately, so that most updates skip the write."""

    def __init__(
        self, *, ttl: float = 600.0, max_size: int = DEFAULT_MAX_SIZE, clock: Clock = time.monotonic
    ):
        super().__init__(ttl=ttl, max_size=max_size, clock=clock)


class FloodBuckets:
    """A token bucket per user: `burst` updates at once, then `rate` a second."""

    def __init__(
        self,
        *,
        burst: int = 8,
        rate: float = 2.0,
        max_size: int = DEFAULT_MAX_SIZE,
        clock: Clock = time.monotonic,
    ):
        self.burst = burst
        self.rate = rate
        self._clock = clock
        # A bucket left alone for burst / rate seconds is full again, as good as a new one:
        # keeping it longer would change nothing.
        self._buckets: BoundedMap[int, tuple[float, float, bool]] = BoundedMap(
            ttl=burst / rate, max_size=max_size, clock=clock
        )  # user -> (tokens, when, warned since the last update let through)

    def admit(self, user_id: int) -> Admission:
        """Take a token from the user's bucket: "pass", else "warn" the first time, then "drop"."""
        now = self._clock()
        tokens, stamp, warned = self._buckets.get(user_id) or (float(self.burst), now, False)
        tokens = min(self.burst, tokens + (now - stamp) * self.rate)
        if tokens >= 1:
            self._buckets.put(user_id, (tokens - 1, now, False))
            return "pass"
        self._buckets.put(user_id, (tokens, now, True))
        return "drop" if warned else "warn"

    def clear(self) -> None:
        """Forget every bucket: everyone starts with a full one."""
        self._buckets.clear()

    def __len__(self) -> int:
        return len(self._buckets)
