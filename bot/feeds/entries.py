"""From a feed entry to an article draft, the site's conventions applied.

`entry_to_item` gives an entry a stable source key (the guid, else the link, else a hash of
title and date), reads the site's hashtag title and byline, and keeps clean paragraphs of
the entry's HTML. The importer builds drafts from other sources with the same pieces.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

from bot import site
from db.models import ArticleDraft

__all__ = [
    "FeedItem",
    "clean_author",
    "draft_from_parts",
    "entry_to_item",
    "html_to_paragraphs",
    "plain_text",
    "source_key_for",
    "split_text",
    "web_url",
]

_SOURCE_KEY_MAX_CHARS = 300
_TOPIC_MAX_CHARS = 60
_MAX_TOPICS = 8
_AUTHOR_MAX_CHARS = 80
_BREAKS_RE = re.compile(r"[ \t\r\n\f\v]+")  # not \s: French no-break spaces must survive
_PARAGRAPH_SPLIT_RE = re.compile(r"\n{2,}")
_IMAGE_PATH_RE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:$|[?#])", re.IGNORECASE)
_LEADING_PAR_RE = re.compile(r"^\s*par\b\s*:?\s*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry ready to publish, under the key that identifies it across polls."""

    source_key: str
    draft: ArticleDraft


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


def plain_text(value: str, detail: Mapping[str, Any] | None) -> str:
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
    title_line = plain_text(entry.get("title") or "", entry.get("title_detail"))
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
