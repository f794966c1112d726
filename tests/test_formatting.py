"""Article rendering as Telegram HTML: escaping, dates, cards, alerts, full articles, splitting."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from bot.formatting import (
    MAX_CAPTION,
    MAX_TEXT,
    alert_caption,
    alert_text,
    article_card,
    article_list,
    entity_count,
    escape,
    excerpt,
    format_date,
    format_short_date,
    hashtag,
    hashtags,
    render_article,
    split_html,
    visible_length,
    withdrawn_alert_text,
)
from bot.sandbox.html import validate_html
from db.models import Article, Author, Topic

# Every rendering goes through two checks: the small checker below (allowed tags, balance,
# entity names, limits) and the sandbox's re-implementation of Telegram's own parser.

_ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
PUBLISHED = datetime(2024, 2, 29, 12, 56, tzinfo=UTC)


class _TelegramHtmlChecker(HTMLParser):
    """Assert what Telegram's HTML mode requires while collecting plain text and tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.plain: list[str] = []
        self.stack: list[str] = []
        self.start_tags = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in _ALLOWED_TAGS, f"tag <{tag}> is not allowed"
        self.stack.append(tag)
        self.start_tags += 1

    def handle_endtag(self, tag: str) -> None:
        assert self.stack, f"</{tag}> closes nothing"
        assert self.stack.pop() == tag, f"</{tag}> closes the wrong tag"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise AssertionError(f"self-closing <{tag}/> is not Telegram HTML")

    def handle_data(self, data: str) -> None:
        assert "<" not in data and ">" not in data and "&" not in data, repr(data)
        self.plain.append(data)

    def handle_entityref(self, name: str) -> None:
        assert name in _NAMED_ENTITIES, f"&{name}; is not a Telegram entity"
        self.plain.append(_NAMED_ENTITIES[name])

    def handle_charref(self, name: str) -> None:
        self.plain.append(chr(int(name[1:], 16) if name[:1] in "xX" else int(name)))


def check_html(html: str, limit: int = MAX_TEXT, max_entities: int = 100) -> str:
    """Assert `html` is valid Telegram HTML within the limits; return its plain text."""
    checker = _TelegramHtmlChecker()
    checker.feed(html)
    checker.close()
    assert not checker.stack, f"unclosed tags {checker.stack}"
    assert checker.start_tags <= max_entities, f"{checker.start_tags} entities"
    plain = "".join(checker.plain)
    assert len(plain) <= limit, f"{len(plain)} characters > {limit}"
    if limit <= MAX_TEXT and max_entities <= 100:
        # What Telegram would do with it: raises on anything it refuses.
        telegram_plain, _ = validate_html(html, limit=limit)
        assert telegram_plain == plain
    return plain


def squash(text: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def make_article(**changes: object) -> Article:
    article = Article(
        id=7,
        source_key="editor-7",
        title="Le gouvernement adopte la loi de finances",
        lead=(
            "Les membres du Conseil national de Transition ont adopté jeudi la loi de finances "
            "2024\u00a0: un budget en hausse de 12\u202f% consacré en priorité à la sécurité."
        ),
        body="Premier paragraphe du corps.\n\nDeuxième paragraphe\u202f!",
        author=Author(id=3, key="awa keita", name="Awa Keïta"),
        topics=(Topic(id=1, key="mali", name="Mali"), Topic(id=2, key="russie", name="Russie")),
        published_at=PUBLISHED,
        updated_at=PUBLISHED,
    )
    return replace(article, **changes)  # type: ignore[arg-type]


# --- escaping and lengths ---


def test_escape_turns_editor_markup_into_visible_text() -> None:
    assert escape('<b>Prix & "taxes"</b>') == "&lt;b&gt;Prix &amp; &quot;taxes&quot;&lt;/b&gt;"
    assert escape("l’État d'urgence") == "l’État d'urgence"


def test_editor_markup_in_an_article_shows_as_typed() -> None:
    article = make_article(title='<b>Prix</b> & "taxes"', lead="Le <i>lead</i> & co.")
    rendering = render_article(article, "fr")
    plain = "\n\n".join(check_html(message) for message in rendering.messages)
    assert '<b>Prix</b> & "taxes"' in plain
    assert "Le <i>lead</i> & co." in plain
    assert '<b>Prix</b> & "taxes"' in check_html(alert_text(article, "fr"))
    assert '<b>Prix</b> & "taxes"' in check_html(article_card(article, "fr"))


def test_visible_length_counts_code_points_after_entities() -> None:
    assert visible_length("<b>a &amp; b</b> &lt;3 &quot;ok&quot;") == len('a & b <3 "ok"')
    assert visible_length("😀 <i>🇲🇱</i>") == 4  # an emoji is one code point, a flag two
    assert entity_count('<b>x</b> <a href="https://e.ml">y</a><i></i>') == 2


# --- dates ---


def test_french_date_reads_like_the_site() -> None:
    assert format_date(PUBLISHED, "fr", "Africa/Bamako") == "jeudi 29 février 2024 à 12:56"
    assert format_short_date(PUBLISHED, "fr", "Africa/Bamako") == "29 févr. 2024, 12:56"


def test_english_date() -> None:
    assert format_date(PUBLISHED, "en", "Africa/Bamako") == "Thursday 29 February 2024 at 12:56"
    assert format_short_date(PUBLISHED, "en") == "29 Feb 2024, 12:56"


def test_dates_are_shown_in_the_given_time_zone() -> None:
    assert format_date(PUBLISHED, "fr") == "jeudi 29 février 2024 à 12:56"  # Bamako is UTC+0
    assert format_date(PUBLISHED, "fr", "Europe/Paris") == "jeudi 29 février 2024 à 13:56"
    late = PUBLISHED.replace(hour=23, minute=30)
    assert format_date(late, "en", "Asia/Tokyo") == "Friday 1 March 2024 at 08:30"
    assert format_short_date(PUBLISHED, "en", "America/New_York") == "29 Feb 2024, 07:56"


def test_unknown_language_falls_back_to_french_dates() -> None:
    assert format_date(PUBLISHED, "bm") == "jeudi 29 février 2024 à 12:56"


# --- excerpts and hashtags ---


def test_excerpt_cuts_at_a_word_boundary() -> None:
    text = "Le gouvernement   a adopté\nla loi de finances rectificative"
    assert excerpt(text, 100) == "Le gouvernement a adopté la loi de finances rectificative"
    cut = excerpt(text, 30)
    assert cut == "Le gouvernement a adopté la…"
    assert len(cut) <= 30
    assert cut[:-1] in squash(text)


def test_excerpt_keeps_french_no_break_spaces_and_drops_dangling_punctuation() -> None:
    text = "Bamako\u00a0: la ville se prépare\u202f! Les travaux commencent demain."
    assert excerpt(text, 12) == "Bamako\u00a0: la…"
    assert excerpt(text, 10) == "Bamako…"
    assert excerpt(text, 40) == "Bamako\u00a0: la ville se prépare\u202f! Les…"


def test_excerpt_hard_cuts_a_single_overlong_word() -> None:
    assert excerpt("Anticonstitutionnellement", 10) == "Anticonst…"


def test_hashtags_are_telegram_safe() -> None:
    topics = [
        Topic(1, "mali", "Mali"),
        Topic(2, "burkina faso", "Burkina Faso"),
        Topic(3, "cote d ivoire", "Côte d’Ivoire"),
        Topic(4, "guinee bissau", "Guinée-Bissau"),
        Topic(5, "mali2", "mali"),
    ]
    assert hashtags(topics) == "#Mali #Burkina_Faso #Côte_d_Ivoire #Guinée_Bissau #mali"
    assert hashtag("Mali") == "#Mali"
    assert hashtags([Topic(1, "x", "Mali"), Topic(2, "y", "Mali")]) == "#Mali"
    assert hashtags([]) == ""


# --- cards and lists ---


def test_card_shows_title_topics_author_date_and_excerpt() -> None:
    article = make_article(lead="Un mot " * 100)
    card = article_card(article, "fr", index=3)
    assert card.startswith("<b>3. Le gouvernement adopte la loi de finances</b>\n")
    plain = check_html(card)
    assert "#Mali #Russie" in plain
    assert "Par Awa Keïta" in plain
    assert "29 févr. 2024, 12:56" in plain
    last_line = plain.splitlines()[-1]
    assert last_line.endswith("…")
    assert len(last_line) <= 160


def test_unsigned_article_is_signed_by_the_newsroom() -> None:
    article = make_article(author=Author(1, "la redaction", "La rédaction"))
    assert "Par" not in check_html(article_card(article, "fr"))
    assert "The newsroom" in check_html(article_card(article, "en"))


def test_article_list_numbers_cards_and_stays_under_the_limit() -> None:
    articles = [
        make_article(id=number, title=f"Titre {number} " + "long " * 38, lead="mot " * 500)
        for number in range(10)
    ]
    text = article_list(articles, "fr", header="<b>Les derniers articles</b>")
    plain = check_html(text)
    assert plain.startswith("Les derniers articles\n\n1. Titre 0")
    for number in range(10):
        assert f"{number + 1}. Titre {number} " in plain


# --- alerts ---


def test_alert_carries_the_urgent_mark_only_when_urgent() -> None:
    calm = check_html(alert_text(make_article(), "fr"))
    urgent = check_html(alert_text(make_article(urgent=True), "fr"))
    assert "ALERTE" not in calm
    assert urgent.startswith("🔴 ALERTE\nLe gouvernement adopte la loi de finances\n")
    assert "BREAKING" in check_html(alert_text(make_article(urgent=True), "en"))
    assert "#Mali #Russie" in calm
    assert "Par Awa Keïta" in calm
    assert "un budget en hausse de 12\u202f%" in calm


def test_alert_lead_is_an_excerpt_of_about_300_characters() -> None:
    article = make_article(lead="Une phrase assez longue. " * 40)
    lead = check_html(alert_text(article, "fr")).split("\n\n")[-1]
    assert 250 <= len(lead) <= 300
    assert lead.endswith("…")


def test_updated_article_alert_says_so() -> None:
    updated = make_article(updated_at=PUBLISHED + timedelta(hours=1, minutes=6))
    assert "Mis à jour\u00a0: 29 févr. 2024, 14:02" in check_html(alert_text(updated, "fr"))
    assert "Mis à jour" not in check_html(alert_text(make_article(), "fr"))


def test_alert_fits_a_caption_even_with_a_very_long_lead() -> None:
    article = make_article(
        title="Un titre " * 40, lead="Un très long chapeau. " * 400, image_url="https://e.ml/p.jpg"
    )
    caption = alert_caption(article, "fr")
    check_html(caption, MAX_CAPTION)
    assert alert_text(article, "fr", limit=200).count("<b>") >= 1
    check_html(alert_text(article, "fr", limit=200), 200)


def test_withdrawn_alert_strikes_the_title_through() -> None:
    text = withdrawn_alert_text(make_article(title="Titre & <sous-titre>"), "fr")
    assert text.startswith("<s>Titre &amp; &lt;sous-titre&gt;</s>\n")
    assert check_html(text, MAX_CAPTION).endswith("Cet article a été retiré par la rédaction.")
    assert "withdrawn" in withdrawn_alert_text(make_article(), "en")


# --- full article ---


def test_full_article_has_every_part_in_order() -> None:
    article = make_article(url="https://journal.ml/article?id=7&x=1")
    rendering = render_article(article, "fr")
    assert rendering.photo_url is None
    assert rendering.caption is None
    assert len(rendering.messages) == 1
    message = rendering.messages[0]
    plain = check_html(message)
    expected = [
        "Le gouvernement adopte la loi de finances",
        "Par Awa Keïta",
        "Publié jeudi 29 février 2024 à 12:56",
        "#Mali #Russie",
        "Les membres du Conseil",
        "Premier paragraphe du corps.",
        "Deuxième paragraphe\u202f!",
        "Lire l’article sur le site",
    ]
    positions = [plain.index(part) for part in expected]
    assert positions == sorted(positions)
    assert "<b>Les membres du Conseil" in message
    assert '<a href="https://journal.ml/article?id=7&amp;x=1">' in message


def test_article_without_usable_link_has_no_link() -> None:
    rendering = render_article(make_article(url="/relative/path"), "en")
    assert "<a " not in rendering.messages[0]


def test_photo_article_caption_fits_and_the_rest_follows() -> None:
    article = make_article(
        lead="Un très long chapeau qui ne tient pas dans une légende. " * 40,
        body="\n\n".join(f"Paragraphe {number}. " + "texte " * 300 for number in range(8)),
        image_url="https://journal.ml/photo.jpg",
        url="https://journal.ml/a",
    )
    rendering = render_article(article, "fr")
    assert rendering.photo_url == "https://journal.ml/photo.jpg"
    assert rendering.caption is not None
    caption = check_html(rendering.caption, MAX_CAPTION)
    assert caption.startswith("Le gouvernement adopte la loi de finances\nPar Awa Keïta")
    messages = [check_html(message) for message in rendering.messages]
    assert len(messages) >= 2
    assert messages[0].startswith("Un très long chapeau")
    assert messages[-1].endswith("Lire l’article sur le site")
    whole = squash(" ".join([caption, *messages]))
    assert whole.count("Paragraphe") == 8


def test_short_photo_article_is_one_caption() -> None:
    article = make_article(body="", image_url="https://journal.ml/photo.jpg")
    rendering = render_article(article, "en")
    assert rendering.messages == []
    assert rendering.caption is not None
    assert "By Awa Keïta" in check_html(rendering.caption, MAX_CAPTION)


# --- splitting ---


_LINK = '<a href="https://journal.ml/?a=1&amp;b=2">'


def _long_article_html() -> str:
    """Build over 20,000 characters of HTML whose bold runs and links are longer than a message."""
    paragraphs = []
    for number in range(24):
        sentence = (
            f"Phrase {number} avec &amp; des «\u202fguillemets\u202f» &lt;et&gt; &quot;q&quot;. "
        )
        if number in (3, 10):
            paragraphs.append(
                f"<b>Gras {number} {sentence * 55}{_LINK}un lien {'cliquable ' * 500}</a> fin.</b>"
            )
        elif number % 5 == 0:
            paragraphs.append(f"<i>{sentence * 4}</i>\nligne suivante 😀 <u>souligné</u>")
        else:
            paragraphs.append(sentence * 6)
    return "\n\n".join(paragraphs)


def test_split_long_article_gives_valid_parts_with_the_same_text() -> None:
    html = _long_article_html()
    original = check_html(html, limit=10**6, max_entities=10**6)
    assert len(original) > 20_000
    parts = split_html(html)
    plains = [check_html(part) for part in parts]
    assert all(plain and plain == plain.strip() for plain in plains)
    assert squash(" ".join(plains)) == squash(original)
    # Cuts fell inside the bold runs and inside the links, which were closed and reopened.
    assert any(part.endswith("&quot;q&quot;.</b>") for part in parts)  # a sentence end
    assert any(part.startswith(f"<b>{_LINK}cliquable") for part in parts)
    assert any(part.endswith("</a></b>") for part in parts)


def test_split_reopens_tags_with_their_attributes() -> None:
    html = '<b>début <a href="https://e.ml/?a=1&amp;b=2">' + "mot " * 30 + "</a> fin</b>"
    parts = split_html(html, 50)
    assert len(parts) >= 3
    for part in parts[1:-1]:
        assert part.startswith('<b><a href="https://e.ml/?a=1&amp;b=2">')
        assert part.endswith("</a></b>")
    assert parts[-1].endswith("</a> fin</b>")
    assert squash(" ".join(check_html(part, 50) for part in parts)) == squash(check_html(html))


def test_split_prefers_paragraphs_then_lines_then_sentences() -> None:
    paragraph = "Une phrase. " * 30  # 360 characters
    parts = split_html("\n\n".join([paragraph.strip()] * 4), 800)
    assert [check_html(part, 800) for part in parts] == [
        paragraph.strip() + "\n\n" + paragraph.strip()
    ] * 2
    lines = split_html("ligne un\nligne deux\nligne trois", 21)
    assert [check_html(part, 21) for part in lines] == ["ligne un\nligne deux", "ligne trois"]
    sentences = split_html("Première phrase ici. Seconde phrase là, assez longue.", 40)
    assert check_html(sentences[0]) == "Première phrase ici."


def test_split_never_cuts_at_a_no_break_space() -> None:
    parts = split_html("Bamako\u00a0: oui. Quoi\u202f? Non", 14)
    assert [check_html(part, 14) for part in parts] == ["Bamako\u00a0: oui.", "Quoi\u202f? Non"]


def test_more_than_100_entities_force_a_split() -> None:
    html = " ".join(f"<b>{number}</b>" for number in range(250))
    assert visible_length(html) < MAX_TEXT
    parts = split_html(html)
    assert len(parts) == 3
    for part in parts:
        check_html(part)
        assert entity_count(part) <= 100
    assert " ".join(check_html(part) for part in parts) == check_html(html, max_entities=250)


def test_single_word_longer_than_the_limit_is_hard_split() -> None:
    word = "a" * 10_000
    parts = split_html(f"<i>{word}</i>")
    assert [visible_length(part) for part in parts] == [4096, 4096, 1808]
    assert all(part.startswith("<i>") and part.endswith("</i>") for part in parts)
    assert "".join(check_html(part) for part in parts) == word


def test_emoji_count_as_one_character() -> None:
    assert split_html("😀" * MAX_TEXT) == ["😀" * MAX_TEXT]
    parts = split_html("😀" * (MAX_TEXT + 1))
    assert [len(check_html(part)) for part in parts] == [MAX_TEXT, 1]


def test_hard_split_keeps_joined_emoji_together() -> None:
    family = "👨\u200d👩\u200d👧"
    assert split_html("xxx" + family, 5) == ["xxx", family]


def test_split_with_a_smaller_first_part_for_a_caption() -> None:
    html = "\n\n".join(f"Paragraphe {number}. " + "mot " * 100 for number in range(20))
    parts = split_html(html, first_limit=MAX_CAPTION)
    check_html(parts[0], MAX_CAPTION)
    for part in parts[1:]:
        check_html(part)
    assert squash(" ".join(check_html(part, 10**6) for part in parts)) == squash(html)


@pytest.mark.parametrize("html", ["", "court", "<b>déjà</b> &amp; bien"])
def test_text_that_fits_comes_back_unchanged(html: str) -> None:
    assert split_html(html) == [html]
