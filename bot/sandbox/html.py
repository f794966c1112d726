"""Telegram's HTML parse mode, re-implemented to accept and reject what the Bot API does.

The parser follows the algorithm of Telegram's own server (tdlib's ``parse_html``): the same
tags, the same attribute handling and the same error descriptions with byte offsets. On top
of it, ``strict`` mode (the default) also refuses what Telegram silently tolerates but
readers would see as a bug, as DESIGN.md requires: unescaped ``&`` or ``>``, named entities
other than ``&lt; &gt; &amp; &quot;`` (Telegram would show ``&nbsp;`` literally), attributes
Telegram ignores, ``<a>`` without a usable ``href``, ``code class`` outside ``pre`` and
entities nested inside ``pre``/``code`` or blockquote inside blockquote.

Lengths follow DESIGN.md: text and caption limits count code points of the parsed text;
entity offsets and lengths are returned in UTF-16 code units, as Telegram returns them.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "CAPTION_LIMIT",
    "MAX_ENTITIES",
    "TEXT_LIMIT",
    "HtmlError",
    "autodetect_entities",
    "parse_text",
    "utf16_len",
    "validate_html",
]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
MAX_ENTITIES = 100

_ALLOWED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
# Attributes Telegram reads; any other attribute is silently ignored by Telegram.
_KNOWN_ATTRIBUTES = {
    "a": {"href"},
    "span": {"class"},
    "tg-emoji": {"emoji-id"},
    "code": {"class"},
    "blockquote": {"expandable"},
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# Telegram's is_space() for tags, plus the characters it trims around message text.
_SPACES = " \t\r\n\v\f"
_URL_SCHEMES = ("http://", "https://", "tg://", "mailto:", "ton://")


class HtmlError(ValueError):
    """A text Telegram would refuse: ``description`` is the exact 400 description."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


def utf16_len(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units, as Telegram counts offsets."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, pos: int) -> int:
    return len(text[:pos].encode("utf-8"))


def _parse_error(detail: str) -> HtmlError:
    return HtmlError(f"Bad Request: can't parse entities: {detail}")


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the HTML entity at ``text[pos] == '&'`` like Telegram, or return None."""
    n = len(text)
    end = pos + 1
    if end < n and text[end] == "#":
        end += 1
        value = 0
        digits = 0
        if end < n and text[end] == "x":
            end += 1
            while end < n and text[end] in "0123456789abcdefABCDEF":
                value = value * 16 + int(text[end], 16)
                end += 1
                digits += 1
                if value >= 0x10FFFF:
                    return None
        else:
            while end < n and "0" <= text[end] <= "9":
                value = value * 10 + ord(text[end]) - 48
                end += 1
                digits += 1
                if value >= 0x10FFFF:
                    return None
        if value == 0 or 0xD800 <= value <= 0xDFFF:
            return None
        char = chr(value)
    else:
        while end < n and text[end].isascii() and text[end].isalpha():
            end += 1
        name = text[pos + 1 : end]
        if name not in _NAMED_ENTITIES:
            return None
        char = _NAMED_ENTITIES[name]
    if end < n and text[end] == ";":
        end += 1
    return char, end


def _check_strict_entity(text: str, pos: int) -> None:
    """Refuse an ``&`` that is not a complete, supported entity ending with ``;``."""
    match = re.match(r"&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*);", text[pos:])
    offset = _byte_offset(text, pos)
    if match is None:
        raise _parse_error(f'Unescaped "&" at byte offset {offset}; write "&amp;"')
    body = match.group(1)
    if body.startswith("#"):
        value = int(body[2:], 16) if body[1] == "x" else int(body[1:])
        if value == 0 or value >= 0x10FFFF or 0xD800 <= value <= 0xDFFF:
            raise _parse_error(f'Invalid character reference "&{body};" at byte offset {offset}')
    elif body not in _NAMED_ENTITIES:
        raise _parse_error(
            f'Unsupported HTML entity "&{body};" at byte offset {offset}; '
            "only &lt; &gt; &amp; &quot; and numeric references are allowed"
        )


class _Open:
    __slots__ = ("argument", "attributes", "begin", "content_start", "offset", "tag")

    def __init__(
        self,
        tag: str,
        argument: str,
        offset: int,
        content_start: int,
        begin: int,
        attributes: set[str],
    ) -> None:
        self.tag = tag
        self.argument = argument
        self.offset = offset
        self.content_start = content_start
        self.begin = begin
        self.attributes = attributes


def _parse_html(text: str, strict: bool) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into (plain text, entities with UTF-16 offsets)."""
    out: list[str] = []
    out_len = 0  # code points in ``out``, to find an <a>'s text when it has no href
    utf16 = 0
    entities: list[dict[str, Any]] = []
    stack: list[_Open] = []
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c == "&":
            if strict:
                _check_strict_entity(text, i)
            decoded = _decode_entity(text, i)
            if decoded is not None:
                char, i = decoded
                out.append(char)
                out_len += 1
                utf16 += 2 if ord(char) > 0xFFFF else 1
                continue
        if c != "<":
            if c == ">" and strict:
                raise _parse_error(
                    f'Unescaped ">" at byte offset {_byte_offset(text, i)}; write "&gt;"'
                )
            # Copy the run of ordinary characters in one slice: it keeps big texts fast.
            j = i + 1
            while j < n and text[j] not in "<&>":
                j += 1
            chunk = text[i:j]
            out.append(chunk)
            out_len += len(chunk)
            utf16 += utf16_len(chunk)
            i = j
            continue

        begin = i
        i += 1
        if i < n and text[i] == "/":
            i = _close_tag(text, i, begin, stack, entities, out, utf16, strict)
            continue

        while i < n and text[i] not in _SPACES and text[i] != ">":
            i += 1
        if i >= n:
            raise _parse_error(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        tag = text[begin + 1 : i].lower()
        if tag not in _ALLOWED_TAGS:
            raise _parse_error(
                f'Unsupported start tag "{tag}" at byte offset {_byte_offset(text, begin)}'
            )
        argument = ""
        attributes: set[str] = set()
        expandable = False
        while text[i] != ">":
            while i < n and text[i] in _SPACES:
                i += 1
            if i >= n:
                raise _parse_error(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
            if text[i] == ">":
                break
            name_start = i
            while i < n and text[i] not in _SPACES and text[i] not in "=>":
                i += 1
            name = text[name_start:i]
            if not name:
                raise _parse_error(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{_byte_offset(text, begin)}"
                )
            while i < n and text[i] in _SPACES:
                i += 1
            if i >= n:
                raise _parse_error(
                    f'Unclosed start tag "{tag}" at byte offset {_byte_offset(text, begin)}'
                )
            if text[i] != "=":
                if tag == "blockquote" and name == "expandable":
                    expandable = True
                    attributes.add(name)
                    continue
                raise _parse_error(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {_byte_offset(text, begin)}"
                )
            i += 1
            while i < n and text[i] in _SPACES:
                i += 1
            if i >= n:
                raise _parse_error(
                    f'Unclosed start tag "{tag}" at byte offset {_byte_offset(text, begin)}'
                )
            value_chars: list[str] = []
            if text[i] not in "'\"":
                # An unquoted value, as HTML 4 allows.
                while i < n and (text[i].isascii() and (text[i].isalnum() or text[i] in ".-")):
                    value_chars.append(text[i])
                    i += 1
                if not value_chars:
                    raise _parse_error(
                        f'Expected quote in declaration of an attribute of the tag "{tag}" '
                        f"at byte offset {_byte_offset(text, begin)}"
                    )
            else:
                quote = text[i]
                i += 1
                while i < n and text[i] != quote:
                    if text[i] == "&":
                        if strict:
                            _check_strict_entity(text, i)
                        decoded = _decode_entity(text, i)
                        if decoded is not None:
                            value_chars.append(decoded[0])
                            i = decoded[1]
                            continue
                    value_chars.append(text[i])
                    i += 1
                if i < n:
                    i += 1
            if i >= n:
                raise _parse_error(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
            value = "".join(value_chars)
            attributes.add(name)
            if strict and name not in _KNOWN_ATTRIBUTES.get(tag, ()):
                raise _parse_error(
                    f'Unsupported attribute "{name}" in the tag "{tag}" at byte offset '
                    f"{_byte_offset(text, begin)}"
                )
            if tag == "a" and name == "href":
                argument = value
            elif tag == "code" and name == "class" and value.startswith("language-"):
                argument = value[9:]
            elif tag == "span" and name == "class" and value.startswith("tg-"):
                argument = value[3:]
            elif tag == "tg-emoji" and name == "emoji-id":
                argument = value
            elif strict and tag == "code" and name == "class":
                raise _parse_error(
                    f'Class of the tag "code" must start with "language-" at byte offset '
                    f"{_byte_offset(text, begin)}"
                )
        if tag == "span" and argument != "spoiler":
            raise _parse_error(
                f'Tag "span" must have class "tg-spoiler" at byte offset '
                f"{_byte_offset(text, begin)}"
            )
        if tag == "blockquote" and expandable:
            argument = "expandable"
        if strict:
            _check_strict_open(text, begin, tag, argument, attributes, stack)
        stack.append(_Open(tag, argument, utf16, out_len, begin, attributes))
        i += 1  # past '>'
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return "".join(out), entities


def _check_strict_open(
    text: str, begin: int, tag: str, argument: str, attributes: set[str], stack: list[_Open]
) -> None:
    """Refuse an opening tag Telegram would accept but render wrongly or drop."""
    offset = _byte_offset(text, begin)
    if tag == "a" and not argument.startswith(_URL_SCHEMES):
        raise _parse_error(
            f'Tag "a" must have an "href" attribute with an absolute http(s) or tg URL '
            f"at byte offset {offset}"
        )
    if tag == "tg-emoji" and not argument.isdigit():
        raise _parse_error(
            f'Tag "tg-emoji" must have a numeric "emoji-id" attribute at byte offset {offset}'
        )
    parent = stack[-1] if stack else None
    if tag == "code" and "class" in attributes and (parent is None or parent.tag != "pre"):
        raise _parse_error(
            f'Tag "code" can have a "class" only directly inside "pre" at byte offset {offset}'
        )
    for open_tag in stack:
        if open_tag.tag in ("pre", "code") and not (
            tag == "code" and open_tag.tag == "pre" and open_tag is parent
        ):
            raise _parse_error(
                f'Tag "{tag}" can\'t be nested inside "{open_tag.tag}" at byte offset {offset}'
            )
        if tag == "blockquote" and open_tag.tag == "blockquote":
            raise _parse_error(
                f'Tag "blockquote" can\'t be nested inside "blockquote" at byte offset {offset}'
            )


def _close_tag(
    text: str,
    i: int,
    begin: int,
    stack: list[_Open],
    entities: list[dict[str, Any]],
    out: list[str],
    utf16: int,
    strict: bool,
) -> int:
    """Handle ``</tag>`` starting at ``begin`` (``text[i] == '/'``); return the next index."""
    n = len(text)
    if not stack:
        raise _parse_error(f"Unexpected end tag at byte offset {_byte_offset(text, begin)}")
    i += 1
    while i < n and text[i] not in _SPACES and text[i] != ">":
        i += 1
    end_name = text[begin + 2 : i].lower()
    while i < n and text[i] in _SPACES:
        i += 1
    if i >= n or text[i] != ">":
        raise _parse_error(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
    top = stack.pop()
    if end_name and end_name != top.tag:
        raise _parse_error(
            f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
            f'expected "</{top.tag}>", found "</{end_name}>"'
        )
    length = utf16 - top.offset
    if length > 0:
        _add_entity(top, length, entities, out, strict, text)
    return i + 1


def _add_entity(
    top: _Open,
    length: int,
    entities: list[dict[str, Any]],
    out: list[str],
    strict: bool,
    text: str,
) -> None:
    """Turn a closed tag into its entity, merging pre+code into a pre with a language."""
    tag, offset = top.tag, top.offset
    simple = _SIMPLE_TYPES.get(tag)
    if simple is not None:
        entities.append({"type": simple, "offset": offset, "length": length})
    elif tag == "blockquote":
        kind = "expandable_blockquote" if top.argument == "expandable" else "blockquote"
        entities.append({"type": kind, "offset": offset, "length": length})
    elif tag == "tg-emoji":
        if top.argument:
            entities.append(
                {
                    "type": "custom_emoji",
                    "offset": offset,
                    "length": length,
                    "custom_emoji_id": top.argument,
                }
            )
    elif tag == "a":
        url = top.argument or "".join(out)[top.content_start :]
        if url.startswith(_URL_SCHEMES) and len(url) > len("http://"):
            entities.append({"type": "text_link", "offset": offset, "length": length, "url": url})
    elif tag == "code":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "pre"
            and last["offset"] == offset
            and last["length"] == length
        ):
            if top.argument:
                last["language"] = top.argument
        else:
            entity: dict[str, Any] = {"type": "code", "offset": offset, "length": length}
            if top.argument:
                # Remembered so an enclosing <pre> can take the language, then dropped.
                entity["_language"] = top.argument
            entities.append(entity)
    elif tag == "pre":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "code"
            and last["offset"] == offset
            and last["length"] == length
        ):
            language = last.pop("_language", "")
            last["type"] = "pre"
            if language:
                last["language"] = language
        else:
            entities.append({"type": "pre", "offset": offset, "length": length})


def _finish(
    plain: str, entities: list[dict[str, Any]], *, limit: int, caption: bool
) -> tuple[str, list[dict[str, Any]]]:
    """Trim surrounding whitespace like Telegram, then apply length and entity limits."""
    for entity in entities:
        entity.pop("_language", None)
    code_spans = [
        (e["offset"], e["offset"] + e["length"]) for e in entities if e["type"] in ("pre", "code")
    ]
    if code_spans:
        # Telegram drops formatting inside code and pre (strict mode refused it earlier).
        entities = [
            e
            for e in entities
            if e["type"] in ("pre", "code")
            or not any(a <= e["offset"] and e["offset"] + e["length"] <= b for a, b in code_spans)
        ]
    stripped = plain.strip(_SPACES)
    if stripped != plain:
        lead = utf16_len(plain[: len(plain) - len(plain.lstrip(_SPACES))])
        total = utf16_len(stripped)
        trimmed = []
        for entity in entities:
            start = max(entity["offset"] - lead, 0)
            end = min(entity["offset"] + entity["length"] - lead, total)
            if end > start:
                entity["offset"], entity["length"] = start, end - start
                trimmed.append(entity)
        entities = trimmed
        plain = stripped
    if not plain and not caption:
        raise HtmlError("Bad Request: message text is empty")
    if len(plain) > limit:
        raise HtmlError(
            "Bad Request: message caption is too long"
            if caption
            else "Bad Request: message is too long"
        )
    if len(entities) > MAX_ENTITIES:
        raise HtmlError(f"Bad Request: too many entities: at most {MAX_ENTITIES} are allowed")
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return plain, entities


def validate_html(
    text: str, *, strict: bool = True, caption: bool = False, limit: int | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """Parse ``text`` as Telegram HTML and return (plain text, entities) or raise HtmlError."""
    if limit is None:
        limit = CAPTION_LIMIT if caption else TEXT_LIMIT
    plain, entities = _parse_html(text, strict)
    return _finish(plain, entities, limit=limit, caption=caption)


def parse_text(
    text: str,
    parse_mode: str | None,
    entities: list[dict[str, Any]] | None = None,
    *,
    strict: bool = True,
    caption: bool = False,
) -> tuple[str, list[dict[str, Any]]]:
    """Apply a sendMessage-style ``parse_mode`` (or explicit entities) to ``text``."""
    limit = CAPTION_LIMIT if caption else TEXT_LIMIT
    mode = (parse_mode or "").lower()
    if mode == "html":
        return validate_html(text, strict=strict, caption=caption, limit=limit)
    if mode:
        # Markdown is not emulated: a loud refusal beats silently wrong formatting.
        raise HtmlError("Bad Request: unsupported parse_mode")
    given: list[dict[str, Any]] = []
    total = utf16_len(text)
    for raw in entities or []:
        if not isinstance(raw, dict) or "type" not in raw:
            raise HtmlError("Bad Request: can't parse entities: entity must be an object")
        try:
            offset, length = int(raw["offset"]), int(raw["length"])
        except (KeyError, TypeError, ValueError):
            raise HtmlError(
                "Bad Request: can't parse entities: entity offset and length are required"
            ) from None
        if offset < 0 or length <= 0 or offset + length > total:
            continue  # Telegram drops entities that fall outside the text
        given.append(dict(raw, offset=offset, length=length))
    return _finish(text, given, limit=limit, caption=caption)


_COMMAND_RE = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")
_MENTION_RE = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}(?![\w@])")
_HASHTAG_RE = re.compile(r"(?<![\w#])#\w*[^\W\d]\w*(?:-\w+)*", re.UNICODE)
_URL_RE = re.compile(r"(?<![\w@])https?://[^\s<>\"]+", re.IGNORECASE)


def autodetect_entities(
    text: str, existing: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Find the bot_command, mention, hashtag and url entities Telegram adds by itself."""
    found: list[tuple[int, int, str]] = []  # code point spans
    if "/" in text:
        found += [(m.start(), m.end(), "bot_command") for m in _COMMAND_RE.finditer(text)]
        for m in _URL_RE.finditer(text):
            end = m.end()
            while end > m.start() and text[end - 1] in ".,;:!?)»'":
                end -= 1
            found.append((m.start(), end, "url"))
    if "@" in text:
        found += [(m.start(), m.end(), "mention") for m in _MENTION_RE.finditer(text)]
    if "#" in text:
        # Telegram ends a hashtag at '-', so "#Mali-Russie" is the hashtag "#Mali".
        found += [
            (m.start(), m.start() + len(m.group(0).split("-")[0]), "hashtag")
            for m in _HASHTAG_RE.finditer(text)
        ]
    if not found:
        return []
    # Nothing is detected inside code, pre or an explicit link, nor over another detection.
    blocked = [
        (e["offset"], e["offset"] + e["length"])
        for e in existing or []
        if e["type"] in ("code", "pre", "text_link", "url", "text_mention")
    ]
    result: list[dict[str, Any]] = []
    taken: list[tuple[int, int]] = []
    for start, end, kind in sorted(found):
        offset = utf16_len(text[:start])
        length = utf16_len(text[start:end])
        span = (offset, offset + length)
        if any(a < span[1] and span[0] < b for a, b in blocked + taken):
            continue
        taken.append(span)
        result.append({"type": kind, "offset": offset, "length": length})
    return result
