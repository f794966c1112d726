"""From a feed entry to an article draft, the site's conventions applied.

`entry_to_item` gives an entry a stable source key (the guid, else the link, else a hash of
title and date), reads the site's hashtag title and byline, and keeps clean paragraphs of
the entry's HTML. The importer builds drafts from other sources with the same pieces.
"""

from __future__ import annotations

import calendar
import functools
import hashlib
import html
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from dateparser.date import DateDataParser

from bot import site
from bot.feeds.extraction import (
    Story,
    clean_text,
    extract_story,
    is_furniture,
    split_byline,
    split_paragraphs,
    split_text,
    story_from_text,
)
from db.models import ArticleDraft

__all__ = [
    "FeedItem",
    "clean_authors",
    "draft_from_parts",
    "entry_to_item",
    "html_to_paragraphs",
    "plain_text",
    "read_date",
    "settle_keys",
    "source_key_for",
    "split_text",
    "story_key",
    "web_url",
]

_SOURCE_KEY_MAX_CHARS = 300
_TOPIC_MAX_CHARS = 60
_MAX_TOPICS = 8
_AUTHOR_MAX_CHARS = 80
_BREAKS_RE = re.compile(r"[ \t\r\n\f\v]+")  # not \s: French no-break spaces must survive
_IMAGE_PATH_RE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:$|[?#])", re.IGNORECASE)
_LEADING_PAR_RE = re.compile(r"^\s*par\b\s*:?\s*", re.IGNORECASE)


# What CMSs call "no category": never a topic.
_NO_CATEGORY = frozenset(
    site.fold(name)
    for name in (
        "Non classé", "Non classe", "Uncategorized", "Uncategorised", "Sans catégorie",
        "Divers", "Général", "General", "Non catégorisé", "Sin categoría", "Sem categoria",
        "Senza categoria", "Allgemein", "Default",
    )
)  # fmt: skip
# A CMS login shown as the author ("awa.keita", "admin", "redac2"): no one's name.
_LOGIN_RE = re.compile(r"[\w.@+-]*[._@\d+][\w.@+-]*|[a-z][a-z-]*")
_ROLE_ACCOUNTS = frozenset(
    {"admin", "administrator", "administrateur", "webmaster", "editor", "editeur", "root",
     "wordpress", "user", "author", "auteur", "redaction", "redac", "staff", "guest"}
)  # fmt: skip
_DATE_LANGUAGES = ["fr", "en", "pt", "es", "de", "it"]
"""Languages whose day and month names a sloppy date may use, tried in this order."""


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry ready to publish, under the key that identifies it across polls.

    `link_key` is the key its link alone would give (None when the link is no article's
    own: missing, or the site's home page); `undated` says its date could not be read, so
    its time is when it was first seen. `legacy_key` is the key versions before 0005 gave
    it (its link, even the home page's), when that differs: a database from then holds
    the item under that key.
    """

    source_key: str
    draft: ArticleDraft
    link_key: str | None = None
    undated: bool = False
    legacy_key: str | None = None


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


def html_to_paragraphs(fragment: str) -> list[str]:
    """Return the plain-text paragraphs of an HTML fragment: no tags, entities decoded."""
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    return split_paragraphs("".join(parser.parts))


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


def _image_url(entry: Mapping[str, Any], story: Story, base_url: str | None) -> str | None:
    """Return the entry's picture: media:content, an image enclosure, the story's first
    picture (a figure's), else media:thumbnail."""
    for media in entry.get("media_content") or ():
        url = web_url(media.get("url"), base_url)
        kind, medium = str(media.get("type") or ""), str(media.get("medium") or "")
        is_image = medium == "image" or kind.startswith("image/")
        if url and (is_image or (not kind and not medium and _IMAGE_PATH_RE.search(url))):
            return url
    for enclosure in entry.get("enclosures") or ():
        href = web_url(enclosure.get("href"), base_url)
        kind = str(enclosure.get("type") or "")
        if href and (kind.startswith("image/") or (not kind and _IMAGE_PATH_RE.search(href))):
            return href
    if url := web_url(story.image_url, base_url):
        return url
    for thumbnail in entry.get("media_thumbnail") or ():
        if url := web_url(thumbnail.get("url"), base_url):
            return url
    return None


def clean_authors(name: str) -> tuple[str, ...]:
    """Return the authors a feed's author field names, without "Par" and stray spacing.

    "Awa KEITA et Issa DEMBÉLÉ" is two authors; a CMS login ("awa.keita") is none.
    """
    name = _BREAKS_RE.sub(" ", clean_text(name)).strip()
    if not name:
        return ()
    if (byline := site.parse_byline(name)) is not None:
        return byline
    name = _LEADING_PAR_RE.sub("", name).strip()
    if " " not in name and (_LOGIN_RE.fullmatch(name) or site.fold(name) in _ROLE_ACCOUNTS):
        return ()
    if (names := site.parse_byline(name, known=True)) is not None and len(names) > 1:
        return names
    return (name[:_AUTHOR_MAX_CHARS],) if name else ()


def _authors(entry: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the entry's authors (each author, dc:creator) without a leading "Par"."""
    found: list[str] = []
    details = entry.get("authors") or [entry.get("author_detail") or {}]
    for detail in details:
        name = detail.get("name") if isinstance(detail, Mapping) else None
        for author in clean_authors(str(name or "")):
            if all(site.fold(author) != site.fold(other) for other in found):
                found.append(author)
    if not found and (written := entry.get("author")):
        found.extend(clean_authors(str(written)))
    return tuple(found)


def _moment(value: object, now: datetime) -> datetime | None:
    """Return a feedparser time tuple (UTC) as an aware datetime, never later than now."""
    if not isinstance(value, tuple):  # time.struct_time is one
        return None
    try:
        moment = datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (TypeError, ValueError, OverflowError):
        return None
    return min(moment, now)


@functools.cache
def _date_parser() -> DateDataParser:
    # One parser for the process: it tries the language of the last date it read first,
    # and a feed's dates are all in one language (1 ms a date instead of 5).
    return DateDataParser(
        languages=_DATE_LANGUAGES,
        try_previous_locales=True,
        settings={
            "TIMEZONE": "UTC",
            "RETURN_AS_TIMEZONE_AWARE": True,
            "PREFER_DAY_OF_MONTH": "first",
            "STRICT_PARSING": True,
            # "demain", "il y a 2 heures": relative to a moment the feed never says.
            "PARSERS": ["absolute-time"],
        },
    )


def read_date(text: object, now: datetime) -> datetime | None:
    """Return a date feedparser could not read ("ven, 01 mar 2024 10:00:00 +0000"), or None.

    dateparser knows the day and month names of every language we meet; a date without a
    zone is taken as UTC, and one in the future is clamped to now.
    """
    if not isinstance(text, str) or not text.strip() or len(text) > 100:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dateparser's own deprecations, not ours to fix
        try:
            moment = _date_parser().get_date_data(text.strip()).date_obj
        except (ValueError, TypeError, OverflowError, LookupError):
            return None
    if not isinstance(moment, datetime) or moment.year < 1970:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return min(moment.astimezone(UTC), now)


def _topics(title_topics: Iterable[str], categories: Iterable[object]) -> tuple[str, ...]:
    """Return hashtag topics then feed categories, without duplicates (folded)."""
    topics: list[str] = []
    seen: set[str] = set()
    names = [*title_topics]
    for category in categories:
        term = category.get("term") if isinstance(category, Mapping) else None
        if isinstance(term, str):
            # Some feeds escape their categories twice: "Politique &amp;amp; Société".
            term = html.unescape(html.unescape(term))
            names.append(_BREAKS_RE.sub(" ", clean_text(term)).strip().lstrip("#").strip())
    for name in names:
        key = site.fold(name)
        if key in _NO_CATEGORY:
            continue
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


def _captions(entry: Mapping[str, Any]) -> frozenset[str]:
    """Return the entry's photo captions (media:description), folded."""
    caption = entry.get("media_description")
    if not isinstance(caption, str):
        return frozenset()
    return frozenset({site.fold(plain_text(caption, None))})


def _text_story(value: str, detail: Mapping[str, Any] | None, captions: frozenset[str]) -> Story:
    return extract_story(value, captions) if _is_html(detail) else story_from_text(value, captions)


def _entry_story(entry: Mapping[str, Any]) -> Story:
    """Return the story of content:encoded (or Atom content), else of the summary.

    media:description is a photo's caption (bot.feeds.parsing keeps it apart): the text
    only when the entry has no other, as a video's description.
    """
    captions = _captions(entry)
    for content in entry.get("content") or ():
        value = content.get("value") or ""
        if value.strip():
            story = _text_story(value, content, captions)
            if story.paragraphs:
                return story
    summary = entry.get("summary") or ""
    if summary.strip():
        return _text_story(summary, entry.get("summary_detail"), captions)
    caption = entry.get("media_description")
    return story_from_text(caption) if isinstance(caption, str) else Story()


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip() + "…"


def draft_from_parts(
    *,
    title_line: str,
    paragraphs: Sequence[str],
    authors: Sequence[str],
    categories: Iterable[object] = (),
    url: str | None = None,
    image_url: str | None = None,
    published_at: datetime | None = None,
    updated_at: datetime | None = None,
) -> ArticleDraft | None:
    """Return a draft from an item's parts, the site's conventions applied, or None if empty."""
    paragraphs = [paragraph for paragraph in paragraphs if not is_furniture(paragraph)]
    # The site's own pages open with the byline; a feed copying them should not repeat it.
    if paragraphs:
        byline, rest = split_byline(paragraphs[0])
        if byline is not None:
            authors = authors or byline
            paragraphs = [rest, *paragraphs[1:]] if rest else paragraphs[1:]
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
        author=authors[0] if authors else site.DEFAULT_AUTHOR,
        coauthors=tuple(authors[1:]),
        topics=_topics(parsed.topics, categories),
        url=url,
        image_url=image_url,
        published_at=published_at,
        updated_at=updated_at,
    )


def _is_home_page(url: str | None) -> bool:
    """Tell whether an address is a site's home page (no path, no query): no article's own."""
    if not url:
        return True
    try:
        parts = urlsplit(url)
    except ValueError:
        return True
    return parts.path.strip("/") in ("", "index.html", "index.php") and not parts.query


def entry_to_item(
    entry: dict[str, Any], now: datetime, *, base_url: str | None = None
) -> FeedItem | None:
    """Return a feedparser entry as an item to publish, or None if it carries no text."""
    title_line = plain_text(entry.get("title") or "", entry.get("title_detail"))
    published = _moment(entry.get("published_parsed"), now)
    # dict.get: feedparser's own get() answers a missing "updated" with "published", warning.
    updated = _moment(dict.get(entry, "updated_parsed"), now)
    written = entry.get("published") or dict.get(entry, "updated")
    if published is None and updated is None:
        published = read_date(written, now)
    story = _entry_story(entry)
    link = web_url(entry.get("link"), base_url)
    draft = draft_from_parts(
        title_line=title_line,
        paragraphs=story.paragraphs,
        authors=_authors(entry) or story.byline or (),
        categories=entry.get("tags") or (),
        url=link,
        image_url=_image_url(entry, story, base_url),
        published_at=published or updated,
        updated_at=updated,
    )
    if draft is None:
        return None
    raw_link = entry.get("link")
    own_link = raw_link if isinstance(raw_link, str) and not _is_home_page(link) else None
    # Without a guid, a home-page link names no one article: title and date do.
    key = source_key_for(entry.get("id"), own_link, title_line, written)
    link_key = source_key_for(None, own_link, "", None) if own_link else None
    # Before 0005 the link was the key even when it was the home page's.
    legacy = source_key_for(
        entry.get("id"), raw_link if isinstance(raw_link, str) else None, title_line, written
    )
    return FeedItem(
        key, draft, link_key, draft.published_at is None, legacy if legacy != key else None
    )


def settle_keys(items: Sequence[FeedItem]) -> list[FeedItem]:
    """Return a document's items, each under a key no other item of it uses.

    Feeds repeat guids (a CMS bug) and share one link among items (the home page). An exact
    repeat stays a repeat (publishing it again is free); a different item under a taken key
    is told apart by its link, else by its title and date, so none is lost.
    """
    shared_links = {
        item.link_key
        for index, item in enumerate(items)
        if item.link_key and any(other.link_key == item.link_key for other in items[:index])
    }
    settled: list[FeedItem] = []
    taken: dict[str, ArticleDraft] = {}
    for item in items:
        if item.link_key in shared_links:
            # A link several items share is no one item's identity.
            if item.source_key == item.link_key:
                item = replace(item, source_key=story_key(item), legacy_key=item.source_key)
            item = replace(item, link_key=None)
        if item.source_key in taken and taken[item.source_key] != item.draft:
            for candidate in (item.link_key, story_key(item)):
                if candidate and candidate not in taken:
                    item = replace(item, source_key=candidate)
                    break
        taken.setdefault(item.source_key, item.draft)
        settled.append(item)
    # An old key another item of the document still goes by is that item's, not this one's.
    return [
        replace(item, legacy_key=None)
        if item.legacy_key in taken or item.legacy_key == item.source_key
        else item
        for item in settled
    ]


def story_key(item: FeedItem) -> str:
    """Return the key an item's title and publication date give it."""
    moment = item.draft.published_at.isoformat() if item.draft.published_at else None
    return source_key_for(None, None, item.draft.title, moment)
