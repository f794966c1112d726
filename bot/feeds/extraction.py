"""The story in an item's HTML: its paragraphs, byline and picture, without site furniture.

Feeds carry the page's furniture along with the story: a `<figure>` and its caption at the
top, share buttons, "Lire aussi" lists, WordPress's "L'article … est apparu en premier
sur …", tracking pixels, tables flattened into one word per line. `extract_story` keeps
what a reader of the alert wants: the story's paragraphs (a table row as one line), the
byline when the text opens with one ("Par Awa KEITA", even run into the first sentence),
and the first real picture. The rules are structural first (figure, figcaption, aside,
nav, a share or related-posts block by its class) and textual second (the few sentences
every CMS writes), so a short news item of one paragraph is never mistaken for furniture.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

from bot import site

__all__ = [
    "Story",
    "clean_text",
    "extract_story",
    "is_furniture",
    "split_byline",
    "split_paragraphs",
    "split_text",
    "story_from_text",
]

_BREAKS_RE = re.compile(r"[ \t\r\n\f\v]+")  # not \s: French no-break spaces must survive
_PARAGRAPH_SPLIT_RE = re.compile(r"\n{2,}")

# Blocks whose class or id says they are the page's, not the story's.
_FURNITURE_CLASS_RE = re.compile(
    r"share|sharing|sharedaddy|social|addtoany|a2a_|jp-relatedposts|related|yarpp|"
    r"crp_related|newsletter|subscribe|author-box|post-tags|tags-links|wp-caption-text|"
    r"advert|adsbygoogle|sponsor|comments?\b|navigation|breadcrumb",
    re.IGNORECASE,
)
# The sentences every CMS adds, whatever the site (French and English).
_FURNITURE_TEXT_RE = re.compile(
    r"(?:l[’']article\s.+\sest\s+apparu\s+en\s+premier\s+sur\s.+"
    r"|the\s+post\s.+\sappeared\s+first\s+on\s.+"
    r"|(?:à\s+|a\s+)?lire\s+(?:aussi|également|egalement|la\s+suite)\b.*"
    r"|voir\s+aussi\b.*|sur\s+le\s+même\s+sujet\b.*|articles?\s+(?:similaires|liés)\b.*"
    r"|(?:read|see)\s+(?:more|also)\b.*|continue\s+reading\b.*"
    r"|related(?:\s+(?:posts?|articles?|stories))?(?:\s*:.*)?"
    r"|(?:partager|partagez|share)(?:\s+(?:this|cet\s+article|sur|on))?\s*:.*"
    r"|(?:partager|partagez|share)(?:\s+(?:this|cet\s+article))?\s*"
    r"|(?:tags?|mots[-\s]clés|étiquettes)\s*:.*"
    r"|(?:crédits?|credits?)(?:\s+photos?)?\s*:.{0,80}"
    r"|\(?\s*(?:photos?|ph|source|illustration)\s*:\s*[^.!?]{0,60}\)?"
    r"|©.{0,80}|\[(?:…|\.\.\.)\]|(?:…|\.\.\.)"
    # reddit's line under every post.
    r"|submitted\s+by\s+/?u/\S+(?:\s+to\s+/?r/\S+)?(?:\s*\[(?:link|comments)\])*"
    r"|(?:(?:facebook|twitter|x|whatsapp|linkedin|telegram|e-?mail|imprimer|print|"
    r"messenger|pinterest|reddit|tumblr|pocket)[\s,|·•/-]*)+)",
    re.IGNORECASE | re.DOTALL,
)
# A caption: a short line ending with its credit, "… vendredi (Photo : AMAP)".
_CAPTION_RE = re.compile(
    r".{0,300}\(\s*(?:photos?|ph|crédits?|credits?|©|source)\b[^()]{0,60}\)\s*",
    re.IGNORECASE | re.DOTALL,
)
# A row whose picture cell holds no text: no separator at its edges, one between cells.
_CELL_EDGES_RE = re.compile(r"^(?:\s*·\s*)+|(?:\s*·\s*)+$")
_EMPTY_CELLS_RE = re.compile(r"\s*·(?:\s*·)+\s*")
_TRAILING_ELLIPSIS_RE = re.compile(r"\s*\[(?:…|\.\.\.)\]\s*$")
_TAG_IN_TEXT_RE = re.compile(r"</?(?:p|div|br|span|a|img|b|i|em|strong|ul|li|table)\b[^<>]*>")
_TRACKER_RE = re.compile(
    r"feeds\.feedburner|/pixel|doubleclick|gravatar\.com|s\.w\.org/images/core/emoji|"
    r"\bstats\.|/wp-content/plugins/|(?:^|/)1x1\.",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Story:
    """What an item's text says: its paragraphs, who signed it, and its picture."""

    paragraphs: list[str] = field(default_factory=list)
    byline: tuple[str, ...] | None = None  # its authors
    image_url: str | None = None


def clean_text(text: str) -> str:
    """Drop control and invisible format characters (soft hyphens, bidi marks), keep breaks."""
    return "".join(
        char for char in text if char == "\n" or unicodedata.category(char) not in ("Cc", "Cf")
    )


def split_paragraphs(text: str) -> list[str]:
    """Return the paragraphs of text with its breaks marked (blank lines), cleaned."""
    paragraphs = []
    for block in _PARAGRAPH_SPLIT_RE.split(clean_text(text)):
        lines = [line.strip(" ") for line in block.split("\n")]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return paragraphs


def split_text(text: str) -> list[str]:
    """Return the paragraphs of plain text (blank-line separated)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return split_paragraphs(re.sub(r"[ \t\f\v]+", " ", text))


class _StoryParser(HTMLParser):
    """Collect an HTML fragment's story text, skipping furniture, marking breaks."""

    _BLOCKS = frozenset(
        {
            "address", "article", "blockquote", "dd", "div", "dl", "dt", "h1", "h2", "h3",
            "h4", "h5", "h6", "header", "hr", "li", "main", "ol", "p", "pre", "section",
            "table", "tbody", "thead", "tfoot", "tr", "ul",
        }
    )  # fmt: skip
    _HIDDEN = frozenset(
        {"head", "iframe", "noscript", "object", "script", "style", "svg", "template", "title"}
    )
    # Never the story: pictures' captions, page furniture, forms and buttons.
    _FURNITURE = frozenset(
        {"aside", "button", "figcaption", "footer", "form", "nav", "select", "caption"}
    )
    _CELLS = frozenset({"td", "th"})
    _VOID = frozenset(
        {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}
    )  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.images: list[str] = []
        self._skipped: list[str] = []  # open elements whose content is skipped
        self._cell_open = False

    def _skip(self, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        if tag in self._HIDDEN or tag in self._FURNITURE:
            return True
        marks = " ".join(value or "" for name, value in attrs if name in ("class", "id", "role"))
        return bool(marks) and _FURNITURE_CLASS_RE.search(marks) is not None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skipped:
            if tag not in self._VOID:
                self._skipped.append(tag)
            return
        if tag == "img":
            self._image(attrs)
        elif tag in self._VOID:
            self._void(tag)
        elif self._skip(tag, attrs):
            self._skipped.append(tag)
        elif tag in self._CELLS:
            # A table row reads as one line, its cells apart: not one word per paragraph.
            if self._cell_open:
                self.parts.append(" · ")
            self._cell_open = True
        elif tag in self._BLOCKS:
            self._cell_open = False
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if self._skipped:
            if tag in self._skipped:
                while self._skipped and self._skipped.pop() != tag:
                    pass
            return
        if tag in self._BLOCKS:
            self._cell_open = False
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skipped:
            return
        if tag == "img":
            self._image(attrs)
        else:
            self._void(tag)

    def _void(self, tag: str) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "hr":
            self.parts.append("\n\n")

    def _image(self, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        source = values.get("src") or values.get("data-src") or ""
        tiny = any((values.get(size) or "").strip() in ("0", "1") for size in ("width", "height"))
        if source and not tiny and not _TRACKER_RE.search(source):
            self.images.append(source.strip())

    def handle_data(self, data: str) -> None:
        if not self._skipped:
            self.parts.append(_BREAKS_RE.sub(" ", data))


def _tidy_cells(paragraph: str) -> str:
    lines = (_CELL_EDGES_RE.sub("", line) for line in paragraph.split("\n"))
    return "\n".join(_EMPTY_CELLS_RE.sub(" · ", line) for line in lines if line)


def _html_paragraphs(fragment: str) -> tuple[list[str], list[str]]:
    parser = _StoryParser()
    parser.feed(fragment)
    parser.close()
    paragraphs = (_tidy_cells(paragraph) for paragraph in split_paragraphs("".join(parser.parts)))
    return [paragraph for paragraph in paragraphs if paragraph], parser.images


def is_furniture(paragraph: str) -> bool:
    """Tell whether a paragraph is the site's (share line, "read also", credit), not the story's."""
    text = _BREAKS_RE.sub(" ", paragraph).strip()
    return not text or _FURNITURE_TEXT_RE.fullmatch(text) is not None


def _is_caption(paragraph: str) -> bool:
    return _CAPTION_RE.fullmatch(_BREAKS_RE.sub(" ", paragraph).strip()) is not None


def split_byline(paragraph: str) -> tuple[tuple[str, ...] | None, str]:
    """Return the authors a paragraph opens with ("Par Awa KEITA …") and the text after it."""
    if (byline := site.parse_byline(paragraph)) is not None:
        return byline, ""
    if (run_on := site.split_run_on_byline(paragraph)) is not None:
        return run_on
    return None, paragraph


def _story(paragraphs: list[str], images: list[str], captions: frozenset[str]) -> Story:
    """Drop furniture and captions, take the opening byline, and return the story."""
    kept = [
        paragraph
        for paragraph in paragraphs
        if not is_furniture(paragraph) and site.fold(paragraph) not in captions
    ]
    if kept and _TRAILING_ELLIPSIS_RE.search(kept[-1]):
        # WordPress cuts summaries with "[…]": an ellipsis, unless the sentence had ended.
        cut = _TRAILING_ELLIPSIS_RE.sub("", kept[-1])
        kept[-1] = cut if cut.endswith((".", "!", "?", "…", "»")) else f"{cut}…"
    # Captions ahead of the story are not its lead; one inside the text stays as written.
    while kept and _is_caption(kept[0]) and len(kept) > 1:
        kept.pop(0)
    byline = None
    if kept:
        byline, rest = split_byline(kept[0])
        if byline is not None:
            kept = [rest, *kept[1:]] if rest else kept[1:]
    return Story(kept, byline, images[0] if images else None)


def extract_story(fragment: str, captions: frozenset[str] = frozenset()) -> Story:
    """Return the story of an HTML fragment; `captions` (folded) are known photo captions."""
    paragraphs, images = _html_paragraphs(fragment)
    # HTML escaped twice reads as tags in the text: read it once more.
    if any(_TAG_IN_TEXT_RE.search(paragraph) for paragraph in paragraphs):
        again, more = _html_paragraphs("\n\n".join(paragraphs))
        if again:  # else it was text about tags ("<code>&lt;br /></code>"), kept as written
            paragraphs, images = again, images + more
    return _story(paragraphs, images, captions)


def story_from_text(text: str, captions: frozenset[str] = frozenset()) -> Story:
    """Return the story of plain text (blank-line separated paragraphs)."""
    return _story(split_text(text), [], captions)
