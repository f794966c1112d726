"""One rate limiter for everything the bot sends: readers first, alerts paced behind them.

python-telegram-bot's AIORateLimiter paces by chat only, halts every request on any 429
and does not retry, which a mass sender cannot live with. `Pacer` keeps all outgoing
messages within the bot's own rate (NEWSBOT_SEND_RATE), spaces messages per chat as
Telegram asks (about one a second in a private chat, 20 a minute in a group), serves
replies to readers before queued alerts, and remembers Telegram's 429s per chat and
globally so that no request is sent into a known wait.

A reply (a handler's send, edit or answer; never an alert, which the outbox retries in its
own time) that fails on a 5xx, a network error or a timeout is sent again a few times
within seconds, so that a bad moment at Telegram does not leave a reader without an answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypedDict

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

from bot.metrics import Metrics

__all__ = ["ChatLimits", "Pacer", "PacerArgs", "wind_down"]

logger = logging.getLogger(__name__)

# Methods that put a message in a chat (or change one): the ones Telegram's limits count.
_PACED_METHODS = frozenset(
    {
        "sendmessage", "sendphoto", "senddocument", "sendvideo", "sendanimation", "sendaudio",
        "sendvoice", "sendmediagroup", "sendlocation", "sendcontact", "sendpoll", "senddice",
        "sendsticker", "copymessage", "forwardmessage", "editmessagetext",
        "editmessagecaption", "editmessagemedia", "editmessagereplymarkup", "deletemessage",
    }
)  # fmt: skip
# Replies that are not messages, retried like them; a chat action is not worth a retry.
_REPLY_METHODS = _PACED_METHODS | {"answercallbackquery", "answerinlinequery"}
_READER_RETRIES = 3  # 429s a reply waits out before giving up
_REPLY_WAIT_LIMIT = 30.0  # seconds: a reply asked to wait longer gives up (429)
# Seconds before each new try of a reply after a 5xx, a network error or a timeout: five more
# tries within about 7 s. At 10 % of answers failing, one reply in a million gets none.
_REPLY_RETRY_DELAYS = (0.25, 0.5, 1.0, 2.0, 3.0)
# What Telegram answers when a reply tried again had already gone through the first time
# (its answer lost in a timeout): the reply is done.
_ALREADY_DONE = ("message is not modified", "query is too old", "query id is invalid")
_GLOBAL_429_CHATS = 3  # 429s from this many chats within a second mean the bot itself is limited


class PacerArgs(TypedDict, total=False):
    """`rate_limit_args` for a request: background requests (alerts) yield to readers."""

    background: bool


@dataclass(frozen=True, slots=True)
class ChatLimits:
    """Per-chat limits as token buckets: a burst, then a steady rate.

    Telegram asks for about one message a second in a private chat, with short bursts, and
    20 a minute in a group; the rates sit a little below so that network jitter, which can
    bunch requests up on arrival, never tips a chat over.
    """

    private_burst: int = 3
    private_per_second: float = 0.95
    group_burst: int = 20
    group_per_minute: float = 19.0


class _Bucket:
    """One chat's allowance: `capacity` messages at once, refilled at `rate` a second."""

    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, capacity: int, rate: float, now: float):
        self.capacity = capacity
        self.rate = rate
        self.tokens = float(capacity)
        self.stamp = now

    def ready_at(self, now: float) -> float:
        if now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
        return now if self.tokens >= 1.0 else now + (1.0 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self.ready_at(now)
        self.tokens -= 1.0


class Pacer(BaseRateLimiter[PacerArgs]):
    """The Application's rate limiter: a global pace, per-chat buckets, reader priority."""

    def __init__(
        self,
        rate: float,
        chat_limits: ChatLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
        metrics: Metrics | None = None,
    ):
        self.interval = 1.0 / rate
        self.metrics = metrics or Metrics()
        self.chat_limits = chat_limits or ChatLimits()
        self._clock = clock
        self._next_slot = 0.0
        self._waiting: tuple[deque[asyncio.Future[None]], deque[asyncio.Future[None]]] = (
            deque(),  # readers
            deque(),  # background
        )
        self._pump: asyncio.Task[None] | None = None
        self._chats: dict[int | str, _Bucket] = {}
        self._chat_pause: dict[int | str, float] = {}
        self._global_pause = 0.0
        self._recent_429: deque[tuple[float, int | str]] = deque()
        # Replies to one chat take their turn one at a time, so that several under way at
        # once cannot all see the same free slot (chat -> lock, requests holding or awaiting it).
        self._turns: dict[int | str, tuple[asyncio.Lock, int]] = {}
        self.retry_after_count = 0
        # Paced sends that were not alerts (replies), counted for the budget several instances
        # share (bot/instances.py): the one sending alerts leaves room for the others' replies.
        self.foreground_sends = 0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Release every waiter."""
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
            self._pump = None
        for queue in self._waiting:
            while queue:
                queue.popleft().cancel()

    # --- per chat ----------------------------------------------------------------------

    def _bucket(self, chat_id: int | str) -> _Bucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            # Private chats have positive ids; groups, supergroups and channels negative ones.
            private = isinstance(chat_id, int) and chat_id > 0
            limits = self.chat_limits
            bucket = (
                _Bucket(limits.private_burst, limits.private_per_second, self._clock())
                if private
                else _Bucket(limits.group_burst, limits.group_per_minute / 60, self._clock())
            )
            self._chats[chat_id] = bucket
        return bucket

    def chat_ready_at(self, chat_id: int | str) -> float:
        """Return the clock time at which the chat may receive its next message."""
        now = self._clock()
        ready = max(self._bucket(chat_id).ready_at(now), self._global_pause)
        return max(ready, self._chat_pause.get(chat_id, 0.0))

    def note_retry_after(self, chat_id: int | str | None, seconds: float) -> None:
        """Remember a 429: that chat waits, and the whole bot when several chats got one."""
        now = self._clock()
        self.retry_after_count += 1
        until = now + seconds
        if chat_id is not None:
            self._chat_pause[chat_id] = max(self._chat_pause.get(chat_id, 0.0), until)
        self._recent_429.append((now, chat_id if chat_id is not None else "?"))
        while self._recent_429 and self._recent_429[0][0] < now - 1.0:
            self._recent_429.popleft()
        if chat_id is None or len({c for _, c in self._recent_429}) >= _GLOBAL_429_CHATS:
            self._global_pause = max(self._global_pause, until)
            logger.warning("Telegram asked the whole bot to wait %.0f s", seconds)

    def forget_chat(self, chat_id: int | str) -> None:
        """Drop what is known of a chat (gone, or migrated)."""
        self._chats.pop(chat_id, None)
        self._chat_pause.pop(chat_id, None)

    # --- with other instances (bot/instances.py) ----------------------------------------

    @property
    def global_pause(self) -> float:
        """Return the clock time until which Telegram asked the whole bot to wait."""
        return self._global_pause

    def pause_until(self, moment: float) -> None:
        """Send nothing before `moment` (clock time): another instance saw the bot limited."""
        self._global_pause = max(self._global_pause, moment)

    def make_room(self, sends: int) -> None:
        """Count `sends` messages other instances sent against this one's pace."""
        if sends > 0:
            self._next_slot = max(self._next_slot, self._clock()) + sends * self.interval

    def take_foreground_sends(self) -> int:
        """Return the replies paced since the last call, and start counting again."""
        sends, self.foreground_sends = self.foreground_sends, 0
        return sends

    def note_sent(self, chat_id: int | str, at: float) -> None:
        """Count a message the chat got at clock time `at` (sent by another instance)."""
        bucket = self._chats.get(chat_id)
        if bucket is None:
            bucket = self._bucket(chat_id)
            bucket.stamp = min(bucket.stamp, at)
        bucket.take(max(at, bucket.stamp))

    # --- the global pace ---------------------------------------------------------------

    async def _acquire(self, background: bool) -> None:
        if not background:
            self.foreground_sends += 1
        now = self._clock()
        start = max(self._next_slot, self._global_pause)
        readers, others = self._waiting
        if start <= now and not readers and (background is False or not others):
            self._next_slot = now + self.interval
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        (others if background else readers).append(future)
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._release_waiters(), name="pacer")
        await future

    async def _release_waiters(self) -> None:
        readers, others = self._waiting
        while readers or others:
            now = self._clock()
            start = max(self._next_slot, self._global_pause)
            if start > now:
                await asyncio.sleep(start - now)
                continue
            queue = readers if readers else others
            future = queue.popleft()
            if future.done():  # its request was cancelled
                continue
            self._next_slot = max(now, start) + self.interval
            future.set_result(None)

    async def _take_chat_turn(self, chat_id: int | str) -> None:
        """Wait until the chat may have a message and the global pace allows it; count it."""
        lock, users = self._turns.get(chat_id) or (asyncio.Lock(), 0)
        self._turns[chat_id] = (lock, users + 1)
        try:
            async with lock:
                delay = self.chat_ready_at(chat_id) - self._clock()
                if delay > 0:
                    await asyncio.sleep(delay)
                await self._acquire(False)
                self._bucket(chat_id).take(self._clock())
        finally:
            lock, users = self._turns[chat_id]
            if users <= 1:
                del self._turns[chat_id]
            else:
                self._turns[chat_id] = (lock, users - 1)

    # --- python-telegram-bot's hook ----------------------------------------------------

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: PacerArgs | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Pace message-producing requests and retry replies; other calls (getUpdates …) go
        straight through."""
        method = endpoint.lower()
        background = bool(rate_limit_args and rate_limit_args.get("background"))
        reply = not background and method in _REPLY_METHODS
        if not reply and method not in _PACED_METHODS:
            return await callback(*args, **kwargs)
        paced = method in _PACED_METHODS
        chat_id = data.get("chat_id")
        waits = failures = 0
        while True:
            if paced and chat_id is not None and not background:
                await self._take_chat_turn(chat_id)
            elif paced:
                await self._acquire(background)
                if chat_id is not None:
                    self._bucket(chat_id).take(self._clock())
            try:
                result = await callback(*args, **kwargs)
            except RetryAfter as error:
                seconds = error.retry_after
                wait = seconds if isinstance(seconds, int | float) else seconds.total_seconds()
                self.note_retry_after(chat_id, wait)
                if not reply or waits == _READER_RETRIES or wait > _REPLY_WAIT_LIMIT:
                    raise
                waits += 1
                logger.info("Reply to chat %s waits %.0f s (429)", chat_id, wait)
                if not paced:  # a paced one waits for the chat's turn instead
                    await asyncio.sleep(wait)
                continue
            except BadRequest as error:
                if failures and any(text in error.message.lower() for text in _ALREADY_DONE):
                    return True
                raise
            except NetworkError as error:  # a 5xx, a broken connection, a timeout
                if not reply or failures == len(_REPLY_RETRY_DELAYS):
                    raise
                delay = _REPLY_RETRY_DELAYS[failures]
                failures += 1
                self.metrics.reply_retries.inc()
                logger.info(
                    "Reply %s to chat %s failed (%s); trying again in %.2g s",
                    endpoint,
                    chat_id,
                    error.message,
                    delay,
                )
                await asyncio.sleep(delay)
                continue
            if reply:
                self.metrics.replies.inc()
            return result


async def wind_down(
    loop_task: asyncio.Task[None] | None, sends: set[asyncio.Task[None]], grace: float
) -> None:
    """End a sending worker: wait for its loop, give its sends under way `grace` seconds,
    cancel those still running and wait for them to finish cancelling."""
    if loop_task is not None:
        with contextlib.suppress(asyncio.CancelledError):
            await loop_task
    if sends:
        _, late = await asyncio.wait(sends, timeout=grace)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
