"""RSS/Atom polling: fetch politely, parse safely, publish each item once.

The pieces, from the wire inwards:

- `fetch_feed` makes one conditional GET (ETag / If-Modified-Since, so an unchanged feed
  costs a 304) with a `newsbot/<version>` User-Agent, timeouts, at most five redirects,
  http(s) only, and a size cap applied both to the bytes received and to the bytes they
  decompress to (a gzip bomb stops at the cap, not in memory).
- `parse_feed` refuses XML that declares entities or references external ones (billion
  laughs, XXE), then hands feedparser the bytes as a stream so it can never fetch or open
  anything itself. A malformed feed yields what feedparser can recover.
- `entry_to_item` turns an entry into an `ArticleDraft` with a stable source key (the guid,
  else the link, else a hash of title and date), the site's hashtag title, the byline and
  clean paragraphs from the entry's HTML.
- `publish_items` sends items through the `Publisher`, the only way articles enter.
- `FeedPoller` runs it all on the JobQueue: each feed at its own interval with jitter, a few
  at a time, with exponential backoff on failure and one notice to editors when a feed
  starts failing and one when it recovers.
"""

from __future__ import annotations

import asyncio
import calendar
import contextlib
import email.utils
import hashlib
import io
import json
import logging
import random
import re
import time
import unicodedata
import zlib
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import ParseError

import feedparser
import httpx
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot import __version__, site
from bot.errors import NewsbotError
from bot.formatting import escape
from bot.i18n import t
from bot.publishing import Publisher, content_hash
from db import Database, articles, audit, chats
from db import feeds as feeds_db
from db.models import ArticleDraft, Feed, Origin

if TYPE_CHECKING:
    from telegram import Bot

    from bot.app import Context, NewsbotApplication

__all__ = [
    "ALERT_MAX_AGE",
    "DEFAULT_INTERVAL_MINUTES",
    "FAILURES_BEFORE_NOTICE",
    "MAX_BACKOFF_SECONDS",
    "MAX_INTERVAL_MINUTES",
    "AddReport",
    "EditorNotifier",
    "FeedError",
    "FeedItem",
    "FeedNotice",
    "FeedPoller",
    "FetchLimits",
    "FetchResult",
    "ParsedFeed",
    "PollReport",
    "PublishTally",
    "check_feed_url",
    "clean_author",
    "describe_error",
    "draft_from_parts",
    "entry_to_item",
    "feed_label",
    "fetch_feed",
    "get_poller",
    "html_to_paragraphs",
    "new_http_client",
    "parse_feed",
    "publish_items",
    "source_key_for",
    "split_text",
    "start_feeds",
    "stop_feeds",
    "web_url",
]

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL_MINUTES = 5
MAX_INTERVAL_MINUTES = 24 * 60
MAX_BACKOFF_SECONDS = 6 * 3600
FAILURES_BEFORE_NOTICE = 3
ALERT_MAX_AGE = timedelta(hours=48)
"""An item older than this never alerts anyone, whatever else says it is new."""

POLL_TICK_SECONDS = 20.0
POLL_CONCURRENCY = 4
FEEDS_PER_TICK = 50
MAX_ENTRIES = 500
"""Entries read from one document; a real news feed carries tens."""

_JITTER = 0.1  # ±10 % on every delay, so feeds added together drift apart
_HEADER_MAX_CHARS = 512  # validators longer than this are junk, not worth storing
_SOURCE_KEY_MAX_CHARS = 300
_TOPIC_MAX_CHARS = 60
_MAX_TOPICS = 8
_AUTHOR_MAX_CHARS = 80
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
_ENTITY_DECLARATION_RE = re.compile(rb"<!ENTITY", re.IGNORECASE)
_BREAKS_RE = re.compile(r"[ \t\r\n\f\v]+")  # not \s: French no-break spaces must survive
_PARAGRAPH_SPLIT_RE = re.compile(r"\n{2,}")
_IMAGE_PATH_RE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:$|[?#])", re.IGNORECASE)
_LEADING_PAR_RE = re.compile(r"^\s*par\b\s*:?\s*", re.IGNORECASE)

# --- errors -----------------------------------------------------------------------------


class FeedError(NewsbotError):
    """A feed could not be fetched or read; the key names the reason for people."""

    def __init__(self, key: str, /, *, retry_after: float | None = None, **params: object):
        super().__init__(key, **params)
        self.retry_after = retry_after

    def stored(self) -> str:
        """Return the error as kept in feeds.last_error: the key and its parameters, as JSON."""
        return json.dumps({"key": self.key, **self.params}, ensure_ascii=False)


def describe_error(stored: str | None, lang: str) -> str:
    """Return a stored feed error as a short plain-text sentence in `lang`."""
    if not stored:
        return ""
    try:
        data = json.loads(stored)
        key = str(data.pop("key"))
        return t(lang, key, **data)
    except (ValueError, KeyError, TypeError, AttributeError):
        # Not one of ours (an older row): show it as it is.
        return stored


def check_feed_url(url: str) -> str:
    """Return a feed address stripped of spaces, or raise FeedError if it is not http(s)."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        valid = (
            parts.scheme.lower() in ("http", "https")
            and bool(parts.hostname)
            and len(url) <= site.URL_MAX_CHARS
        )
    except ValueError:  # malformed IPv6 host or port
        valid = False
    if not valid:
        raise FeedError("feeds.error.bad_url")
    return url


# --- fetching ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """How much time and how many bytes one fetch may take."""

    max_bytes: int = 5 * 1024 * 1024
    connect_timeout: float = 10.0
    total_timeout: float = 30.0
    max_redirects: int = 5


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One answer: a body (200) or nothing new (304), with the validators to send next time."""

    not_modified: bool
    body: bytes
    url: str
    content_type: str | None
    etag: str | None
    last_modified: str | None


def new_http_client(limits: FetchLimits | None = None) -> httpx.AsyncClient:
    """Return the HTTP client the feed fetches share: pooled, polite, bounded."""
    limits = limits or FetchLimits()
    return httpx.AsyncClient(
        follow_redirects=True,
        max_redirects=limits.max_redirects,
        timeout=httpx.Timeout(limits.total_timeout, connect=limits.connect_timeout),
        limits=httpx.Limits(max_connections=POLL_CONCURRENCY * 2, max_keepalive_connections=4),
        headers={
            "User-Agent": f"newsbot/{__version__}",
            "Accept": _ACCEPT,
            # Only what `_Body` can decode within the size cap; httpx would add br and zstd.
            "Accept-Encoding": "gzip, deflate",
        },
    )


class _Body:
    """Collect a response body, decompressing it, never holding more than the cap."""

    def __init__(self, content_encoding: str, max_bytes: int):
        codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        self._decompressor: Any = None
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise FeedError("feeds.error.encoding")
        if codings:
            # 32 + MAX_WBITS: accept either a gzip or a zlib header, whatever the label says.
            self._decompressor = zlib.decompressobj(32 + zlib.MAX_WBITS)
        self._max = max_bytes
        self._received = 0
        self.data = bytearray()

    def feed(self, chunk: bytes) -> None:
        """Add received bytes; raise FeedError once either count passes the cap."""
        self._received += len(chunk)
        if self._received > self._max:
            raise FeedError("feeds.error.too_big", megabytes=self._max // (1024 * 1024))
        if self._decompressor is None:
            self._append(chunk)
            return
        pending = chunk
        try:
            while pending:
                # max_length stops inflation one byte past the cap: a bomb never unfolds.
                room = self._max - len(self.data) + 1
                self._append(self._decompressor.decompress(pending, room))
                pending = self._decompressor.unconsumed_tail
        except zlib.error:
            raise FeedError("feeds.error.encoding") from None

    def _append(self, piece: bytes) -> None:
        self.data += piece
        if len(self.data) > self._max:
            raise FeedError("feeds.error.too_big", megabytes=self._max // (1024 * 1024))


def _header(value: str | None) -> str | None:
    if not value or len(value) > _HEADER_MAX_CHARS:
        return None
    return value


def _retry_after(value: str | None) -> float | None:
    """Return the seconds a Retry-After header asks for (delta or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


async def fetch_feed(
    client: httpx.AsyncClient,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    limits: FetchLimits | None = None,
) -> FetchResult:
    """GET a feed conditionally; return its body or not-modified, or raise FeedError."""
    limits = limits or FetchLimits()
    url = check_feed_url(url)
    headers: dict[str, str] = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        # A server dripping one byte a second never trips a read timeout: cap the whole.
        async with asyncio.timeout(limits.total_timeout):
            async with client.stream("GET", url, headers=headers) as response:
                if response.status_code == 304:
                    return FetchResult(
                        True, b"", str(response.url), None,
                        _header(response.headers.get("ETag")) or etag,
                        _header(response.headers.get("Last-Modified")) or last_modified,
                    )  # fmt: skip
                if response.status_code != 200:
                    raise FeedError(
                        "feeds.error.http",
                        status=response.status_code,
                        retry_after=_retry_after(response.headers.get("Retry-After")),
                    )
                length = response.headers.get("Content-Length", "")
                if length.isdigit() and int(length) > limits.max_bytes:
                    raise FeedError(
                        "feeds.error.too_big", megabytes=limits.max_bytes // (1024 * 1024)
                    )
                body = _Body(response.headers.get("Content-Encoding", ""), limits.max_bytes)
                async for chunk in response.aiter_raw():
                    body.feed(chunk)
                return FetchResult(
                    False, bytes(body.data), str(response.url),
                    response.headers.get("Content-Type"),
                    _header(response.headers.get("ETag")),
                    _header(response.headers.get("Last-Modified")),
                )  # fmt: skip
    except FeedError:
        raise
    except (TimeoutError, httpx.TimeoutException):
        raise FeedError("feeds.error.timeout") from None
    except httpx.TooManyRedirects:
        raise FeedError("feeds.error.redirects") from None
    except (httpx.UnsupportedProtocol, httpx.InvalidURL):
        raise FeedError("feeds.error.bad_url") from None  # e.g. a redirect to ftp: or file:
    except httpx.HTTPError as error:
        logger.info("Feed %s unreachable: %r", url, error)
        raise FeedError("feeds.error.network") from None


# --- parsing ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry ready to publish, under the key that identifies it across polls."""

    source_key: str
    draft: ArticleDraft


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str | None
    items: list[FeedItem]
    malformed: bool  # feedparser recovered from broken XML; items may be missing


class _Discard:
    """An XML parser target that keeps nothing: the safety check must not build a tree."""

    def close(self) -> None:
        return None


def _refuse_unsafe_xml(body: bytes) -> None:
    """Raise FeedError if the document declares entities or points at external ones."""
    parser = DefusedXMLParser(
        target=_Discard(), forbid_dtd=False, forbid_entities=True, forbid_external=True
    )
    try:
        parser.feed(body)
        parser.close()
    except DefusedXmlException:
        raise FeedError("feeds.error.unsafe") from None
    except ParseError:
        # Broken XML goes on to feedparser's lenient parser; entity declarations that the
        # strict parser never reached are refused here all the same (NULs: UTF-16/32).
        if _ENTITY_DECLARATION_RE.search(body.replace(b"\x00", b"")):
            raise FeedError("feeds.error.unsafe") from None


def parse_feed(
    body: bytes,
    *,
    url: str | None = None,
    content_type: str | None = None,
    now: datetime | None = None,
) -> ParsedFeed:
    """Parse an RSS or Atom document into items; raise FeedError if it is unsafe or no feed."""
    _refuse_unsafe_xml(body)
    # No content-location: feedparser would resolve a guid like "qdb-10377" against it, and
    # the same item read from a file or from another address would get another key.
    headers = {"content-type": content_type or "application/xml"}
    # A stream, never bytes or str: given either, feedparser may open a file or fetch a URL.
    result = feedparser.parse(io.BytesIO(body), response_headers=headers)
    if not result.get("version") and not result.entries:
        raise FeedError("feeds.error.not_feed")
    now = now or datetime.now(UTC)
    items = [
        item
        for entry in result.entries[:MAX_ENTRIES]
        if (item := entry_to_item(entry, now, base_url=url)) is not None
    ]
    title = _plain(result.feed.get("title", ""), result.feed.get("title_detail")) or None
    return ParsedFeed(
        title[:200] if title else None, items, bool(result.get("bozo")) and bool(result.entries)
    )


# --- from entry to draft ----------------------------------------------------------------


class _TextExtractor(HTMLParser):
    """Collect the text of an HTML fragment, marking paragraph and line breaks."""

    _BLOCKS = frozenset(
        {
            "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt",
            "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
            "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table",
            "tbody", "td", "th", "thead", "tr", "ul",
        }
    )  # fmt: skip
    _HIDDEN = frozenset(
        {"head", "iframe", "noscript", "object", "script", "style", "svg", "template", "title"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in self._BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/> is one break, and a self-closed <script/> hides nothing after it.
        if tag == "br":
            self.parts.append("\n")
        elif tag in self._BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(_BREAKS_RE.sub(" ", data))


def _clean_text(text: str) -> str:
    """Drop control and invisible format characters (soft hyphens, bidi marks), keep breaks."""
    return "".join(
        char for char in text if char == "\n" or unicodedata.category(char) not in ("Cc", "Cf")
    )


def _split_paragraphs(text: str) -> list[str]:
    paragraphs = []
    for block in _PARAGRAPH_SPLIT_RE.split(text):
        lines = [line.strip(" ") for line in block.split("\n")]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return paragraphs


def html_to_paragraphs(fragment: str) -> list[str]:
    """Return the plain-text paragraphs of an HTML fragment: no tags, entities decoded."""
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    return _split_paragraphs(_clean_text("".join(parser.parts)))


def split_text(text: str) -> list[str]:
    """Return the paragraphs of plain text (blank-line separated)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _split_paragraphs(_clean_text(re.sub(r"[ \t\f\v]+", " ", text)))


def _is_html(detail: Mapping[str, Any] | None) -> bool:
    kind = str((detail or {}).get("type") or "text/html")
    return "html" in kind


def _plain(value: str, detail: Mapping[str, Any] | None) -> str:
    """Return a one-line plain text from a feed text construct (HTML or not)."""
    paragraphs = html_to_paragraphs(value) if _is_html(detail) else split_text(value)
    return _BREAKS_RE.sub(" ", " ".join(paragraphs)).strip()


def web_url(value: object, base_url: str | None = None) -> str | None:
    """Return an absolute http(s) address (a relative one joined to the feed's), or None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if base_url and value:
        try:
            value = urljoin(base_url, value)
        except ValueError:
            return None
    if len(value) > site.URL_MAX_CHARS or not value.lower().startswith(("https://", "http://")):
        return None
    return value


def _image_url(entry: Mapping[str, Any], base_url: str | None) -> str | None:
    """Return the entry's picture: an image enclosure, media:content, else media:thumbnail."""
    for enclosure in entry.get("enclosures") or ():
        href = web_url(enclosure.get("href"), base_url)
        kind = str(enclosure.get("type") or "")
        if href and (kind.startswith("image/") or (not kind and _IMAGE_PATH_RE.search(href))):
            return href
    for media in entry.get("media_content") or ():
        url = web_url(media.get("url"), base_url)
        kind, medium = str(media.get("type") or ""), str(media.get("medium") or "")
        is_image = medium == "image" or kind.startswith("image/")
        if url and (is_image or (not kind and not medium and _IMAGE_PATH_RE.search(url))):
            return url
    for thumbnail in entry.get("media_thumbnail") or ():
        if url := web_url(thumbnail.get("url"), base_url):
            return url
    return None


def clean_author(name: str) -> str | None:
    """Return an author's name without a leading "Par" and stray spacing, or None if empty."""
    name = _BREAKS_RE.sub(" ", _clean_text(name)).strip()
    if not name:
        return None
    if (byline := site.parse_byline(name)) is not None:
        return byline
    name = _LEADING_PAR_RE.sub("", name).strip()
    return name[:_AUTHOR_MAX_CHARS] or None


def _author(entry: Mapping[str, Any]) -> str | None:
    """Return the entry's author (author, dc:creator) without a leading "Par"."""
    detail = entry.get("author_detail") or {}
    return clean_author(str(detail.get("name") or entry.get("author") or ""))


def _moment(value: object, now: datetime) -> datetime | None:
    """Return a feedparser time tuple (UTC) as an aware datetime, never later than now."""
    if not isinstance(value, tuple):  # time.struct_time is one
        return None
    try:
        moment = datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (TypeError, ValueError, OverflowError):
        return None
    return min(moment, now)


def _topics(title_topics: Iterable[str], categories: Iterable[object]) -> tuple[str, ...]:
    """Return hashtag topics then feed categories, without duplicates (folded)."""
    topics: list[str] = []
    seen: set[str] = set()
    names = [*title_topics]
    for category in categories:
        term = category.get("term") if isinstance(category, Mapping) else None
        if isinstance(term, str):
            names.append(_BREAKS_RE.sub(" ", _clean_text(term)).strip().lstrip("#").strip())
    for name in names:
        key = site.fold(name)
        if key and key not in seen and len(name) <= _TOPIC_MAX_CHARS:
            seen.add(key)
            topics.append(name)
    return tuple(topics[:_MAX_TOPICS])


def source_key_for(guid: str | None, link: str | None, title: str, date: str | None) -> str:
    """Return the key an item keeps across polls: its guid, else its link, else a hash."""
    basis = (guid or "").strip() or (link or "").strip()
    if not basis:
        digest = hashlib.sha256(f"{title}\x1f{date or ''}".encode()).hexdigest()[:32]
        return f"feed:sha:{digest}"
    if len(basis) > _SOURCE_KEY_MAX_CHARS:
        return f"feed:sha:{hashlib.sha256(basis.encode()).hexdigest()[:32]}"
    return f"feed:{basis}"


def _entry_paragraphs(entry: Mapping[str, Any]) -> list[str]:
    """Return the paragraphs of content:encoded (or Atom content), else of the summary."""
    for content in entry.get("content") or ():
        value = content.get("value") or ""
        if value.strip():
            return html_to_paragraphs(value) if _is_html(content) else split_text(value)
    summary = entry.get("summary") or ""
    if _is_html(entry.get("summary_detail")):
        return html_to_paragraphs(summary)
    return split_text(summary)


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip() + "…"


def draft_from_parts(
    *,
    title_line: str,
    paragraphs: Sequence[str],
    author: str | None,
    categories: Iterable[object] = (),
    url: str | None = None,
    image_url: str | None = None,
    published_at: datetime | None = None,
    updated_at: datetime | None = None,
) -> ArticleDraft | None:
    """Return a draft from an item's parts, the site's conventions applied, or None if empty."""
    paragraphs = list(paragraphs)
    # The site's own pages open with the byline; a feed copying them should not repeat it.
    if paragraphs and (byline := site.parse_byline(paragraphs[0])) is not None:
        author = author or byline
        paragraphs = paragraphs[1:]
    parsed = site.parse_title(title_line)
    title = parsed.title or title_line.strip()
    if paragraphs and site.fold(paragraphs[0]) in (site.fold(title), site.fold(title_line)):
        paragraphs = paragraphs[1:]
    if not title:
        if not paragraphs:
            return None
        title = paragraphs[0]
    lead = _truncate(paragraphs[0], site.LEAD_MAX_CHARS) if paragraphs else ""
    body = ""
    for paragraph in paragraphs[1:]:
        if len(lead) + len(body) + len(paragraph) + 2 > site.TEXT_MAX_CHARS:
            break  # a feed is no place to argue about length: keep what fits
        body = f"{body}\n\n{paragraph}" if body else paragraph
    return ArticleDraft(
        title=_truncate(title, site.TITLE_MAX_CHARS),
        lead=lead,
        body=body,
        author=author or site.DEFAULT_AUTHOR,
        topics=_topics(parsed.topics, categories),
        url=url,
        image_url=image_url,
        published_at=published_at,
        updated_at=updated_at,
    )


def entry_to_item(
    entry: dict[str, Any], now: datetime, *, base_url: str | None = None
) -> FeedItem | None:
    """Return a feedparser entry as an item to publish, or None if it carries no text."""
    title_line = _plain(entry.get("title") or "", entry.get("title_detail"))
    published = _moment(entry.get("published_parsed"), now)
    # dict.get: feedparser's own get() answers a missing "updated" with "published", warning.
    updated = _moment(dict.get(entry, "updated_parsed"), now)
    draft = draft_from_parts(
        title_line=title_line,
        paragraphs=_entry_paragraphs(entry),
        author=_author(entry),
        categories=entry.get("tags") or (),
        url=web_url(entry.get("link"), base_url),
        image_url=_image_url(entry, base_url),
        published_at=published or updated,
        updated_at=updated,
    )
    if draft is None:
        return None
    key = source_key_for(
        entry.get("id"),
        entry.get("link"),
        title_line,
        entry.get("published") or dict.get(entry, "updated"),
    )
    return FeedItem(key, draft)


# --- publishing -------------------------------------------------------------------------


@dataclass(slots=True)
class PublishTally:
    """What publishing a batch of items did."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    alerted: int = 0  # new articles that queued alerts

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged


def _alerts(draft: ArticleDraft, alert_after: float | None, now: float) -> bool:
    """Tell whether a new item may alert: recent, and published after `alert_after`."""
    if alert_after is None:
        return False
    published = draft.published_at.timestamp() if draft.published_at else now
    return published >= max(alert_after, now - ALERT_MAX_AGE.total_seconds())


async def publish_items(
    publisher: Publisher,
    items: Iterable[FeedItem],
    *,
    origin: Origin,
    alert_after: float | None,
    now: float,
    progress: Callable[[], None] | None = None,
) -> PublishTally:
    """Publish items through the Publisher; alert only new, recent ones (see `_alerts`).

    `alert_after=None` stores silently (a backlog, an import). A known item keeps the topics
    it was stored with besides its current ones, so a feed per section that files the same
    item under another category does not flip its article back and forth.
    """
    tally = PublishTally()
    for item in items:
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
            notify=_alerts(draft, alert_after, now),
        )
        async with publisher.db.transaction() as conn:
            await feeds_db.remember_item(conn, item.source_key, fingerprint)
        if result.created:
            tally.new += 1
            tally.alerted += result.queued > 0
        elif result.changed:
            tally.updated += 1
        else:
            tally.unchanged += 1
        if progress:
            progress()
    return tally


# --- polling ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedNotice:
    """What editors are told about: a feed that keeps failing, or one that works again."""

    kind: Literal["failing", "recovered"]
    feed: Feed
    failures: int
    error: str | None  # stored form, see FeedError.stored


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


@dataclass(frozen=True, slots=True)
class AddReport:
    """What /addfeed found: the new feed and its backlog, or the feed that was there already."""

    feed: Feed
    created: bool
    found: int = 0
    tally: PublishTally = field(default_factory=PublishTally)


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
        clock: Callable[[], float] = time.time,
        concurrency: int = POLL_CONCURRENCY,
        jitter: float = _JITTER,
        rng: random.Random | None = None,
    ):
        self.db = db
        self.publisher = publisher
        self.client = client
        self.limits = limits or FetchLimits()
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
        """Stop the running round, if any."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    def _lock(self, feed_id: int) -> asyncio.Lock:
        return self._locks.setdefault(feed_id, asyncio.Lock())

    # -- polling --

    async def poll_due(self) -> list[PollReport]:
        """Poll every feed whose time has come, at most `concurrency` at once."""
        due = await feeds_db.due_feeds(self.db.reader, self._clock(), FEEDS_PER_TICK)
        due = [feed for feed in due if not self._lock(feed.id).locked()]
        if not due:
            return []
        return list(await asyncio.gather(*(self._poll_bounded(feed) for feed in due)))

    async def _poll_bounded(self, feed: Feed) -> PollReport:
        async with self._semaphore, self._lock(feed.id):
            return await self._poll(feed)

    async def poll_feed(self, feed_id: int) -> PollReport | None:
        """Poll one feed now, due or not; None if there is no such feed."""
        async with self._lock(feed_id):
            feed = await feeds_db.get_feed(self.db.reader, feed_id)
            if feed is None:
                return None
            async with self._semaphore:
                return await self._poll(feed)

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
        parsed = await self._parse(result)
        tally = await self._publish(feed, parsed.items, backlog=backlog)
        self._bodies[feed.id] = digest
        await self._record_success(feed, result, parsed.title)
        return PollReport(feed.id, "ok", len(parsed.items), tally)

    async def _parse(self, result: FetchResult) -> ParsedFeed:
        # feedparser is pure Python: a large document would stall every chat for a moment.
        return await asyncio.to_thread(
            parse_feed,
            result.body,
            url=result.url,
            content_type=result.content_type,
            now=datetime.fromtimestamp(self._clock(), UTC),
        )

    async def _publish(self, feed: Feed, items: list[FeedItem], *, backlog: bool) -> PublishTally:
        return await publish_items(
            self.publisher,
            items,
            origin="feed",
            alert_after=None if backlog else feed.added_at,
            now=self._clock(),
        )

    async def _record_success(self, feed: Feed, result: FetchResult, title: str | None) -> None:
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
            )
        if previous >= FAILURES_BEFORE_NOTICE:
            await self._tell_editors(FeedNotice("recovered", feed, previous, None))

    async def _record_failure(self, feed: Feed, error: FeedError) -> None:
        now = self._clock()
        failures = feed.consecutive_failures + 1
        next_poll = self.next_poll_after_failure(feed, failures, now, error.retry_after)
        async with self.db.transaction() as conn:
            failures = await feeds_db.record_failure(conn, feed.id, now, next_poll, error.stored())
        if failures == FAILURES_BEFORE_NOTICE:
            await self._tell_editors(FeedNotice("failing", feed, failures, error.stored()))

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
        result = await fetch_feed(self.client, url, limits=self.limits)
        if result.not_modified:
            raise FeedError("feeds.error.not_feed")
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
            tally = await self._publish(feed, parsed.items, backlog=True)
            self._bodies[feed.id] = hashlib.sha256(result.body).hexdigest()
            await self._record_success(feed, result, parsed.title)
        stored = await feeds_db.get_feed(self.db.reader, feed.id)
        return AddReport(stored or feed, True, len(parsed.items), tally)

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
    client = new_http_client()
    poller = FeedPoller(
        data.db,
        data.publisher,
        client,
        notify_editors=EditorNotifier(application.bot, data.db, data.settings.admins),
    )
    data.feeds = poller
    application.job_queue.run_repeating(
        _tick, interval=POLL_TICK_SECONDS, first=5.0, name=_JOB_NAME, data=poller
    )
    return poller


async def stop_feeds(application: NewsbotApplication) -> None:
    """Stop polling and close the HTTP client; call from post_shutdown before the db closes."""
    if application.job_queue is not None:
        for job in application.job_queue.get_jobs_by_name(_JOB_NAME):
            job.schedule_removal()
    poller, application.bot_data.feeds = application.bot_data.feeds, None
    if poller is not None:
        await poller.close()
        await poller.client.aclose()
