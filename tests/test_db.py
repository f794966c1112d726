"""The data layer on SQLite and PostgreSQL: migrations, every query, index use, full-text search."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from db import SCHEMA_VERSION, Database, DatabaseTooNewError, articles, chats, connect, deliveries
from db.articles import NewArticle

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC).timestamp()


async def add_article(
    db: Database,
    key: str,
    title: str,
    *,
    author: str = "Awa Keïta",
    topics: tuple[str, ...] = ("Mali",),
    at: float = NOW,
    lead: str = "Un chapeau.",
    body: str = "",
) -> int:
    async with db.transaction() as conn:
        writer = await articles.ensure_author(conn, author.lower(), author)
        topic_ids = [(await articles.ensure_topic(conn, t.lower(), t)).id for t in topics]
        return await articles.insert_article(
            conn,
            NewArticle(
                source_key=key, title=title, lead=lead, body=body, author_id=writer.id,
                topic_ids=topic_ids, published_at=at, updated_at=at, origin="editor",
            ),
        )  # fmt: skip


async def plan(db: Database, sql: str, params: tuple[object, ...]) -> str:
    async with db.reader.execute(f"EXPLAIN QUERY PLAN {sql}", params) as cursor:
        return "\n".join(row[3] for row in await cursor.fetchall())


async def test_migrations_apply_to_an_empty_file_and_again(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite3"
    db = await connect(path)
    await db.close()
    db = await connect(path)  # second time: nothing to do, nothing breaks
    async with db.reader.execute("PRAGMA user_version") as cursor:
        assert (await cursor.fetchone())[0] == SCHEMA_VERSION
    async with db.reader.execute("PRAGMA journal_mode") as cursor:
        assert (await cursor.fetchone())[0] == "wal"
    async with db.reader.execute("PRAGMA foreign_keys") as cursor:
        assert (await cursor.fetchone())[0] == 1
    await db.close()


async def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    with closing(sqlite3.connect(path)) as raw:  # `with connect()` alone never closes
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(DatabaseTooNewError, match="newer"):
        await connect(path)


async def test_transaction_rolls_back_on_error(database: Database) -> None:
    with pytest.raises(RuntimeError):
        async with database.transaction() as conn:
            await articles.ensure_author(conn, "x", "X")
            raise RuntimeError("boom")
    assert await articles.find_authors(database.reader, "x") == []


async def test_latest_is_newest_first_and_pages_without_gaps(database: Database) -> None:
    ids = [await add_article(database, f"k{i}", f"Titre {i}", at=NOW + i) for i in range(7)]
    seen: list[int] = []
    cursor = None
    while True:
        page = await articles.latest_articles(database.reader, 3, cursor)
        seen += [a.id for a in page.items]
        if not page.has_more:
            break
        last = page.items[-1]
        cursor = (last.published_at.timestamp(), last.id)
    assert seen == list(reversed(ids))


async def test_same_second_articles_page_by_id(database: Database) -> None:
    ids = [await add_article(database, f"s{i}", f"Même heure {i}") for i in range(5)]
    first = await articles.latest_articles(database.reader, 2)
    last = first.items[-1]
    rest = await articles.latest_articles(
        database.reader, 10, (last.published_at.timestamp(), last.id)
    )
    assert [a.id for a in first.items + rest.items] == list(reversed(ids))


async def test_withdrawn_articles_vanish_from_every_listing(database: Database) -> None:
    kept = await add_article(database, "a", "Gardé", topics=("Mali",))
    gone = await add_article(database, "b", "Retiré sécurité", topics=("Mali",), at=NOW + 1)
    async with database.transaction() as conn:
        assert await articles.set_article_status(conn, gone, "withdrawn", NOW + 2)
    reader = database.reader
    assert [a.id for a in (await articles.latest_articles(reader, 10)).items] == [kept]
    topic = await articles.get_topic_by_key(reader, "mali")
    assert topic is not None and topic.article_count == 1
    assert [a.id for a in (await articles.articles_by_topic(reader, topic.id, 10)).items] == [kept]
    author = (await articles.find_authors(reader, "awa keïta"))[0]
    assert author.article_count == 1
    assert [a.id for a in (await articles.articles_by_author(reader, author.id, 10)).items] == [
        kept
    ]
    assert await articles.get_article(reader, gone) is None
    assert (await articles.get_article(reader, gone, include_withdrawn=True)) is not None
    assert (await articles.search_articles(reader, "securite", 10)).items == []


async def test_article_round_trip_keeps_topics_in_title_order(database: Database) -> None:
    article_id = await add_article(database, "r", "Bamako et Moscou", topics=("Mali", "Russie"))
    article = await articles.get_article(database.reader, article_id)
    assert article is not None
    assert [t.name for t in article.topics] == ["Mali", "Russie"]
    assert article.author.name == "Awa Keïta"
    assert article.published_at == datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    by_source = await articles.get_article_by_source(database.reader, "r")
    assert by_source == article


async def test_search_ignores_accents_and_ranks(database: Database) -> None:
    await add_article(database, "a", "La sécurité à Gao", lead="Point sur la sécurité.")
    await add_article(database, "b", "Marché de Kati", lead="Les prix montent.", at=NOW + 5)
    hits = (await articles.search_articles(database.reader, "securite", 10)).items
    assert [h.article.title for h in hits] == ["La sécurité à Gao"]
    assert articles.SNIPPET_START in hits[0].snippet
    assert (await articles.search_articles(database.reader, "SÉCURITÉ gao", 10)).items


@pytest.mark.parametrize(
    "query", ['"', "*", "OR", "-", "(", "", "a" * 300, "NEAR(x y)", 'sécurité" OR (', "^col:x"]
)
async def test_search_never_fails_on_fts_syntax(database: Database, query: str) -> None:
    await add_article(database, "a", "La sécurité à Gao")
    page = await articles.search_articles(database.reader, query, 10)
    assert isinstance(page.items, list)


async def test_find_authors_is_partial_and_best_first(database: Database) -> None:
    await add_article(database, "a", "T1", author="Aboubacar Traoré")
    await add_article(database, "b", "T2", author="Traoré")
    found = await articles.find_authors(database.reader, "traoré")
    assert [a.name for a in found] == ["Traoré", "Aboubacar Traoré"]
    assert await articles.find_authors(database.reader, "100%_") == []


async def test_listings_count_published_articles(database: Database) -> None:
    await add_article(database, "a", "T1", author="A", topics=("Mali", "Sport"))
    await add_article(database, "b", "T2", author="B", topics=("Mali",))
    await add_article(database, "c", "T3", author="B", topics=())
    authors = (await articles.list_authors(database.reader, 10)).items
    assert [(a.name, a.article_count) for a in authors] == [("B", 2), ("A", 1)]
    topics = (await articles.list_topics(database.reader, 1)).items
    assert [(t.name, t.article_count) for t in topics] == [("Mali", 2)]


async def test_related_articles_share_a_topic_or_author(database: Database) -> None:
    main = await add_article(database, "m", "Principal", author="A", topics=("Mali",))
    same_topic = await add_article(
        database, "t", "Même sujet", author="B", topics=("Mali",), at=NOW + 1
    )
    same_author = await add_article(
        database, "u", "Même auteur", author="A", topics=("Sport",), at=NOW + 2
    )
    await add_article(database, "x", "Sans lien", author="C", topics=("Santé",), at=NOW + 3)
    article = await articles.get_article(database.reader, main)
    assert article is not None
    related = await articles.related_articles(database.reader, article)
    assert {a.id for a in related} == {same_topic, same_author}


@pytest.mark.backends("sqlite")  # PostgreSQL's plans: tests/test_postgres.py
@pytest.mark.parametrize(
    ("sql", "params", "index"),
    [
        (
            "SELECT id FROM articles WHERE status = 'published' AND (published_at, id) < (?, ?) "
            "ORDER BY published_at DESC, id DESC LIMIT 5",
            (1e12, 0),
            "articles_latest",
        ),
        (
            "SELECT id FROM articles WHERE author_id = ? AND status = 'published' "
            "AND (published_at, id) < (?, ?) ORDER BY published_at DESC, id DESC LIMIT 5",
            (1, 1e12, 0),
            "articles_by_author",
        ),
        (
            "SELECT article_id FROM article_topics WHERE topic_id = ? "
            "AND (published_at, article_id) < (?, ?) "
            "ORDER BY published_at DESC, article_id DESC LIMIT 5",
            (1, 1e12, 0),
            "article_topics_by_topic",
        ),
        (
            "SELECT id FROM deliveries INDEXED BY deliveries_due "
            "WHERE status = 'pending' AND next_attempt_at <= ? "
            "ORDER BY priority DESC, next_attempt_at, id LIMIT 5",
            (NOW,),
            "deliveries_due",
        ),
        (
            "SELECT id FROM topics WHERE article_count > 0 "
            "ORDER BY article_count DESC, key LIMIT 5",
            (),
            "topics_by_count",
        ),
        (
            "SELECT id FROM authors WHERE article_count > 0 "
            "ORDER BY article_count DESC, key LIMIT 5",
            (),
            "authors_by_count",
        ),
    ],
)
async def test_reader_queries_use_an_index_not_a_scan(
    database: Database, sql: str, params: tuple[object, ...], index: str
) -> None:
    detail = await plan(database, sql, params)
    assert index in detail
    assert "TEMP B-TREE" not in detail
    # A "SCAN … USING INDEX" walks the index in order and stops at LIMIT; a bare SCAN
    # of a table would read every row.
    for line in detail.splitlines():
        assert not line.startswith("SCAN") or f"INDEX {index}" in line, detail


async def test_fan_out_queues_each_subscribed_active_chat_once(database: Database) -> None:
    async with database.transaction() as conn:
        mali = await articles.ensure_topic(conn, "mali", "Mali")
        sport = await articles.ensure_topic(conn, "sport", "Sport")
        awa = await articles.ensure_author(conn, "awa keita", "Awa Keïta")
        for chat_id in (1, 2, 3, 4, -100):
            await chats.upsert_chat(
                conn, chat_id, "private" if chat_id > 0 else "group", None, "fr", NOW
            )
        await chats.subscribe(conn, 1, NOW, topic_id=mali.id)
        await chats.subscribe(conn, 1, NOW, author_id=awa.id)  # both: still one alert
        await chats.subscribe(conn, 2, NOW, author_id=awa.id)
        await chats.subscribe(conn, 3, NOW, topic_id=sport.id)  # not this article
        await chats.subscribe(conn, 4, NOW, topic_id=mali.id)
        await chats.subscribe(conn, -100, NOW, topic_id=mali.id)
        await chats.set_chat_status(conn, 4, "blocked", NOW)
        article_id = await articles.insert_article(
            conn,
            NewArticle("k", "T", "L", "", awa.id, [mali.id], NOW, NOW, "editor"),
        )
        queued = await deliveries.queue_article(conn, article_id, [mali.id], awa.id, NOW)
    assert queued == 3
    async with database.reader.execute(
        "SELECT chat_id FROM deliveries WHERE article_id = ? ORDER BY chat_id", (article_id,)
    ) as cursor:
        assert [row[0] for row in await cursor.fetchall()] == [-100, 1, 2]


async def test_claim_mark_and_release(database: Database) -> None:
    await test_fan_out_queues_each_subscribed_active_chat_once(database)
    async with database.transaction() as conn:
        claimed = await deliveries.claim_due(conn, NOW, 2)
        assert len(claimed) == 2 and all(d.attempts == 1 for d in claimed)
        await deliveries.mark_sent(conn, [(claimed[0].id, 77, NOW)])
        assert await deliveries.release_in_flight(conn) == 1
    counts = await deliveries.delivery_counts(database.reader, claimed[0].article_id)
    assert (counts.sent, counts.pending, counts.sending) == (1, 2, 0)


async def test_migrated_group_carries_its_subscriptions_and_deliveries(database: Database) -> None:
    await test_fan_out_queues_each_subscribed_active_chat_once(database)
    async with database.transaction() as conn:
        await chats.migrate_chat(conn, -100, -1001234567890, NOW)
    subs = await chats.chat_subscriptions(database.reader, -1001234567890)
    assert [s.label for s in subs] == ["#Mali"]
    chat = await chats.get_chat(database.reader, -1001234567890)
    assert chat is not None and chat.type == "supergroup"
    async with database.reader.execute(
        "SELECT count(*) FROM deliveries WHERE chat_id = -1001234567890"
    ) as cursor:
        assert (await cursor.fetchone())[0] == 1


async def test_outbox_keeps_to_existing_chats_and_articles(database: Database) -> None:
    # PostgreSQL keeps these references by triggers (its migration 0014), SQLite by
    # foreign keys: the same rules on both.
    await test_fan_out_queues_each_subscribed_active_chat_once(database)
    async with database.reader.execute("SELECT max(article_id) FROM deliveries") as cursor:
        [(article_id,)] = await cursor.fetchall()
    for chat_id, article in ((999_999, article_id), (1, article_id + 1)):
        with pytest.raises((sqlite3.IntegrityError, asyncpg.ForeignKeyViolationError)):
            async with database.transaction() as conn:
                await conn.execute(
                    "INSERT INTO deliveries (article_id, chat_id, next_attempt_at, created_at) "
                    "VALUES (?, ?, ?, ?)",
                    (article, chat_id, NOW, NOW),
                )
    async with database.transaction() as conn:
        await conn.execute("DELETE FROM chats WHERE id = 1")
    async with database.reader.execute("SELECT chat_id FROM deliveries ORDER BY chat_id") as cursor:
        assert [row[0] for row in await cursor.fetchall()] == [-100, 2]
    async with database.transaction() as conn:
        await conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))
    async with database.reader.execute("SELECT count(*) FROM deliveries") as cursor:
        assert [tuple(row) for row in await cursor.fetchall()] == [(0,)]


async def test_search_matches_singular_and_plural_and_marks_the_words(database: Database) -> None:
    await add_article(database, "p", "Grève des enseignants à Ségou", lead="Les écoles ferment.")
    for typed in ("enseignant", "enseignants", "ENSEIGNANTS greve"):
        hits = (await articles.search_articles(database.reader, typed, 10)).items
        assert [h.article.title for h in hits] == ["Grève des enseignants à Ségou"], typed
    # Found in the title only: the snippet is the lead, never the title again.
    [hit] = (await articles.search_articles(database.reader, "enseignant", 10)).items
    assert hit.snippet == "Les écoles ferment."
    await add_article(database, "q", "Rentrée à Kayes", lead="Les enseignants reprennent lundi.")
    [hit] = (await articles.search_articles(database.reader, "kayes enseignant", 10)).items
    assert f"{articles.SNIPPET_START}enseignants{articles.SNIPPET_END}" in hit.snippet


async def test_search_ranks_within_the_newest_matches(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(articles, "SEARCH_WINDOW", 3)
    ids = [
        await add_article(
            database, f"w{i}", f"Coton {i}", lead="coton " * (10 if i == 0 else 1), at=NOW + i
        )
        for i in range(5)
    ]
    hits = (await articles.search_articles(database.reader, "coton", 10)).items
    # The oldest article mentions the word most, but only the three newest are ranked.
    assert sorted(h.article.id for h in hits) == ids[2:]


@pytest.mark.backends("sqlite")  # PostgreSQL's plans: tests/test_postgres.py
async def test_next_due_delivery_is_found_from_an_index(database: Database) -> None:
    detail = await plan(
        database, "SELECT min(next_attempt_at) FROM deliveries WHERE status = 'pending'", ()
    )
    assert "USING INDEX deliveries_pending_by_time" in detail
