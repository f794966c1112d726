"""`newsbot import SOURCE`: a one-off backfill from a feed URL, a feed file or JSON Lines.

Everything goes through the `Publisher` under the same source keys the feed poller uses,
so an article imported today is recognised, not duplicated, when its feed is polled
tomorrow. Silent by default; with `notify`, new articles of the last 48 hours alert their
subscribers (older ones, and those whose date cannot be read, never do), and a running
bot's delivery worker sends them. Every entry is read, however many; the report's counts
add up to what the source held. A feed file may also be a JSON Feed; a URL may be a site's
home page that names its feed.

JSON Lines: one object per line with the keys ``title`` (with its hashtags), ``author``,
``lead``, ``body``, ``published_at`` (ISO 8601; a time without zone is in the configured
time zone), ``url``, ``image_url`` and ``guid``. Blank lines are ignored; a line that is not
such an object is counted as skipped and reported on stderr with its number.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, Literal, TextIO

from bot.config import Settings
from bot.errors import FeedError
from bot.feeds import (
    AddressPolicy,
    FeedItem,
    FetchLimits,
    FetchResult,
    ParsedFeed,
    ParseWorker,
    PublishTally,
    clean_authors,
    draft_from_parts,
    fetch_feed,
    new_http_client,
    publish_items,
    source_key_for,
    split_text,
    web_url,
)
from bot.feeds.discovery import feed_links, looks_like_html
from bot.feeds.jsonfeed import looks_like_json_feed
from bot.i18n import plural, t
from bot.publishing import Publisher
from db import connect

__all__ = ["ImportReport", "describe_report", "run_import"]

_FEED_FILE_MAX_BYTES = 64 * 1024 * 1024  # a whole archive in one file, but not a disk image
_LINE_MAX_CHARS = 1024 * 1024
_JSON_LINES_SUFFIXES = frozenset({".jsonl", ".ndjson", ".jsonlines"})


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did with each entry of the source: `found` is the sum of the rest.

    `invalid` counts JSON lines that could not be read (the tally's refused); `malformed`
    says the feed was broken XML that feedparser mended, so entries may be missing.
    `stale` (with notify only) counts new articles stored without an alert: too old to alert.
    """

    found: int
    new: int
    updated: int
    unchanged: int
    invalid: int
    alerted: int
    no_text: int = 0
    too_old: int = 0
    undated: int = 0
    stale: int = 0
    malformed: bool = False

    @property
    def skipped(self) -> int:
        return self.unchanged + self.invalid + self.no_text + self.too_old

    @property
    def tally(self) -> PublishTally:
        return PublishTally(
            new=self.new,
            updated=self.updated,
            unchanged=self.unchanged,
            no_text=self.no_text,
            too_old=self.too_old,
            refused=self.invalid,
            alerted=self.alerted,
            undated=self.undated,
            stale=self.stale,
        )


class _Progress:
    """A one-line text progress bar on a stream, redrawn only when the percentage moves."""

    _WIDTH = 30

    def __init__(self, total: int, stream: TextIO | None):
        self._total = max(total, 1)
        self._done = 0
        self._shown = -1
        # A bar is for people: redrawn lines in a log file or a pipe are noise.
        self._stream = stream if stream is not None and _is_terminal(stream) else None

    def __call__(self) -> None:
        self._done += 1
        self._draw()

    def _draw(self) -> None:
        if self._stream is None:
            return
        percent = min(100, self._done * 100 // self._total)
        if percent == self._shown:
            return
        self._shown = percent
        filled = self._WIDTH * percent // 100
        bar = "#" * filled + "." * (self._WIDTH - filled)
        self._stream.write(f"\rimport [{bar}] {percent:3d}% {self._done}/{self._total}")
        self._stream.flush()

    def finish(self) -> None:
        if self._stream is not None and self._shown >= 0:
            self._stream.write("\n")
            self._stream.flush()


def describe_report(report: ImportReport, lang: str) -> str:
    """Return every count of an import in `lang`, adding up to what the source held."""
    tally = report.tally
    counts = [
        plural(lang, f"feeds.count.{name}", getattr(tally, name))
        for name in ("new", "updated", "unchanged", "no_text", "too_old", "refused")
    ]
    found = plural(lang, "import.found", report.found)
    return t(lang, "import.summary", found=found, counts=", ".join(counts))


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed, or no file behind it
        return False


def _is_json_lines(path: Path) -> bool:
    if path.suffix.lower() in _JSON_LINES_SUFFIXES:
        return True
    with path.open("rb") as file:
        start = file.read(4096)
    # A JSON Feed is one JSON object too, but names its version at the top.
    return start.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") and not looks_like_json_feed(start)


def _moment(value: object, zone: tzinfo, now: datetime) -> datetime | None:
    """Return an ISO 8601 time as an aware datetime no later than now; ValueError if invalid."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError("published_at is not a string")
    moment = datetime.fromisoformat(value.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return min(moment, now)


def _text(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{key} is not a string")
    return value


def item_from_record(record: object, zone: tzinfo, now: datetime) -> FeedItem:
    """Return one JSON Lines article as an item to publish; ValueError says what is wrong."""
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    title = _text(record, "title").strip()
    if not title:
        raise ValueError("no title")
    published = _moment(record.get("published_at"), zone, now)
    url = web_url(record.get("url"))
    draft = draft_from_parts(
        title_line=title,
        paragraphs=[*split_text(_text(record, "lead")), *split_text(_text(record, "body"))],
        authors=clean_authors(_text(record, "author")),
        url=url,
        image_url=web_url(record.get("image_url")),
        published_at=published,
    )
    if draft is None:
        raise ValueError("no text")
    guid = _text(record, "guid")
    key = source_key_for(guid, url, title, _text(record, "published_at"))
    return FeedItem(key, draft)


def _json_lines(
    path: Path, zone: tzinfo, now: datetime, errors: TextIO | None
) -> Iterator[FeedItem | None]:
    """Yield each line's item, or None for a line that cannot be read (reported on stderr)."""
    with path.open(encoding="utf-8-sig", errors="replace") as file:
        for number, line in enumerate(file, start=1):
            if not line.strip():
                continue
            try:
                if len(line) > _LINE_MAX_CHARS:
                    raise ValueError("line too long")
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    raise ValueError("not valid JSON") from None
                yield item_from_record(record, zone, now)
            except ValueError as error:
                if errors is not None:
                    errors.write(f"\nline {number} skipped: {error}\n")
                yield None


def _count_lines(path: Path) -> int:
    with path.open("rb") as file:
        return sum(1 for line in file if line.strip())


def _source_kind(source: str) -> Literal["url", "feed", "json_lines"]:
    """Tell what SOURCE is; raise FeedError if it is neither an http(s) URL nor a file."""
    if "://" in source:
        if not source.lower().startswith(("http://", "https://")):
            raise FeedError("feeds.error.bad_url")
        return "url"
    path = Path(source)
    try:
        if not path.is_file():
            raise FeedError("feeds.error.file")
        return "json_lines" if _is_json_lines(path) else "feed"
    except OSError:
        raise FeedError("feeds.error.file") from None


def _read_feed_file(path: Path) -> bytes:
    try:
        if path.stat().st_size > _FEED_FILE_MAX_BYTES:
            raise FeedError("feeds.error.too_big", megabytes=_FEED_FILE_MAX_BYTES // 2**20)
        return path.read_bytes()
    except OSError:
        raise FeedError("feeds.error.file") from None


async def _fetch(source: str, limits: FetchLimits | None, policy: AddressPolicy) -> FetchResult:
    """Fetch a feed, or the feed a web page names in its <link rel="alternate">."""
    async with new_http_client(limits, policy=policy) as client:
        result = await fetch_feed(client, source, limits=limits)
        if looks_like_html(result.body):
            links = await asyncio.to_thread(feed_links, result.body, result.url)
            if not links:
                raise FeedError("feeds.error.no_feed_link")
            result = await fetch_feed(client, links[0], limits=limits)
    return result


async def _read_feed(
    source: str, limits: FetchLimits | None, policy: AddressPolicy, parser: ParseWorker | None
) -> ParsedFeed:
    """Return every entry of a feed at an address or in a file; FeedError if unreadable."""
    now = datetime.now(UTC)
    if source.lower().startswith(("http://", "https://")):
        result = await _fetch(source, limits, policy)
        body, url, content_type = result.body, result.url, result.content_type
    else:
        body, url, content_type = await asyncio.to_thread(_read_feed_file, Path(source)), None, None
    # In a worker process with a time limit, as the poller does: a file can be hostile too.
    # No cap on entries: an archive of 2,000 is imported whole.
    if parser is not None:
        return await parser.parse(
            body, url=url, content_type=content_type, now=now, max_entries=None
        )
    with ParseWorker() as worker:
        return await worker.parse(
            body, url=url, content_type=content_type, now=now, max_entries=None
        )


async def run_import(
    settings: Settings,
    source: str,
    notify: bool,
    *,
    progress: TextIO | None = sys.stderr,
    limits: FetchLimits | None = None,
    since: datetime | None = None,
    parser: ParseWorker | None = None,
) -> ImportReport:
    """Import every article of SOURCE (feed URL, RSS/Atom/JSON Feed file, JSON Lines file).

    Raises FeedError when the source itself cannot be read; bad lines only count as refused.
    Articles published before `since` are skipped as too old. A progress bar (on a
    terminal) and refused lines go to `progress` (stderr; None for quiet). `parser` is a
    parse worker to reuse (many imports in a row); by default one is started and stopped.
    """
    kind = await asyncio.to_thread(_source_kind, source)
    # Read the feed before opening the database: an unreachable source leaves no trace.
    policy = AddressPolicy(allow_private=settings.feeds_private)
    parsed = await _read_feed(source, limits, policy, parser) if kind != "json_lines" else None
    db = await connect(settings.db_path)
    try:
        publisher = Publisher(db, timezone=settings.timezone)
        now = datetime.now(UTC)
        records: Iterable[FeedItem | None]
        if kind == "json_lines":
            path = Path(source)
            bar = _Progress(await asyncio.to_thread(_count_lines, path), progress)
            # Streamed: an archive of any size is read one line at a time.
            records = _json_lines(path, settings.tzinfo, now, progress)
        else:
            assert parsed is not None
            records = parsed.items
            bar = _Progress(len(parsed.items), progress)
        counts = {"found": parsed.entries - len(parsed.items) if parsed else 0, "invalid": 0}

        def readable() -> Iterator[FeedItem]:
            for record in records:
                counts["found"] += 1
                if record is None:
                    counts["invalid"] += 1
                    bar()
                else:
                    yield record

        tally = await publish_items(
            publisher,
            readable(),
            origin="import",
            # With notify, only new articles of the last 48 hours alert (see publish_items).
            alert_after=0.0 if notify else None,
            now=time.time(),
            progress=bar,
            not_before=since.timestamp() if since is not None else None,
            tally=PublishTally(no_text=parsed.no_text if parsed else 0),
        )
        bar.finish()
    finally:
        await db.close()
    return ImportReport(
        found=counts["found"],
        new=tally.new,
        updated=tally.updated,
        unchanged=tally.unchanged,
        invalid=counts["invalid"],
        alerted=tally.alerted,
        no_text=tally.no_text,
        too_old=tally.too_old,
        undated=tally.undated,
        stale=tally.stale,
        malformed=parsed.malformed if parsed else False,
    )
