"""Digests: one message at a chat's chosen times (or when its quiet hours end) listing what
matched since the last one, newest first; nothing when nothing matched.

Ordinary alerts for such a chat wait in the database from the moment they are published
(db/digests.py holds them in the publishing transaction; urgent ones never wait). Each chat
that holds alerts has one digest row owed at a time; `DigestWorker` claims it at its minute,
renders the articles as they are then (a correction shows, a withdrawn article is left out),
sends it through the Pacer as background traffic, like alerts, and writes its outcome and the
next digest's time in one transaction. A restart at the digest minute therefore sends it once:
before the outcome is written the digest is still owed and is sent after the restart (the
only repeat being a message Telegram accepted in the instant before a crash, as for alerts);
after it, only the next one is owed. A digest too long for one message is cut between
articles (formatting.split_html); the parts already sent are recorded, so a retry sends only
the rest.

Digests ring (`disable_notification` off): the reader asked for them at that time, unlike
an ordinary alert, which arrives silently; only a digest time inside the chat's own quiet
hours is silent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
import time
from collections.abc import Callable, Sequence
from typing import Literal
from zoneinfo import ZoneInfo

from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot import formatting
from bot.i18n import plural, t
from bot.markup import escape
from bot.pacing import PacerArgs, wind_down
from bot.schedule import DigestPlan, format_minute, local_minute
from db import Connection, Database, articles, chats, deliveries, digests
from db.models import Article, Digest, ReaderSettings

__all__ = ["DigestKind", "DigestWorker", "plan_of", "render_digest", "reschedule"]

logger = logging.getLogger(__name__)

DigestKind = Literal["digest", "quiet"]
MAX_ATTEMPTS = 12  # as alerts: about an hour of tries, then `failed`
_BACKOFF_BASE = 2.0
_BACKOFF_CAP = 900.0
_IDLE_LOOK = 5.0  # seconds between looks when nothing is due (another process may schedule)
_LEASE = 300.0  # seconds a claim holds with several instances: far more than a digest takes
_REPAIR_EVERY = 300.0  # seconds between looks for held articles no digest is owed for
_KEPT_FOR = 30 * 86400.0  # seconds a digest done is kept (for /stats and the curious)
_BACKGROUND: PacerArgs = {"background": True}
# What Telegram answers a message for a forum topic that was closed or deleted.
_TOPIC_GONE = re.compile(r"thread|topic", re.IGNORECASE)


def plan_of(settings: ReaderSettings) -> DigestPlan:
    """Return the schedule a chat's stored settings make."""
    return DigestPlan(settings.digest_times, settings.quiet)


async def reschedule(conn: Connection, chat_id: int, zone: ZoneInfo, now: float) -> float | None:
    """Owe the chat its next digest as its settings now say; return when (None: none).

    Call in the transaction that changed the settings or closed the last digest. A chat
    with quiet hours only and articles still held, outside its quiet hours, gets them now.
    """
    plan = plan_of(await digests.get_settings(conn, chat_id))
    due = plan.next_digest(now, zone)
    quiet_over = not plan.digest_times and not plan.is_quiet(now, zone)
    if quiet_over and await digests.held_count(conn, chat_id):
        due = now
    await digests.schedule(conn, chat_id, due, now)
    return due


# --- rendering -----------------------------------------------------------------------------


def _entry(article: Article, lang: str, zone: ZoneInfo, href: str | None) -> str:
    title = escape(formatting.excerpt(article.title, formatting.CARD_TITLE_CHARS))
    head = f'<b><a href="{escape(href)}">{title}</a></b>' if href else f"<b>{title}</b>"
    meta = [
        formatting.hashtags(article.topics),
        formatting.byline(article.author.name, lang),
        escape(formatting.format_short_date(article.published_at, lang, zone)),
    ]
    lines = [head, " · ".join(item for item in meta if item)]
    if article.lead.strip():
        lines.append(escape(formatting.excerpt(article.lead, formatting.CARD_LEAD_CHARS)))
    return "\n".join(lines)


def render_digest(
    found: Sequence[Article],
    lang: str,
    zone: ZoneInfo,
    *,
    kind: DigestKind,
    at: float,
    link: Callable[[Article], str | None],
) -> list[str]:
    """Return a digest as messages of at most 4,096 characters, newest article first.

    Each article's title links to it (`link`: the bot's deep link, or the article's page).
    A long digest is cut between articles, tags never broken.
    """
    counted = plural(lang, "digest.count", len(found))
    if kind == "digest":
        time_of_day = format_minute(local_minute(at, zone))
        header = t(lang, "digest.header", time=time_of_day, articles=counted)
    else:
        header = t(lang, "digest.quiet_header", articles=counted)
    ordered = sorted(found, key=lambda a: (a.published_at, a.id), reverse=True)
    text = "\n\n".join([header, *(_entry(a, lang, zone, link(a)) for a in ordered)])
    return formatting.split_html(text)


# --- the worker ----------------------------------------------------------------------------


class DigestWorker:
    """Sends the digests owed when they fall due; start() in post_init, stop() in post_stop."""

    def __init__(
        self,
        db: Database,
        bot: ExtBot[PacerArgs],
        *,
        timezone: str,
        clock: Callable[[], float] = time.time,
        concurrency: int = 4,
        seed: int | None = None,
        shared: bool = False,
    ):
        self.db = db
        self.bot = bot
        self.zone = ZoneInfo(timezone)
        self.backoff_base = _BACKOFF_BASE
        self._clock = clock
        self._slots = asyncio.Semaphore(concurrency)
        self._concurrency = concurrency
        self._random = random.Random(seed)
        self._wake = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        # Several instances on one database (PostgreSQL): claims carry a lease instead of
        # being released at start, since another instance may be sending them.
        self._shared = shared
        self._repaired = time.monotonic()
        self.sent = 0  # digest messages sent (parts counted), for tests and /stats

    async def start(self) -> None:
        """Return digests interrupted by a stop to the queue and start working."""
        async with self.db.transaction() as conn:
            released = 0 if self._shared else await digests.release_in_flight(conn)
            await self._repair(conn)
        if released:
            logger.warning("Resuming %d digests interrupted by a stop", released)
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="digest-worker")

    async def stop(self, grace: float = 5.0) -> None:
        """Finish the digests under way (up to `grace` seconds); the rest stays owed."""
        self._stopping = True
        self._wake.set()
        await wind_down(self._task, self._in_flight, grace)
        self._task = None
        if not self._shared:
            async with self.db.transaction() as conn:
                await digests.release_in_flight(conn)

    def wake(self) -> None:
        """Look at the digests owed now (the clock moved, or settings changed)."""
        self._wake.set()

    async def _repair(self, conn: Connection) -> None:
        """Owe a digest to every chat holding articles without one (a chat that left and came
        back has its digests cancelled, and may have articles held since); forget the digests
        done long ago."""
        for chat_id in await digests.chats_owed_nothing(conn):
            await reschedule(conn, chat_id, self.zone, self._clock())
        await digests.forget_done(conn, self._clock() - _KEPT_FOR)

    async def _run(self) -> None:
        while not self._stopping:
            try:
                self._wake.clear()  # before looking: a wake() from now on is not missed
                room = self._concurrency - len(self._in_flight)
                claimed: list[Digest] = []
                if room > 0:
                    now = self._clock()
                    lease = now + _LEASE if self._shared else None
                    async with self.db.transaction() as conn:
                        claimed = await digests.claim_due(conn, now, room, lease_until=lease)
                for digest in claimed:
                    task = asyncio.create_task(self._deliver(digest))
                    self._in_flight.add(task)
                    task.add_done_callback(self._in_flight.discard)
                if claimed:
                    continue
                if time.monotonic() - self._repaired >= _REPAIR_EVERY:
                    async with self.db.transaction() as conn:
                        await self._repair(conn)
                    self._repaired = time.monotonic()
                await self._idle()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("Digest worker hiccup; carrying on")
                await asyncio.sleep(1.0)

    async def _idle(self) -> None:
        if len(self._in_flight) >= self._concurrency:
            await asyncio.wait(self._in_flight, return_when=asyncio.FIRST_COMPLETED)
            return
        due = await digests.next_due_at(self.db.reader)
        timeout = _IDLE_LOOK if due is None else min(_IDLE_LOOK, max(0.0, due - self._clock()))
        if timeout > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    def _link(self, article: Article) -> str | None:
        """Return where an article's title leads: the bot's deep link, opening the whole
        article in the chat (groups too), else the article's own page."""
        try:
            username = self.bot.username
        except RuntimeError:  # not initialised (a bare worker in a benchmark)
            return article.url
        return f"https://t.me/{username}?start=article-{article.id}"

    async def _deliver(self, digest: Digest) -> None:
        async with self._slots:
            try:
                await self._send(digest)
            except asyncio.CancelledError:
                async with self.db.transaction() as conn:
                    await digests.mark_retry(conn, digest.id, self._clock(), "interrupted")
                raise
            except Exception:
                logger.exception("Digest %s for chat %s failed", digest.id, digest.chat_id)
                await self._close(digest, "failed", error="unexpected error")

    async def _send(self, digest: Digest) -> None:
        reader = self.db.reader
        chat = await chats.get_chat(reader, digest.chat_id)
        if chat is None or chat.status != "active":
            # Blocked or left: nothing more is owed (the repair pass owes a digest again once
            # articles are held for it after its return).
            async with self.db.transaction() as conn:
                await digests.cancel_digests(conn, digest.chat_id, "chat no longer active")
            return
        plan = plan_of(await digests.get_settings(reader, chat.id))
        by_topic: dict[int, list[Article]] = {}
        for thread_id, article_id in await digests.digest_articles(reader, digest.id):
            article = await articles.get_article(reader, article_id)
            if article is not None:
                by_topic.setdefault(thread_id, []).append(article)
        if not by_topic:
            await self._close(digest, "sent")  # nothing matched: nothing is sent
            return
        kind: DigestKind = "digest" if plan.digest_times else "quiet"
        # One digest per forum topic the articles were for (0: the chat itself), in order.
        parts = [
            (thread_id, part)
            for thread_id, found in by_topic.items()
            for part in render_digest(
                found, chat.language, self.zone, kind=kind, at=digest.due_at, link=self._link
            )
        ]
        sent = list(digest.message_ids)
        silent = plan.is_quiet(self._clock(), self.zone)  # a digest time inside quiet hours
        try:
            for thread_id, part in parts[digest.parts_sent :]:
                sent.append(await self._send_part(chat.id, thread_id, part, silent=silent))
                if len(sent) < len(parts):
                    async with self.db.transaction() as conn:
                        await digests.mark_part_sent(conn, digest.id, sent)
        except RetryAfter as error:
            await self._retry(digest, _seconds(error.retry_after), str(error), counted=False)
        except ChatMigrated as error:
            async with self.db.transaction() as conn:
                await chats.migrate_chat(conn, chat.id, error.new_chat_id, self._clock())
                await digests.mark_retry(conn, digest.id, self._clock(), "migrated")
            self._wake.set()
        except Forbidden as error:
            await self._chat_gone(digest, chat.type, str(error))
        except BadRequest as error:
            if "chat not found" in error.message.lower():
                await self._chat_gone(digest, chat.type, error.message)
                return
            logger.error("Telegram refused digest %s for chat %s: %s", digest.id, chat.id, error)
            await self._close(digest, "failed", error=error.message)
        except TelegramError as error:  # network errors, timeouts, 5xx
            if digest.attempts >= MAX_ATTEMPTS:
                await self._close(digest, "failed", error=str(error))
                return
            delay = min(_BACKOFF_CAP, self.backoff_base * 2 ** (digest.attempts - 1))
            await self._retry(digest, delay * self._random.uniform(0.75, 1.25), str(error))
        else:
            articles_sent = sum(len(found) for found in by_topic.values())
            await self._close(digest, "sent", articles=articles_sent)

    async def _send_part(self, chat_id: int, thread_id: int, text: str, *, silent: bool) -> int:
        """Send one message of a digest; return its id (0: its forum topic is closed or gone,
        so that part is skipped and the others still go)."""
        try:
            message = await self.bot.send_message(
                chat_id,
                text,
                message_thread_id=thread_id or None,
                disable_notification=silent,
                rate_limit_args=_BACKGROUND,
            )
        except BadRequest as error:
            if not thread_id or not _TOPIC_GONE.search(error.message):
                raise
            logger.info(
                "Digest part for topic %s of chat %s skipped: %s", thread_id, chat_id, error
            )
            return 0
        self.sent += 1
        return message.message_id

    async def _retry(
        self, digest: Digest, delay: float, error: str, *, counted: bool = True
    ) -> None:
        async with self.db.transaction() as conn:
            await digests.mark_retry(conn, digest.id, self._clock() + delay, error, counted=counted)

    async def _close(
        self,
        digest: Digest,
        status: Literal["sent", "failed", "cancelled"],
        *,
        articles: int = 0,
        error: str | None = None,
    ) -> None:
        """Write a digest's outcome and owe the next one, in one transaction."""
        async with self.db.transaction() as conn:
            now = self._clock()
            await digests.finish(conn, digest.id, status, now, articles=articles, error=error)
            await reschedule(conn, digest.chat_id, self.zone, now)

    async def _chat_gone(self, digest: Digest, chat_type: str, reason: str) -> None:
        logger.info("Chat %s is gone (%s)", digest.chat_id, reason)
        async with self.db.transaction() as conn:
            now = self._clock()
            status: Literal["blocked", "left"] = "blocked" if chat_type == "private" else "left"
            await chats.set_chat_status(conn, digest.chat_id, status, now)
            await deliveries.cancel_chat_deliveries(conn, digest.chat_id, reason)
            await digests.cancel_digests(conn, digest.chat_id, reason)


def _seconds(value: object) -> float:
    return float(value.total_seconds()) if hasattr(value, "total_seconds") else float(value)  # type: ignore[arg-type]
