"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1): items as feed entries.

A JSON Feed is one JSON object whose `version` names the spec; its items carry `id`,
`url`, `title`, `content_html` or `content_text`, `summary`, `image`, `authors` (1.1) or
`author` (1.0), `tags`, `date_published` and `date_modified` (RFC 3339). Each item goes
through `entry_to_item` as a feedparser entry would, so the same rules apply.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

from bot.errors import FeedError
from bot.feeds.entries import FeedItem, entry_to_item, read_date

__all__ = ["looks_like_json_feed", "read_json_feed"]

_VERSION_PREFIX = "https://jsonfeed.org/version/"


def looks_like_json_feed(body: bytes, content_type: str | None = None) -> bool:
    """Tell whether a document is a JSON Feed rather than XML (or JSON Lines)."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    start = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start.startswith(b"{"):
        return kind in ("application/feed+json", "application/json")
    return b"jsonfeed.org/version" in start.replace(b"\\/", b"/")


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _struct(value: object, now: datetime) -> time.struct_time | None:
    moment = read_date(value, now) if isinstance(value, str) else None
    return moment.utctimetuple() if moment is not None else None


def _entry(item: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Return a JSON Feed item as the entry dictionary feedparser would have made."""
    authors = item.get("authors")
    if not isinstance(authors, list):
        authors = [item["author"]] if isinstance(item.get("author"), dict) else []
    names = [_text(a.get("name")) for a in authors if isinstance(a, dict) and a.get("name")]
    entry: dict[str, Any] = {
        "id": _text(item.get("id")) or None,
        "link": _text(item.get("url")) or _text(item.get("external_url")) or None,
        "title": _text(item.get("title")),
        "title_detail": {"type": "text/plain"},
        "author": ", ".join(names),
        "authors": [{"name": name} for name in names],
        "tags": [{"term": tag} for tag in item.get("tags") or () if isinstance(tag, str)],
        "published": _text(item.get("date_published")) or None,
        "published_parsed": _struct(item.get("date_published"), now),
        "updated_parsed": _struct(item.get("date_modified"), now),
    }
    if content := _text(item.get("content_html")):
        entry["content"] = [{"value": content, "type": "text/html"}]
    elif content := _text(item.get("content_text")):
        entry["content"] = [{"value": content, "type": "text/plain"}]
    entry["summary"] = _text(item.get("summary"))
    entry["summary_detail"] = {"type": "text/plain"}
    image = _text(item.get("image")) or _text(item.get("banner_image"))
    if image:
        entry["media_content"] = [{"url": image, "medium": "image"}]
    return entry


def read_json_feed(
    body: bytes, now: datetime, *, base_url: str | None = None
) -> tuple[str | None, list[FeedItem | None]]:
    """Return a JSON Feed's title and items (None for one without text); FeedError if none."""
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise FeedError("feeds.error.not_feed") from None
    version = document.get("version") if isinstance(document, dict) else None
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(version, str) or not version.startswith(_VERSION_PREFIX):
        raise FeedError("feeds.error.not_feed")
    if not isinstance(items, list):
        raise FeedError("feeds.error.not_feed")
    base = base_url or _text(document.get("home_page_url")) or None
    entries = [
        entry_to_item(_entry(item, now), now, base_url=base) if isinstance(item, dict) else None
        for item in items
    ]
    title = _text(document.get("title")).strip() or None
    return title, entries
