"""The updates waiting for the bot: the one getUpdates request that may wait for them, or
the webhook they are POSTed to."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import time
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from bot.sandbox.errors import SandboxApiError

__all__ = ["DEFAULT_UPDATES", "UpdateQueue", "WebhookSender"]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

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
        self.on_push: Callable[[], None] | None = None  # the webhook's sender, when one is set

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
        if self.on_push is not None:
            self.on_push()

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
        if reason == "webhook":
            raise SandboxApiError(409, WEBHOOK_CONFLICT)

    def items(self) -> list[tuple[int, dict[str, Any]]]:
        """Return the queued updates, oldest first, with their ids."""
        return list(self._queue)

    def remove(self, update_id: int) -> None:
        """Forget one update (its webhook request was answered 2xx)."""
        for index, (queued_id, _) in enumerate(self._queue):
            if queued_id == update_id:
                del self._queue[index]
                return

    def webhook_set(self) -> None:
        """End the getUpdates waiting, if any: from now on updates go to the webhook."""
        self._wake("webhook")

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


WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


def _chat_key(update: dict[str, Any]) -> int | None:
    """Return the chat (else the user) an update belongs to: its order is kept per chat."""
    for key, payload in update.items():
        if key == "update_id" or not isinstance(payload, dict):
            continue
        for holder in (payload, payload.get("message")):
            if isinstance(holder, dict) and isinstance(holder.get("chat"), dict):
                return int(holder["chat"]["id"])
        sender = payload.get("from")
        if isinstance(sender, dict):
            return int(sender["id"])
    return None


def loopback(url: str) -> bool:
    """Say whether a webhook URL names this machine (the only place the sandbox POSTs to)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class WebhookSender:
    """POST each queued update to the webhook, as Telegram does, until it answers 2xx.

    At most ``max_connections`` requests at once; a chat's updates go one at a time, in
    order, so a later one never overtakes one that failed. A failed update is sent again
    after ``retry_base`` seconds, doubling up to ``retry_cap`` (Telegram's own waits are
    longer; tests want them short). Only loopback URLs are called: a sandbox never reaches
    out; updates for another host stay pending, with an error saying why.
    """

    def __init__(
        self,
        queue: UpdateQueue,
        url: str,
        *,
        secret_token: str = "",
        max_connections: int = 40,
        now: Callable[[], int] = lambda: int(time.time()),
        on_delivered: Callable[[int], None] | None = None,
    ) -> None:
        self.queue = queue
        self.url = url
        self.secret_token = secret_token
        self.max_connections = max_connections
        self.timeout = 10.0
        self.retry_base = 0.1
        self.retry_cap = 2.0
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.failures = 0
        self.latencies: deque[float] = deque(maxlen=10_000)
        """Seconds each 2xx answer took, latest last."""
        self._now = now
        self._on_delivered = on_delivered
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._attempts: dict[int, int] = {}
        self._retry_at: dict[int, float] = {}
        self._kick = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start sending what is queued and what comes."""
        self.queue.on_push = self._kick.set
        self._task = asyncio.create_task(self._run(), name="sandbox-webhook")
        self._kick.set()

    async def stop(self) -> None:
        """Stop sending; the updates not yet acknowledged stay queued."""
        for task in self.cancel():
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def cancel(self) -> list[asyncio.Task[None]]:
        """Stop sending without waiting (the sandbox is reset); return the tasks cancelled."""
        if self.queue.on_push == self._kick.set:
            self.queue.on_push = None
        tasks = [task for task in (self._task, *self._in_flight.values()) if task is not None]
        for task in tasks:
            task.cancel()
        self._task = None
        self._in_flight.clear()
        return tasks

    @property
    def in_flight(self) -> int:
        """Return how many webhook requests wait for an answer."""
        return len(self._in_flight)

    async def _run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        connector = aiohttp.TCPConnector(limit=self.max_connections)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            if not loopback(self.url):
                self._failed_now("the sandbox delivers webhooks on loopback only")
                await asyncio.Event().wait()  # pending until deleteWebhook or a new URL
            loop = asyncio.get_running_loop()
            while True:
                self._kick.clear()
                wake_at = self._start_due(session, loop.time())
                delay = None if wake_at is None else max(0.0, wake_at - loop.time())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._kick.wait(), delay)

    def _start_due(self, session: aiohttp.ClientSession, now: float) -> float | None:
        """Start every update that may go now; return when the next retry falls due."""
        busy: set[int] = set()
        wake_at: float | None = None
        for update_id, update in self.queue.items():
            if len(self._in_flight) >= self.max_connections:
                break
            chat = _chat_key(update)
            if chat is not None:
                if chat in busy:
                    continue  # an older update of this chat is on its way or waits to retry
                busy.add(chat)
            if update_id in self._in_flight:
                continue
            retry_at = self._retry_at.get(update_id, 0.0)
            if retry_at > now:
                wake_at = retry_at if wake_at is None else min(wake_at, retry_at)
                continue
            self._in_flight[update_id] = asyncio.create_task(
                self._post(session, update_id, update), name=f"sandbox-webhook-{update_id}"
            )
        return wake_at

    async def _post(
        self, session: aiohttp.ClientSession, update_id: int, update: dict[str, Any]
    ) -> None:
        headers = {"Content-Type": "application/json"}
        if self.secret_token:
            headers[SECRET_HEADER] = self.secret_token
        body = json.dumps(update, ensure_ascii=False).encode()
        began = time.monotonic()
        error = ""
        try:
            async with session.post(self.url, data=body, headers=headers) as response:
                await response.read()
                if not 200 <= response.status < 300:
                    error = f"Wrong response from the webhook: {response.status} {response.reason}"
        except TimeoutError:
            error = "Read timeout expired"
        except aiohttp.ClientConnectorError:
            error = "Connection refused"
        except aiohttp.ClientError as failure:
            error = f"Connection error: {type(failure).__name__}"
        finally:
            self._in_flight.pop(update_id, None)
            self._kick.set()
        if error:
            attempts = self._attempts.get(update_id, 0) + 1
            self._attempts[update_id] = attempts
            delay = min(self.retry_cap, self.retry_base * 2 ** (attempts - 1))
            self._retry_at[update_id] = asyncio.get_running_loop().time() + delay
            self._failed_now(error)
            return
        self.latencies.append(time.monotonic() - began)
        self._attempts.pop(update_id, None)
        self._retry_at.pop(update_id, None)
        self.queue.remove(update_id)
        if self._on_delivered is not None:
            self._on_delivered(1)

    def _failed_now(self, message: str) -> None:
        self.failures += 1
        self.last_error_date = self._now()
        self.last_error_message = message
