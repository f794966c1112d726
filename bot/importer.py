"""`newsbot import SOURCE`: a one-off backfill from a feed URL, a feed file or JSON Lines.

Everything goes through the `Publisher` under the same source keys the feed poller uses,
so an article imported today is recognised, not duplicated, when its feed is polled
tomorrow. Silent by default; with `notify`, new articles of the last 48 hours alert their
subscribers (older ones never do), and a running bot's delivery worker sends them.

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
    ParseWorker,
    clean_author,
    draft_from_parts,
    fetch_feed,
    new_http_client,
    publish_items,
    source_key_for,
    split_text,
    web_url,
)
from bot.publishing import Publisher
from db import connect

__all__ = ["ImportReport", "run_import"]

_FEED_FILE_MAX_BYTES = 64 * 1024 * 1024  # a whole archive in one file, but not a disk image
_LINE_MAX_CHARS = 1024 * 1024
_JSON_LINES_SUFFIXES = frozenset({".jsonl", ".ndjson", ".jsonlines"})


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: articles new, updated, and skipped (unchanged or unreadable)."""

    found: int
    new: int
    updated: int
    unchanged: int
    invalid: int
    alerted: int

    @property
    def skipped(self) -> int:
        return self.unchanged + self.invalid


class _Progress:
    """A one-line text progress bar on a stream, redrawn only when the percentage moves."""

    _WIDTH = 30

    def __init__(self, total: int, stream: TextIO | None):
        self._total = max(total, 1)
        self._done = 0
        self._shown = -1
        self._stream = stream

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


def _is_json_lines(path: Path) -> bool:
    if path.suffix.lower() in _JSON_LINES_SUFFIXES:
        return True
    with path.open("rb") as file:
        start = file.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    return start.startswith(b"{")


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
        author=clean_author(_text(record, "author")),
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


async def _feed_items(
    source: str, limits: FetchLimits | None, policy: AddressPolicy
) -> list[FeedItem]:
    """Return the items of a feed at an address or in a file; FeedError if unreadable."""
    now = datetime.now(UTC)
    if source.lower().startswith(("http://", "https://")):
        async with new_http_client(limits, policy=policy) as client:
            result = await fetch_feed(client, source, limits=limits)
        body, url, content_type = result.body, result.url, result.content_type
    else:
        body, url, content_type = await asyncio.to_thread(_read_feed_file, Path(source)), None, None
    # In a worker process with a time limit, as the poller does: a file can be hostile too.
    with ParseWorker() as worker:
        parsed = await worker.parse(body, url=url, content_type=content_type, now=now)
    return parsed.items


async def run_import(
    settings: Settings,
    source: str,
    notify: bool,
    *,
    progress: TextIO | None = sys.stderr,
    limits: FetchLimits | None = None,
) -> ImportReport:
    """Import every article of SOURCE (feed URL, RSS/Atom file, JSON Lines file).

    Raises FeedError when the source itself cannot be read; bad lines only count as skipped.
    Progress and skipped lines go to `progress` (stderr; None for quiet).
    """
    kind = await asyncio.to_thread(_source_kind, source)
    # Read the feed before opening the database: an unreachable source leaves no trace.
    policy = AddressPolicy(allow_private=settings.feeds_private)
    feed_items = await _feed_items(source, limits, policy) if kind != "json_lines" else []
    db = await connect(settings.db_path)
    try:
        publisher = Publisher(db)
        now = datetime.now(UTC)
        records: Iterable[FeedItem | None]
        if kind == "json_lines":
            path = Path(source)
            bar = _Progress(await asyncio.to_thread(_count_lines, path), progress)
            # Streamed: an archive of any size is read one line at a time.
            records = _json_lines(path, settings.tzinfo, now, progress)
        else:
            records = feed_items
            bar = _Progress(len(feed_items), progress)
        counts = {"found": 0, "invalid": 0}

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
    )
