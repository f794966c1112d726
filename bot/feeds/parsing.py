"""Parsing a feed safely: refuse entity tricks, cut overlong fields, then feedparser.

`parse_feed` refuses XML that declares entities or references external ones (billion
laughs, XXE), cuts overlong author and title fields (feedparser's e-mail regex is
quadratic), then hands feedparser the bytes as a stream so it can never fetch or open
anything itself. A malformed feed yields what feedparser can recover. It runs in the parse
worker's process (`bot.feeds.worker`), never on the event loop.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypedDict
from xml.etree.ElementTree import ParseError

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from feedparser.encodings import convert_to_utf8
from feedparser.exceptions import CharacterEncodingOverride, NonXMLContentType
from feedparser.namespaces import mediarss

from bot.errors import FeedError
from bot.feeds.entries import FeedItem, entry_to_item, plain_text, settle_keys
from bot.feeds.jsonfeed import looks_like_json_feed, read_json_feed

__all__ = ["ParseOptions", "ParsedFeed", "parse_feed"]

_ENTITY_DECLARATION_RE = re.compile(rb"<!ENTITY", re.IGNORECASE)
_FIELD_MAX_CHARS = 1_000  # author, name, e-mail, title: feedparser's e-mail regex takes 3 ms
_BOUNDED_FIELD_RE = re.compile(
    r"<(?:[A-Za-z_][\w.-]*:)?"
    r"(?:author|creator|publisher|managingEditor|webMaster|owner|contributor|name|email|title)"
    r"(?:\s[^<>]*)?(?<!/)>",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A document's items, and what became of every entry it held."""

    title: str | None
    items: list[FeedItem]
    malformed: bool  # feedparser recovered from broken XML; items may be missing
    entries: int = 0  # entries in the document: items + no_text + unread
    no_text: int = 0  # entries with neither a title nor any text
    unread: int = 0  # entries past `max_entries`


class _Discard:
    """An XML parser target that keeps nothing: the safety check must not build a tree."""

    def close(self) -> None:
        return None


def _refuse_unsafe_xml(body: bytes, original: bytes = b"") -> None:
    """Raise FeedError if the document declares entities or points at external ones.

    `body` is UTF-8 with a declaration saying so (see `_as_utf8`): expat reads no
    multi-byte legacy encoding (Big5, EUC-KR, GB2312) and no name it does not know.
    `original`, the bytes as received, is searched too when the XML is too broken to check.
    """
    parser = DefusedXMLParser(
        target=_Discard(), forbid_dtd=False, forbid_entities=True, forbid_external=True
    )
    try:
        parser.feed(body)
        parser.close()
    except DefusedXmlException:
        raise FeedError("feeds.error.unsafe") from None
    except (ParseError, ValueError, LookupError):
        # Broken XML goes on to feedparser's lenient parser; entity declarations that the
        # strict parser never reached are refused here all the same.
        # (NULs: UTF-16 and UTF-32 read as bytes.)
        if any(
            _ENTITY_DECLARATION_RE.search(text.replace(b"\x00", b"")) for text in (body, original)
        ):
            raise FeedError("feeds.error.unsafe") from None


def _as_utf8(body: bytes, headers: dict[str, str]) -> tuple[bytes, bool]:
    """Return the document in UTF-8, decoded the way feedparser decodes it, and whether
    feedparser could tell its encoding at all.

    feedparser tries the HTTP charset, the declared encoding, the BOM, then UTF-8,
    Windows-1252 and Latin-2, and rewrites the declaration to UTF-8: the safety check
    then reads what feedparser will read, whatever the document claimed.
    """
    scratch: dict[str, Any] = {}
    converted = convert_to_utf8(headers, body, scratch)
    if not isinstance(converted, bytes) or scratch.get("encoding") == "":
        return body, False
    return converted, True


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


class ParseOptions(TypedDict, total=False):
    """The keyword arguments of `parse_feed`, which the parse worker passes on."""

    url: str | None
    content_type: str | None
    now: datetime | None
    max_entries: int | None


def parse_feed(
    body: bytes,
    *,
    url: str | None = None,
    content_type: str | None = None,
    now: datetime | None = None,
    max_entries: int | None = None,
) -> ParsedFeed:
    """Parse an RSS, Atom or JSON Feed document into items; FeedError if unsafe or no feed.

    `max_entries` bounds the entries read (a sample, the corpus bench); None reads them all, as
    the poller and imports do: an entry a cap left out would be lost once the feed moves on.
    """
    now = now or datetime.now(UTC)
    if looks_like_json_feed(body, content_type):
        title, entries = read_json_feed(body, now, base_url=url)
        return _settled(title, entries, max_entries, malformed=False)
    # No content-location: feedparser would resolve a guid like "qdb-10377" against it, and
    # the same item read from a file or from another address would get another key.
    headers = {"content-type": content_type or "application/xml"}
    original = body
    body, readable = _as_utf8(body, headers)
    if not readable:
        raise FeedError("feeds.error.charset")
    _refuse_unsafe_xml(body, original)
    body = _bound_fields(body)
    # The document is UTF-8 now, whatever its media type said.
    headers = {"content-type": f"{_mime_type(content_type)}; charset=utf-8"}
    # A stream, never bytes or str: given either, feedparser may open a file or fetch a URL.
    result = feedparser.parse(io.BytesIO(body), response_headers=headers)
    if not result.get("version") and not result.entries:
        raise FeedError("feeds.error.not_feed")
    shown = result.entries if max_entries is None else result.entries[:max_entries]
    items = [entry_to_item(entry, now, base_url=url) for entry in shown]
    title = plain_text(result.feed.get("title", ""), result.feed.get("title_detail")) or None
    # A wrong charset label is mended silently; only broken markup may have lost items.
    broken = bool(result.get("bozo")) and not isinstance(
        result.get("bozo_exception"), _HARMLESS_BOZO
    )
    return _settled(
        title,
        items,
        max_entries,
        malformed=broken and bool(result.entries),
        total=len(result.entries),
    )


_HARMLESS_BOZO = (CharacterEncodingOverride, NonXMLContentType)


def _start_media_description(self: Any, attrs: dict[str, str]) -> None:
    self.push("media_description", 1)


def _end_media_description(self: Any) -> None:
    self.pop("media_description")


# feedparser files media:description (a photo's caption) as the entry's description or
# content, where it wins over the story itself; kept apart, it is the entry's
# "media_description" (see bot.feeds.entries).
mediarss.Namespace._start_media_description = _start_media_description
mediarss.Namespace._end_media_description = _end_media_description


def _mime_type(content_type: str | None) -> str:
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    return kind if kind.endswith("xml") else "application/xml"


def _settled(
    title: str | None,
    entries: list[FeedItem | None],
    max_entries: int | None,
    *,
    malformed: bool,
    total: int | None = None,
) -> ParsedFeed:
    """Return the feed with every item under a key of its own (see `settle_keys`)."""
    total = len(entries) if total is None else total
    if max_entries is not None:
        entries = entries[:max_entries]
    items = settle_keys([entry for entry in entries if entry is not None])
    return ParsedFeed(
        title=title[:200] if title else None,
        items=items,
        malformed=malformed,
        entries=total,
        no_text=sum(entry is None for entry in entries),
        unread=total - len(entries),
    )
