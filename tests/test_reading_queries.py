"""The queries added for reading: results, and query plans that stay on indexes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import aiosqlite
import pytest

from bot.publishing import Publisher
from db import Database, articles
from db.models import ArticleDraft


async def _store(database: Database) -> list[int]:
    """Store 12 articles by two authors in two topics, one minute apart; return their ids."""
    publisher = Publisher(database)
    start = datetime(2026, 12, 1, 8, tzinfo=UTC)
    ids = []
    for number in range(12):
        draft = ArticleDraft(
            title=f"Titre {number}",
            lead="Le chapeau.",
            author="Awa KEÏTA" if number % 2 else "Issa DEMBÉLÉ",
            topics=("Mali",) if number % 3 else ("Mali", "Santé"),
            published_at=start + timedelta(minutes=number),
        )
        result = await publisher.publish(
            draft, source_key=f"q:{number}", origin="import", notify=False
        )
        ids.append(result.article_id)
    return ids


async def _plans(
    conn: aiosqlite.Connection, call: Callable[[], Awaitable[object]]
) -> list[tuple[str, str]]:
    """Run `call` and return (statement, query plan) for every SELECT it ran."""
    statements: list[str] = []
    await conn.set_trace_callback(statements.append)
    try:
        await call()
    finally:
        await conn.set_trace_callback(None)
    plans = []
    for statement in statements:
        if not statement.lstrip().upper().startswith("SELECT"):
            continue
        async with conn.execute(f"EXPLAIN QUERY PLAN {statement}") as cursor:
            detail = " | ".join(row[3] for row in await cursor.fetchall())
        plans.append((statement, detail))
    return plans


def _uses_indexes(plans: list[tuple[str, str]]) -> None:
    assert plans
    for statement, plan in plans:
        steps = plan.split(" | ")
        # Reading a subquery's few rows is fine (named `SCAN (subquery)`, or by the alias of
        # its CO-ROUTINE); a SCAN of a table reads all of it.
        subqueries = {s.removeprefix("CO-ROUTINE ") for s in steps if s.startswith("CO-ROUTINE ")}
        scans = [
            s
            for s in steps
            if s.startswith("SCAN ")
            and not s.startswith("SCAN (")
            and s.removeprefix("SCAN ") not in subqueries
        ]
        assert not scans, (statement, plan)
        assert any("USING" in step for step in steps), (statement, plan)


async def test_newer_pages_are_the_older_pages_read_backwards(database: Database) -> None:
    ids = await _store(database)
    reader = database.reader
    mali = await articles.get_topic_by_key(reader, "mali")
    awa = await articles.get_author_by_key(reader, "awa keita")
    assert mali is not None and awa is not None
    anchor = await articles.article_cursor(reader, ids[2])
    assert anchor is not None

    newer = await articles.newer_articles(reader, 3, anchor)
    assert [a.id for a in newer.items] == [ids[5], ids[4], ids[3]]
    assert newer.has_more
    last = await articles.newer_articles(reader, 20, anchor)
    assert [a.id for a in last.items] == ids[3:][::-1] and not last.has_more

    by_author = await articles.newer_articles_by_author(reader, awa.id, 2, anchor)
    assert [a.id for a in by_author.items] == [ids[5], ids[3]] and by_author.has_more

    by_topic = await articles.newer_articles_by_topic(reader, mali.id, 2, anchor)
    assert [a.id for a in by_topic.items] == [ids[4], ids[3]] and by_topic.has_more


async def test_newer_pages_skip_withdrawn_articles(database: Database) -> None:
    ids = await _store(database)
    await Publisher(database).withdraw(ids[4])
    anchor = await articles.article_cursor(database.reader, ids[2])
    assert anchor is not None
    newer = await articles.newer_articles(database.reader, 3, anchor)
    assert [a.id for a in newer.items] == [ids[6], ids[5], ids[3]]


async def test_article_cursor_is_exact_as_stored(database: Database) -> None:
    ids = await _store(database)
    async with database.transaction() as conn:
        await conn.execute(
            "UPDATE articles SET published_at = published_at + 0.1234567 WHERE id = ?", (ids[0],)
        )
    cursor = await articles.article_cursor(database.reader, ids[0])
    assert cursor is not None
    async with database.reader.execute(
        "SELECT published_at FROM articles WHERE id = ?", (ids[0],)
    ) as rows:
        row = await rows.fetchone()
    assert row is not None and cursor == (row[0], ids[0])
    assert await articles.article_cursor(database.reader, 999_999) is None


async def test_candidates_are_bounded_and_only_published(database: Database) -> None:
    await _store(database)
    reader = database.reader
    topics = await articles.topic_candidates(reader, "santee", limit=1)
    # One of the busiest (Mali) and one sharing the first letter (Santé), no more.
    assert {topic.key for topic in topics} == {"mali", "sante"}
    authors = await articles.author_candidates(reader, "zorro", limit=1)
    assert len(authors) == 1
    assert await articles.topic_candidates(reader, "", limit=5) != []


@pytest.mark.backends("sqlite")  # PostgreSQL's plans: tests/test_postgres.py
@pytest.mark.parametrize(
    "query",
    [
        "latest_articles",
        "articles_by_author",
        "articles_by_topic",
        "newer_articles",
        "newer_articles_by_author",
        "newer_articles_by_topic",
        "article_cursor",
        "get_author_by_key",
        "author_candidates",
        "topic_candidates",
    ],
)
async def test_reading_queries_use_indexes(database: Database, query: str) -> None:
    ids = await _store(database)
    reader = database.reader
    anchor = await articles.article_cursor(reader, ids[3])
    assert anchor is not None
    calls: dict[str, Callable[[], Awaitable[object]]] = {
        "latest_articles": lambda: articles.latest_articles(reader, 5, anchor),
        "articles_by_author": lambda: articles.articles_by_author(reader, 1, 5, anchor),
        "articles_by_topic": lambda: articles.articles_by_topic(reader, 1, 5, anchor),
        "newer_articles": lambda: articles.newer_articles(reader, 5, anchor),
        "newer_articles_by_author": lambda: articles.newer_articles_by_author(reader, 1, 5, anchor),
        "newer_articles_by_topic": lambda: articles.newer_articles_by_topic(reader, 1, 5, anchor),
        "article_cursor": lambda: articles.article_cursor(reader, ids[3]),
        "get_author_by_key": lambda: articles.get_author_by_key(reader, "awa keita"),
        "author_candidates": lambda: articles.author_candidates(reader, "keitta"),
        "topic_candidates": lambda: articles.topic_candidates(reader, "sentee"),
    }
    _uses_indexes(await _plans(reader.raw, calls[query]))
