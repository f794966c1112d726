"""Several instances on one PostgreSQL database: one sends the alerts, all share one budget.

Telegram's limits are the bot's, not an instance's: about 30 messages a second in all, one a
second per private chat, 20 a minute per group. Two ways to share them were measured
(bench/send_budget.py, two instances on one PostgreSQL 15): a token-bucket row every send
takes from (`UPDATE send_budget … RETURNING`), and one sender elected through
`pg_try_advisory_lock`. Both are cheap: the row allows 18,000 takes a second and costs the
database 35 ms of CPU per 1,000 sends. The elected sender was chosen because it costs nothing
per message (the row is one more round trip per send, 0.4 ms at Telegram's pace and 2.4 ms
at p99, in the one line every write transaction waits in, see db/postgres.py); it paces each
chat exactly, in memory as one process does, where the row would need a second row per chat
written at every send; and it hands over in 3 ms when the sender is SIGKILLed, PostgreSQL
freeing the lock with the session, plus the second the others take to try again.

- `Leadership`: whether this instance is the sender. Every instance's delivery worker asks;
  only the holder claims from the outbox. A new sender first reads who got a message in the
  last minute, so each chat's pace carries over the hand-over.
- `SharedPace`: every instance, four times a second, adds to the `send_pace` row the replies
  it sent (the sender counts them against its own pace, so readers on any instance and alerts
  stay under the one rate together) and any 429 pause Telegram gave it (so a 429 seen by one
  slows everyone), and reads back the others'.

SQLite has one process: no leadership, no shared row; the Pacer alone is the budget.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable

from bot.pacing import Pacer
from db import Database, deliveries, instances

__all__ = ["Leadership", "SharedPace", "new_instance_id"]

logger = logging.getLogger(__name__)

_SYNC_EVERY = 0.25  # seconds between two looks at the shared budget
_CHECK_EVERY = 0.5  # seconds between two checks that the sender's lock is still held
_HANDOVER_WINDOW = 60.0  # seconds of past sends a new sender reads: a group's minute


def new_instance_id() -> str:
    """Return a name for this process unique among instances: host, pid and a random tag."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Leadership:
    """Whether this instance sends the alerts: it does while it holds the sender's lock.

    The lock is PostgreSQL's session-level advisory lock, held on a connection of its own; a
    session that breaks (the instance died, or lost the database) frees it for another.
    """

    def __init__(self, database: Database, pacer: Pacer, clock: Callable[[], float] = time.time):
        self._database = database
        self._pacer = pacer
        self._clock = clock
        self._lock: instances.SenderLock | None = None
        self._held = False
        self._checked = 0.0

    @property
    def held(self) -> bool:
        return self._held

    async def lead(self) -> bool:
        """Try to become (or stay) the sender; return whether this instance is it."""
        now = time.monotonic()
        if self._held and now - self._checked < _CHECK_EVERY:
            return True
        self._checked = now
        try:
            if self._lock is None:
                self._lock = await instances.SenderLock.open(self._database)
            if self._held:
                await self._lock.check()
            elif await self._lock.acquire():
                await self._take_over()
                self._held = True
                logger.info("This instance now sends the alerts")
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if self._held:
                logger.warning("Lost the sender's lock (%s); another instance takes over", error)
            self._held = False
            await self.close()
        return self._held

    async def _take_over(self) -> None:
        """Count the messages each chat got in the last minute against its pace."""
        now_wall, now_mono = self._clock(), time.monotonic()
        recent = await deliveries.recent_sends(self._database.reader, now_wall - _HANDOVER_WINDOW)
        for chat_id, sent_at in recent:
            self._pacer.note_sent(chat_id, now_mono - (now_wall - sent_at))

    async def close(self) -> None:
        """Give the lock up (closing its session)."""
        self._held = False
        lock, self._lock = self._lock, None
        if lock is not None:
            with contextlib.suppress(Exception):
                await lock.close()


class SharedPace:
    """Keep this instance's Pacer in step with the others' through the `send_pace` row."""

    def __init__(
        self,
        database: Database,
        pacer: Pacer,
        is_sender: Callable[[], bool],
        clock: Callable[[], float] = time.time,
    ):
        self._database = database
        self._pacer = pacer
        self._is_sender = is_sender
        self._clock = clock
        self._task: asyncio.Task[None] | None = None

    async def sync(self) -> None:
        """Tell the others this instance's replies and pause; take theirs."""
        sender = self._is_sender()
        replies = self._pacer.take_foreground_sends()
        shared = 0 if sender else replies  # the sender's own replies took its own slots
        now_wall, now_mono = self._clock(), time.monotonic()
        pause = self._pacer.global_pause
        paused_until = now_wall + (pause - now_mono) if pause > now_mono else 0.0
        try:
            async with self._database.transaction() as conn:
                state = await instances.sync_pace(
                    conn, paused_until=paused_until, replies=shared, take=sender
                )
        except BaseException:
            self._pacer.foreground_sends += replies  # counted at the next sync
            raise
        if state.paused_until > now_wall:
            self._pacer.pause_until(now_mono + (state.paused_until - now_wall))
        self._pacer.make_room(state.taken)

    def start(self) -> None:
        """Sync four times a second until stopped."""
        self._task = asyncio.create_task(self._run(), name="shared-pace")

    async def stop(self) -> None:
        """Stop syncing."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.sync()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("Could not share the send budget; trying again", exc_info=True)
                await asyncio.sleep(1.0)
            await asyncio.sleep(_SYNC_EVERY)
