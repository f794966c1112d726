"""The HTML parse mode validator accepts and refuses what Telegram (and DESIGN.md) does."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox import HtmlError, validate_html

PARSE = "Bad Request: can't parse entities: "

VALID: list[tuple[str, str, list[dict[str, Any]]]] = [
    ("plain text", "plain text", []),
    (
        "<b>gras</b> et <strong>fort</strong>",
        "gras et fort",
        [
            {"type": "bold", "offset": 0, "length": 4},
            {"type": "bold", "offset": 8, "length": 4},
        ],
    ),
    (
        "<i>a</i><em>b</em>",
        "ab",
        [
            {"type": "italic", "offset": 0, "length": 1},
            {"type": "italic", "offset": 1, "length": 1},
        ],
    ),
    (
        "<u>a</u><ins>b</ins>",
        "ab",
        [
            {"type": "underline", "offset": 0, "length": 1},
            {"type": "underline", "offset": 1, "length": 1},
        ],
    ),
    (
        "<s>a</s><strike>b</strike><del>c</del>",
        "abc",
        [
            {"type": "strikethrough", "offset": 0, "length": 1},
            {"type": "strikethrough", "offset": 1, "length": 1},
            {"type": "strikethrough", "offset": 2, "length": 1},
        ],
    ),
    (
        '<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>',
        "xy",
        [
            {"type": "spoiler", "offset": 0, "length": 1},
            {"type": "spoiler", "offset": 1, "length": 1},
        ],
    ),
    (
        '<a href="https://example.ml/a?x=1&amp;y=2">lien</a>',
        "lien",
        [
            {"type": "text_link", "offset": 0, "length": 4, "url": "https://example.ml/a?x=1&y=2"},
        ],
    ),
    (
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
        "👍",
        [
            {
                "type": "custom_emoji",
                "offset": 0,
                "length": 2,
                "custom_emoji_id": "5368324170671202286",
            },
        ],
    ),
    ("<code>x = 1</code>", "x = 1", [{"type": "code", "offset": 0, "length": 5}]),
    ("<pre>bloc</pre>", "bloc", [{"type": "pre", "offset": 0, "length": 4}]),
    (
        '<pre><code class="language-python">print(1)</code></pre>',
        "print(1)",
        [
            {"type": "pre", "offset": 0, "length": 8, "language": "python"},
        ],
    ),
    ("<blockquote>cité</blockquote>", "cité", [{"type": "blockquote", "offset": 0, "length": 4}]),
    (
        "<blockquote expandable>long</blockquote>",
        "long",
        [
            {"type": "expandable_blockquote", "offset": 0, "length": 4},
        ],
    ),
    (
        "<b>a <i>b</i></b>",
        "a b",
        [
            {"type": "bold", "offset": 0, "length": 3},
            {"type": "italic", "offset": 2, "length": 1},
        ],
    ),
    ("<B>majuscules</B>", "majuscules", [{"type": "bold", "offset": 0, "length": 10}]),
    ("&lt;b&gt; &amp; &quot;", '<b> & "', []),
    ("&#233;t&#xE9; &#128512;", "été 😀", []),
    # Offsets count UTF-16 code units: the flag is 4 units, "é" one.
    ("🇲🇱 <b>Mali</b>", "🇲🇱 Mali", [{"type": "bold", "offset": 5, "length": 4}]),
    ("  <b>x</b>  \n", "x", [{"type": "bold", "offset": 0, "length": 1}]),
    ("<b>x</>", "x", [{"type": "bold", "offset": 0, "length": 1}]),
    ("#Mali : « Bamako » — 10 % ?", "#Mali : « Bamako » — 10 % ?", []),
]

INVALID: list[tuple[str, str]] = [
    ("<b>gras", PARSE + 'Can\'t find end tag corresponding to start tag "b"'),
    (
        "<b><i>x</b></i>",
        PARSE + 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
    ),
    ("x</b>", PARSE + "Unexpected end tag at byte offset 1"),
    ("<p>para</p>", PARSE + 'Unsupported start tag "p" at byte offset 0'),
    ("une<br>ligne", PARSE + 'Unsupported start tag "br" at byte offset 3'),
    ("é<div>", PARSE + 'Unsupported start tag "div" at byte offset 2'),
    ("<b", PARSE + "Unclosed start tag at byte offset 0"),
    ('<a href="https://x.ml', PARSE + "Unclosed start tag at byte offset 0"),
    ("a < b", PARSE + 'Unsupported start tag "" at byte offset 2'),
    ("Sidibé & fils", PARSE + 'Unescaped "&" at byte offset 8; write "&amp;"'),
    (
        "&nbsp;x",
        PARSE + 'Unsupported HTML entity "&nbsp;" at byte offset 0; only &lt; &gt; '
        "&amp; &quot; and numeric references are allowed",
    ),
    (
        "&eacute;",
        PARSE + 'Unsupported HTML entity "&eacute;" at byte offset 0; only &lt; &gt; '
        "&amp; &quot; and numeric references are allowed",
    ),
    ("x > y", PARSE + 'Unescaped ">" at byte offset 2; write "&gt;"'),
    (
        "<a>sans lien</a>",
        PARSE + 'Tag "a" must have an "href" attribute with an absolute http(s) '
        "or tg URL at byte offset 0",
    ),
    ('<b class="x">y</b>', PARSE + 'Unsupported attribute "class" in the tag "b" at byte offset 0'),
    ("<span>x</span>", PARSE + 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    (
        '<span class="red">x</span>',
        PARSE + 'Tag "span" must have class "tg-spoiler" at byte offset 0',
    ),
    (
        '<code class="language-py">x</code>',
        PARSE + 'Tag "code" can have a "class" only directly inside "pre" at byte offset 0',
    ),
    ("<pre><b>x</b></pre>", PARSE + 'Tag "b" can\'t be nested inside "pre" at byte offset 5'),
    (
        "<code><pre>x</pre></code>",
        PARSE + 'Tag "pre" can\'t be nested inside "code" at byte offset 6',
    ),
    (
        "<blockquote><blockquote>x</blockquote></blockquote>",
        PARSE + 'Tag "blockquote" can\'t be nested inside "blockquote" at byte offset 12',
    ),
    (
        "<b x>y</b>",
        PARSE + 'Expected equal sign in declaration of an attribute of the tag "b" at '
        "byte offset 0",
    ),
    ("&#0;", PARSE + 'Invalid character reference "&#0;" at byte offset 0'),
    ("", "Bad Request: message text is empty"),
    ("  \n\t ", "Bad Request: message text is empty"),
    ("<b> </b>", "Bad Request: message text is empty"),
]


@pytest.mark.parametrize(("html", "plain", "entities"), VALID)
def test_valid_html_gives_text_and_entities(
    html: str, plain: str, entities: list[dict[str, Any]]
) -> None:
    assert validate_html(html) == (plain, entities)


@pytest.mark.parametrize(("html", "description"), INVALID)
def test_invalid_html_is_refused_with_telegrams_description(html: str, description: str) -> None:
    with pytest.raises(HtmlError) as caught:
        validate_html(html)
    assert caught.value.description == description


def test_table_is_big_enough() -> None:
    assert len(VALID) + len(INVALID) >= 30


@pytest.mark.parametrize(
    ("html", "plain"),
    [
        ("Sidibé & fils", "Sidibé & fils"),
        ("&nbsp;x", "&nbsp;x"),
        ('<b class="x">y</b>', "y"),
        ("<a>sans lien</a>", "sans lien"),
        ("x > y", "x > y"),
    ],
)
def test_lenient_mode_accepts_what_telegram_tolerates(html: str, plain: str) -> None:
    assert validate_html(html, strict=False)[0] == plain


def test_lenient_mode_drops_formatting_inside_pre() -> None:
    assert validate_html("<pre><b>x</b></pre>", strict=False) == (
        "x",
        [{"type": "pre", "offset": 0, "length": 1}],
    )


def test_length_counts_code_points_after_parsing() -> None:
    assert validate_html("<b>" + "a" * 4096 + "</b>")[0] == "a" * 4096
    assert len(validate_html("é" * 4096)[0]) == 4096
    # Astral characters are two UTF-16 units but one code point each (DESIGN.md).
    assert len(validate_html("😀" * 4096)[0]) == 4096
    assert validate_html("&amp;" * 4096)[0] == "&" * 4096
    with pytest.raises(HtmlError, match=r"^Bad Request: message is too long$"):
        validate_html("a" * 4097)
    with pytest.raises(HtmlError, match=r"^Bad Request: message is too long$"):
        validate_html("😀" * 4097)


def test_caption_limit_is_1024_and_may_be_empty() -> None:
    assert validate_html("c" * 1024, caption=True)[0] == "c" * 1024
    assert validate_html("", caption=True) == ("", [])
    with pytest.raises(HtmlError, match=r"^Bad Request: message caption is too long$"):
        validate_html("c" * 1025, caption=True)


def test_at_most_100_entities() -> None:
    assert len(validate_html("<b>x</b> " * 100)[1]) == 100
    with pytest.raises(HtmlError, match="too many entities"):
        validate_html("<b>x</b> " * 101)


def test_error_offsets_are_utf8_bytes() -> None:
    with pytest.raises(HtmlError, match='"p" at byte offset 6'):
        validate_html("ééé<p>")
