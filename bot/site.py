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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

from babel.lists import format_list

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
    "byline_line",
    "closest",
    "display_name",
    "fold",
    "fold_query",
    "join_authors",
    "nicest_name",
    "parse_article_message",
    "parse_byline",
    "parse_schedule",
    "parse_title",
    "split_run_on_byline",
    "take_schedule_line",
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

# "Par Awa KEITA", "Par : A, B et C", "De notre correspondant à Mopti", "By Jane Doe".
_BYLINE_RE = re.compile(r"(?:par|de|by)\b\s*:?\s*(?P<name>.*)|d['\u2019]\s*(?P<elided>.*)", re.I)
# Between two authors: a comma, "et", "and" or "&" (", et" too).
_AUTHORS_SPLIT_RE = re.compile(r"\s*(?:,\s*(?:et|and|&)\s+|,|\s(?:et|and)\s|&)\s*", re.I)
_NAME_WORD_RE = re.compile(r"[^\W\d_]+(?:['\u2019\-][^\W\d_]+)*(?P<dot>\.)?")
_NAME_PARTICLES = frozenset(
    {"ag", "al", "ben", "bin", "da", "de", "des", "di", "dit", "du", "el", "ould", "van", "von"}
)
_BYLINE_MAX_CHARS = 60  # one author's
_BYLINE_MAX_AUTHORS = 6
# A byline that names no person opens with one of these words, then one of the newsroom's
# ("la rédaction", "notre correspondant à Mopti", "nos envoyés spéciaux"): it is one author,
# shown as written.
_NEWSROOM_DETERMINERS = frozenset({"la", "le", "les", "l", "notre", "nos"})
_NEWSROOM_WORDS = frozenset(
    {
        "redaction", "correspondant", "correspondante", "correspondants", "correspondantes",
        "envoye", "envoyee", "envoyes", "envoyees", "equipe", "service", "bureau", "cellule",
        "desk", "redacteur", "redactrice", "redacteurs", "journaliste", "journalistes",
        "reporter", "reporters", "collaborateur", "collaboratrice", "collaborateurs",
        "pigiste", "stagiaire", "agence", "direction",
    }
)  # fmt: skip
_NEWSROOM_MAX_WORDS = 8
# "Par Aboubacar TRAORE Les deux pays…", "Par A. KONÉ et Issa DEMBÉLÉ Le ministre…": a
# byline run into the first sentence. Each name ends with the site's upper-case surname
# (checked after the match), and the sentence starts with a capital.
_RUN_ON_PERSON = r"(?:[A-ZÀ-Þ][\w’'.-]*\s+){1,3}?[A-ZÀ-Þ][A-ZÀ-Þ’'-]+"
_RUN_ON_BYLINE_RE = re.compile(
    rf"par\s+(?P<name>{_RUN_ON_PERSON}(?:(?:\s*,\s*|\s+(?:et|and|&)\s+){_RUN_ON_PERSON})*)"
    r"(?:\s*[,:–—-])?\s+(?P<rest>[A-ZÀ-Þ«\"“].*)",
    re.IGNORECASE | re.DOTALL,
)
# "Par notre correspondant à Mopti. La crue…": a byline closed by a full stop.
_DOTTED_BYLINE_RE = re.compile(
    r"(?P<byline>(?:par|de)\b[^.]{2,160}?)\.\s+(?P<rest>[A-ZÀ-Þ«\"“].*)", re.I | re.DOTALL
)
_PLAIN_WORD_RE = re.compile(r"[^\W\d_]+(?:['\u2019\-][^\W\d_]+)*")
_ACRONYM_MAX_LETTERS = 5  # "AFP", "AMAP": an agency's name keeps its capitals
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


def parse_byline(line: str, *, known: bool = False) -> tuple[str, ...] | None:
    """Return the authors a byline line names, as written, or None when it is not a byline.

    ``Par Awa KEITA``, ``Par : Awa KEITA et Issa DEMBÉLÉ.``, ``Par A, B et C``, ``De Awa
    KEITA``, ``Par la rédaction``, ``Par notre correspondant à Mopti``. A person's name is
    two to five capitalised words (particles such as "ould" between them); a byline naming
    no person (the newsroom, a correspondent) is one author. `known`: the text is known to
    be a byline (the guided step asked for it), so the "Par" may be missing and names may be
    typed in lower case.
    """
    text = _squash(line).rstrip(" .,;:")
    match = _BYLINE_RE.fullmatch(text)
    if match is not None:
        names = match["name"] if match["name"] is not None else match["elided"]
    elif known:
        names = text
    else:
        return None
    parts = _AUTHORS_SPLIT_RE.split(names.rstrip(" .,;:"))
    if not parts or len(parts) > _BYLINE_MAX_AUTHORS:
        return None
    authors: list[str] = []
    for part in parts:
        name = _byline_author(part, known=known)
        if name is None:
            return None
        if all(fold(name) != fold(other) for other in authors):
            authors.append(name)
    return tuple(authors)


def split_run_on_byline(paragraph: str) -> tuple[tuple[str, ...], str] | None:
    """Return the authors of a byline run into a paragraph's first sentence, and the rest.

    "Par Awa KEITA Le ministre…" gives (("Awa KEITA",), "Le ministre…"). Every surname
    must be written in capitals, the site's way: "Par Moussa Les…" is a sentence. A byline
    closed by a full stop ("Par notre correspondant à Mopti. La crue…") needs no capitals.
    """
    dotted = _DOTTED_BYLINE_RE.fullmatch(paragraph.strip())
    if dotted is not None and (authors := parse_byline(dotted["byline"])) is not None:
        return authors, dotted["rest"].strip()
    match = _RUN_ON_BYLINE_RE.fullmatch(paragraph.strip())
    authors = parse_byline(f"Par {match['name']}") if match is not None else None
    if match is None or authors is None:
        return None
    if not all(name.split(" ")[-1].isupper() for name in authors):
        return None
    return authors, match["rest"].strip()


def _byline_author(part: str, *, known: bool) -> str | None:
    """Return one author of a byline, as written, or None when it names nobody."""
    words = part.split(" ")
    if fold(part) == fold(DEFAULT_AUTHOR):
        return DEFAULT_AUTHOR
    if _is_newsroom_byline(words):
        # "notre correspondant": the opening word in lower case, so every spelling is one.
        return " ".join([words[0].lower(), *words[1:]])
    if len(part) > _BYLINE_MAX_CHARS or not 2 <= len(words) <= 5:
        return None
    if not all(_is_name_word(word if not known else word[:1].upper() + word[1:]) for word in words):
        return None
    # Particles ("ould", "dit", "de") join names; they never open or close one.
    if _is_particle(words[0]) or _is_particle(words[-1]):
        return None
    if sum(not _is_particle(word) for word in words) < 2:
        return None
    return part


def _is_newsroom_byline(words: list[str]) -> bool:
    """Tell whether a byline's words name the newsroom or a correspondent, not a person."""
    folded = fold(" ".join(words)).replace("'", " ").replace("\u2019", " ").split()
    return (
        len(folded) >= 2
        and len(words) <= _NEWSROOM_MAX_WORDS
        and folded[0] in _NEWSROOM_DETERMINERS
        and folded[1] in _NEWSROOM_WORDS
        and all(_PLAIN_WORD_RE.fullmatch(word) for word in words)
    )


def display_name(name: str) -> str:
    """Return an author's name the site's one way: "Seydou Koné", whatever its spelling.

    A person's name is "Prénom Nom": words written all in capitals or all in lower case are
    capitalised (each part of "Diallo-Koné", "N'Diaye"), particles between names ("de",
    "ag", "ould", "d'") are lower case, and words already mixed ("McKenzie") are kept.
    What is no person's name ("notre correspondant à Mopti", "AFP", "maliweb.net") is kept
    as written.
    """
    text = _squash(name)
    words = text.split(" ")
    if not text or _is_newsroom_byline(words):
        return text
    if not 1 <= len(words) <= 6 or not all(_NAME_WORD_RE.fullmatch(word) for word in words):
        return text
    if len(words) == 1 and words[0].isupper() and len(words[0]) <= _ACRONYM_MAX_LETTERS:
        return text
    last = len(words) - 1
    return " ".join(_person_word(word, i, last) for i, word in enumerate(words))


def _person_word(word: str, index: int, last: int) -> str:
    """Return the word at `index` of a person's name: "KONÉ" as "Koné", "D'ARCY" as "d'Arcy"."""
    if 0 < index < last and word.lower() in _NAME_PARTICLES:
        return word.lower()
    if index > 0 and _ELISION_RE.match(word.lower()) and len(word) > 2:
        return word[:2].lower() + _person_word(word[2:], 0, 0)
    if not (word.isupper() or word.islower()):
        return word  # written with care ("McKenzie", "Keïta"): kept
    parts = re.split(r"([\-'\u2019])", word.lower())
    return "".join(part[:1].upper() + part[1:] for part in parts)


def join_authors(names: Sequence[str], lang: str = "fr") -> str:
    """Return authors as one byline's names: "Awa Keïta et Issa Dembélé", "A, B et C"."""
    return format_list(list(names), locale=lang)


def byline_line(names: Sequence[str]) -> str | None:
    """Return the byline line of the one-message format, or None for the newsroom alone."""
    if all(fold(name) == fold(DEFAULT_AUTHOR) for name in names):
        return None
    return f"Par {join_authors(names)}"


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
    authors: tuple[str, ...] = (DEFAULT_AUTHOR,)
    if rest and (byline := parse_byline(rest[0])) is not None:
        authors, rest = byline, rest[1:]
    elif rest and (run_on := split_run_on_byline(rest[0])) is not None:
        # "Par Awa KEITA Le ministre a…": the byline typed on the lead's own line.
        authors, rest[0] = run_on

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
        author=authors[0],
        coauthors=authors[1:],
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


# --- scheduled publication: "Parution : 02/12/2026 07:00" ------------------------------------

_SCHEDULE_LABEL_RE = re.compile(r"(?:parution|publication)\s*:\s*(?P<value>.*)", re.IGNORECASE)
_SCHEDULE_VALUE_RE = re.compile(
    r"(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})\s+(?:à\s+)?"
    r"(?P<hour>\d{1,2})\s*[:h]\s*(?P<minute>\d{2})",
    re.IGNORECASE,
)


def take_schedule_line(text: str, tz: tzinfo) -> tuple[str, datetime | None]:
    """Remove a closing ``Parution : JJ/MM/AAAA HH:MM`` line; return the rest and that moment.

    The line stands among the closing ``Lien :`` and ``Photo :`` lines, in any order; its
    time is in `tz`. A Parution line whose date cannot be read raises DraftError.
    """
    lines = _clean_message(text).split("\n")
    end = len(lines)
    while end > 0:
        line = _squash(lines[end - 1])
        if not line:
            end -= 1
            continue
        if (label := _SCHEDULE_LABEL_RE.fullmatch(line)) is not None:
            moment = parse_schedule(label["value"], tz)
            if moment is None:
                raise DraftError("draft.bad_schedule", value=label["value"][:40])
            return "\n".join(lines[: end - 1] + lines[end:]), moment
        link = _LINK_LINE_RE.fullmatch(line)
        if link is None or not _looks_like_url(link["value"]):
            break
        end -= 1
    return text, None


def parse_schedule(value: str, tz: tzinfo) -> datetime | None:
    """Return the moment of "02/12/2026 07:00" (or "2/12/2026 à 7h00") in `tz`, or None."""
    match = _SCHEDULE_VALUE_RE.fullmatch(_squash(value))
    if match is None:
        return None
    try:
        return datetime(
            int(match["year"]), int(match["month"]), int(match["day"]),
            int(match["hour"]), int(match["minute"]), tzinfo=tz,
        )  # fmt: skip
    except ValueError:  # 31/02, 25:00
        return None
