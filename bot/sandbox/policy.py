"""The sandbox's clock, rate limits, injected faults and counters."""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Faults", "RateLimits", "SandboxClock", "SandboxStats"]


class SandboxClock:
    """Wall and monotonic time that tests can move forward with ``advance``."""

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        """Return Unix time in seconds, shifted by the offset."""
        return time.time() + self.offset

    def monotonic(self) -> float:
        """Return monotonic seconds, shifted by the offset."""
        return time.monotonic() + self.offset

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.offset += seconds


@dataclass
class RateLimits:
    """Telegram's sending limits, enforced as token buckets on message-producing methods.

    ``global_per_second`` caps all messages of the bot (burst: one second's worth),
    ``private_per_second`` with ``private_burst`` caps one private chat, and
    ``group_per_minute`` caps one group, supergroup or channel (burst: one minute's worth).
    Only sends count (sendMessage, sendPhoto); edits count too when ``count_edits`` is set.
    """

    global_per_second: float = 30.0
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: float = 20.0
    count_edits: bool = False
    enabled: bool = True


class _Bucket:
    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, capacity: float, rate: float, now: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self.tokens = capacity
        self.stamp = now

    def wait(self, now: float) -> float:
        """Refill, then return seconds until one token is available (0 when available)."""
        if now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
        if self.tokens >= 1.0:
            return 0.0
        return (1.0 - self.tokens) / self.rate


class _Limiter:
    """Apply RateLimits per bot, per chat; remember retry_after promises to spot misuse."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self._global: _Bucket | None = None
        self._chats: dict[int, _Bucket] = {}
        # Deadlines already announced in a 429: a request before them ignored retry_after.
        self.promised: dict[int | None, float] = {}

    def check(self, chat_id: int, private: bool, now: float) -> float:
        """Return 0 and take a token from every bucket, or the seconds to wait."""
        limits = self.limits
        if self._global is None:
            self._global = _Bucket(limits.global_per_second, limits.global_per_second, now)
        chat = self._chats.get(chat_id)
        if chat is None:
            if private:
                chat = _Bucket(limits.private_burst, limits.private_per_second, now)
            else:
                chat = _Bucket(limits.group_per_minute, limits.group_per_minute / 60.0, now)
            self._chats[chat_id] = chat
        wait = max(self._global.wait(now), chat.wait(now))
        if wait > 0:
            return wait
        self._global.tokens -= 1.0
        chat.tokens -= 1.0
        return 0.0

    def reset(self) -> None:
        """Forget all buckets."""
        self._global = None
        self._chats.clear()
        self.promised.clear()


def retry_after_seconds(wait: float) -> int:
    """Round a wait up to whole seconds, as Telegram's retry_after is (at least 1)."""
    return max(1, math.ceil(wait))


class Faults:
    """Injected failures; random ones draw from the sandbox's seeded generator.

    ``error_rate``: share of requests answered 500/502 before doing anything.
    ``slow_rate``/``slow_seconds``: share of requests whose answer is delayed after the work
    is done (a client that times out has still sent the message, as with Telegram).
    ``hang``: every request waits, without an answer, until ``hang`` is cleared, then runs.
    ``flood(chat, seconds)``: 429 for that chat (or every chat) until the time has passed.
    ``methods``: methods faults apply to (lower case); None means all but getUpdates.
    """

    def __init__(self, clock: SandboxClock | None = None) -> None:
        self.error_rate = 0.0
        self.slow_rate = 0.0
        self.slow_seconds = 1.0
        self.methods: set[str] | None = None
        self.floods: dict[int | None, float] = {}
        self._clock = clock
        self._released = asyncio.Event()
        self._released.set()

    @property
    def hang(self) -> bool:
        """Say whether requests are held unanswered."""
        return not self._released.is_set()

    @hang.setter
    def hang(self, value: bool) -> None:
        if value:
            self._released.clear()
        else:
            self._released.set()

    async def released(self) -> None:
        """Wait until requests may run again."""
        await self._released.wait()

    def flood(self, chat: Any = None, seconds: float = 10.0) -> None:
        """Answer 429 to requests for ``chat`` (a chat, its id, or None for all) for a while."""
        chat_id = None if chat is None else int(getattr(chat, "id", chat))
        now = self._clock.monotonic() if self._clock else time.monotonic()
        self.floods[chat_id] = now + seconds

    def clear(self) -> None:
        """Remove every fault."""
        self.error_rate = 0.0
        self.slow_rate = 0.0
        self.hang = False
        self.methods = None
        self.floods.clear()

    def applies_to(self, method: str) -> bool:
        """Say whether faults touch ``method`` (lower case)."""
        if self.methods is None:
            return method != "getupdates"
        return method in self.methods

    def as_dict(self) -> dict[str, Any]:
        """Describe the faults as JSON-ready data."""
        return {
            "error_rate": self.error_rate,
            "slow_rate": self.slow_rate,
            "slow_seconds": self.slow_seconds,
            "hang": self.hang,
            "methods": sorted(self.methods) if self.methods is not None else None,
            "floods": {str(k): v for k, v in self.floods.items()},
        }


@dataclass
class SandboxStats:
    """Counters of what went through the sandbox."""

    requests: Counter[str] = field(default_factory=Counter)
    responses: Counter[int] = field(default_factory=Counter)
    too_many_requests: int = 0
    rate_limit_violations: int = 0
    retry_after_ignored: int = 0
    messages_delivered: int = 0
    messages_edited: int = 0
    messages_deleted: int = 0
    updates_delivered: int = 0
    # Messages sent whose answer the client has not acknowledged, by its port: on a keep-alive
    # connection a client asks again only once it has read the answer before (crash tests).
    unacknowledged: dict[int, tuple[int, int]] = field(default_factory=dict)

    def count_updates(self, count: int) -> None:
        """Count updates the bot received (getUpdates batches, webhook requests answered 2xx)."""
        self.updates_delivered += count

    def reset(self) -> None:
        """Zero every counter."""
        self.requests.clear()
        self.responses.clear()
        self.too_many_requests = 0
        self.rate_limit_violations = 0
        self.retry_after_ignored = 0
        self.messages_delivered = 0
        self.messages_edited = 0
        self.messages_deleted = 0
        self.updates_delivered = 0
        self.unacknowledged.clear()

    def as_dict(self) -> dict[str, Any]:
        """Describe the counters as JSON-ready data."""
        return {
            "requests": dict(self.requests),
            "responses": {str(k): v for k, v in self.responses.items()},
            "too_many_requests": self.too_many_requests,
            "rate_limit_violations": self.rate_limit_violations,
            "retry_after_ignored": self.retry_after_ignored,
            "messages_delivered": self.messages_delivered,
            "messages_edited": self.messages_edited,
            "messages_deleted": self.messages_deleted,
            "updates_delivered": self.updates_delivered,
            "unacknowledged": {
                str(port): {"chat_id": chat_id, "message_id": message_id}
                for port, (chat_id, message_id) in self.unacknowledged.items()
            },
        }
