"""The delivery worker: works through the outbox under Telegram's limits, losing nothing.

Deliveries are claimed from the database in small batches (urgent first), sent through the
Pacer as background traffic so that readers' replies always go first, and their outcomes
written back: at once, or in short batches at paid-broadcast rates (see `_BATCH_ABOVE`).
What Telegram says decides what happens next:

- 429: wait `retry_after` for that chat (and the whole bot if needed), then send again;
- 403 blocked / deactivated, 400 chat not found: the chat is marked gone and everything
  still owed to it cancelled;
- group migrated to a supergroup: the chat id moves everywhere and the alert goes to it;
- network errors, timeouts, 5xx: exponential backoff with jitter, about an hour of
  attempts, then `failed` with the last error kept;
- a forum topic closed (400 TOPIC_CLOSED): that alert `failed`, the topic kept; deleted
  (400 message thread not found): `failed`, and its subscriptions and watches dropped;
- any other 400 (a message Telegram refuses): `failed` at once, logged.

An article corrected or withdrawn during its broadcast reaches every alert: those not sent yet
are rendered at the article's latest revision (or cancelled), and one that was on its way is
owed its edit or deletion when its outcome is written (db/deliveries.py decides which alerts
are stale, in one place).

A crash leaves claimed deliveries `sending`; start() puts them back. With several instances
on PostgreSQL (bot/instances.py) one of them, elected, sends; each claim carries a lease the
sender renews while its sends run, and only claims whose lease ran out go back to the queue,
whoever finds them: the others may be alive. A message Telegram
accepted in the instant before a crash, whose outcome was not yet written, is sent again:
the only duplicate the design allows. Up to `_BATCH_ABOVE` messages a second each outcome is
committed before its slot takes another send, so that is only a send whose answer had not
arrived or was being written; above it, outcomes are written `concurrency` at a time, so a
crash repeats at most about `concurrency` more.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot import formatting
from bot.buttons import ArticleButton
from bot.digests import plan_of
from bot.i18n import t
from bot.instances import Leadership, SharedPace, new_instance_id
from bot.metrics import Metrics
from bot.pacing import Pacer, PacerArgs, wind_down
from db import Connection, Database, articles, chats, deliveries, digests
from db.models import Article, Chat, ChatStatus, Delivery

__all__ = ["Alert", "DeliveryWorker", "WorkerStats", "render_alert"]

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 12  # 2 s doubling to a 15 min cap: about an hour of tries in all
_BACKOFF_BASE = 2.0
_BACKOFF_CAP = 900.0
_DELETE_WINDOW = 48 * 3600  # Telegram lets a bot delete its messages for 48 hours
_IDLE_LOOK = 5.0  # seconds between looks at an empty outbox
# With several instances the sender cannot be woken by an article published on another one:
# it looks four times a second (an index lookup), and the others try to become it each second.
_SHARED_IDLE_LOOK = 0.25
_FOLLOW_EVERY = 1.0
_LEASE = 15.0  # seconds a claim holds unless renewed: how long a dead instance's rows wait
_RENEW_EVERY = 3.0  # seconds between two renewals of this instance's leases
_FLUSH_EVERY = 0.25  # seconds: the longest any outcome waits to be written
# Messages a second up to which each outcome is committed before its slot moves on. A commit
# costs the bot 0.1-0.2 ms of CPU (bench/b2_pipeline.py): under 1 % of a core at Telegram's
# 30 a second, 1-2 % here, 10-20 % at the 1,000 of paid broadcasts, where batching pays.
_BATCH_ABOVE = 100.0
_BACKGROUND: PacerArgs = {"background": True}


@dataclass(frozen=True, slots=True)
class Alert:
    text: str
    photo_url: str | None
    keyboard: InlineKeyboardMarkup


def render_alert(article: Article, lang: str, tz: str) -> Alert:
    """Return the alert exactly as subscribers see it (and editors preview it)."""
    if article.url:
        button = InlineKeyboardButton(t(lang, "alert_read_button"), url=article.url)
    else:
        button = InlineKeyboardButton(
            t(lang, "alert_read_button"), callback_data=ArticleButton(article.id).pack()
        )
    limit = formatting.MAX_CAPTION if article.image_url else formatting.MAX_TEXT
    return Alert(
        formatting.alert_text(article, lang, tz, limit=limit),
        article.image_url,
        InlineKeyboardMarkup([[button]]),
    )


def _other_kind(error: BadRequest) -> bool:
    """Tell whether Telegram refused an edit for the message's kind (photo or text)."""
    message = error.message.lower()
    return "there is no text" in message or "there is no caption" in message


@dataclass
class WorkerStats:
    sent: int = 0
    edited: int = 0
    deleted: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0


@dataclass
class _Outcomes:
    """Outcomes waiting to be written, in the order they must be applied."""

    migrated: list[tuple[int, int]] = field(default_factory=list)
    gone: list[tuple[int, ChatStatus, str]] = field(default_factory=list)
    topics_gone: list[tuple[int, int]] = field(default_factory=list)  # (chat, forum topic)
    sent: list[tuple[int, int | None, float]] = field(default_factory=list)
    retry: list[tuple[int, float, str, bool]] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    cancelled: list[tuple[int, str]] = field(default_factory=list)

    def __len__(self) -> int:
        parts: tuple[list[Any], ...] = (
            self.migrated,
            self.gone,
            self.topics_gone,
            self.sent,
            self.retry,
            self.failed,
            self.cancelled,
        )
        return sum(len(part) for part in parts)


class DeliveryWorker:
    """Sends what the outbox owes; start() in post_init, stop() in post_stop."""

    def __init__(
        self,
        db: Database,
        bot: ExtBot[PacerArgs],
        pacer: Pacer,
        *,
        timezone: str,
        concurrency: int = 8,
        batch_size: int = 50,
        clock: Callable[[], float] = time.time,
        seed: int | None = None,
        paid_broadcast: bool = False,
        metrics: Metrics | None = None,
        instance: str | None = None,
        shared: bool = False,
    ):
        self.db = db
        self.instance = instance or new_instance_id()
        # Several instances share the database (PostgreSQL): the elected one sends.
        self._leadership = Leadership(db, pacer, clock) if shared else None
        self._shared_pace = SharedPace(db, pacer, self._is_sender, clock) if shared else None
        self._renewed = 0.0
        self.metrics = metrics or Metrics()
        self.bot = bot
        self.pacer = pacer
        self.timezone = timezone
        self.stats = WorkerStats()
        self.backoff_base = _BACKOFF_BASE  # seconds before the first retry; doubles each time
        self.backoff_cap = _BACKOFF_CAP
        self._slots = asyncio.Semaphore(concurrency)
        self._batch_size = batch_size
        self._clock = clock
        self._random = random.Random(seed)
        self._wake = asyncio.Event()
        self._outcomes = _Outcomes()
        self._writing = asyncio.Lock()  # one flush at a time, so outcomes land in order
        # Outcomes of sends a batch holds before the send that fills it writes it: 1 at
        # Telegram's pace, each committed before its slot sends on; above _BATCH_ABOVE a
        # second, `concurrency`: at a rate R a batch then waits concurrency / R seconds at most
        # (64 ms at 1,000/s), and stragglers are written by the loop within _FLUSH_EVERY.
        self.write_batch = concurrency if 1.0 / pacer.interval > _BATCH_ABOVE else 1
        self._in_flight: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        # Articles as last read, each with its revision then.
        self._articles: dict[int, tuple[float, int, Article | None]] = {}
        # The alert rendered per article and language: the same for every chat that reads it.
        self._alerts: dict[tuple[int, str], tuple[Article, Alert]] = {}
        # Paid broadcasts (NEWSBOT_PAID_BROADCAST): Telegram lets these sends past 30/s.
        self._paid = True if paid_broadcast else None

    # --- life cycle --------------------------------------------------------------------

    async def start(self) -> None:
        """Return crashed deliveries to the queue and start working."""
        async with self.db.transaction() as conn:
            if self._leadership is None:
                released = await deliveries.release_in_flight(conn)
            else:  # the other instances may be alive: only expired claims are nobody's
                released = await deliveries.release_expired(conn, self._clock(), keep=self.instance)
        if self._shared_pace is not None:
            self._shared_pace.start()
        if released:
            logger.warning("Resuming %d deliveries interrupted by a stop", released)
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="delivery-worker")

    async def stop(self, grace: float = 5.0) -> None:
        """Finish the sends under way (up to `grace` seconds), write outcomes, leave the rest."""
        self._stopping = True
        self._wake.set()
        await wind_down(self._task, self._in_flight, grace)
        self._task = None
        await self._flush()
        async with self.db.transaction() as conn:
            await deliveries.release_in_flight(conn, claimed_by=self.instance)
        if self._shared_pace is not None:
            await self._shared_pace.stop()
        if self._leadership is not None:
            await self._leadership.close()

    def wake(self) -> None:
        """Look at the outbox now (something was queued)."""
        self._wake.set()

    # --- the loop ----------------------------------------------------------------------

    async def _run(self) -> None:
        last_flush = time.monotonic()
        while not self._stopping:
            try:
                if time.monotonic() - last_flush >= _FLUSH_EVERY or len(self._outcomes) >= 200:
                    await self._flush()
                    last_flush = time.monotonic()
                if not await self._may_send():
                    await self._follow()
                    continue
                # Claim only what can go out soon, so urgent work is never stuck behind a backlog.
                room = self._batch_size - len(self._in_flight)
                claimed: list[Delivery] = []
                found: dict[int, Article | None] = {}
                if room > 0:
                    async with self.db.transaction() as conn:
                        now = self._clock()
                        claimed = await deliveries.claim_due(
                            conn, now, room, claimed_by=self.instance, lease_until=now + _LEASE
                        )
                        found = await self._articles_for(conn, claimed)
                if claimed:
                    await self._dispatch(claimed, found)
                    continue
                await self._idle()
            except asyncio.CancelledError:
                raise
            except Exception:
                # The worker must outlive any single failure (a locked database, a bug).
                logger.exception("Delivery worker hiccup; carrying on")
                await asyncio.sleep(1.0)

    def _is_sender(self) -> bool:
        return self._leadership is None or self._leadership.held

    async def _may_send(self) -> bool:
        """Keep this instance's claims alive; tell whether it is the one that sends.

        Its leases are renewed while it has sends under way, elected or not (a sender that
        lost its lock still finishes its own), and the sender returns to the queue the claims
        of instances whose leases ran out.
        """
        now = self._clock()
        shared_sender = self._leadership is not None and self._leadership.held
        if now - self._renewed >= _RENEW_EVERY and (self._in_flight or shared_sender):
            self._renewed = now
            async with self.db.transaction() as conn:
                await deliveries.renew_leases(conn, self.instance, now + _LEASE)
                if shared_sender:
                    released = await deliveries.release_expired(conn, now, keep=self.instance)
                    if released:
                        logger.warning("Resuming %d deliveries of a stopped instance", released)
        return self._leadership is None or await self._leadership.lead()

    async def _follow(self) -> None:
        """Wait while another instance sends: write what is left, try again soon."""
        await self._flush()
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), _FOLLOW_EVERY)

    async def _idle(self) -> None:
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=_FLUSH_EVERY)
            return
        await self._flush()
        self._wake.clear()  # before looking: a wake() from now on is not missed
        due = await deliveries.next_due_at(self.db.reader)
        # Another process (`newsbot import --notify`) cannot wake this one: look again soon.
        look = _IDLE_LOOK if self._leadership is None else _SHARED_IDLE_LOOK
        timeout = look if due is None else min(look, max(0.0, due - self._clock()))
        if timeout > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def _dispatch(self, claimed: list[Delivery], found: dict[int, Article | None]) -> None:
        chat_rows = await chats.chats_by_ids(self.db.reader, {d.chat_id for d in claimed})
        now_wall, now_mono = self._clock(), time.monotonic()
        for delivery in claimed:
            chat = chat_rows.get(delivery.chat_id)
            if chat is None:
                # The chat moved (group migrated) since the claim: the row now names the new
                # id, so it simply goes round again; a deleted chat took its rows with it.
                self._outcomes.retry.append((delivery.id, now_wall, "chat moved", False))
                continue
            if chat.status != "active":
                self._outcomes.failed.append((delivery.id, "chat no longer active"))
                continue
            wait = self.pacer.chat_ready_at(delivery.chat_id) - now_mono
            if wait > 0.05:
                # The chat had a message very recently: come back when it may have another.
                self._outcomes.retry.append((delivery.id, now_wall + wait, "paced", False))
                continue
            task = asyncio.create_task(self._deliver(delivery, chat, found[delivery.article_id]))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)

    async def _articles_for(
        self, conn: Connection, claimed: list[Delivery]
    ) -> dict[int, Article | None]:
        """Return the claimed deliveries' articles, at the revision they were claimed at.

        Read in the claim's transaction, so an article is exactly at its deliveries' stamped
        revision: what they send is what `mark_sent` will compare with the article later.
        A copy cached at that revision (for less than 5 s) is reused; any other is read again.
        """
        now = time.monotonic()
        found: dict[int, Article | None] = {}
        for delivery in claimed:
            article_id, revision = delivery.article_id, delivery.revision
            if article_id in found:
                continue
            cached = self._articles.get(article_id)
            if cached is not None and cached[1] == revision and now - cached[0] < 5.0:
                found[article_id] = cached[2]
                continue
            article = await articles.get_article(conn, article_id, include_withdrawn=True)
            if len(self._articles) > 1000:
                self._articles.clear()
            self._articles[article_id] = (now, revision, article)
            found[article_id] = article
        return found

    # --- one delivery ------------------------------------------------------------------

    async def _deliver(self, delivery: Delivery, chat: Chat, article: Article | None) -> None:
        async with self._slots:
            if self._stopping:
                self._outcomes.retry.append((delivery.id, self._clock(), "stopped", False))
                return
            try:
                message_id = await self._attempt(delivery, chat, article)
            except RetryAfter as error:
                self.stats.retried += 1
                self._outcomes.retry.append(
                    (delivery.id, self._clock() + _seconds(error.retry_after), str(error), False)
                )
            except ChatMigrated as error:
                self.pacer.forget_chat(delivery.chat_id)
                self._outcomes.migrated.append((delivery.chat_id, error.new_chat_id))
                self._outcomes.retry.append((delivery.id, self._clock(), "migrated", False))
            except Forbidden as error:
                self._chat_gone(delivery, chat, str(error))
            except BadRequest as error:
                self._bad_request(delivery, chat, error)
            except asyncio.CancelledError:
                # Stopped mid-request: Telegram may have it; it goes back to the queue.
                self._outcomes.retry.append((delivery.id, self._clock(), "interrupted", False))
                raise
            except Exception as error:  # network errors, timeouts, 5xx, our own bugs
                self._back_off(delivery, error)
            else:
                self._outcomes.sent.append((delivery.id, message_id, self._clock()))
                if delivery.action == "send":
                    self.stats.sent += 1
                    if article is not None:
                        self.metrics.alert_sent(article.published_at.timestamp(), self._clock())
                elif delivery.action == "edit":
                    self.stats.edited += 1
                else:
                    self.stats.deleted += 1
            if self.write_batch == 1 or len(self._outcomes) >= self.write_batch:
                # Durable before this slot takes another send (one at a time: a crash from here
                # on cannot send it again), or the batch is full. Sends that finish together
                # share the commit; one just swapped out by another is waited for.
                try:
                    await self._flush()
                except Exception:
                    logger.exception("Could not write delivery outcomes; the next write retries")

    async def _attempt(self, delivery: Delivery, chat: Chat, article: Article | None) -> int | None:
        """Do what the delivery owes; return the alert's message_id (None if unchanged)."""
        if article is None:
            raise _Skip("article no longer exists")
        if delivery.action == "send":
            if article.status != "published":
                raise _Skip("article withdrawn before it was sent")
            sent = await self._send(chat, article, urgent=article.urgent, thread=delivery.thread_id)
            return sent.message_id
        assert delivery.message_id is not None
        if delivery.action == "delete" or article.status != "published":
            # An edit that was in flight at the withdrawal and is tried again: claimed at the
            # withdrawal's revision, it is not stale any more, so it deletes here.
            age = self._clock() - (delivery.sent_at or 0.0)
            if age < _DELETE_WINDOW:
                with contextlib.suppress(BadRequest):  # too old, or already gone: edit instead
                    await self.bot.delete_message(
                        chat.id, delivery.message_id, rate_limit_args=_BACKGROUND
                    )
                    return None
            text = formatting.withdrawn_alert_text(article, chat.language)
            await self._edit(chat.id, delivery.message_id, text, None, article.image_url)
            return None
        alert = render_alert(article, chat.language, self.timezone)
        try:
            await self._edit(
                chat.id, delivery.message_id, alert.text, alert.keyboard, alert.photo_url
            )
        except BadRequest as error:
            if not _other_kind(error):
                raise
            # A correction added or took away the photo, and Telegram cannot change a sent
            # message's kind: it keeps its own (the editor was told) and gets the new words.
            photo_kept = alert.photo_url is None
            limit = formatting.MAX_CAPTION if photo_kept else formatting.MAX_TEXT
            text = formatting.alert_text(article, chat.language, self.timezone, limit=limit)
            await self._edit(
                chat.id, delivery.message_id, text, alert.keyboard, "kept" if photo_kept else None
            )
        return None

    def _render(self, article: Article, lang: str) -> Alert:
        """Render an alert once per article version and language (`_article` keeps the
        same Article object until it refetches it, so identity says "unchanged")."""
        cached = self._alerts.get((article.id, lang))
        if cached is not None and cached[0] is article:
            return cached[1]
        alert = render_alert(article, lang, self.timezone)
        if len(self._alerts) > 1000:
            self._alerts.clear()
        self._alerts[(article.id, lang)] = (article, alert)
        return alert

    async def _send(
        self, chat: Chat, article: Article, *, urgent: bool, thread: int = 0
    ) -> Message:
        alert = self._render(article, chat.language)
        # Only urgent alerts ring, and not in the chat's quiet hours (the others wait for
        # its digest: db/digests.py holds them when they are published).
        silent = not urgent or await self._in_quiet_hours(chat.id)
        if alert.photo_url:
            return await self.bot.send_photo(
                chat.id,
                alert.photo_url,
                caption=alert.text,
                reply_markup=alert.keyboard,
                disable_notification=silent,
                message_thread_id=thread or None,
                allow_paid_broadcast=self._paid,
                rate_limit_args=_BACKGROUND,
            )
        return await self.bot.send_message(
            chat.id,
            alert.text,
            reply_markup=alert.keyboard,
            disable_notification=silent,
            message_thread_id=thread or None,
            allow_paid_broadcast=self._paid,
            rate_limit_args=_BACKGROUND,
        )

    async def _in_quiet_hours(self, chat_id: int) -> bool:
        settings = await digests.get_settings(self.db.reader, chat_id)
        return plan_of(settings).is_quiet(self._clock(), ZoneInfo(self.timezone))

    async def _edit(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        keyboard: InlineKeyboardMarkup | None,
        photo_url: str | None,
    ) -> None:
        try:
            if photo_url:
                await self.bot.edit_message_caption(
                    chat_id, message_id, caption=text, reply_markup=keyboard,
                    rate_limit_args=_BACKGROUND,
                )  # fmt: skip
            else:
                await self.bot.edit_message_text(
                    text, chat_id, message_id, reply_markup=keyboard, rate_limit_args=_BACKGROUND
                )
        except BadRequest as error:
            # Already as wanted, or deleted by the reader: nothing is owed any more.
            if "not modified" not in error.message and "not found" not in error.message:
                raise

    # --- outcomes ----------------------------------------------------------------------

    def _chat_gone(self, delivery: Delivery, chat: Chat, reason: str) -> None:
        status: ChatStatus = "blocked" if chat.type == "private" else "left"
        logger.info("Chat %s is gone (%s)", chat.id, reason)
        self.pacer.forget_chat(chat.id)
        self._outcomes.gone.append((chat.id, status, reason))
        self._outcomes.failed.append((delivery.id, reason))
        self.stats.cancelled += 1

    def _bad_request(self, delivery: Delivery, chat: Chat, error: BadRequest) -> None:
        message = error.message.lower()
        if "chat not found" in message or "chat_id is empty" in message:
            self._chat_gone(delivery, chat, error.message)
            return
        if isinstance(error, _Skip):
            self._outcomes.cancelled.append((delivery.id, error.message))
            self.stats.cancelled += 1
            return
        if delivery.thread_id and "thread not found" in message:
            # The forum topic was deleted: what was followed there goes with it (the group's
            # other topics and its General topic are not filled with alerts meant for it).
            logger.info("Forum topic %s of chat %s is gone", delivery.thread_id, chat.id)
            self._outcomes.topics_gone.append((chat.id, delivery.thread_id))
        elif delivery.thread_id and "topic_closed" in message:
            # Closed by the group's admins: this alert fails, the next ones are tried (the
            # topic may be reopened).
            logger.info("Forum topic %s of chat %s is closed", delivery.thread_id, chat.id)
        else:
            logger.error("Telegram refused delivery %s to chat %s: %s", delivery.id, chat.id, error)
        self._outcomes.failed.append((delivery.id, error.message))
        self.stats.failed += 1

    def _back_off(self, delivery: Delivery, error: Exception) -> None:
        reason = f"{type(error).__name__}: {error}"
        if not isinstance(error, TelegramError):
            logger.error("Unexpected error delivering %s", delivery.id, exc_info=error)
        if delivery.attempts >= MAX_ATTEMPTS:
            logger.warning("Giving up delivery %s after %d attempts", delivery.id, MAX_ATTEMPTS)
            self._outcomes.failed.append((delivery.id, reason))
            self.stats.failed += 1
            return
        delay = min(self.backoff_cap, self.backoff_base * 2 ** (delivery.attempts - 1))
        delay *= self._random.uniform(0.75, 1.25)
        self._outcomes.retry.append((delivery.id, self._clock() + delay, reason, True))
        self.stats.retried += 1

    async def _flush(self) -> None:
        """Write the outcomes gathered so far, one flush at a time.

        An outcome another flush has just taken is written when this returns: a send that waits
        here for durability does not move on before it.
        """
        async with self._writing:
            await self._write_outcomes()

    async def _write_outcomes(self) -> None:
        """Write the outcomes gathered so far in one transaction."""
        if not len(self._outcomes):
            return
        outcomes, self._outcomes = self._outcomes, _Outcomes()
        now = self._clock()
        try:
            async with self.db.transaction() as conn:
                for old_id, new_id in outcomes.migrated:
                    await chats.migrate_chat(conn, old_id, new_id, now)
                for chat_id, status, reason in outcomes.gone:
                    await chats.set_chat_status(conn, chat_id, status, now)
                    await deliveries.cancel_chat_deliveries(conn, chat_id, reason)
                for chat_id, thread_id in outcomes.topics_gone:
                    await chats.drop_thread(conn, chat_id, thread_id)
                # Alerts whose article changed while they were on their way are owed a
                # follow-up from here: mark_sent sees the change, in this transaction.
                await deliveries.mark_sent(conn, outcomes.sent, now=now)
                await deliveries.mark_retry(conn, outcomes.retry)
                await deliveries.mark_failed(conn, outcomes.failed)
                await deliveries.mark_cancelled(conn, outcomes.cancelled)
            self.metrics.alerts_failed(len(outcomes.failed))
        except BaseException:
            # Keep them for the next flush: the rows stay 'sending' until then.
            self._outcomes.migrated[:0] = outcomes.migrated
            self._outcomes.gone[:0] = outcomes.gone
            self._outcomes.topics_gone[:0] = outcomes.topics_gone
            self._outcomes.sent[:0] = outcomes.sent
            self._outcomes.retry[:0] = outcomes.retry
            self._outcomes.failed[:0] = outcomes.failed
            self._outcomes.cancelled[:0] = outcomes.cancelled
            raise


class _Skip(BadRequest):
    """Nothing to send any more (article withdrawn or deleted before its turn)."""


def _seconds(value: object) -> float:
    return float(value.total_seconds()) if hasattr(value, "total_seconds") else float(value)  # type: ignore[arg-type]
