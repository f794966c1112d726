"""The news site's conventions: hashtag titles, bylines, matching keys, one-message articles.

Pure functions, no I/O. Titles look like ``#Mali-Russie : Bamako et Moscou ...`` (a compound
hashtag names several topics), bylines like ``Par Awa KEITA``, and an editor publishes by
pasting::

    #Topic[-Topic2] : Title
    Par Prénom NOM
    Lead paragraph.

    Body paragraphs ...
    Lien : https://...
    Photo : https://...

A published article must name at least one hashtag topic: alerts are routed by topic, so a
first line without one is reported as a missing title rather than guessed at.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

from bot.errors import DraftError, LimitError
from db.models import ArticleDraft
from db.text import fold, is_invisible

__all__ = [
    "DEFAULT_AUTHOR",
    "LEAD_MAX_CHARS",
    "QUERY_MAX_CHARS",
    "TEXT_MAX_CHARS",
    "TITLE_MAX_CHARS",
    "URL_MAX_CHARS",
    "Named",
    "ParsedTitle",
    "closest",
    "fold",
    "fold_query",
    "nicest_name",
    "parse_article_message",
    "parse_byline",
    "parse_title",
]

DEFAULT_AUTHOR = "La rédaction"
TITLE_MAX_CHARS = 200
# A lead is what an alert shows; a longer one is nearly always paragraphs pasted without
# blank lines between them, which the error message points out.
LEAD_MAX_CHARS = 3_000
TEXT_MAX_CHARS = 60_000
URL_MAX_CHARS = 2_048
QUERY_MAX_CHARS = 200
"""The longest folded name a reader may look up: well past any author's or topic's, and
far below SQLite's 50,000-byte LIKE pattern limit, which one legal message can otherwise
reach once folded (NFKD spells U+FDFA in 18 characters)."""

_SPACES_RE = re.compile(r"\s+")

_HASHTAG_RE = re.compile(r"[\s,;]*#\s?(?P<tag>[^\W_][\w'\u2019\-\u2010\u2011\u2013]*)")
_COMPOUND_SPLIT_RE = re.compile(r"[\-\u2010\u2011\u2013]+")
_ELISION_RE = re.compile(r"^[dl]['\u2019]")
# One separator between the hashtags and the title: a colon (however spaced), a comma, or a
# dash followed by a space (a leading "-5 %" is part of the title, not a separator).
_TITLE_SEPARATOR_RE = re.compile(r"^(?:[\s,;:\uff1a]|[-\u2013\u2014](?=\s))*")

_BYLINE_RE = re.compile(r"par\b\s*:?\s*(?P<name>.*)", re.IGNORECASE)
_NAME_WORD_RE = re.compile(r"[^\W\d_]+(?:['\u2019\-][^\W\d_]+)*(?P<dot>\.)?")
_NAME_PARTICLES = frozenset(
    {"ag", "al", "ben", "bin", "da", "de", "des", "di", "dit", "du", "el", "ould", "van", "von"}
)
_BYLINE_MAX_CHARS = 60
_INITIAL_MAX_LETTERS = 3

_COMMAND_RE = re.compile(r"^\s*/publish(?:@\w+)?(?![\w@])", re.IGNORECASE)
_PARAGRAPH_BREAK_RE = re.compile(r"\n{2,}")
_LINK_LINE_RE = re.compile(
    r"(?P<label>lien|link|url|photo|image)\s*:\s*(?P<value>\S+)", re.IGNORECASE
)
_PHOTO_LABELS = frozenset({"photo", "image"})
# A domain name (internationalised ones too) or an IP address; anything else in the host
# part, such as "<" or quotes, is a typing or pasting mistake.
_HOST_RE = re.compile(r"[\w\-.]*\w[\w\-.]*|[0-9a-f:.]+")
# Every other way of breaking a line becomes "\n"; a tab becomes a space.
_LINE_BREAKS = str.maketrans(
    {"\r": "\n", "\v": "\n", "\f": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n\n", "\t": " "}
)


@dataclass(frozen=True, slots=True)
class ParsedTitle:
    """A title line split into its hashtag topics and the title proper."""

    topics: tuple[str, ...]
    title: str


def fold_query(text: str) -> str:
    """Return the matching key of a name a reader typed; raise LimitError if it is too long."""
    folded = fold(text)
    if len(folded) > QUERY_MAX_CHARS:
        raise LimitError("error.name_too_long")
    return folded


class Named(Protocol):
    """An author or a topic, as far as matching names goes."""

    @property
    def key(self) -> str: ...

    @property
    def article_count(self) -> int: ...


NamedT = TypeVar("NamedT", bound=Named)


def closest(
    folded: str, candidates: Iterable[NamedT], *, limit: int = 5, threshold: float = 0.6
) -> list[NamedT]:
    """Return the candidates whose name looks like `folded`: a typo, a word, words swapped.

    "rusie" finds Russie, "traore" finds Aboubacar Traoré, "traore aboubakar" finds him too.
    """
    wanted = " ".join(sorted(folded.split()))

    def similarity(candidate: NamedT) -> float:
        key = candidate.key
        forms = [key, " ".join(sorted(key.split())), *key.split()]
        return max(
            difflib.SequenceMatcher(None, typed, form).ratio()
            for typed in {folded, wanted}
            for form in forms
        )

    scored = [(similarity(candidate), candidate) for candidate in candidates]
    kept = [pair for pair in scored if pair[0] >= threshold]
    kept.sort(key=lambda pair: (-pair[0], -pair[1].article_count, pair[1].key))
    return [candidate for _, candidate in kept[:limit]]


def parse_title(line: str) -> ParsedTitle:
    """Split a title line into its leading hashtag topics and the title that follows."""
    text = _squash(line)
    tags: list[str] = []
    position = 0
    while match := _HASHTAG_RE.match(text, position):
        tags.append(match["tag"])
        position = match.end()
    if not tags:
        return ParsedTitle(topics=(), title=text)
    title = _TITLE_SEPARATOR_RE.sub("", text[position:], count=1).strip()
    return ParsedTitle(topics=_topics_from_tags(tags), title=title)


def parse_byline(line: str) -> str | None:
    """Return the author of a ``Par Prénom NOM`` line, or None when the line is not a byline."""
    text = _squash(line)
    match = _BYLINE_RE.fullmatch(text)
    if match is None or len(text) > _BYLINE_MAX_CHARS:
        return None
    words = match["name"].split(" ")
    if not 2 <= len(words) <= 5 or not all(_is_name_word(word) for word in words):
        return None
    # Particles ("ould", "dit", "de") join names; they never open or close one.
    if _is_particle(words[0]) or _is_particle(words[-1]):
        return None
    if sum(not _is_particle(word) for word in words) < 2:
        return None
    return " ".join(words)


def nicest_name(current: str, candidate: str) -> str:
    """Return the better display form of two spellings of the same folded name."""
    current, candidate = _squash(current), _squash(candidate)
    current_rank, candidate_rank = _name_rank(current), _name_rank(candidate)
    if current_rank != candidate_rank:
        return current if current_rank > candidate_rank else candidate
    # Equal ranks still need one answer whichever order the names arrive in.
    return min(current, candidate)


def parse_article_message(text: str) -> ArticleDraft:
    """Read an editor's one-message article, or raise DraftError saying what to fix."""
    lines = _trim_blank_lines(_clean_message(text).split("\n"))
    if lines and (command := _COMMAND_RE.match(lines[0])):
        lines[0] = lines[0][command.end() :]
    lines = _trim_blank_lines(lines)
    if not lines:
        raise DraftError("draft.empty")

    title_line, rest = lines[0], lines[1:]
    parsed = parse_title(title_line)
    if not parsed.topics:
        raise DraftError("draft.no_title")
    if not parsed.title:
        raise DraftError("draft.title_only_hashtags", topics=_hashtags(parsed.topics))
    if len(parsed.title) > TITLE_MAX_CHARS:
        raise DraftError("draft.title_too_long", length=len(parsed.title), limit=TITLE_MAX_CHARS)

    rest = _trim_blank_lines(rest)
    author = DEFAULT_AUTHOR
    if rest and (byline := parse_byline(rest[0])) is not None:
        author, rest = byline, rest[1:]

    rest, url, image_url = _take_link_lines(rest)
    paragraphs = [
        paragraph.strip("\n")
        for paragraph in _PARAGRAPH_BREAK_RE.split("\n".join(rest))
        if paragraph.strip()
    ]
    if not paragraphs:
        raise DraftError("draft.no_text")
    lead, body = paragraphs[0], "\n\n".join(paragraphs[1:])
    if len(lead) > LEAD_MAX_CHARS:
        raise DraftError("draft.lead_too_long", length=len(lead), limit=LEAD_MAX_CHARS)
    text_length = len(lead) + len(body)
    if text_length > TEXT_MAX_CHARS:
        raise DraftError("draft.text_too_long", length=text_length, limit=TEXT_MAX_CHARS)

    return ArticleDraft(
        title=parsed.title,
        lead=lead,
        body=body,
        author=author,
        topics=parsed.topics,
        url=url,
        image_url=image_url,
    )


def _squash(text: str) -> str:
    """Return one line of text without invisible characters and with single plain spaces."""
    visible = "".join(char for char in unicodedata.normalize("NFC", text) if not is_invisible(char))
    return _SPACES_RE.sub(" ", visible).strip()


def _topics_from_tags(tags: list[str]) -> tuple[str, ...]:
    """Return the display names of hashtag topics, compounds split, duplicates dropped."""
    topics: list[str] = []
    seen: set[str] = set()
    for tag in tags:
        parts: list[str] = []
        for part in _COMPOUND_SPLIT_RE.split(tag):
            part = part.replace("_", " ").strip(" '\u2019")
            if not part:
                continue
            # "#Côte-d’Ivoire" is one country, not the topics "Côte" and "d’Ivoire".
            if parts and _ELISION_RE.match(part):
                parts[-1] = f"{parts[-1]} {part}"
            else:
                parts.append(part)
        for part in parts:
            key = fold(part)
            if key and key not in seen:
                seen.add(key)
                topics.append(_display_topic(part))
    return tuple(topics)


def _display_topic(name: str) -> str:
    """Return a topic as written, capitalised when the writer typed it all in lower case."""
    if name == name.lower():
        return name[:1].upper() + name[1:]
    return name


def _hashtags(topics: tuple[str, ...]) -> str:
    """Return topics written back as hashtags, for messages that quote them."""
    return " ".join(f"#{topic.replace(' ', '_')}" for topic in topics)


def _is_particle(word: str) -> bool:
    """Tell whether a word is a lower-case name particle such as "dit" or "ould"."""
    return word in _NAME_PARTICLES


def _is_name_word(word: str) -> bool:
    """Tell whether a word can be part of a person's name in a byline."""
    match = _NAME_WORD_RE.fullmatch(word)
    if match is None:
        return False
    if match["dot"] and len(word) - 1 > _INITIAL_MAX_LETTERS:
        return False
    return word[:1].isupper() or _is_particle(word)


def _name_rank(name: str) -> tuple[int, int, int]:
    """Rank a spelling of a name: more accents, then a well-cased given name, then case."""
    accents = sum(
        unicodedata.category(char)[0] == "M" for char in unicodedata.normalize("NFD", name)
    )
    scores = [_case_score(word) for word in name.split(" ") if any(c.isalpha() for c in word)]
    given_name = scores[0] if scores else 0
    return (accents, given_name, sum(scores))


def _case_score(word: str) -> int:
    """Score a word's case: capitalised beats ALL CAPS, which beats all lower case."""
    if word.isupper():
        return 1
    if word.islower():
        return 0
    return 2


def _clean_message(text: str) -> str:
    """Return message text with Unix line ends, no invisible characters, no trailing spaces."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").translate(_LINE_BREAKS)
    text = "".join(char for char in text if char == "\n" or not is_invisible(char))
    return "\n".join(line.strip() for line in text.split("\n"))


def _trim_blank_lines(lines: list[str]) -> list[str]:
    """Return lines without the blank ones at either end."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def _take_link_lines(lines: list[str]) -> tuple[list[str], str | None, str | None]:
    """Remove trailing ``Lien :`` and ``Photo :`` lines; return the rest, the link, the photo."""
    url: str | None = None
    image_url: str | None = None
    lines = _trim_blank_lines(lines)
    while lines:
        match = _LINK_LINE_RE.fullmatch(_squash(lines[-1]))
        # "Photo : AFP" is a picture credit that belongs to the text, not a link.
        if match is None or not _looks_like_url(match["value"]):
            break
        value = _checked_url(match["value"])
        # Lines are read from the end, so the last one written wins.
        if match["label"].lower() in _PHOTO_LABELS:
            image_url = image_url or value
        else:
            url = url or value
        lines = _trim_blank_lines(lines[:-1])
    return lines, url, image_url


def _looks_like_url(value: str) -> bool:
    """Tell whether a value was meant as a web address, well-formed or not."""
    lowered = value.lower()
    return "://" in lowered or lowered.startswith(("www.", "http:", "https:"))


def _checked_url(value: str) -> str:
    """Return a http(s) address unchanged, or raise DraftError("draft.bad_link")."""
    try:
        parts = urlsplit(value)
        valid = (
            parts.scheme.lower() in ("http", "https")
            and _HOST_RE.fullmatch(parts.hostname or "") is not None
            and len(value) <= URL_MAX_CHARS
        )
    except ValueError:  # urlsplit rejects malformed IPv6 hosts and bad ports
        valid = False
    if not valid:
        shown = value if len(value) <= 80 else value[:79] + "…"
        raise DraftError("draft.bad_link", url=shown)
    return value
