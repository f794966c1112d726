"""Fetching a feed: one conditional GET, polite, bounded in time and size, checked.

`fetch_feed` sends ETag / If-Modified-Since (an unchanged feed costs a 304) with a
`newsbot/<version>` User-Agent, timeouts, at most five redirects, http(s) only, and a size
cap applied both to the bytes received and to the bytes they decompress to (a gzip bomb
stops at the cap, not in memory). A refused address, a closed port, silence and an unknown
name all read the same to people: no port-scan oracle.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from bot import __version__, site
from bot.errors import FeedError
from bot.feeds.addresses import AddressPolicy, CheckedTransport

__all__ = [
    "POLL_CONCURRENCY",
    "FetchLimits",
    "FetchResult",
    "check_feed_url",
    "fetch_feed",
    "new_http_client",
]

logger = logging.getLogger(__name__)

POLL_CONCURRENCY = 4
"""Feeds fetched at once; the shared client keeps two connections for each."""

_HEADER_MAX_CHARS = 512  # validators longer than this are junk, not worth storing
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


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
        transport=CheckedTransport(policy or AddressPolicy(), pool),
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
