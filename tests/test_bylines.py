"""Bylines as newsrooms write them: co-signed articles, the newsroom, one form per person."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import feedparser
import pytest

from bot import site
from bot.feeds.entries import entry_to_item
from bot.formatting import byline
from bot.publishing import Publisher, tidy_author_names
from db import Database, articles, chats, deliveries
from db.models import ArticleDraft
from tests.conftest import Harness

NBSP = "\u00a0"


# --- parsing: which line is a byline, and who it names --------------------------------------


@pytest.mark.parametrize(
    ("line", "authors"),
    [
        ("Par Awa KEITA et Issa DEMBÉLÉ", ("Awa KEITA", "Issa DEMBÉLÉ")),
        (
            "Par Awa KEITA, Issa DEMBÉLÉ et Bintou DIARRA",
            ("Awa KEITA", "Issa DEMBÉLÉ", "Bintou DIARRA"),
        ),
        ("Par la rédaction", ("La rédaction",)),
        ("Par notre correspondant à Mopti", ("notre correspondant à Mopti",)),
        ("Par Notre correspondant à Mopti", ("notre correspondant à Mopti",)),
        ("De Awa KEITA", ("Awa KEITA",)),
        ("De notre envoyée spéciale à Kidal", ("notre envoyée spéciale à Kidal",)),
        ("D’Aminata TOURÉ", ("Aminata TOURÉ",)),
        ("Par Awa KEITA & Issa DEMBÉLÉ", ("Awa KEITA", "Issa DEMBÉLÉ")),
        (
            "Par Awa KEITA, Issa DEMBÉLÉ, et Bintou DIARRA",
            ("Awa KEITA", "Issa DEMBÉLÉ", "Bintou DIARRA"),
        ),
        ("Par Awa KEITA et Awa Keïta", ("Awa KEITA",)),  # one person, written twice
        ("Par Awa KEITA et notre correspondant à Gao", ("Awa KEITA", "notre correspondant à Gao")),
        # Not bylines: sentences that open with "Par" or "De".
        ("De la pluie est tombée sur Bamako", None),
        ("De Bamako à Kati, la route est coupée", None),
        ("Par ailleurs, le gouvernement et les syndicats ont signé", None),
        ("Par la suite et sans attendre", None),
        ("D’après le ministre, la récolte sera bonne", None),
        ("Par Awa KEITA et", None),
        ("Par Awa KEITA, envoyée spéciale à Gao", None),
    ],
)
def test_byline_lines_name_their_authors(line: str, authors: tuple[str, ...] | None) -> None:
    assert site.parse_byline(line) == authors


LEAD = "Les cotonculteurs de Koutiala ont reçu leurs premiers paiements ce mardi."


@pytest.mark.parametrize(
    ("byline_line", "authors"),
    [
        ("Par Awa Keïta et Issa Dembélé", ("Awa Keïta", "Issa Dembélé")),
        ("par  Awa  KEITA   et  Issa  DEMBÉLÉ", ("Awa KEITA", "Issa DEMBÉLÉ")),
        ("PAR AWA KEITA ET ISSA DEMBÉLÉ", ("AWA KEITA", "ISSA DEMBÉLÉ")),
        ("Par : Awa KEITA et Issa DEMBÉLÉ", ("Awa KEITA", "Issa DEMBÉLÉ")),
        ("Par: Awa KEITA, Issa DEMBÉLÉ.", ("Awa KEITA", "Issa DEMBÉLÉ")),
        ("Par Awa KEITA.", ("Awa KEITA",)),
        ("Par Awa KEITA...", ("Awa KEITA",)),
        (f"Par{NBSP}Awa{NBSP}KEITA{NBSP}et{NBSP}Issa{NBSP}DEMBÉLÉ", ("Awa KEITA", "Issa DEMBÉLÉ")),
        (
            "  Par Awa KEITA ,  Issa DEMBÉLÉ  et  Bintou DIARRA  ",
            ("Awa KEITA", "Issa DEMBÉLÉ", "Bintou DIARRA"),
        ),
        ("Par la Rédaction", ("La rédaction",)),
        ("PAR LA RÉDACTION", ("La rédaction",)),
        ("Par notre correspondant à Mopti.", ("notre correspondant à Mopti",)),
        ("De Awa KEITA", ("Awa KEITA",)),
        ("Par Mohamed OULD CHEIKH et Iyad AG GHALY", ("Mohamed OULD CHEIKH", "Iyad AG GHALY")),
        ("Par A. KONÉ et Issa DEMBÉLÉ", ("A. KONÉ", "Issa DEMBÉLÉ")),
    ],
)
def test_editor_pastes_give_the_authors_and_a_clean_lead(
    byline_line: str, authors: tuple[str, ...]
) -> None:
    """The brief's bug: "Par Awa Keïta et Issa Dembélé Un chapeau." glued into the lead."""
    draft = site.parse_article_message(
        f"/publish\n#Mali : Le coton paie enfin\n{byline_line}\n{LEAD}\n\nLe reste suit."
    )
    assert draft.authors == authors
    assert draft.lead == LEAD
    assert draft.body == "Le reste suit."


def test_a_byline_run_into_the_lead_is_split_from_it() -> None:
    draft = site.parse_article_message(
        f"#Mali : Le coton paie enfin\nPar Awa KEITA et Issa DEMBÉLÉ {LEAD}"
    )
    assert draft.authors == ("Awa KEITA", "Issa DEMBÉLÉ")
    assert draft.lead == LEAD


def test_an_article_without_byline_is_the_newsrooms() -> None:
    draft = site.parse_article_message(f"#Mali : Le coton paie enfin\n{LEAD}")
    assert draft.authors == (site.DEFAULT_AUTHOR,)
    assert draft.lead == LEAD


def test_the_guided_step_takes_a_byline_typed_any_way() -> None:
    assert site.parse_byline("seydou koné et awa keïta", known=True) == (
        "seydou koné",
        "awa keïta",
    )
    assert site.parse_byline("Par : Seydou KONÉ", known=True) == ("Seydou KONÉ",)
    assert site.parse_byline("notre correspondant à Mopti", known=True) == (
        "notre correspondant à Mopti",
    )


# --- one display form per person --------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("Seydou KONÉ", "Seydou Koné"),
        ("seydou koné", "Seydou Koné"),
        ("Seydou Koné", "Seydou Koné"),
        ("SEYDOU KONÉ", "Seydou Koné"),
        ("Kadiatou MAÏGA", "Kadiatou Maïga"),
        ("Awa KEÏTA-TRAORÉ", "Awa Keïta-Traoré"),
        ("Iyad AG GHALY", "Iyad ag Ghaly"),
        ("Mohamed OULD CHEIKH", "Mohamed ould Cheikh"),
        ("Mamadou Lamine N’DIAYE", "Mamadou Lamine N’Diaye"),
        ("Jean d’ORMESSON", "Jean d’Ormesson"),
        ("A. KONÉ", "A. Koné"),
        ("notre correspondant à Mopti", "notre correspondant à Mopti"),
        ("La rédaction", "La rédaction"),
        ("AFP", "AFP"),
        ("maliweb.net", "maliweb.net"),
    ],
)
def test_a_person_is_shown_the_sites_one_way(written: str, shown: str) -> None:
    assert site.display_name(written) == shown


@pytest.mark.parametrize(
    ("names", "fr", "en"),
    [
        (["Awa Keïta"], "Par Awa Keïta", "By Awa Keïta"),
        (
            ["Awa Keïta", "Issa Dembélé"],
            "Par Awa Keïta et Issa Dembélé",
            "By Awa Keïta and Issa Dembélé",
        ),
        (["A", "B", "C"], "Par A, B et C", "By A, B, and C"),
        (["La rédaction"], "La rédaction", "The newsroom"),
        (
            ["notre correspondant à Mopti"],
            "Par notre correspondant à Mopti",
            "By notre correspondant à Mopti",
        ),
        (
            ["Awa Keïta", "La rédaction"],
            "Par Awa Keïta et la rédaction",
            "By Awa Keïta and the newsroom",
        ),
    ],
)
def test_the_byline_shows_every_author(names: list[str], fr: str, en: str) -> None:
    assert byline(names, "fr") == fr
    assert byline(names, "en") == en


# --- storing: several authors, one row per person -------------------------------------------

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC).timestamp()


def _cosigned(**changes: object) -> ArticleDraft:
    draft = site.parse_article_message(
        f"#Mali-Économie : Le coton paie enfin\nPar Bintou DIARRA et Seydou KONÉ\n{LEAD}"
    )
    return ArticleDraft(**{**{f: getattr(draft, f) for f in draft.__dataclass_fields__}, **changes})


async def _follow_author(database: Database, chat_id: int, name: str) -> None:
    async with database.transaction() as conn:
        await chats.upsert_chat(conn, chat_id, "private", f"Lecteur {chat_id}", "fr", NOW)
        author = await articles.ensure_author(conn, site.fold(name), name)
        await chats.subscribe(conn, chat_id, NOW, author_id=author.id)


async def test_a_cosigned_article_is_listed_under_each_author_and_alerts_once(
    database: Database,
) -> None:
    await _follow_author(database, 101, "Seydou Koné")  # follows the second author
    await _follow_author(database, 102, "Bintou Diarra")
    await _follow_author(database, 103, "Bintou Diarra")
    async with database.transaction() as conn:  # 103 follows both
        koné = await articles.ensure_author(conn, "seydou kone", "Seydou Koné")
        await chats.subscribe(conn, 103, NOW, author_id=koné.id)
    publisher = Publisher(database, clock=lambda: NOW)

    result = await publisher.publish(_cosigned(), source_key="test:coton", origin="editor")

    assert result.queued == 3  # 101, 102, and 103 once although it follows both
    counts = await deliveries.delivery_counts(database.reader, result.article_id)
    assert counts.pending == 3
    article = await articles.get_article(database.reader, result.article_id)
    assert article is not None
    assert [author.name for author in article.authors] == ["Bintou Diarra", "Seydou Koné"]
    for key in ("bintou diarra", "seydou kone"):
        author = await articles.get_author_by_key(database.reader, key)
        assert author is not None and author.article_count == 1
        page = await articles.articles_by_author(database.reader, author.id, 10)
        assert [found.id for found in page.items] == [result.article_id]


async def test_withdrawing_and_correcting_keep_every_authors_count(database: Database) -> None:
    publisher = Publisher(database, clock=lambda: NOW)
    result = await publisher.publish(_cosigned(), source_key="test:coton", origin="editor")

    async def counts() -> list[int]:
        found = [
            await articles.get_author_by_key(database.reader, key)
            for key in ("bintou diarra", "seydou kone", "awa keita")
        ]
        return [author.article_count if author else 0 for author in found]

    assert await counts() == [1, 1, 0]
    corrected = _cosigned(author="Bintou DIARRA", coauthors=("Awa KEITA",))
    await publisher.revise(result.article_id, corrected)
    assert await counts() == [1, 0, 1]
    koné = await articles.get_author_by_key(database.reader, "seydou kone")
    assert koné is not None
    assert (await articles.articles_by_author(database.reader, koné.id, 10)).items == []
    await publisher.withdraw(result.article_id)
    assert await counts() == [0, 0, 0]


async def test_every_spelling_of_a_person_is_one_author_shown_one_way(database: Database) -> None:
    publisher = Publisher(database, clock=lambda: NOW)
    for number, name in enumerate(["Seydou KONÉ", "seydou koné", "Seydou Koné", "SEYDOU KONE"]):
        await publisher.publish(
            _cosigned(author=name, coauthors=(), title=f"Dépêche {number}"),
            source_key=f"test:{number}",
            origin="feed",
        )
    author = await articles.get_author_by_key(database.reader, "seydou kone")
    assert author is not None
    assert (author.name, author.article_count) == ("Seydou Koné", 4)
    async with database.reader.execute(
        "SELECT count(*) FROM authors WHERE key LIKE 'seydou%'"
    ) as c:
        row = await c.fetchone()
    assert row is not None and row[0] == 1


async def test_names_stored_before_are_given_their_display_form_at_start_up(
    database: Database,
) -> None:
    async with database.transaction() as conn:
        await articles.ensure_author(conn, "fatoumata bagayoko", "Fatoumata BAGAYOKO")
        await articles.ensure_author(conn, "kadiatou maiga", "Kadiatou Maïga")
    assert await tidy_author_names(database) == 1
    assert await tidy_author_names(database) == 0  # once only
    names = dict(await articles.author_names(database.reader))
    assert sorted(names.values()) == ["Fatoumata Bagayoko", "Kadiatou Maïga"]


# --- feeds: every <author> and dc:creator ---------------------------------------------------


def test_a_feed_item_with_several_creators_has_several_authors() -> None:
    document = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Q</title>
<item><title>#Mali : Le coton paie enfin</title><link>https://journal.example.ml/a/1</link>
<guid>a-1</guid><dc:creator>Bintou DIARRA</dc:creator><dc:creator>Seydou KONÉ</dc:creator>
<description>Les cotonculteurs de Koutiala ont été payés.</description></item>
<item><title>#Mali : Deux signatures en une</title><link>https://journal.example.ml/a/2</link>
<guid>a-2</guid><dc:creator><![CDATA[Awa KEITA et Issa DEMBÉLÉ]]></dc:creator>
<description>Le texte.</description></item>
<item><title>#Mali : Signé du bureau</title><link>https://journal.example.ml/a/3</link>
<guid>a-3</guid><description>Par notre correspondant à Mopti. La crue arrive.</description>
</item></channel></rss>"""
    parsed = feedparser.parse(document)
    now = datetime.now(UTC)
    items = [entry_to_item(entry, now) for entry in parsed.entries]
    assert [item.draft.authors if item else None for item in items] == [
        ("Bintou DIARRA", "Seydou KONÉ"),
        ("Awa KEITA", "Issa DEMBÉLÉ"),
        ("notre correspondant à Mopti",),
    ]
    assert items[2] is not None and items[2].draft.lead == "La crue arrive."


# --- end to end: readers find it under both, followers of either get it once ---------------


async def test_author_finds_a_cosigned_article_under_both_and_its_byline_shows_both(
    bot: Harness,
) -> None:
    reader = bot.sandbox.add_user("Oumou")
    await _follow_author(bot.db, reader.id, "Seydou Koné")
    chat = reader.private_chat
    mark = chat.mark()

    [preview_alert, control] = await bot.ask(
        bot.editor,
        "/publish\n#Mali : Le coton paie enfin\nPar Bintou DIARRA et Seydou KONÉ\n" + LEAD,
        count=2,
    )
    assert "Par Bintou Diarra et Seydou Koné" in preview_alert.content
    assert preview_alert.content.endswith(f"\n\n{LEAD}")  # the byline is not in the lead
    query = await bot.editor.press(control, "Publier")
    await bot.sandbox.wait_for_answer(query)

    [alert] = await bot.sandbox.wait_for(chat, timeout=10.0, after=mark)
    assert "Par Bintou Diarra et Seydou Koné" in alert.content
    article_id = (await articles.latest_articles(bot.db.reader, 1)).items[0].id
    while not (await deliveries.delivery_counts(bot.db.reader, article_id)).done:
        await asyncio.sleep(0.05)
    assert len([m for m in chat.bot_messages() if "Le coton paie enfin" in m.content]) == 1

    for name in ("diarra", "koné"):
        [listing] = await bot.ask(reader, f"/author {name}")
        assert "Le coton paie enfin" in listing.content, name
    [authors] = await bot.ask(reader, "/authors")
    assert "Bintou Diarra" in authors.content and "Seydou Koné" in authors.content
