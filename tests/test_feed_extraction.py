"""What a real-world feed item becomes: the story's lead, no furniture, stable keys, true dates.

The fixtures in tests/feeds_fixtures/ are written for these tests in the shape real feeds
have (WordPress, an Atom feed with Media RSS captions, a JSON Feed, a site's home page);
the news in them is invented.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from bot.config import Settings
from bot.feeds import FeedError, parse_feed
from bot.feeds.discovery import feed_links
from bot.feeds.entries import clean_authors, read_date
from bot.feeds.extraction import extract_story, is_furniture
from bot.importer import describe_report, run_import
from db import Database, DatabaseUrl, articles, chats
from db import feeds as feeds_db

FIXTURES = Path(__file__).parent / "feeds_fixtures"
NOW = datetime(2024, 3, 2, 12, 0, tzinfo=UTC)


def parse(name: str):  # type: ignore[no-untyped-def]
    return parse_feed((FIXTURES / name).read_bytes(), now=NOW, max_entries=None)


# --- the story, not the page ---------------------------------------------------------------


def test_a_wordpress_item_keeps_the_story_and_drops_caption_share_and_apparu() -> None:
    koulouba, corridor, cotton = parse("wordpress.xml").items

    draft = koulouba.draft
    assert draft.lead == (
        "Le chef de l’État a reçu vendredi une délégation russe conduite par le vice-ministre "
        "de la Défense. Les deux parties ont passé en revue la coopération militaire."
    )
    text = draft.lead + "\n\n" + draft.body
    for furniture in ("Photo : AMAP", "Partager", "Facebook", "apparu en premier", "Lire aussi"):
        assert furniture not in text
    assert "Articles similaires" not in text and "budget 2024" not in text
    assert draft.body.endswith("La délégation doit se rendre samedi à Kati.")
    # A table reads row by row, not one word per paragraph.
    assert "Centrale solaire · 120 milliards FCFA" in draft.body.split("\n\n")
    assert draft.image_url == (
        "https://quotidien.example.ml/wp-content/uploads/2024/03/koulouba-1024x683.jpg"
    )
    assert draft.author == "Moussa DIARRA"
    # Categories decoded; "Non classé" is no topic; the title's hashtags come first.
    assert draft.topics == ("Mali", "Russie", "Politique & Société")

    # Summary only, the byline run into the first sentence, a CMS login as dc:creator.
    assert corridor.draft.author == "Aboubacar TRAORE"
    assert corridor.draft.lead == (
        "Les deux pays ont signé jeudi un accord pour la réhabilitation de la route "
        "Bamako-Kourémalé-Conakry, longue de 980\u00a0km."
    )
    assert corridor.draft.body == ""
    assert corridor.draft.topics == ("Mali", "Guinée", "l'emploi")
    # "ven, 01 mar 2024": a French date feedparser cannot read.
    assert corridor.draft.published_at == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    assert not corridor.undated

    # "awa.keita" is a login, not a name: the newsroom signs.
    assert cotton.draft.author == "La rédaction"


def test_media_description_is_a_caption_never_the_lead() -> None:
    malanville, dakar = parse("atom_media.xml").items

    assert malanville.draft.lead.startswith("Les camions bloqués depuis l’été")
    assert "Photo" not in malanville.draft.lead + malanville.draft.body
    assert malanville.draft.image_url == "https://quotidien.example.ml/img/malanville-1200.jpg"
    # The caption copied at the top of the content is dropped too.
    assert dakar.draft.lead == (
        "Le Conseil constitutionnel a validé mercredi la date du 24 mars pour le premier tour."
    )
    assert dakar.draft.body == "La campagne s’ouvrira le 9 mars."


def test_a_caption_alone_is_furniture_but_a_short_story_is_not() -> None:
    story = extract_story(
        "<p>Des manifestants à Bamako, mardi (Photo : AFP)</p>"
        "<p>Le couvre-feu est levé.</p><p>Partager : Facebook X</p>"
    )
    assert story.paragraphs == ["Le couvre-feu est levé."]
    assert extract_story("<p>Le couvre-feu est levé.</p>").paragraphs == ["Le couvre-feu est levé."]
    assert is_furniture("The post Hello appeared first on Example News.")
    assert not is_furniture("Le président a partagé son analyse : la crise est finie.")


def test_a_reddit_post_keeps_its_text_not_the_empty_picture_cell_or_submitted_by() -> None:
    # The shape reddit's Atom feeds give every post: a table, the picture in the first
    # cell, the text and "submitted by … [link] [comments]" in the second.
    story = extract_story(
        '<table> <tr><td> <a href="https://www.reddit.com/r/x/comments/1/"> '
        '<img src="https://preview.redd.it/a.jpg" alt="A title" /> </a> </td><td> '
        '<div class="md"><p>Hi there! Two GPUs in one box?</p></div> &#32; submitted by '
        '&#32; <a href="https://www.reddit.com/user/someone"> /u/someone </a> <br/> '
        '<span><a href="https://i.redd.it/a.jpg">[link]</a></span> &#32; '
        '<span><a href="https://www.reddit.com/r/x/comments/1/">[comments]</a></span> '
        "</td></tr></table>"
    )
    assert story.paragraphs == ["Hi there! Two GPUs in one box?"]
    assert story.image_url == "https://preview.redd.it/a.jpg"
    link_only = extract_story(
        '<table><tr><td><img src="https://preview.redd.it/b.jpg" /></td><td> submitted by '
        '<a href="https://www.reddit.com/user/p"> /u/p </a> to <a> r/mcp </a><br/>'
        "<span><a>[link]</a></span> <span><a>[comments]</a></span></td></tr></table>"
    )
    assert link_only.paragraphs == []


def test_html_escaped_twice_is_read_as_html() -> None:
    story = extract_story(
        "&lt;div class=&quot;md&quot;&gt;&lt;p&gt;Un texte.&lt;/p&gt;&lt;/div&gt;"
    )
    assert story.paragraphs == ["Un texte."]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("awa.keita", ()),
        ("admin", ()),
        ("redac2", ()),
        ("Par Awa KEITA", ("Awa KEITA",)),
        ("Reuters", ("Reuters",)),
        ("Moussa Diarra", ("Moussa Diarra",)),
        ("Awa KEITA et Issa DEMBÉLÉ", ("Awa KEITA", "Issa DEMBÉLÉ")),
        (
            "Par Awa KEITA, Issa DEMBÉLÉ et Moussa DIARRA",
            ("Awa KEITA", "Issa DEMBÉLÉ", "Moussa DIARRA"),
        ),
    ],
)
def test_cms_logins_are_no_author(written: str, expected: tuple[str, ...]) -> None:
    assert clean_authors(written) == expected


# --- identity ------------------------------------------------------------------------------


def test_a_repeated_guid_loses_no_item_and_an_exact_repeat_stays_a_repeat() -> None:
    parsed = parse("repeated_guid.xml")
    keys = [item.source_key for item in parsed.items]
    assert keys == [
        "feed:qdb-sport",
        "feed:https://quotidien.example.ml/2024/02/29/djoliba-derby/",
        "feed:qdb-sport",
    ]
    assert parsed.items[0].draft == parsed.items[2].draft


def test_items_sharing_the_home_page_link_are_told_apart_by_title_and_date() -> None:
    parsed = parse("homepage_links.xml")
    keys = {item.source_key for item in parsed.items}
    assert len(keys) == 3 and all(key.startswith("feed:sha:") for key in keys)
    rain, bridge, festival = parsed.items
    # "Seg, 24 Set 2018 19:42:40 -0300": Portuguese names, read all the same.
    assert rain.draft.published_at == datetime(2018, 9, 24, 22, 42, 40, tzinfo=UTC)
    assert bridge.draft.published_at == datetime(2018, 9, 23, 11, 10, tzinfo=UTC)
    # No readable date: marked, so it takes the time it is first seen.
    assert festival.undated and festival.draft.published_at is None
    assert parse("homepage_links.xml").items[2].source_key == festival.source_key


async def test_a_homepage_feed_polled_twice_updates_nothing(
    tmp_path: Path, database: Database, database_target: Path | DatabaseUrl
) -> None:
    settings = Settings(db_path=database_target)
    first = await run_import(settings, str(FIXTURES / "homepage_links.xml"), False, progress=None)
    again = await run_import(settings, str(FIXTURES / "homepage_links.xml"), False, progress=None)
    assert (first.new, first.undated) == (3, 1)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3)
    [festival] = [item for item in parse("homepage_links.xml").items if item.undated]
    assert await feeds_db.is_undated(database.reader, festival.source_key)
    stored = await articles.get_article_by_source(database.reader, festival.source_key)
    assert stored is not None and stored.published_at.year >= 2024  # when it was first seen


async def test_a_changed_guid_with_the_same_link_updates_the_article(
    tmp_path: Path, database: Database, database_target: Path | DatabaseUrl
) -> None:
    settings = Settings(db_path=database_target)
    source = FIXTURES / "wordpress.xml"
    await run_import(settings, str(source), False, progress=None)
    moved = tmp_path / "moved.xml"
    # A CMS migration: new guids, same links, one text corrected.
    moved.write_text(
        source.read_text(encoding="utf-8")
        .replace("?p=205", "?p=995")
        .replace("samedi à Kati", "dimanche à Kati"),
        encoding="utf-8",
    )
    report = await run_import(settings, str(moved), False, progress=None)
    assert (report.new, report.updated, report.unchanged) == (0, 1, 2)
    async with database.reader.execute("SELECT COUNT(*) FROM articles") as cursor:
        assert (await cursor.fetchone())[0] == 3
    stored = await articles.get_article_by_source(
        database.reader, "feed:https://quotidien.example.ml/?p=20514"
    )
    assert stored is not None and stored.body.endswith("dimanche à Kati.")


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("ven, 01 mar 2024 10:00:00 +0000", datetime(2024, 3, 1, 10, 0, tzinfo=UTC)),
        ("Seg, 24 Set 2018 19:42:40 -0300", datetime(2018, 9, 24, 22, 42, 40, tzinfo=UTC)),
        ("jeudi 29 février 2024 12:56", datetime(2024, 2, 29, 12, 56, tzinfo=UTC)),
        ("29 février 2024", datetime(2024, 2, 29, tzinfo=UTC)),
        ("quand il voudra", None),
        ("demain", None),
    ],
)
def test_localised_and_sloppy_dates(written: str, expected: datetime | None) -> None:
    assert read_date(written, NOW) == expected


# --- encodings -----------------------------------------------------------------------------

_STORY = "Le marché de Médine rouvre"


def _encoded_feed(encoding: str, declared: str | None = None, story: str = _STORY) -> bytes:
    text = (
        f'<?xml version="1.0" encoding="{declared or encoding}"?>\n'
        '<rss version="2.0"><channel><title>Journal 中文</title>'
        f"<item><title>#Mali : {story}</title><guid>qdb-1</guid>"
        "<description>Les marchands 商人 sont revenus.</description></item>"
        "</channel></rss>"
    )
    return text.encode(encoding)


@pytest.mark.parametrize("encoding", ["big5", "euc-kr", "gb2312", "utf-16", "utf-16-le"])
def test_every_encoding_feedparser_reads_is_read(encoding: str) -> None:
    # Big5, EUC-KR and GB2312 write Chinese or Korean, not "é" or "ç".
    wide = encoding.startswith("utf")
    story = _STORY if wide else "Le marche de Medine rouvre"
    body = _encoded_feed(encoding, story=story)
    parsed = parse_feed(body, now=NOW)
    [item] = parsed.items
    assert item.draft.title == story
    assert "商人" in item.draft.lead and parsed.title == "Journal 中文"


def test_an_unknown_declared_encoding_is_read_as_feedparser_reads_it() -> None:
    body = _encoded_feed("utf-8", declared="x-maison-inconnue")
    [item] = parse_feed(body, now=NOW).items
    assert item.draft.title == _STORY


def test_entities_are_still_refused_in_any_encoding() -> None:
    laughs = (FIXTURES / "billion_laughs.xml").read_text(encoding="utf-8")
    for encoding in ("big5", "utf-16"):
        body = laughs.replace('encoding="UTF-8"', f'encoding="{encoding}"').encode(encoding)
        with pytest.raises(FeedError, match="unsafe"):
            parse_feed(body)


# --- other formats -------------------------------------------------------------------------


def test_a_json_feed_is_a_feed() -> None:
    parsed = parse("jsonfeed.json")
    assert parsed.title == "Le Quotidien de Bamako — Brèves"
    assert (parsed.entries, parsed.no_text, len(parsed.items)) == (3, 1, 2)
    schools, mangoes = parsed.items
    assert schools.source_key == "feed:qdb-20700"
    assert schools.draft.author == "Fatoumata COULIBALY"
    assert schools.draft.lead.startswith("Trente écoles fermées")  # the byline is not the lead
    assert schools.draft.topics == ("Mali", "Éducation")
    assert schools.draft.image_url == "https://quotidien.example.ml/img/kayes.jpg"
    assert mangoes.draft.published_at == datetime(2024, 2, 28, 14, 0, tzinfo=UTC)


def test_a_home_page_names_its_feed() -> None:
    body = (FIXTURES / "home.html").read_bytes()
    links = feed_links(body, "https://quotidien.example.ml/")
    assert links[0] == "https://quotidien.example.ml/feed/"
    assert all("oembed" not in link for link in links)


# --- the report ----------------------------------------------------------------------------


async def test_import_counts_add_up_to_what_the_source_held(
    tmp_path: Path, database: Database, database_target: Path | DatabaseUrl
) -> None:
    settings = Settings(db_path=database_target)
    report = await run_import(
        settings,
        str(FIXTURES / "jsonfeed.json"),
        False,
        progress=None,
        since=datetime(2024, 2, 29, tzinfo=UTC),
    )
    assert (report.found, report.new, report.no_text, report.too_old) == (3, 1, 1, 1)
    assert report.tally.total == report.found
    assert describe_report(report, "en") == (
        "3 entries: 1 new, 0 updated, 0 unchanged, 1 skipped for having no text, "
        "1 skipped as too old, 0 refused"
    )
    assert describe_report(report, "fr").startswith("3 entrées\u00a0: 1 nouveau, 0 mis à jour")


async def test_an_archive_of_any_size_is_imported_whole(
    tmp_path: Path, database: Database, database_target: Path | DatabaseUrl
) -> None:
    items = "".join(
        f"<item><title>#Mali : Dépêche {n}</title><guid>qdb-a{n}</guid>"
        f"<description>Texte de la dépêche {n}.</description></item>"
        for n in range(1_200)
    )
    source = tmp_path / "archive.xml"
    source.write_text(f'<rss version="2.0"><channel><title>A</title>{items}</channel></rss>')
    report = await run_import(Settings(db_path=database_target), str(source), False, progress=None)
    assert (report.found, report.new) == (1_200, 1_200)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_the_progress_bar_is_drawn_on_a_terminal_only(
    tmp_path: Path, database: Database, database_target: Path | DatabaseUrl
) -> None:
    settings = Settings(db_path=database_target)
    terminal, pipe = _Terminal(), io.StringIO()
    await run_import(settings, str(FIXTURES / "wordpress.xml"), False, progress=terminal)
    await run_import(settings, str(FIXTURES / "wordpress.xml"), False, progress=pipe)
    assert "100% 3/3" in terminal.getvalue() and pipe.getvalue() == ""


async def test_a_malformed_feed_is_reported(
    tmp_path: Path, database: Database, database_target: Path | DatabaseUrl
) -> None:
    report = await run_import(
        Settings(db_path=database_target),
        str(FIXTURES / "malformed.xml"),
        False,
        progress=None,
    )
    assert report.malformed and report.tally.total == report.found


async def test_an_import_never_alerts_an_item_whose_date_cannot_be_read(
    tmp_path: Path, database: Database, database_target: Path | DatabaseUrl
) -> None:
    now = datetime.now(UTC)
    async with database.transaction() as conn:
        await chats.upsert_chat(conn, 777, "private", "Lectrice", "fr", now.timestamp())
        topic = await articles.ensure_topic(conn, "mali", "Mali")
        await chats.subscribe(conn, 777, now.timestamp(), topic_id=topic.id)
    recent = format_datetime(now - timedelta(hours=1), usegmt=True)
    source = tmp_path / "mixed.xml"
    source.write_text(
        '<rss version="2.0"><channel><title>Q</title>'
        f"<item><title>#Mali : Daté</title><guid>d-1</guid><pubDate>{recent}</pubDate>"
        "<description>Ce matin.</description></item>"
        "<item><title>#Mali : Sans date</title><guid>d-2</guid><pubDate>bientôt</pubDate>"
        "<description>Un jour.</description></item></channel></rss>",
        encoding="utf-8",
    )
    report = await run_import(Settings(db_path=database_target), str(source), True, progress=None)
    assert (report.new, report.undated, report.alerted) == (2, 1, 1)
    async with database.reader.execute(
        "SELECT a.title FROM deliveries AS d JOIN articles AS a ON a.id = d.article_id"
    ) as cursor:
        assert [row[0] for row in await cursor.fetchall()] == ["Daté"]
