"""Polling: each feed at its own interval, published once, editors told when it breaks.

`FeedPoller` runs on the JobQueue: each feed at its own interval with jitter, a few at a
time, with exponential backoff on failure and one notice to editors when a feed starts
failing and one when it recovers. `publish_items` sends items through the `Publisher`, the
only way articles enter (the importer uses it too).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal

import httpx
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot import site
from bot.errors import FeedError
from bot.feeds.addresses import AddressPolicy
from bot.feeds.discovery import feed_links, looks_like_html
from bot.feeds.entries import FeedItem, story_key
from bot.feeds.fetching import (
    POLL_CONCURRENCY,
    FetchLimits,
    FetchResult,
    check_feed_url,
    fetch_feed,
    new_http_client,
)
from bot.feeds.parsing import ParsedFeed
from bot.feeds.worker import ParseWorker
from bot.formatting import escape
from bot.i18n import plural, t
from bot.metrics import Metrics
from bot.publishing import Publisher, content_hash
from db import Database, articles, audit, chats
from db import feeds as feeds_db
from db.models import Feed, Origin

if TYPE_CHECKING:
    from telegram import Bot

    from bot.context import Context, NewsbotApplication

__all__ = [
    "ALERT_MAX_AGE",
    "DEFAULT_INTERVAL_MINUTES",
    "FAILURES_BEFORE_NOTICE",
    "MAX_BACKOFF_SECONDS",
    "MAX_INTERVAL_MINUTES",
    "AddReport",
    "EditorNotifier",
    "FeedNotice",
    "FeedPoller",
    "PollReport",
    "PublishTally",
    "describe_counts",
    "describe_error",
    "describe_read",
    "describe_tally",
    "feed_label",
    "get_poller",
    "publish_items",
    "start_feeds",
    "stop_feeds",
    "stored_counts",
]

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL_MINUTES = 5
MAX_INTERVAL_MINUTES = 24 * 60
MAX_BACKOFF_SECONDS = 6 * 3600
FAILURES_BEFORE_NOTICE = 3
ALERT_MAX_AGE = timedelta(hours=48)
"""An item older than this never alerts anyone, whatever else says it is new."""

POLL_TICK_SECONDS = 20.0
FEEDS_PER_TICK = 50

_JITTER = 0.1  # ±10 % on every delay, so feeds added together drift apart
# A claimed feed's next poll until its outcome is written: a poll whose instance died is
# tried again then. Longer than any poll (fetch and parse are bounded well below it).
_POLL_LEASE = 10 * 60.0


# --- publishing items ------------------------------------------------------------------


@dataclass(slots=True)
class PublishTally:
    """What became of a source's entries; `total` adds up to all the source held."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    no_text: int = 0  # entries with neither title nor text
    too_old: int = 0  # published before the cut-off asked for
    refused: int = 0  # entries that could not be read (a bad JSON line) or stored
    alerted: int = 0  # new articles that queued alerts
    undated: int = 0  # stored with the time first seen: their date could not be read
    stale: int = 0  # new articles stored without an alert: older than ALERT_MAX_AGE

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged + self.no_text + self.too_old + self.refused


def _alerts(item: FeedItem, alert_after: float | None, now: float, *, undated_alert: bool) -> bool:
    """Tell whether a new item may alert: recent, and published after `alert_after`.

    An item without a readable date is as old as the moment it was first seen: in a feed
    read less than ALERT_MAX_AGE before, that is about when it appeared (`undated_alert`);
    after a longer gap, or in an import, it says nothing, so it never alerts.
    """
    if alert_after is None or _too_old_to_alert(item, now, undated_alert=undated_alert):
        return False
    draft = item.draft
    published = draft.published_at.timestamp() if draft.published_at else now
    return published >= alert_after


def _too_old_to_alert(item: FeedItem, now: float, *, undated_alert: bool) -> bool:
    """Tell whether an item is, or may be, older than ALERT_MAX_AGE (see `_alerts`)."""
    if item.undated:
        return not undated_alert
    published = item.draft.published_at
    return published is not None and published.timestamp() < now - ALERT_MAX_AGE.total_seconds()


def _aliases(item: FeedItem) -> list[str]:
    """Return the item's other names: its own link, and its title and date when dated."""
    aliases = [item.link_key] if item.link_key else []
    if item.draft.published_at is not None:
        aliases.append(story_key(item))
    return [alias for alias in aliases if alias != item.source_key]


async def _known_key(publisher: Publisher, item: FeedItem, aliases: list[str]) -> FeedItem:
    """Return the item under the key it was stored with, if it was stored under another.

    Another guid with the same link (or title and date) is found through the aliases. A
    key from before migration 0005 (a home-page or shared link) is the item's only when
    the article stored under it has the item's title: several items shared it then, and
    the article holds the last one read.
    """
    reader = publisher.db.reader
    if await feeds_db.item_hash(reader, item.source_key) is not None:
        return item
    if await articles.get_article_by_source(reader, item.source_key) is not None:
        return item
    known = await feeds_db.aliased_source(reader, [item.source_key, *aliases])
    if known is None and item.legacy_key is not None:
        old = await articles.get_article_by_source(reader, item.legacy_key)
        if old is not None and site.fold(old.title) == site.fold(item.draft.title):
            known = item.legacy_key
    if known is None or known == item.source_key:
        return item
    return replace(item, source_key=known)


async def publish_items(
    publisher: Publisher,
    items: Iterable[FeedItem],
    *,
    origin: Origin,
    alert_after: float | None,
    now: float,
    progress: Callable[[], None] | None = None,
    not_before: float | None = None,
    tally: PublishTally | None = None,
    undated_alert: bool = False,
) -> PublishTally:
    """Publish items through the Publisher; alert only new, recent ones (see `_alerts`).

    `alert_after=None` stores silently (a backlog, an import); items published before
    `not_before` are skipped as too old. A known item keeps the topics it was stored with
    besides its current ones, so a feed per section that files the same item under another
    category does not flip its article back and forth. An item whose guid changed but whose
    link (or title and date) was seen before updates the article stored then.
    """
    tally = tally or PublishTally()
    for item in items:
        published = item.draft.published_at
        if not_before is not None and published is not None and published.timestamp() < not_before:
            tally.too_old += 1
            if progress:
                progress()
            continue
        aliases = _aliases(item)
        own_key = item.source_key
        item = await _known_key(publisher, item, aliases)
        if item.source_key != own_key:
            aliases.append(own_key)  # found at once next time
        tally.undated += item.undated
        draft = item.draft
        fingerprint = content_hash(draft)
        if await feeds_db.item_hash(publisher.db.reader, item.source_key) == fingerprint:
            # Unchanged since it was published: nothing to do, and an editor's correction of
            # the article stays as the editor left it.
            tally.unchanged += 1
            if progress:
                progress()
            continue
        existing = await articles.get_article_by_source(publisher.db.reader, item.source_key)
        if existing is not None:
            if existing.status != "published":
                tally.unchanged += 1  # withdrawn by an editor: the feed must not revive it
                if progress:
                    progress()
                continue
            known = {site.fold(topic) for topic in draft.topics}
            extra = tuple(topic.name for topic in existing.topics if topic.key not in known)
            if extra:
                draft = replace(draft, topics=(*draft.topics, *extra))
        result = await publisher.publish(
            draft,
            source_key=item.source_key,
            origin=origin,
            notify=_alerts(
                replace(item, draft=draft), alert_after, now, undated_alert=undated_alert
            ),
        )
        async with publisher.db.transaction() as conn:
            await feeds_db.remember_item(conn, item.source_key, fingerprint, undated=item.undated)
            await feeds_db.remember_aliases(conn, item.source_key, aliases)
        if result.created:
            tally.new += 1
            tally.alerted += result.queued > 0
            if alert_after is not None:
                tally.stale += _too_old_to_alert(item, now, undated_alert=undated_alert)
        elif result.changed:
            tally.updated += 1
        else:
            tally.unchanged += 1
        if progress:
            progress()
    return tally


# --- polling ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedNotice:
    """What editors are told about: a feed that keeps failing, or one that works again."""

    kind: Literal["failing", "recovered"]
    feed: Feed
    failures: int
    error: str | None  # stored form, see FeedError.stored
    counts: str | None = None  # the last read's counts, stored form (see `stored_counts`)


NotifyEditors = Callable[[FeedNotice], Awaitable[None]]


async def _nobody(notice: FeedNotice) -> None:
    logger.info("Feed %s: %s (no editor to tell)", notice.feed.url, notice.kind)


@dataclass(frozen=True, slots=True)
class PollReport:
    feed_id: int
    status: Literal["ok", "not_modified", "unchanged", "failed"]
    found: int = 0
    tally: PublishTally = field(default_factory=PublishTally)
    error: FeedError | None = None
    malformed: bool = False  # feedparser mended broken XML: entries may be missing


@dataclass(frozen=True, slots=True)
class AddReport:
    """What /addfeed found: the new feed and its backlog, or the feed that was there already."""

    feed: Feed
    created: bool
    found: int = 0  # entries the feed held; the tally says what became of each
    tally: PublishTally = field(default_factory=PublishTally)
    malformed: bool = False


class FeedPoller:
    """Poll the feeds that are due, a few at a time, and keep each feed's state in the db."""

    def __init__(
        self,
        db: Database,
        publisher: Publisher,
        client: httpx.AsyncClient,
        *,
        notify_editors: NotifyEditors = _nobody,
        limits: FetchLimits | None = None,
        parser: ParseWorker | None = None,
        clock: Callable[[], float] = time.time,
        concurrency: int = POLL_CONCURRENCY,
        jitter: float = _JITTER,
        rng: random.Random | None = None,
        metrics: Metrics | None = None,
    ):
        self.db = db
        self.metrics = metrics or Metrics()
        self.publisher = publisher
        self.client = client
        self.limits = limits or FetchLimits()
        # A worker of its own unless given one; its process starts at the first parse.
        self.parser = parser or ParseWorker()
        self._owns_parser = parser is None
        self._notify_editors = notify_editors
        self._clock = clock
        self._semaphore = asyncio.Semaphore(concurrency)
        self._jitter = jitter
        self._rng = rng or random.Random()
        self._locks: dict[int, asyncio.Lock] = {}
        # Per feed: the body digest of the last good poll, to skip parsing a body that did
        # not change (items themselves are remembered in the database, see publish_items).
        self._bodies: dict[int, str] = {}
        self._task: asyncio.Task[None] | None = None

    # -- scheduling --

    def _delay(self, seconds: float) -> float:
        return seconds * (1 + self._rng.uniform(-self._jitter, self._jitter))

    def next_poll_after_success(self, feed: Feed, now: float) -> float:
        """Return when to poll a healthy feed next: its interval, jittered."""
        return now + self._delay(feed.interval_minutes * 60)

    def next_poll_after_failure(
        self, feed: Feed, failures: int, now: float, retry_after: float | None = None
    ) -> float:
        """Return when to retry: the interval doubled per failure in a row, up to six hours."""
        backoff = feed.interval_minutes * 60 * 2 ** min(failures, 16)
        delay = max(backoff, retry_after or 0.0)
        return now + min(self._delay(delay), MAX_BACKOFF_SECONDS)

    def kick(self) -> None:
        """Start polling the due feeds unless a round is still running."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._round(), name="newsbot-feeds")

    async def _round(self) -> None:
        try:
            await self.poll_due()
        except Exception:
            logger.exception("Feed polling round failed")

    async def wait(self) -> None:
        """Wait for the polling round under way, if any, to finish."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def close(self) -> None:
        """Stop the running round, if any, and the parse worker if it is the poller's own."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None
        if self._owns_parser:
            await asyncio.to_thread(self.parser.close)

    def _lock(self, feed_id: int) -> asyncio.Lock:
        return self._locks.setdefault(feed_id, asyncio.Lock())

    # -- polling --

    async def poll_due(self) -> list[PollReport]:
        """Poll every feed whose time has come, at most `concurrency` at once.

        The due feeds are claimed (their next poll moved past the poll's lease) in one
        transaction, so that with several instances each feed is polled by one of them.
        """
        now = self._clock()
        async with self.db.transaction() as conn:
            due = await feeds_db.claim_due_feeds(conn, now, FEEDS_PER_TICK, now + _POLL_LEASE)
        # A feed polled here at this moment (/addfeed, a manual poll) records its own outcome.
        due = [feed for feed in due if not self._lock(feed.id).locked()]
        if not due:
            return []
        return list(await asyncio.gather(*(self._poll_bounded(feed) for feed in due)))

    async def _poll_bounded(self, feed: Feed) -> PollReport:
        async with self._semaphore, self._lock(feed.id):
            report = await self._poll(feed)
        self.metrics.feed_polled(report.status)
        return report

    async def poll_feed(self, feed_id: int) -> PollReport | None:
        """Poll one feed now, due or not; None if there is no such feed."""
        async with self._lock(feed_id):
            feed = await feeds_db.get_feed(self.db.reader, feed_id)
            if feed is None:
                return None
            async with self._semaphore:
                report = await self._poll(feed)
        self.metrics.feed_polled(report.status)
        return report

    async def _poll(self, feed: Feed) -> PollReport:
        """Fetch, parse and publish one feed; record the outcome. Never raises."""
        try:
            return await self._fetch_and_publish(feed)
        except asyncio.CancelledError:
            raise
        except FeedError as error:
            logger.info("Feed %s failed: %s", feed.url, error)
            await self._record_failure(feed, error)
            return PollReport(feed.id, "failed", error=error)
        except Exception:
            logger.exception("Feed %s: unexpected error", feed.url)
            internal = FeedError("feeds.error.internal")
            try:
                await self._record_failure(feed, internal)
            except Exception:
                logger.exception("Feed %s: could not record the failure", feed.url)
            return PollReport(feed.id, "failed", error=internal)

    async def _fetch_and_publish(self, feed: Feed) -> PollReport:
        backlog = feed.last_success_at is None
        result = await fetch_feed(
            self.client,
            feed.url,
            etag=None if backlog else feed.etag,
            last_modified=None if backlog else feed.last_modified,
            limits=self.limits,
        )
        if result.not_modified:
            await self._record_success(feed, result, None)
            return PollReport(feed.id, "not_modified")
        digest = hashlib.sha256(result.body).hexdigest()
        if not backlog and self._bodies.get(feed.id) == digest:
            await self._record_success(feed, result, None)
            return PollReport(feed.id, "unchanged")
        # Every entry, at every read: what a cap left out would be lost once the feed moves on.
        parsed = await self._parse(result)
        tally = await self._publish(feed, parsed, backlog=backlog)
        self._bodies[feed.id] = digest
        await self._record_success(feed, result, parsed.title, stored_counts(parsed, tally))
        return PollReport(feed.id, "ok", parsed.entries, tally, malformed=parsed.malformed)

    async def _parse(self, result: FetchResult) -> ParsedFeed:
        # In the worker process: feedparser on a hostile document would stall every chat.
        return await self.parser.parse(
            result.body,
            url=result.url,
            content_type=result.content_type,
            now=datetime.fromtimestamp(self._clock(), UTC),
            max_entries=None,
        )

    async def _publish(self, feed: Feed, parsed: ParsedFeed, *, backlog: bool) -> PublishTally:
        now = self._clock()
        # An undated item is dated when first seen, which bounds its age only by the time
        # since the feed was last read.
        last_read = feed.last_success_at
        recent = last_read is not None and now - last_read <= ALERT_MAX_AGE.total_seconds()
        return await publish_items(
            self.publisher,
            parsed.items,
            origin="feed",
            alert_after=None if backlog else feed.added_at,
            now=now,
            tally=PublishTally(no_text=parsed.no_text),
            undated_alert=recent,
        )

    async def _fetch_feed_or_page(self, url: str) -> tuple[str, FetchResult]:
        """Fetch an address; a web page that names a feed leads to that feed (discovery)."""
        result = await fetch_feed(self.client, url, limits=self.limits)
        if result.not_modified or not looks_like_html(result.body):
            return url, result
        links = await asyncio.to_thread(feed_links, result.body, result.url)
        if not links:
            raise FeedError("feeds.error.no_feed_link")
        feed_url = check_feed_url(links[0])
        return feed_url, await fetch_feed(self.client, feed_url, limits=self.limits)

    async def _record_success(
        self, feed: Feed, result: FetchResult, title: str | None, counts: str | None = None
    ) -> None:
        """Store a good poll; `counts` (see `stored_counts`) when the document was read."""
        now = self._clock()
        async with self.db.transaction() as conn:
            previous = await feeds_db.record_success(
                conn,
                feed.id,
                now,
                self.next_poll_after_success(feed, now),
                etag=result.etag,
                last_modified=result.last_modified,
                title=title,
                counts=counts,
            )
        if previous >= FAILURES_BEFORE_NOTICE:
            notice = FeedNotice("recovered", feed, previous, None, counts or feed.last_counts)
            await self._tell_editors(notice)

    async def _record_failure(self, feed: Feed, error: FeedError) -> None:
        now = self._clock()
        failures = feed.consecutive_failures + 1
        next_poll = self.next_poll_after_failure(feed, failures, now, error.retry_after)
        async with self.db.transaction() as conn:
            failures = await feeds_db.record_failure(conn, feed.id, now, next_poll, error.stored())
        if failures == FAILURES_BEFORE_NOTICE:
            notice = FeedNotice("failing", feed, failures, error.stored(), feed.last_counts)
            await self._tell_editors(notice)

    async def _tell_editors(self, notice: FeedNotice) -> None:
        try:
            await self._notify_editors(notice)
        except Exception:
            logger.exception("Could not tell editors about feed %s", notice.feed.url)

    # -- adding --

    async def add_feed(self, url: str, interval_minutes: int, *, added_by: int | None) -> AddReport:
        """Fetch a feed once; if it reads, follow it and import its backlog silently.

        Raises FeedError when the address is refused or the fetch fails: nothing is added,
        so a mistyped address does not linger in /feeds.
        """
        url = check_feed_url(url)
        interval_minutes = max(1, min(MAX_INTERVAL_MINUTES, interval_minutes))
        existing = await feeds_db.get_feed_by_url(self.db.reader, url)
        if existing is not None:
            return AddReport(existing, created=False)
        url, result = await self._fetch_feed_or_page(url)
        if result.not_modified:
            raise FeedError("feeds.error.not_feed")
        existing = await feeds_db.get_feed_by_url(self.db.reader, url)
        if existing is not None:  # the page named a feed already followed
            return AddReport(existing, created=False)
        parsed = await self._parse(result)
        now = self._clock()
        async with self.db.transaction() as conn:
            feed = await feeds_db.insert_feed(
                conn,
                url,
                interval_minutes,
                now,
                now + self._delay(interval_minutes * 60),
                added_by=added_by,
                title=parsed.title,
            )
            if feed is None:  # another editor was quicker
                raced = await feeds_db.get_feed_by_url(conn, url)
                assert raced is not None
                return AddReport(raced, created=False)
            if added_by is not None:
                await audit.audit(conn, added_by, "feed.add", now, detail=f"#{feed.id} {url}")
        async with self._lock(feed.id):
            tally = await self._publish(feed, parsed, backlog=True)
            self._bodies[feed.id] = hashlib.sha256(result.body).hexdigest()
            await self._record_success(feed, result, parsed.title, stored_counts(parsed, tally))
        stored = await feeds_db.get_feed(self.db.reader, feed.id)
        return AddReport(stored or feed, True, parsed.entries, tally, parsed.malformed)

    async def remove_feed(self, feed_id: int, *, removed_by: int | None) -> Feed | None:
        """Stop following a feed (its articles stay); return it, or None if unknown."""
        async with self._lock(feed_id), self.db.transaction() as conn:
            feed = await feeds_db.delete_feed(conn, feed_id)
            if feed is not None and removed_by is not None:
                await audit.audit(
                    conn, removed_by, "feed.remove", self._clock(), detail=f"#{feed.id} {feed.url}"
                )
        self._locks.pop(feed_id, None)
        self._bodies.pop(feed_id, None)
        return feed


# --- telling editors --------------------------------------------------------------------


def feed_label(feed: Feed) -> str:
    """Return how a feed is named to people: its title, else its address."""
    return feed.title or feed.url


# Rows stored before every connection failure read the same still say which one it was.
_RETIRED_KEYS = {"feeds.error.timeout": "feeds.error.network"}


def describe_error(stored: str | None, lang: str) -> str:
    """Return a stored feed error as a short plain-text sentence in `lang`."""
    if not stored:
        return ""
    try:
        data = json.loads(stored)
        key = str(data.pop("key"))
        return t(lang, _RETIRED_KEYS.get(key, key), **data)
    except (ValueError, KeyError, TypeError, AttributeError):
        # Not one of ours (an older row): show it as it is.
        return stored


def describe_tally(tally: PublishTally, lang: str) -> str:
    """Return what became of a source's entries in `lang`: "3 nouveaux importés, 1 inchangé"."""
    parts = [plural(lang, "feeds.new", tally.new)]
    for name in ("updated", "unchanged", "no_text", "too_old", "refused", "undated", "stale"):
        if count := getattr(tally, name):
            parts.append(plural(lang, f"feeds.count.{name}", count))
    return ", ".join(parts)


def describe_read(found: int, tally: PublishTally, malformed: bool, lang: str) -> str:
    """Return a read's counts as /addfeed says them: "3 articles trouvés : 3 nouveaux…"."""
    return t(
        lang,
        "feeds.read",
        found=plural(lang, "feeds.found", found),
        counts=describe_tally(tally, lang),
        warning=f" {t(lang, 'feeds.malformed')}" if malformed else "",
    )


_TALLY_FIELDS = tuple(tally_field.name for tally_field in fields(PublishTally))


def stored_counts(parsed: ParsedFeed, tally: PublishTally) -> str:
    """Return what a read found and did, as stored with the feed (JSON)."""
    counts: dict[str, object] = {name: getattr(tally, name) for name in _TALLY_FIELDS}
    return json.dumps({"found": parsed.entries, "malformed": parsed.malformed, **counts})


def describe_counts(stored: str | None, lang: str) -> str:
    """Return a feed's stored counts (see `stored_counts`) as `describe_read` says them."""
    if not stored:
        return ""
    try:
        data = json.loads(stored)
        tally = PublishTally(**{name: int(data.get(name, 0)) for name in _TALLY_FIELDS})
        return describe_read(int(data["found"]), tally, bool(data.get("malformed")), lang)
    except (ValueError, KeyError, TypeError, AttributeError):
        return ""


class EditorNotifier:
    """Tell every editor, in a private chat and in their language, about a feed's health."""

    def __init__(self, bot: Bot, db: Database, admins: Iterable[int]):
        self._bot = bot
        self._db = db
        self._admins = sorted(admins)

    async def __call__(self, notice: FeedNotice) -> None:
        """Send the notice to each editor; one who blocked the bot does not stop the others."""
        known = await chats.chats_by_ids(self._db.reader, self._admins)
        for admin in self._admins:
            chat = known.get(admin)
            lang = chat.language if chat else "fr"
            params = {
                "id": notice.feed.id,
                "feed": escape(feed_label(notice.feed)),
                "failures": notice.failures,
                "error": escape(describe_error(notice.error, lang)),
            }
            text = t(lang, f"feeds.notice_{notice.kind}", **params)
            if counts := describe_counts(notice.counts, lang):
                text = f"{text}\n{t(lang, 'feeds.last_read', read=counts)}"
            try:
                await self._bot.send_message(admin, text, parse_mode=ParseMode.HTML)
            except TelegramError as error:
                logger.warning("Could not tell editor %s about a feed: %s", admin, error)


# --- wiring -----------------------------------------------------------------------------

_JOB_NAME = "newsbot-feeds"


def get_poller(application: NewsbotApplication) -> FeedPoller | None:
    """Return the application's feed poller, once `start_feeds` has run."""
    return application.bot_data.feeds


async def _tick(context: Context) -> None:
    """Start a polling round; the round runs on its own so a slow feed never delays a tick."""
    job = context.job
    if job is not None and isinstance(job.data, FeedPoller):
        job.data.kick()


async def start_feeds(application: NewsbotApplication) -> FeedPoller:
    """Open the shared HTTP client and schedule polling; call from post_init after the db."""
    if application.job_queue is None:
        raise RuntimeError("feeds need python-telegram-bot's job queue (the job-queue extra)")
    data = application.bot_data
    client = new_http_client(policy=AddressPolicy(allow_private=data.settings.feeds_private))
    poller = FeedPoller(
        data.db,
        data.publisher,
        client,
        notify_editors=EditorNotifier(application.bot, data.db, data.settings.admins),
        metrics=data.metrics,
    )
    data.feeds = poller
    application.job_queue.run_repeating(
        _tick, interval=POLL_TICK_SECONDS, first=5.0, name=_JOB_NAME, data=poller
    )
    return poller


async def stop_feeds(application: NewsbotApplication) -> None:
    """Stop polling and close the HTTP client; call from post_stop, before the worker stops."""
    if application.job_queue is not None:
        for job in application.job_queue.get_jobs_by_name(_JOB_NAME):
            job.schedule_removal()
    poller, application.bot_data.feeds = application.bot_data.feeds, None
    if poller is not None:
        await poller.close()
        await poller.client.aclose()
