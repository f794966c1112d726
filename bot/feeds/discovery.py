"""Feed discovery: the feed a site's home page names in `<link rel="alternate">`.

An editor often pastes the site's address rather than its feed's. A page that names feeds
in its head (RSS, Atom or JSON Feed, the way WordPress and most CMSs do) leads to the first
of them; a page that names none is no feed.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

__all__ = ["FEED_TYPES", "feed_links", "looks_like_html"]

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
)
"""Link types that name a feed, the better ones first."""

_SCAN_MAX_CHARS = 512 * 1024  # a page's head is near its start


class _LinkFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: (value or "").strip() for name, value in attrs}
        if tag == "base" and values.get("href") and self.base is None:
            self.base = values["href"]
        if tag not in ("link", "a"):
            return
        rels = values.get("rel", "").lower().split()
        kind = values.get("type", "").split(";")[0].strip().lower()
        if "alternate" in rels and kind in FEED_TYPES and values.get("href"):
            self.links.append((kind, values["href"]))


def looks_like_html(body: bytes) -> bool:
    """Tell whether a document is a web page rather than a feed."""
    start = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html")) or b"<head" in start[:1024]


def feed_links(body: bytes, page_url: str) -> list[str]:
    """Return the absolute addresses of the feeds a web page names, the better ones first."""
    text = body[:_SCAN_MAX_CHARS].decode("utf-8", errors="replace")
    finder = _LinkFinder()
    finder.feed(text)
    finder.close()
    base = urljoin(page_url, finder.base) if finder.base else page_url
    ranked = sorted(
        enumerate(finder.links), key=lambda pair: (FEED_TYPES.index(pair[1][0]), pair[0])
    )
    found: list[str] = []
    for _, (_, href) in ranked:
        try:
            url = urljoin(base, href)
        except ValueError:
            continue
        if url.lower().startswith(("http://", "https://")) and url not in found:
            found.append(url)
    return found
