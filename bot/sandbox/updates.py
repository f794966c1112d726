"""The updates waiting for the bot, and the one getUpdates request that may wait for them."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from bot.sandbox.errors import SandboxApiError

__all__ = ["DEFAULT_UPDATES", "UpdateQueue"]

# Updates a bot gets when it never chose allowed_updates (Telegram's default).
DEFAULT_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "my_chat_member",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)


class UpdateQueue:
    """Updates in the order they happened, numbered from ``first_id``, until confirmed.

    ``allowed`` is the bot's allowed_updates choice and ``webhook_url`` where it asked for
    them ("" for getUpdates). At most one getUpdates waits at a time: a second one ends it
    with 409, as when two bot instances run.
    """

    def __init__(self, first_id: int) -> None:
        self.allowed: frozenset[str] = DEFAULT_UPDATES
        self.webhook_url = ""
        self._queue: deque[tuple[int, dict[str, Any]]] = deque()
        self._next_id = first_id
        self._poller: asyncio.Future[str] | None = None
        self._closed = False

    def __len__(self) -> int:
        return len(self._queue)

    def push(self, kind: str, payload: dict[str, Any]) -> None:
        """Queue an update of ``kind`` and wake the waiting getUpdates."""
        # Like Telegram, updates the bot did not ask for are never stored.
        if kind not in self.allowed:
            return
        update_id = self._next_id
        self._next_id += 1
        self._queue.append((update_id, {"update_id": update_id, kind: payload}))
        self._wake("update")

    def confirm(self, offset: int) -> None:
        """Forget updates below ``offset``; a negative one keeps only the last ``-offset``."""
        queue = self._queue
        if offset > 0:
            while queue and queue[0][0] < offset:
                queue.popleft()
        elif offset < 0:
            while len(queue) > -offset:
                queue.popleft()

    async def wait(self, timeout: float) -> None:  # noqa: ASYNC109 - getUpdates names it so
        """End the getUpdates already waiting; wait up to ``timeout`` s while nothing is queued."""
        self._wake("conflict")
        if self._queue or timeout <= 0 or self._closed:
            return
        poller: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._poller = poller
        try:
            reason = await asyncio.wait_for(asyncio.shield(poller), timeout)
        except TimeoutError:
            reason = "timeout"
        finally:
            if self._poller is poller:
                self._poller = None
        if reason == "conflict":
            raise SandboxApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )

    def batch(self, limit: int) -> list[dict[str, Any]]:
        """Return up to ``limit`` of the oldest queued updates (they stay until confirmed)."""
        return [update for _, update in list(self._queue)[:limit]]

    def clear(self) -> None:
        """Drop every queued update (drop_pending_updates)."""
        self._queue.clear()

    def release(self) -> None:
        """Answer the waiting getUpdates now, with what is queued (the sandbox was reset)."""
        self._wake("reset")

    def close(self) -> None:
        """Answer the waiting getUpdates now; later ones no longer wait."""
        self._closed = True
        self._wake("closing")

    def _wake(self, reason: str) -> None:
        if self._poller is not None and not self._poller.done():
            self._poller.set_result(reason)
