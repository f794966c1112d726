"""The site's conventions: matching keys, titles, bylines, one-message articles, samples."""

from __future__ import annotations

import itertools
import json
import re
import string
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import i18n
from bot.errors import DraftError, NewsbotError
from bot.locales import en, fr
from bot.site import (
    DEFAULT_AUTHOR,
    LEAD_MAX_CHARS,
    TEXT_MAX_CHARS,
    TITLE_MAX_CHARS,
    ParsedTitle,
    fold,
    nicest_name,
    parse_article_message,
    parse_byline,
    parse_title,
)
from db.models import ArticleDraft

NBSP = "\u00a0"
NNBSP = "\u202f"
SAMPLES_PATH = Path(__file__).resolve().parent.parent / "bot" / "data" / "sample_articles.json"
DRAFT_KEYS = (
    "draft.empty",
    "draft.no_title",
    "draft.title_only_hashtags",
    "draft.title_too_long",
    "draft.no_text",
    "draft.lead_too_long",
    "draft.text_too_long",
    "draft.bad_link",
)


# --- fold ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Keïta", "keita"),
        ("KEITA", "keita"),
        ("Awa KEÏTA", "awa keita"),
        (f"  Awa{NBSP}{NNBSP} Keïta\t", "awa keita"),
        ("Côte d'Ivoire", "cote d ivoire"),
        ("Côte d’Ivoire", "cote d ivoire"),
        ("CÔTE-D’IVOIRE", "cote d ivoire"),
        ("Jean-Marie", "jean marie"),
        ("Économie", "economie"),
        ("Se\u0301ne\u0301gal", "senegal"),  # decomposed accents, as some keyboards send them
        ("Œuvres", "oeuvres"),
        ("Ke\u200bita", "keita"),
        ("Burkina_Faso", "burkina faso"),
        ("", ""),
    ],
)
def test_fold_gives_one_key_whatever_the_case_accents_and_spacing(text: str, key: str) -> None:
    assert fold(text) == key


@pytest.mark.parametrize("text", ["Awa Keïta", "Côte d’Ivoire", "  SÉNÉGAL  ", "Jean-Marie"])
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


# --- titles -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "topics", "title"),
    [
        pytest.param(
            "#Mali-Russie : Bamako et Moscou main dans la main",
            ("Mali", "Russie"),
            "Bamako et Moscou main dans la main",
            id="compound",
        ),
        pytest.param(
            "#Mali #Sport : Les Aigles en quart de finale",
            ("Mali", "Sport"),
            "Les Aigles en quart de finale",
            id="several-hashtags",
        ),
        pytest.param(
            "#Mali : Commune de Kati : Deux forages inaugurés",
            ("Mali",),
            "Commune de Kati : Deux forages inaugurés",
            id="second-label",
        ),
        pytest.param(
            "Le gouvernement adopte le budget",
            (),
            "Le gouvernement adopte le budget",
            id="no-hashtag",
        ),
        pytest.param(
            "Bamako : Le gouvernement adopte le budget",
            (),
            "Bamako : Le gouvernement adopte le budget",
            id="label-without-hashtag",
        ),
        pytest.param(f"#Mali{NBSP}: Titre", ("Mali",), "Titre", id="nbsp-before-colon"),
        pytest.param(f"#Mali{NNBSP}:{NBSP}Titre", ("Mali",), "Titre", id="narrow-nbsp"),
        pytest.param("#Mali:Titre", ("Mali",), "Titre", id="no-spaces"),
        pytest.param("#Mali :Titre", ("Mali",), "Titre", id="no-space-after"),
        pytest.param("#Mali: Titre", ("Mali",), "Titre", id="no-space-before"),
        pytest.param(
            "   #Mali   :   Un   titre  espacé  ", ("Mali",), "Un titre espacé", id="stray-spaces"
        ),
        pytest.param("#mali : Titre", ("Mali",), "Titre", id="lowercase-capitalised"),
        pytest.param("#UEMOA : Titre", ("UEMOA",), "Titre", id="acronym-kept"),
        pytest.param(
            "#Sénégal-Mali : Accord sur le fleuve",
            ("Sénégal", "Mali"),
            "Accord sur le fleuve",
            id="accented-topic",
        ),
        pytest.param(
            "#Économie : Le coton se porte bien", ("Économie",), "Le coton se porte bien", id="É"
        ),
        pytest.param("#sénégal : Titre", ("Sénégal",), "Titre", id="lowercase-accented"),
        pytest.param(
            "#Mali-mali #MALI #Sénégal #Senegal : Titre",
            ("Mali", "Sénégal"),
            "Titre",
            id="duplicates-by-fold-key",
        ),
        pytest.param("#Mali :", ("Mali",), "", id="hashtag-only"),
        pytest.param("#Mali-Russie", ("Mali", "Russie"), "", id="hashtag-only-no-colon"),
        pytest.param("#Mali Les Aigles gagnent", ("Mali",), "Les Aigles gagnent", id="no-colon"),
        pytest.param(
            "#Mali : Le G5 #Sahel se réunit",
            ("Mali",),
            "Le G5 #Sahel se réunit",
            id="hashtag-inside-title-kept",
        ),
        pytest.param("#Mali : -5 % d’inflation", ("Mali",), "-5 % d’inflation", id="minus-sign"),
        pytest.param(
            "#Côte-d’Ivoire : Accord signé", ("Côte d’Ivoire",), "Accord signé", id="elision"
        ),
        pytest.param(
            "#Burkina_Faso : Accord signé", ("Burkina Faso",), "Accord signé", id="underscore"
        ),
        pytest.param(
            "#Mali : Titre <b>gras</b> & R&D",
            ("Mali",),
            "Titre <b>gras</b> & R&D",
            id="html-kept-literally",
        ),
        pytest.param("", (), "", id="empty"),
    ],
)
def test_parse_title(line: str, topics: tuple[str, ...], title: str) -> None:
    assert parse_title(line) == ParsedTitle(topics=topics, title=title)


def test_parsed_title_is_frozen() -> None:
    parsed = parse_title("#Mali : Titre")
    with pytest.raises(AttributeError):
        parsed.title = "Autre"  # type: ignore[misc]


# --- bylines ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "author"),
    [
        ("Par Awa KEITA", "Awa KEITA"),
        ("par Awa Keïta", "Awa Keïta"),
        ("Par AWA KEITA", "AWA KEITA"),
        ("PAR  Awa  Keïta", "Awa Keïta"),
        (f"Par{NBSP}Awa{NBSP}KEITA  ", "Awa KEITA"),
        ("Par : Awa Keïta", "Awa Keïta"),
        ("Par: Awa Keïta", "Awa Keïta"),
        ("Par A. KEITA", "A. KEITA"),
        ("Par Awa Keïta-Traoré", "Awa Keïta-Traoré"),
        ("Par Mohamed ould Cheikh", "Mohamed ould Cheikh"),
        ("Par Mamadou Lamine N’DIAYE", "Mamadou Lamine N’DIAYE"),
        ("Par Awa KEITA et Seydou KONÉ", ("Awa KEITA", "Seydou KONÉ")),  # two authors
        ("Par ailleurs, le gouvernement a pris acte.", None),
        ("Par ailleurs le gouvernement", None),
        ("Par la suite", None),
        ("Par La suite, les discussions ont repris.", None),
        ("Par conséquent", None),
        ("Par Awa", None),
        ("Par Awa KEITA.", "Awa KEITA"),  # a trailing dot ends the line, not the name
        ("Par Awa KEITA, envoyée spéciale à Gao", None),
        ("Par 2 voix contre 1", None),
        ("Par de Gaulle", None),
        ("Paris : le sommet s’ouvre", None),
        ("Awa KEITA", None),
        ("Par", None),
        ("Par Un Deux Trois Quatre Cinq Six", None),
        ("", None),
    ],
)
def test_parse_byline(line: str, author: str | tuple[str, ...] | None) -> None:
    expected = (author,) if isinstance(author, str) else author
    assert parse_byline(line) == expected


# --- nicest_name --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "nicest"),
    [
        (("Awa KEITA", "AWA KEITA", "Awa Keïta"), "Awa Keïta"),
        (("Awa KEITA", "AWA KEITA"), "Awa KEITA"),
        (("AWA KEÏTA", "Awa KEITA"), "AWA KEÏTA"),
        (("awa keita", "AWA KEITA"), "AWA KEITA"),
        (("Awa Keita", "Awa KEITA"), "Awa Keita"),
        (("Ousmane DIAKITÉ", "Ousmane Diakité", "OUSMANE DIAKITE"), "Ousmane Diakité"),
        ((f"Awa{NBSP} Keïta", "Awa KEITA"), "Awa Keïta"),
    ],
)
def test_nicest_name_prefers_accents_then_mixed_case(names: tuple[str, ...], nicest: str) -> None:
    for order in itertools.permutations(names):
        kept = order[0]
        for candidate in order[1:]:
            kept = nicest_name(kept, candidate)
        assert kept == nicest


def test_nicest_name_is_symmetric_on_ties() -> None:
    assert nicest_name("Awa Keïta", "Awa Kéita") == nicest_name("Awa Kéita", "Awa Keïta")


# --- one-message articles -----------------------------------------------------------------

FULL = (
    "#Mali-Russie : Bamako et Moscou main dans la main\n"
    "Par Awa KEITA\n"
    "Le premier paragraphe.\n"
    "\n"
    "Le deuxième paragraphe.\n"
    "\n"
    "Le troisième paragraphe."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            FULL,
            ArticleDraft(
                title="Bamako et Moscou main dans la main",
                lead="Le premier paragraphe.",
                body="Le deuxième paragraphe.\n\nLe troisième paragraphe.",
                author="Awa KEITA",
                topics=("Mali", "Russie"),
            ),
            id="full",
        ),
        pytest.param(
            "#Sécurité : Patrouilles renforcées\nLe chapeau.\n\nLa suite.",
            ArticleDraft(
                title="Patrouilles renforcées",
                lead="Le chapeau.",
                body="La suite.",
                author=DEFAULT_AUTHOR,
                topics=("Sécurité",),
            ),
            id="no-byline",
        ),
        pytest.param(
            "#Mali : Coupure d’électricité\nPar Seydou Koné\nCourant coupé dimanche.",
            ArticleDraft(
                title="Coupure d’électricité",
                lead="Courant coupé dimanche.",
                author="Seydou Koné",
                topics=("Mali",),
            ),
            id="lead-only",
        ),
        pytest.param(
            "#Mali : Titre\nPar ailleurs, la séance est levée.",
            ArticleDraft(
                title="Titre", lead="Par ailleurs, la séance est levée.", topics=("Mali",)
            ),
            id="par-ailleurs-is-the-lead",
        ),
        pytest.param(
            "/publish\n" + FULL,
            parse_article_message(FULL),
            id="publish-own-line",
        ),
        pytest.param(
            "/publish@newsbot_bot " + FULL,
            parse_article_message(FULL),
            id="publish-at-bot-same-line",
        ),
        pytest.param(
            "\n\n/publish\n\n" + FULL + "\n\n",
            parse_article_message(FULL),
            id="surrounding-blank-lines",
        ),
        pytest.param(FULL.replace("\n", "\r\n"), parse_article_message(FULL), id="crlf"),
        pytest.param(
            FULL.replace("\n", "   \n").replace("\n\n", "\n\n\n\n"),
            parse_article_message(FULL),
            id="trailing-spaces-and-many-newlines",
        ),
        pytest.param(
            "\ufeff" + FULL.replace("premier", "pre\u200bmier\u0007"),
            parse_article_message(FULL),
            id="zero-width-and-control-chars",
        ),
        pytest.param(
            "#Mali : Titre\n\nPar Awa KEITA\n\nLe chapeau.",
            ArticleDraft(title="Titre", lead="Le chapeau.", author="Awa KEITA", topics=("Mali",)),
            id="blank-lines-around-byline",
        ),
        pytest.param(
            "#Mali : Titre\nLe chapeau.\n\n- un\n- deux",
            ArticleDraft(title="Titre", lead="Le chapeau.", body="- un\n- deux", topics=("Mali",)),
            id="single-line-breaks-kept",
        ),
        pytest.param(
            '#Mali : Titre <b>\nLe chapeau : R&D <i>x</i> "ok".',
            ArticleDraft(
                title="Titre <b>", lead='Le chapeau : R&D <i>x</i> "ok".', topics=("Mali",)
            ),
            id="html-is-text",
        ),
        pytest.param(
            f"#Mali : Titre\nIl a dit{NNBSP}: «{NNBSP}oui{NNBSP}».",
            ArticleDraft(
                title="Titre", lead=f"Il a dit{NNBSP}: «{NNBSP}oui{NNBSP}».", topics=("Mali",)
            ),
            id="typographic-spaces-kept-in-text",
        ),
        pytest.param(
            FULL + "\n\nLien : https://www.journal-exemple.ml/articles/x\n"
            "Photo : https://www.journal-exemple.ml/images/x.jpg\n",
            ArticleDraft(
                title="Bamako et Moscou main dans la main",
                lead="Le premier paragraphe.",
                body="Le deuxième paragraphe.\n\nLe troisième paragraphe.",
                author="Awa KEITA",
                topics=("Mali", "Russie"),
                url="https://www.journal-exemple.ml/articles/x",
                image_url="https://www.journal-exemple.ml/images/x.jpg",
            ),
            id="link-and-photo",
        ),
        pytest.param(
            f"#Mali : Titre\nLe chapeau.\nPhoto{NBSP}:http://exemple.ml/a.jpg\n"
            "LINK: https://exemple.ml/a",
            ArticleDraft(
                title="Titre",
                lead="Le chapeau.",
                topics=("Mali",),
                url="https://exemple.ml/a",
                image_url="http://exemple.ml/a.jpg",
            ),
            id="english-label-any-case-http",
        ),
        pytest.param(
            "#Mali : Titre\nLe chapeau.\n\nPhoto : AFP",
            ArticleDraft(title="Titre", lead="Le chapeau.", body="Photo : AFP", topics=("Mali",)),
            id="photo-credit-stays-in-text",
        ),
    ],
)
def test_parse_article_message(text: str, expected: ArticleDraft) -> None:
    assert parse_article_message(text) == expected


@pytest.mark.parametrize(
    ("text", "key", "params"),
    [
        pytest.param("", "draft.empty", {}, id="empty"),
        pytest.param(" \n\u200b\n\t", "draft.empty", {}, id="blank"),
        pytest.param("/publish", "draft.empty", {}, id="command-only"),
        pytest.param("/publish@newsbot_bot\n\n", "draft.empty", {}, id="command-at-bot-only"),
        pytest.param("Par Awa KEITA\nLe chapeau.", "draft.no_title", {}, id="byline-first"),
        pytest.param("Un titre sans hashtag\nLe chapeau.", "draft.no_title", {}, id="no-hashtag"),
        pytest.param(
            "#Mali-Russie :\nLe chapeau.",
            "draft.title_only_hashtags",
            {"topics": "#Mali #Russie"},
            id="hashtag-only",
        ),
        pytest.param(
            "#Mali : " + "x" * (TITLE_MAX_CHARS + 1) + "\nLe chapeau.",
            "draft.title_too_long",
            {"length": TITLE_MAX_CHARS + 1, "limit": TITLE_MAX_CHARS},
            id="title-too-long",
        ),
        pytest.param("#Mali : Titre", "draft.no_text", {}, id="title-only"),
        pytest.param("#Mali : Titre\nPar Awa KEITA\n\n", "draft.no_text", {}, id="title-byline"),
        pytest.param(
            "#Mali : Titre\nLien : https://exemple.ml/a", "draft.no_text", {}, id="title-link"
        ),
        pytest.param(
            "#Mali : Titre\n" + "y" * (LEAD_MAX_CHARS + 1),
            "draft.lead_too_long",
            {"length": LEAD_MAX_CHARS + 1, "limit": LEAD_MAX_CHARS},
            id="lead-too-long",
        ),
        pytest.param(
            "#Mali : Titre\nChapeau.\n\n" + "\n\n".join(["z" * 999] * 61),
            "draft.text_too_long",
            {"length": len("Chapeau.") + 999 * 61 + 2 * 60, "limit": TEXT_MAX_CHARS},
            id="text-too-long",
        ),
        pytest.param(
            "#Mali : Titre\nChapeau.\nLien : ftp://exemple.ml/a",
            "draft.bad_link",
            {"url": "ftp://exemple.ml/a"},
            id="ftp-link",
        ),
        pytest.param(
            "#Mali : Titre\nChapeau.\nPhoto : www.exemple.ml/a.jpg",
            "draft.bad_link",
            {"url": "www.exemple.ml/a.jpg"},
            id="photo-without-scheme",
        ),
        pytest.param(
            "#Mali : Titre\nChapeau.\nLien : https://",
            "draft.bad_link",
            {"url": "https://"},
            id="link-without-host",
        ),
        pytest.param(
            "#Mali : Titre\nChapeau.\nLien : javascript://alert(1)",
            "draft.bad_link",
            {"url": "javascript://alert(1)"},
            id="javascript-link",
        ),
        pytest.param(
            "#Mali : Titre\nChapeau.\nLien : http://<b>/x",
            "draft.bad_link",
            {"url": "http://&lt;b&gt;/x"},
            id="link-echoed-escaped",
        ),
    ],
)
def test_parse_article_message_explains_each_problem(
    text: str, key: str, params: dict[str, object]
) -> None:
    with pytest.raises(DraftError) as caught:
        parse_article_message(text)
    assert caught.value.key == key
    assert caught.value.params == params
    for lang in i18n.LANGUAGES:
        assert i18n.t(lang, caught.value.key, **caught.value.params)


def test_text_at_the_limits_is_accepted() -> None:
    body = "b" * (TEXT_MAX_CHARS - LEAD_MAX_CHARS - 2)
    text = "#Mali : " + "t" * TITLE_MAX_CHARS + "\n" + "l" * LEAD_MAX_CHARS + "\n\n" + body
    draft = parse_article_message(text)
    assert len(draft.title) == TITLE_MAX_CHARS
    assert len(draft.lead) + len(draft.body) == TEXT_MAX_CHARS - 2


def test_draft_error_is_a_value_error_and_a_newsbot_error() -> None:
    error = DraftError("draft.bad_link", url="a<b", count=3)
    assert isinstance(error, ValueError)
    assert isinstance(error, NewsbotError)
    assert error.params == {"url": "a&lt;b", "count": 3}
    assert "draft.bad_link" in str(error)


# --- catalogues ---------------------------------------------------------------------------


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", DRAFT_KEYS)
def test_catalogues_have_the_key_with_the_same_placeholders(key: str) -> None:
    assert key in fr.MESSAGES
    assert key in en.MESSAGES
    assert _placeholders(fr.MESSAGES[key]) == _placeholders(en.MESSAGES[key])


@pytest.mark.parametrize("key", DRAFT_KEYS)
def test_french_messages_follow_french_typography(key: str) -> None:
    message = fr.MESSAGES[key].replace("://", "")  # a URL scheme is not punctuation
    for match in re.finditer(r"[:;?!»]", message):
        before = message[match.start() - 1]
        assert before == (NBSP if match[0] == ":" else NNBSP), (key, match.start())
    for match in re.finditer("«", message):
        assert message[match.end()] == NNBSP, (key, match.start())


# --- sample articles ----------------------------------------------------------------------


def _samples() -> list[dict[str, str | None]]:
    return json.loads(SAMPLES_PATH.read_text(encoding="utf-8"))


def _sample_drafts() -> list[ArticleDraft]:
    return [parse_article_message(str(sample["text"])) for sample in _samples()]


@pytest.mark.parametrize("index", range(len(_samples())))
def test_sample_article_parses_and_has_valid_metadata(index: int) -> None:
    sample = _samples()[index]
    assert set(sample) == {"text", "published_at", "url", "image_url"}
    draft = parse_article_message(str(sample["text"]))
    assert draft.title and draft.lead and draft.topics
    published = datetime.fromisoformat(str(sample["published_at"]))
    assert datetime(2026, 11, 17, tzinfo=UTC) <= published < datetime(2026, 11, 28, tzinfo=UTC)
    if sample["url"] is not None:
        assert str(sample["url"]).startswith("https://www.journal-exemple.ml/articles/")
    if sample["image_url"] is not None:
        assert re.fullmatch(
            r"https://www\.journal-exemple\.ml/images/[\w-]+\.jpg", sample["image_url"]
        )


def test_sample_set_covers_what_the_demo_and_tests_need() -> None:
    samples = _samples()
    drafts = _sample_drafts()
    assert len(drafts) >= 14

    forms_by_author: dict[str, set[str]] = {}
    for draft in drafts:
        if draft.author != DEFAULT_AUTHOR:
            forms_by_author.setdefault(fold(draft.author), set()).add(draft.author)
    assert len(forms_by_author) >= 4
    assert any(
        fold(name) != name.casefold() for forms in forms_by_author.values() for name in forms
    )
    assert any(len(forms) >= 2 for forms in forms_by_author.values())

    topics = {fold(topic) for draft in drafts for topic in draft.topics}
    assert len(topics) >= 6
    compound = [s for s in samples if re.match(r"#[^\W_]+-[^\W_]+", str(s["text"]))]
    assert len(compound) >= 2
    assert any(" : " in draft.title for draft in drafts)  # a second label
    assert any(draft.author == DEFAULT_AUTHOR for draft in drafts)
    assert any(not draft.body for draft in drafts)
    assert any(
        draft.body.count("\n\n") + 2 >= 6 and len(draft.lead) + len(draft.body) >= 3000
        for draft in drafts
    )
    assert any(set('&<>"') & set(draft.title + draft.lead + draft.body) for draft in drafts)
    dates = [datetime.fromisoformat(str(s["published_at"])) for s in samples]
    assert (max(dates) - min(dates)).days >= 7


def test_closest_names_forgive_typos_and_word_order() -> None:
    from bot import site
    from db.models import Author, Topic

    topics = [Topic(1, "russie", "Russie", 5), Topic(2, "sport", "Sport", 9)]
    authors = [
        Author(3, "aboubacar traore", "Aboubacar Traoré", 4),
        Author(4, "awa keita", "Awa Keïta", 2),
    ]
    assert [t.name for t in site.closest("rusie", topics)] == ["Russie"]
    assert [a.name for a in site.closest("traore aboubakar", authors)] == ["Aboubacar Traoré"]
    assert [a.name for a in site.closest("traore", authors)] == ["Aboubacar Traoré"]
    assert site.closest("zzzz", [*topics, *authors]) == []
