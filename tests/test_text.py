"""One fold: stored keys, reader lookups and search marks compare names the same way."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import site
from bot.formatting import byline
from bot.publishing import Publisher
from db import Database, articles, text
from db.models import ArticleDraft

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("written", "typed"),
    [
        ("Cœur de ville", "COEUR DE VILLE"),
        ("Œuvres", "oeuvres"),
        ("ÆSOPE", "aesope"),
        ("ŒUVRE", "oeuvre"),
        ("Straße", "STRASSE"),
        ("Sécurité", "securite"),
        ("Awa KEÏTA", "awa keita"),
        ("Jean-Marie d’Almeida", "jean marie d'almeida"),
        ("Mo\u00adpti", "Mopti"),
    ],
)
def test_one_fold_matches_what_readers_type(written: str, typed: str) -> None:
    assert site.fold is text.fold
    assert text.fold(written) == text.fold(typed) == site.fold_query(typed)


def test_no_module_folds_text_its_own_way() -> None:
    folding = [
        path.relative_to(ROOT).as_posix()
        for package in ("bot", "handlers", "db")
        for path in (ROOT / package).rglob("*.py")
        if 'normalize("NFKD"' in path.read_text(encoding="utf-8")
    ]
    assert folding == ["db/text.py"]


async def _publish(database: Database, author: str, topics: tuple[str, ...], key: str) -> int:
    draft = ArticleDraft(
        title="La sécurité au cœur de la ville",
        lead="Le Cœur de ville de Straße accueille une œuvre sur la sécurité.",
        author=author,
        topics=topics,
        published_at=datetime(2026, 12, 1, 8, tzinfo=UTC),
    )
    result = await Publisher(database).publish(draft, source_key=key, origin="import", notify=False)
    return result.article_id


async def test_stored_keys_are_the_fold_readers_look_up(database: Database) -> None:
    first = await _publish(database, "Œdipe STRAßE", ("Cœur de ville", "Sécurité"), "t:1")
    second = await _publish(database, "oedipe strasse", ("COEUR-DE-VILLE",), "t:2")
    reader = database.reader
    for table in ("authors", "topics"):
        async with reader.execute(f"SELECT key, name FROM {table}") as cursor:
            rows = list(await cursor.fetchall())
        assert rows and all(key == text.fold(name) for key, name in rows)

    author = await articles.get_author_by_key(reader, site.fold_query("Oedipe Strasse"))
    topic = await articles.get_topic_by_key(reader, site.fold_query("cœur de ville"))
    assert author is not None and author.article_count == 2
    assert topic is not None and topic.article_count == 2
    assert [t.id for t in await articles.find_topics(reader, site.fold_query("COEUR"))] == [
        topic.id
    ]
    page = await articles.articles_by_author(reader, author.id, 10)
    assert {a.id for a in page.items} == {first, second}


async def test_search_marks_words_with_the_same_fold(database: Database) -> None:
    await _publish(database, "Awa KEÏTA", ("Mali",), "t:1")
    page = await articles.search_articles(database.reader, "SECURITE Cœur", 5)
    [hit] = page.items
    marked = hit.snippet.replace(articles.SNIPPET_START, "[").replace(articles.SNIPPET_END, "]")
    assert "[Cœur]" in marked and "[sécurité]" in marked


def test_the_newsroom_byline_is_found_by_the_fold() -> None:
    newsroom = byline(site.DEFAULT_AUTHOR, "fr")
    assert byline("LA  REDACTION", "fr") == byline("", "fr") == newsroom
    assert byline("Awa Keïta", "fr") != newsroom
