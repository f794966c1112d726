"""RSS/Atom polling: fetch politely, parse safely, publish each item once.

The pieces, from the wire inwards:

- `AddressPolicy` says where a fetch may connect: public addresses only, unless
  NEWSBOT_FEEDS_PRIVATE lets feeds live on loopback or the newsroom's own network. The
  clients `new_http_client` builds resolve each host once per connection, check every
  address, and connect to the address they checked: on the first request and on every
  redirect hop, with no window for DNS rebinding.
- `fetch_feed` makes one conditional GET (ETag / If-Modified-Since, so an unchanged feed
  costs a 304) with a `newsbot/<version>` User-Agent, timeouts, at most five redirects,
  http(s) only, and a size cap applied both to the bytes received and to the bytes they
  decompress to (a gzip bomb stops at the cap, not in memory). A refused address, a closed
  port, silence and an unknown name all read the same to people: no port-scan oracle.
- `parse_feed` refuses XML that declares entities or references external ones (billion
  laughs, XXE), cuts overlong author and title fields (feedparser's e-mail regex is
  quadratic), then hands feedparser the bytes as a stream so it can never fetch or open
  anything itself. A malformed feed yields what feedparser can recover.
- `ParseWorker` runs `parse_feed` in a child process with a time limit: a runaway regex
  holds the GIL, so a thread would not keep the event loop free; a process does.
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
import codecs
import contextlib
import email.utils
import hashlib
import io
import json
import logging
import multiprocessing
import random
import re
import signal
import socket
import time
import traceback
import unicodedata
import zlib
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import ParseError

import feedparser
import httpcore
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

    from bot.context import Context, NewsbotApplication

__all__ = [
    "ALERT_MAX_AGE",
    "DEFAULT_INTERVAL_MINUTES",
    "FAILURES_BEFORE_NOTICE",
    "MAX_BACKOFF_SECONDS",
    "MAX_INTERVAL_MINUTES",
    "PARSE_TIMEOUT_SECONDS",
    "AddReport",
    "AddressPolicy",
    "EditorNotifier",
    "FeedError",
    "FeedItem",
    "FeedNotice",
    "FeedPoller",
    "FetchLimits",
    "FetchResult",
    "ParseWorker",
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
    "is_public_address",
    "new_http_client",
    "parse_feed",
    "publish_items",
    "resolve_host",
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
PARSE_TIMEOUT_SECONDS = 30.0
"""Time one document may take in the parse worker; a 4 MB feed of 1,500 items takes 5 s."""

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
_FIELD_MAX_CHARS = 1_000  # author, name, e-mail, title: feedparser's e-mail regex takes 3 ms
_BOUNDED_FIELD_RE = re.compile(
    r"<(?:[A-Za-z_][\w.-]*:)?"
    r"(?:author|creator|publisher|managingEditor|webMaster|owner|contributor|name|email|title)"
    r"(?:\s[^<>]*)?(?<!/)>",
    re.IGNORECASE,
)
_WORKER_START_SECONDS = 60.0  # a fresh interpreter importing the bot, on a slow disk
_WORKER_REAP_SECONDS = 5.0

# --- errors -----------------------------------------------------------------------------


class FeedError(NewsbotError):
    """A feed could not be fetched or read; the key names the reason for people."""

    def __init__(self, key: str, /, *, retry_after: float | None = None, **params: object):
        super().__init__(key, **params)
        self.retry_after = retry_after

    def stored(self) -> str:
        """Return the error as kept in feeds.last_error: the key and its parameters, as JSON."""
        return json.dumps({"key": self.key, **self.params}, ensure_ascii=False)


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


# --- addresses --------------------------------------------------------------------------

IPAddress = IPv4Address | IPv6Address
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]
"""Return the addresses of a host (a name or a numeric form) for a port."""

_SHARED_ADDRESS_SPACE = IPv4Network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)
_NAT64 = IPv6Network("64:ff9b::/96")


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """Return the IPv4 address an IPv6 one carries to (6to4, NAT64), if it does."""
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFF_FFFF)
    return None


def is_public_address(address: IPAddress) -> bool:
    """Tell whether an address is on the public internet, in any of its written forms.

    `is_global` alone lets multicast and some reserved IPv6 ranges through, and an IPv6
    address can carry an IPv4 one: IPv4-mapped addresses are judged as their IPv4 form,
    6to4 and NAT64 ones must be public both ways.
    """
    if isinstance(address, IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public_address(address.ipv4_mapped)
        embedded = _embedded_ipv4(address)
        if embedded is not None and not is_public_address(embedded):
            return False
    elif address in _SHARED_ADDRESS_SPACE:
        return False
    return address.is_global and not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _is_inside_address(address: IPAddress) -> bool:
    """Tell whether an address is one NEWSBOT_FEEDS_PRIVATE admits: loopback or private.

    Link-local (cloud metadata at 169.254.169.254), multicast and unspecified addresses
    stay refused even then: no newsroom serves its feed there.
    """
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_link_local or address.is_multicast or address.is_unspecified:
        return False
    if isinstance(address, IPv4Address) and address in _SHARED_ADDRESS_SPACE:
        return True
    return address.is_loopback or address.is_private


async def resolve_host(host: str, port: int) -> list[str]:
    """Return the addresses the system resolver gives for a host, numeric forms included.

    getaddrinfo reads every form a URL may spell an address in (2130706433, 0x7f.1,
    017700000001 are 127.0.0.1), so the check sees the address, never the spelling.
    """
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Where feed fetches may connect: public addresses, and inside ones when allowed.

    `resolve` turns a host into addresses and `is_public` judges one address; tests replace
    them to stage a "public" server on loopback or a resolver that changes its answer.
    """

    allow_private: bool = False
    resolve: Resolver = resolve_host
    is_public: Callable[[IPAddress], bool] = is_public_address

    def permits(self, address: IPAddress) -> bool:
        """Tell whether a fetch may connect to this address."""
        return self.is_public(address) or (self.allow_private and _is_inside_address(address))

    async def addresses(self, host: str, port: int) -> list[str]:
        """Resolve a host and return its addresses, or raise ConnectError if any is refused.

        One refused address refuses the host: a name that points inside is not a feed.
        """
        try:
            found = list(await self.resolve(host, port))
        except OSError as error:  # socket.gaierror: no such name, no resolver
            raise httpcore.ConnectError(f"cannot resolve {host}: {error}") from None
        if not found:
            raise httpcore.ConnectError(f"{host} has no address")
        for text in found:
            try:
                address = ip_address(text)
            except ValueError:
                address = None
            if address is None or not self.permits(address):
                logger.warning("Feed host %s refused: %s is not a public address", host, text)
                raise httpcore.ConnectError(f"{host}: {text} is not a public address")
        return found


class _CheckedBackend(httpcore.AsyncNetworkBackend):
    """Open TCP connections only to addresses the policy permits, and to the one it checked.

    httpcore asks its network backend for every new connection (the first request, each
    redirect hop to another host, a pooled connection that expired) with the URL's host.
    Resolving, checking and connecting here, in one step, leaves no moment for the name
    to change its answer; the URL keeps its host name, so the Host header, TLS SNI and
    certificate verification stay those of the name.
    """

    def __init__(self, policy: AddressPolicy):
        self._policy = policy
        self._network = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                addresses = await self._policy.addresses(host, port)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} took too long") from None
        failure: Exception = httpcore.ConnectError(f"{host} has no address")
        for address in addresses:
            try:
                return await self._network.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("feeds are fetched over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self._network.sleep(seconds)


class _CheckedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, over a connection pool whose connections `_CheckedBackend` makes.

    httpx has no public way to hand its httpcore pool a network backend, so this builds the
    pool again as httpx does (its SSL context, its limits) with ours. Should a later httpx
    keep its pool under another name, construction fails here rather than fetch unchecked.
    """

    def __init__(self, policy: AddressPolicy, limits: httpx.Limits):
        super().__init__(limits=limits)
        if not isinstance(getattr(self, "_pool", None), httpcore.AsyncConnectionPool):
            raise RuntimeError("httpx no longer keeps its connection pool in _pool")
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_CheckedBackend(policy),
        )


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


def new_http_client(
    limits: FetchLimits | None = None, *, policy: AddressPolicy | None = None
) -> httpx.AsyncClient:
    """Return the HTTP client the feed fetches share: pooled, polite, bounded, checked.

    Every connection it opens goes to an address `policy` permits (public only by default).
    Proxies from the environment are not used: they would connect for us, unchecked.
    """
    limits = limits or FetchLimits()
    pool = httpx.Limits(max_connections=POLL_CONCURRENCY * 2, max_keepalive_connections=4)
    return httpx.AsyncClient(
        transport=_CheckedTransport(policy or AddressPolicy(), pool),
        trust_env=False,
        follow_redirects=True,
        max_redirects=limits.max_redirects,
        timeout=httpx.Timeout(limits.total_timeout, connect=limits.connect_timeout),
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
    except httpx.TooManyRedirects:
        raise FeedError("feeds.error.redirects") from None
    except (httpx.UnsupportedProtocol, httpx.InvalidURL):
        raise FeedError("feeds.error.bad_url") from None  # e.g. a redirect to ftp: or file:
    except (TimeoutError, httpx.HTTPError) as error:
        # A refused address, a closed port, silence and an unknown name read the same to
        # people, or /addfeed would map the newsroom's network; the log keeps the detail.
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


def _wide_codec(body: bytes) -> str | None:
    """Return the codec of a UTF-32 or UTF-16 document (by BOM or NULs), else None."""
    if body.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return {
        b"\x00\x00\x00<": "utf-32-be",
        b"<\x00\x00\x00": "utf-32-le",
        b"\x00<\x00?": "utf-16-be",
        b"<\x00?\x00": "utf-16-le",
    }.get(body[:4])


_Run = tuple[Literal["text", "cdata", "aside"], int, int]
"""A piece of an element's text: its kind and where its content begins and ends."""
_CDATA_OPEN, _CDATA_CLOSE = "<![CDATA[", "]]>"
_SECTIONS: tuple[tuple[Literal["cdata", "aside"], str, str], ...] = (
    ("cdata", _CDATA_OPEN, _CDATA_CLOSE),
    ("aside", "<!--", "-->"),  # a comment
    ("aside", "<?", "?>"),  # a processing instruction
)


def _element_text(text: str, start: int) -> tuple[int, list[_Run]]:
    """Return where an element's leading text ends and its runs.

    The text is character data, CDATA sections, comments and processing instructions
    (parsers drop the last two and join what is around them) up to the first tag: a
    child or the end tag. An unclosed section runs to the end of the document.
    """
    runs: list[_Run] = []
    position = start
    while True:
        tag = text.find("<", position)
        if tag == -1:
            runs.append(("text", position, len(text)))
            return len(text), runs
        runs.append(("text", position, tag))
        section = next((s for s in _SECTIONS if text.startswith(s[1], tag)), None)
        if section is None:
            return tag, runs
        kind, opening, closing = section
        content = tag + len(opening)
        close = text.find(closing, content)
        if close == -1:
            runs.append((kind, content, len(text)))
            return len(text), runs
        runs.append((kind, content, close))
        position = close + len(closing)


def _whole_utf8(piece: str) -> str:
    """Drop a UTF-8 sequence cut short at the end of bytes read as Latin-1."""
    for back in range(1, min(4, len(piece)) + 1):
        code = ord(piece[-back])
        if code < 0x80:
            return piece
        if code >= 0xC0:  # a lead byte, of a sequence of 2, 3 or 4 bytes
            length = 2 if code < 0xE0 else 3 if code < 0xF0 else 4
            return piece if back >= length else piece[:-back]
    return piece


def _cut_runs(text: str, runs: list[_Run], limit: int, bytewise: bool) -> str:
    """Return an element's text cut to `limit` characters: CDATA closed, asides dropped."""
    kept: list[str] = []
    room = limit
    for kind, begin, end in runs:
        if kind == "aside":
            continue
        if room <= 0:
            break
        piece = text[begin : begin + min(room, end - begin)]
        if end - begin > room:
            if bytewise:
                piece = _whole_utf8(piece)
            ampersand = piece.rfind("&")
            if kind == "text" and ampersand != -1 and ";" not in piece[ampersand:]:
                piece = piece[:ampersand]  # never half an entity
        room -= end - begin
        kept.append(f"{_CDATA_OPEN}{piece}{_CDATA_CLOSE}" if kind == "cdata" else piece)
    return "".join(kept)


def _bound_fields(body: bytes, limit: int = _FIELD_MAX_CHARS) -> bytes:
    """Cut the text of author, name, e-mail and title elements to `limit` characters.

    feedparser 6.0.14 runs a quadratic e-mail regex over every author (40,000 characters:
    seconds; 3 MB: hours), and none of these fields is worth more than a line. This works
    on the document's characters without parsing it, so broken XML is cut too: bytes in an
    ASCII-compatible encoding are read as Latin-1 (lossless, and markup is ASCII in all of
    them), UTF-16 and UTF-32 are decoded and encoded back the way they came.
    """
    codec = _wide_codec(body)
    try:
        text = body.decode(codec or "latin-1")
    except UnicodeDecodeError:
        return body  # not what it claims to be: the parse worker's time limit still holds
    kept: list[str] = []
    copied = scanned = 0
    for match in _BOUNDED_FIELD_RE.finditer(text):
        if match.start() < scanned:
            continue  # inside the text of an element already looked at (CDATA)
        scanned, runs = _element_text(text, match.end())
        if sum(end - begin for kind, begin, end in runs if kind != "aside") > limit:
            kept += [text[copied : match.end()], _cut_runs(text, runs, limit, codec is None)]
            copied = scanned
    if not kept:
        return body
    kept.append(text[copied:])
    return "".join(kept).encode(codec or "latin-1")


def parse_feed(
    body: bytes,
    *,
    url: str | None = None,
    content_type: str | None = None,
    now: datetime | None = None,
) -> ParsedFeed:
    """Parse an RSS or Atom document into items; raise FeedError if it is unsafe or no feed."""
    _refuse_unsafe_xml(body)
    body = _bound_fields(body)
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


# --- parsing in a worker process --------------------------------------------------------

ParseFunction = Callable[..., ParsedFeed]
"""`parse_feed`, or a stand-in with its signature (tests); must be importable by name."""
_Request = tuple[bytes, str | None, str | None, datetime]
_Outcome = tuple[Any, ...]  # ("ok", ParsedFeed) | ("error", key, params) | ("crash", traceback)


def _serve_parses(connection: Connection, parse: ParseFunction) -> None:
    """Run in the worker: parse each request that arrives and answer with plain data."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the bot; the bot stops us
    connection.send("ready")
    while True:
        try:
            body, url, content_type, now = connection.recv()
        except EOFError:
            return  # the bot closed its end: nothing more will come
        outcome: _Outcome
        try:
            outcome = ("ok", parse(body, url=url, content_type=content_type, now=now))
        except FeedError as error:
            outcome = ("error", error.key, error.params)
        except Exception:
            outcome = ("crash", traceback.format_exc())
        connection.send(outcome)


def _exchange(connection: Connection, request: _Request) -> _Outcome:
    """Send one request to the worker and wait for its answer (in a thread: both block)."""
    connection.send(request)
    outcome: _Outcome = connection.recv()
    return outcome


class ParseWorker:
    """Parse feeds in a child process, one at a time, killing any parse that overruns.

    feedparser is pure Python with regexes that can run for minutes on one hostile field,
    and a regex holds the GIL: a thread does not protect the event loop, a process does.
    The process starts on first use and is reused (a parse costs a pickle each way, not a
    start-up). Its start method is spawn, a fresh interpreter: fork would copy this
    threaded process's locks mid-use. A parse that takes longer than `timeout` kills the
    process and fails with feeds.error.too_slow; the next parse starts another. Start-up
    waits for the child's "ready" outside the time limit, so a first parse is not cut short.
    """

    def __init__(
        self, *, timeout: float = PARSE_TIMEOUT_SECONDS, parse: ParseFunction = parse_feed
    ):
        self._timeout = timeout
        self._parse = parse
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None
        self._process: BaseProcess | None = None
        self._connection: Connection | None = None

    @property
    def pid(self) -> int | None:
        """The worker process's id, None while none runs."""
        return self._process.pid if self._process is not None else None

    def __enter__(self) -> ParseWorker:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _serialized(self) -> asyncio.Lock:
        # One lock per event loop: a worker may outlive the loop it first served (tests).
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        return self._lock

    async def parse(
        self,
        body: bytes,
        *,
        url: str | None = None,
        content_type: str | None = None,
        now: datetime | None = None,
    ) -> ParsedFeed:
        """Parse a document in the worker; raise FeedError as `parse_feed` does, or too_slow."""
        request: _Request = (body, url, content_type, now or datetime.now(UTC))
        # Only one parse at a time, so the time limit counts the parse, not the queue.
        async with self._serialized():
            connection = await self._running()
            try:
                async with asyncio.timeout(self._timeout):
                    outcome = await asyncio.to_thread(_exchange, connection, request)
            except TimeoutError:
                logger.warning("Feed %s: parsing took over %s s, worker killed", url, self._timeout)
                await self._stop()
                raise FeedError("feeds.error.too_slow") from None
            except (EOFError, OSError) as error:
                logger.error("Feed %s: the parse worker died (%r)", url, error)
                await self._stop()
                raise FeedError("feeds.error.internal") from None
            except BaseException:  # cancelled mid-parse: its answer would reach the next one
                await self._stop()
                raise
        kind, *details = outcome
        if kind == "ok":
            parsed: ParsedFeed = details[0]
            return parsed
        if kind == "error":
            failure = FeedError(details[0])
            failure.params = details[1]  # escaped already, when the worker raised it
            raise failure
        logger.error("Feed %s: parsing failed in the worker:\n%s", url, details[0])
        raise FeedError("feeds.error.internal")

    async def _running(self) -> Connection:
        """Return the connection to a live worker, starting one if needed."""
        if self._process is not None and self._connection is not None:
            if self._process.is_alive():
                return self._connection
            await self._stop()
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        process = context.Process(
            target=_serve_parses,
            args=(theirs, self._parse),
            name="newsbot-feed-parser",
            daemon=True,  # never outlives the bot
        )
        await asyncio.to_thread(process.start)
        theirs.close()  # the child's end lives in the child: its death is our EOF
        self._process, self._connection = process, ours
        try:
            async with asyncio.timeout(_WORKER_START_SECONDS):
                await asyncio.to_thread(ours.recv)
        except BaseException as error:
            await self._stop()
            if isinstance(error, (TimeoutError, EOFError, OSError)):
                logger.error("The feed parse worker did not start: %r", error)
                raise FeedError("feeds.error.internal") from None
            raise
        return ours

    def _discard(self) -> BaseProcess | None:
        """Forget the worker and kill it; return it, to be reaped."""
        process, self._process, self._connection = self._process, None, None
        # The connection is not closed here: a thread may still be reading it, and gets
        # EOF once the child is dead; the last reference to go closes it.
        if process is not None and process.is_alive():
            process.kill()
        return process

    async def _stop(self) -> None:
        if (process := self._discard()) is not None:
            await asyncio.to_thread(process.join, _WORKER_REAP_SECONDS)

    def close(self) -> None:
        """Stop the worker process, if one runs."""
        if (process := self._discard()) is not None:
            process.join(_WORKER_REAP_SECONDS)


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
        parser: ParseWorker | None = None,
        clock: Callable[[], float] = time.time,
        concurrency: int = POLL_CONCURRENCY,
        jitter: float = _JITTER,
        rng: random.Random | None = None,
    ):
        self.db = db
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
        # In the worker process: feedparser on a hostile document would stall every chat.
        return await self.parser.parse(
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
    client = new_http_client(policy=AddressPolicy(allow_private=data.settings.feeds_private))
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
