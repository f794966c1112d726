"""Articles as Telegram HTML: escaping, dates, list cards, alerts, full articles, splitting.

Everything here is pure: an article (and a language and a time zone) in, HTML strings out.
Editors' text is always escaped, so a `<b>` typed in an article shows as `<b>`. Lengths are
counted as Telegram does for its limits: code points of the text after entity parsing.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from html.parser import HTMLParser
from typing import TypeGuard
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.lists import format_list

from bot.i18n import DEFAULT_LANGUAGE, t
from bot.markup import escape
from bot.site import DEFAULT_AUTHOR, fold
from db.models import Article, Topic

__all__ = [
    "ALERT_LEAD_CHARS",
    "CARD_LEAD_CHARS",
    "DEFAULT_TIMEZONE",
    "MAX_CAPTION",
    "MAX_ENTITIES",
    "MAX_TEXT",
    "ArticleRendering",
    "alert_caption",
    "alert_text",
    "article_byline",
    "article_card",
    "article_list",
    "byline",
    "entity_count",
    "escape",
    "excerpt",
    "format_date",
    "format_short_date",
    "hashtag",
    "hashtags",
    "is_newsroom",
    "render_article",
    "split_html",
    "visible_length",
    "withdrawn_alert_text",
]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_ENTITIES = 100
DEFAULT_TIMEZONE = "Africa/Bamako"

CARD_TITLE_CHARS = 200
CARD_LEAD_CHARS = 160
ALERT_TITLE_CHARS = 300
ALERT_LEAD_CHARS = 300
# Below this, a lead excerpt says nothing: better no excerpt than "Le…".
_MIN_EXCERPT_CHARS = 40

# CLDR patterns, 24-hour clock in both languages as the site writes it:
# "jeudi 29 février 2024 à 12:56".
_LONG_DATE = {"fr": "EEEE d MMMM y 'à' HH:mm", "en": "EEEE d MMMM y 'at' HH:mm"}
_SHORT_DATE = {"fr": "d MMM y, HH:mm", "en": "d MMM y, HH:mm"}

# The breakable spaces. Not \s: the no-break spaces of French typography ("Mali\u00a0:",
# "quoi\u202f?") must never become a cut point or be squashed into a plain space.
_BREAKS = " \t\r\n"
_BREAKS_RE = re.compile(r"[ \t\r\n\f\v]+")
_BLANK_LINE_RE = re.compile(r"\n[^\S\n]*\n")
_NON_WORD_RE = re.compile(r"[\W_]+")
# Dropped before an ellipsis: "Bamako\u00a0:…" or "le budget,…" read badly.
_EXCERPT_TRAILING = " \u00a0\u202f,;:.–—-([«\"“‘'"
_SENTENCE_ENDS = ".!?…"
# What may stand between a sentence's final mark and the space after it.
_CLOSERS = "»\"”’')]\u00a0\u202f"
_NEWSROOM_KEYS = frozenset({"", fold(DEFAULT_AUTHOR)})  # unsigned, or signed "La rédaction"


# --- dates ---


def _language(lang: str) -> str:
    return lang if lang in _LONG_DATE else DEFAULT_LANGUAGE


@lru_cache(maxsize=32)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _local(moment: datetime, tz: str | tzinfo) -> datetime:
    if moment.tzinfo is None:
        # The database hands out UTC; a naive time can only be a forgotten tzinfo.
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_zone(tz) if isinstance(tz, str) else tz)


def _format(moment: datetime, lang: str, tz: str | tzinfo, patterns: dict[str, str]) -> str:
    lang = _language(lang)
    local = _local(moment, tz)
    pattern = patterns[lang]
    if lang == "fr" and local.day == 1:
        # French writes the first of the month as an ordinal: « 1er décembre », not « 1 ».
        pattern = pattern.replace("d ", "d'er' ", 1)
    return format_datetime(local, pattern, locale=lang)


def format_date(moment: datetime, lang: str, tz: str | tzinfo = DEFAULT_TIMEZONE) -> str:
    """Return a moment as "jeudi 29 février 2024 à 12:56" in `lang` and the time zone `tz`."""
    return _format(moment, lang, tz, _LONG_DATE)


def format_short_date(moment: datetime, lang: str, tz: str | tzinfo = DEFAULT_TIMEZONE) -> str:
    """Return a moment as "29 févr. 2024, 12:56" in `lang` and the time zone `tz`."""
    return _format(moment, lang, tz, _SHORT_DATE)


# --- plain-text helpers ---


def excerpt(text: str, limit: int) -> str:
    """Return `text` on one line, cut at a word boundary with "…" to at most `limit` chars."""
    flat = _BREAKS_RE.sub(" ", text).strip()
    if len(flat) <= limit:
        return flat
    if limit <= 1:
        return "…"[:limit]
    # A space at index <= limit - 1 leaves room for the ellipsis.
    cut = flat.rfind(" ", 0, limit)
    kept = flat[:cut].rstrip(_EXCERPT_TRAILING) if cut > 0 else ""
    if not kept:
        # One word longer than the limit: cutting it is the only way to honour the limit.
        kept = flat[: limit - 1]
    return kept + "…"


def hashtag(name: str) -> str:
    """Return a topic name as a hashtag Telegram links whole: "Burkina Faso" -> "#Burkina_Faso"."""
    # Telegram ends a hashtag at anything but a letter, digit or underscore ("#Côte d’Ivoire"
    # would link "#Côte"); NFC first, as a decomposed accent is not a word character.
    words = _NON_WORD_RE.split(unicodedata.normalize("NFC", name))
    tag = "_".join(word for word in words if word)
    return f"#{tag}" if tag else ""


def hashtags(topics: Iterable[Topic]) -> str:
    """Return the topics as "#Mali #Russie", duplicates dropped."""
    tags = dict.fromkeys(tag for tag in (hashtag(topic.name) for topic in topics) if tag)
    return escape(" ".join(tags))


def byline(authors: str | Sequence[str], lang: str) -> str:
    """Return the HTML byline, "Par Awa Keïta et Issa Dembélé", or the newsroom's name alone.

    Names come as stored (one display form per person); the newsroom among other authors
    reads "Par Awa Keïta et la rédaction".
    """
    names = [authors] if isinstance(authors, str) else list(authors)
    signed = [name.strip() for name in names if fold(name) not in _NEWSROOM_KEYS]
    if not signed:
        return t(lang, "formatting.newsroom")
    if len(signed) < len(names):
        newsroom = t(lang, "formatting.newsroom")
        signed.append(newsroom[:1].lower() + newsroom[1:])
    shown = format_list(signed, locale=_language(lang))
    return t(lang, "formatting.byline", author=escape(shown))


def is_newsroom(author_name: str) -> bool:
    """Return whether a byline name is the newsroom's ("La rédaction", or none): no person."""
    return fold(author_name) in _NEWSROOM_KEYS


def article_byline(article: Article, lang: str) -> str:
    """Return the HTML byline of an article: every author, in byline order."""
    return byline([author.name for author in article.authors], lang)


def _paragraphs(text: str) -> list[str]:
    """Return the paragraphs of `text` (blank-line separated), lines stripped, empties dropped."""
    paragraphs = []
    for block in _BLANK_LINE_RE.split(text.strip()):
        lines = [line.strip() for line in block.splitlines()]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return paragraphs


def _is_web_url(url: str | None) -> TypeGuard[str]:
    # Telegram refuses a link whose href it cannot use; feeds occasionally carry relative URLs.
    return url is not None and url.lower().startswith(("https://", "http://"))


# --- parsing our own HTML ---


class _Element:
    """One tag pair: its raw start tag (reopened verbatim) and its span in the plain text."""

    __slots__ = ("end", "name", "start", "start_tag")

    def __init__(self, name: str, start_tag: str) -> None:
        self.name = name
        self.start_tag = start_tag
        self.start = -1  # stays -1 for an element without text
        self.end = -1


@dataclass(frozen=True, slots=True)
class _Run:
    """A stretch of plain text and the elements open around it, outermost first."""

    offset: int
    text: str
    stack: tuple[_Element, ...]


class _Parser(HTMLParser):
    """Read well-formed Telegram HTML into text runs and elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.runs: list[_Run] = []
        self.elements: list[_Element] = []
        self.length = 0
        self._stack: tuple[_Element, ...] = ()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = _Element(tag, self.get_starttag_text() or f"<{tag}>")
        self.elements.append(element)
        self._stack = (*self._stack, element)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._stack) - 1, -1, -1):
            if self._stack[depth].name == tag:
                self._stack = self._stack[:depth]
                return
        # A stray end tag opens nothing and closes nothing: ignore it.

    def handle_data(self, data: str) -> None:
        if not data:
            return
        end = self.length + len(data)
        for element in self._stack:
            if element.start < 0:
                element.start = self.length
            element.end = end
        self.runs.append(_Run(self.length, data, self._stack))
        self.length = end

    def spans(self) -> list[_Element]:
        """Return the elements that hold text, in document order (so by start)."""
        return [element for element in self.elements if element.start >= 0]


def _parse(html: str) -> _Parser:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser


def visible_length(html: str) -> int:
    """Return the length Telegram counts for `html`: code points of the text after parsing."""
    return _parse(html).length


def entity_count(html: str) -> int:
    """Return how many entities Telegram makes of `html` (tags that hold text)."""
    return len(_parse(html).spans())


def _measure(html: str) -> tuple[int, int]:
    parser = _parse(html)
    return parser.length, len(parser.spans())


# --- splitting ---


def split_html(
    html: str,
    limit: int = MAX_TEXT,
    *,
    first_limit: int | None = None,
    max_entities: int = MAX_ENTITIES,
) -> list[str]:
    """Split Telegram HTML into messages of at most `limit` characters and `max_entities` tags.

    Cuts fall at a paragraph break if one leaves the part at least half full, else a line
    break, a sentence end, a space, and only then anywhere. Tags open at a cut are closed at
    the end of the part and reopened with the same attributes at the start of the next; the
    breakable whitespace at a cut is dropped. `first_limit` applies to the first part (a photo
    caption followed by messages). Input that already fits comes back unchanged.
    """
    parsed = _parse(html)
    spans = parsed.spans()
    if parsed.length <= (first_limit or limit) and len(spans) <= max_entities:
        return [html]
    runs = parsed.runs
    offsets = [run.offset for run in runs]
    text = "".join(run.text for run in runs)
    parts: list[str] = []
    # Telegram trims a message's leading whitespace anyway.
    start = _skip_breaks(text, 0)
    while start < len(text):
        room = first_limit if first_limit is not None and not parts else limit
        end = _entity_bound(spans, start, min(len(text), start + max(room, 1)), max_entities)
        cut = len(text) if end >= len(text) else _cut(text, start, end)
        part_end = cut
        while part_end > start and text[part_end - 1] in _BREAKS:
            part_end -= 1
        parts.append(_render(runs, offsets, start, part_end))
        start = _skip_breaks(text, cut)
    return parts or [html]


def _skip_breaks(text: str, position: int) -> int:
    while position < len(text) and text[position] in _BREAKS:
        position += 1
    return position


def _entity_bound(spans: Sequence[_Element], start: int, end: int, max_entities: int) -> int:
    """Return how far a part from `start` may reach without holding too many entities."""
    count = 0
    for element in spans:
        if element.end <= start:
            continue
        if element.start >= end:
            break
        count += 1
        if count > max_entities:
            # More than max_entities tags open at one point cannot be helped: keep moving.
            return max(element.start, start + 1)
    return end


def _cut(text: str, start: int, end: int) -> int:
    """Return where a part from `start`, allowed to reach `end`, should stop."""
    half = start + (end - start) // 2
    fallback = -1
    for find in (_paragraph_break, _line_break, _sentence_break, _word_break):
        position = find(text, start, end)
        if position > start:
            if position >= half:
                return position
            if fallback < 0:
                fallback = position
    return fallback if fallback > start else _hard_break(text, start, end)


# Each finder returns the position of the separator that ends the part (at most `end`, so the
# part itself stays within bounds), or -1.


def _paragraph_break(text: str, start: int, end: int) -> int:
    return text.rfind("\n\n", start, end + 2)


def _line_break(text: str, start: int, end: int) -> int:
    return text.rfind("\n", start, end + 1)


def _word_break(text: str, start: int, end: int) -> int:
    for position in range(min(end, len(text) - 1), start, -1):
        if text[position] in _BREAKS:
            return position
    return -1


def _sentence_break(text: str, start: int, end: int) -> int:
    for position in range(min(end, len(text) - 1), start, -1):
        if text[position] not in _BREAKS:
            continue
        before = position - 1
        while before > start and text[before] in _CLOSERS:
            before -= 1
        if text[before] in _SENTENCE_ENDS:
            return position
    return -1


def _hard_break(text: str, start: int, end: int) -> int:
    position = end
    # Keep an accent, a variation selector or a joined emoji with the character before it.
    while position > start + 1 and _joins_previous(text, position):
        position -= 1
    return position


def _joins_previous(text: str, position: int) -> bool:
    char = text[position]
    return (
        unicodedata.combining(char) != 0
        or char in "\u200d\ufe0e\ufe0f"
        or "\U0001f3fb" <= char <= "\U0001f3ff"  # skin tone modifiers
        or text[position - 1] == "\u200d"
    )


def _render(runs: Sequence[_Run], offsets: Sequence[int], start: int, end: int) -> str:
    """Return the HTML of the plain text [start, end), every tag balanced within it."""
    out: list[str] = []
    opened: tuple[_Element, ...] = ()
    index = max(0, bisect_right(offsets, start) - 1)
    while index < len(runs) and runs[index].offset < end:
        run = runs[index]
        index += 1
        low = max(start - run.offset, 0)
        high = min(end - run.offset, len(run.text))
        if low >= high:
            continue
        shared = 0
        while (
            shared < len(opened) and shared < len(run.stack) and opened[shared] is run.stack[shared]
        ):
            shared += 1
        out.extend(f"</{element.name}>" for element in reversed(opened[shared:]))
        out.extend(element.start_tag for element in run.stack[shared:])
        out.append(escape(run.text[low:high]))
        opened = run.stack
    out.extend(f"</{element.name}>" for element in reversed(opened))
    return "".join(out)


def _fit(html: str, limit: int) -> str:
    """Return `html`, or its first part when it is longer than `limit`."""
    return split_html(html, limit)[0]


# --- article renderings ---


def article_card(
    article: Article,
    lang: str,
    tz: str | tzinfo = DEFAULT_TIMEZONE,
    *,
    index: int | None = None,
    lead_chars: int = CARD_LEAD_CHARS,
) -> str:
    """Return one entry of an article list: numbered bold title, topics, byline, date, excerpt."""
    number = f"{index}. " if index is not None else ""
    lines = [f"<b>{number}{escape(excerpt(article.title, CARD_TITLE_CHARS))}</b>"]
    meta = [
        hashtags(article.topics),
        article_byline(article, lang),
        escape(format_short_date(article.published_at, lang, tz)),
    ]
    lines.append(" · ".join(item for item in meta if item))
    if lead_chars > 0 and article.lead.strip():
        lines.append(escape(excerpt(article.lead, lead_chars)))
    return "\n".join(lines)


def article_list(
    articles: Sequence[Article],
    lang: str,
    tz: str | tzinfo = DEFAULT_TIMEZONE,
    header: str | None = None,
    *,
    first_index: int | None = 1,
    limit: int = MAX_TEXT,
) -> str:
    """Return a header (HTML) and numbered cards as one message of at most `limit` characters.

    Excerpts shrink, then go, before a card is dropped; a dropped card only happens for far
    more cards than a page of /latest holds, and drops the last ones.
    """
    text = ""
    for lead_chars in (CARD_LEAD_CHARS, CARD_LEAD_CHARS // 2, 0):
        cards = [
            article_card(
                article,
                lang,
                tz,
                index=None if first_index is None else first_index + position,
                lead_chars=lead_chars,
            )
            for position, article in enumerate(articles)
        ]
        head = [_fit(header, limit)] if header else []
        length, entities = _measure(head[0]) if head else (0, 0)
        kept = _pack(cards, limit, length, entities)
        text = "\n\n".join(head + cards[:kept])
        if kept == len(cards):
            break
    return text


def _pack(blocks: Sequence[str], limit: int, length: int = 0, entities: int = 0) -> int:
    """Return how many leading `blocks` fit, joined by blank lines, after `length` characters."""
    for kept, block in enumerate(blocks):
        size, count = _measure(block)
        size += 2 if length else 0
        if length + size > limit or entities + count > MAX_ENTITIES:
            return kept
        length += size
        entities += count
    return len(blocks)


def _alert_head(article: Article, lang: str, tz: str | tzinfo) -> str:
    lines = []
    if article.urgent:
        lines.append(f"<b>{t(lang, 'formatting.urgent')}</b>")
    lines.append(f"<b>{escape(excerpt(article.title, ALERT_TITLE_CHARS))}</b>")
    tags = hashtags(article.topics)
    if tags:
        lines.append(tags)
    date = escape(format_short_date(article.published_at, lang, tz))
    lines.append(f"{article_byline(article, lang)} · {date}")
    if article.was_updated:
        updated = escape(format_short_date(article.updated_at, lang, tz))
        lines.append(f"<i>{t(lang, 'formatting.updated', date=updated)}</i>")
    return "\n".join(lines)


def alert_text(
    article: Article,
    lang: str,
    tz: str | tzinfo = DEFAULT_TIMEZONE,
    *,
    limit: int = MAX_TEXT,
    lead_chars: int = ALERT_LEAD_CHARS,
) -> str:
    """Return the push alert: urgent mark, bold title, topics, byline, update mark, lead excerpt."""
    head = _alert_head(article, lang, tz)
    room = min(lead_chars, limit - visible_length(head) - 2)
    text = head
    if article.lead.strip() and room >= _MIN_EXCERPT_CHARS:
        text = f"{head}\n\n{escape(excerpt(article.lead, room))}"
    return _fit(text, limit)


def alert_caption(article: Article, lang: str, tz: str | tzinfo = DEFAULT_TIMEZONE) -> str:
    """Return the push alert sized for a photo caption."""
    return alert_text(article, lang, tz, limit=MAX_CAPTION)


def withdrawn_alert_text(article: Article, lang: str) -> str:
    """Return what replaces a sent alert once its article is withdrawn; it fits a caption."""
    title = escape(excerpt(article.title, ALERT_TITLE_CHARS))
    return f"<s>{title}</s>\n<i>{t(lang, 'formatting.withdrawn')}</i>"


@dataclass(frozen=True, slots=True)
class ArticleRendering:
    """A full article for /article: an optional photo with its caption, then text messages."""

    photo_url: str | None
    caption: str | None
    messages: list[str]


def _article_blocks(article: Article, lang: str, tz: str | tzinfo) -> list[str]:
    head = [
        f"<b>{escape(article.title.strip())}</b>",
        article_byline(article, lang),
        t(lang, "formatting.published", date=escape(format_date(article.published_at, lang, tz))),
    ]
    if article.was_updated:
        updated = escape(format_date(article.updated_at, lang, tz))
        head.append(t(lang, "formatting.updated", date=updated))
    tags = hashtags(article.topics)
    if tags:
        head.append(tags)
    blocks = ["\n".join(head)]
    blocks.extend(f"<b>{escape(paragraph)}</b>" for paragraph in _paragraphs(article.lead))
    blocks.extend(escape(paragraph) for paragraph in _paragraphs(article.body))
    if _is_web_url(article.url):
        label = t(lang, "formatting.read_on_site")
        blocks.append(f'<a href="{escape(article.url)}">{label}</a>')
    return blocks


def render_article(
    article: Article, lang: str, tz: str | tzinfo = DEFAULT_TIMEZONE
) -> ArticleRendering:
    """Return the full article: title, byline, dates, topics, bold lead, body, link to the site.

    With a usable photo, the caption takes the head and as many following paragraphs as fit
    whole in a caption; the rest follows as text messages (possibly none).
    """
    blocks = _article_blocks(article, lang, tz)
    if not _is_web_url(article.image_url):
        return ArticleRendering(None, None, split_html("\n\n".join(blocks)))
    kept = _pack(blocks, MAX_CAPTION)
    if not kept:
        # A head longer than a caption: cut it like any text, the caption first.
        parts = split_html("\n\n".join(blocks), first_limit=MAX_CAPTION)
        return ArticleRendering(article.image_url, parts[0], parts[1:])
    rest = blocks[kept:]
    messages = split_html("\n\n".join(rest)) if rest else []
    return ArticleRendering(article.image_url, "\n\n".join(blocks[:kept]), messages)
