"""Who receives an article: the count a draft's preview shows is what publishing queues."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from db import Database, articles, chats, deliveries, editorial
from db.articles import NewArticle
from db.recipients import recipients_sql

NOW = datetime(2026, 12, 1, 8, tzinfo=UTC).timestamp()
CHANNEL = -1001234567890


async def _newsroom(database: Database) -> None:
    """Store chats following Mali, Santé, Awa Keïta, several of them, or nothing."""
    async with database.transaction() as conn:
        mali = await articles.ensure_topic(conn, "mali", "Mali")
        sante = await articles.ensure_topic(conn, "sante", "Santé")
        awa = await articles.ensure_author(conn, "awa keita", "Awa Keïta")
        await articles.ensure_author(conn, "issa dembele", "Issa Dembélé")
        for chat_id in (1, 2, 3, 4, 5, 6, CHANNEL):
            kind = "private" if chat_id > 0 else "channel"
            await chats.upsert_chat(conn, chat_id, kind, None, "fr", NOW)
        await chats.subscribe(conn, 1, NOW, topic_id=mali.id)
        await chats.subscribe(conn, 2, NOW, author_id=awa.id)
        await chats.subscribe(conn, 3, NOW, topic_id=mali.id)
        await chats.subscribe(conn, 3, NOW, topic_id=sante.id)
        await chats.subscribe(conn, 3, NOW, author_id=awa.id)  # everything: still once
        await chats.subscribe(conn, 4, NOW, topic_id=sante.id)
        await chats.subscribe(conn, 5, NOW, topic_id=mali.id)
        await chats.set_chat_status(conn, 5, "blocked", NOW)  # gone: never counted
        await chats.subscribe(conn, CHANNEL, NOW, topic_id=sante.id)
        # chat 6 follows nothing


@pytest.mark.parametrize(
    ("topics", "author", "extra", "expected"),
    [
        (("mali",), "issa dembele", (), {1, 3}),
        ((), "awa keita", (), {2, 3}),
        (("mali", "sante"), "awa keita", (), {1, 2, 3, 4, CHANNEL}),
        (("sante",), "issa dembele", (CHANNEL,), {3, 4, CHANNEL}),
        (("mali",), "issa dembele", (CHANNEL, 5), {1, 3, CHANNEL}),
        (("economie",), "nouvelle plume", (), set()),
    ],
    ids=["topic", "author", "both", "channel-once", "channel-not-blocked", "nobody"],
)
async def test_the_count_is_what_publishing_queues(
    database: Database,
    topics: tuple[str, ...],
    author: str,
    extra: tuple[int, ...],
    expected: set[int],
) -> None:
    await _newsroom(database)
    counted = await editorial.count_recipients(database.reader, topics, author, extra)
    async with database.transaction() as conn:
        writer = await articles.ensure_author(conn, author, author.title())
        topic_ids = [(await articles.ensure_topic(conn, key, key.title())).id for key in topics]
        article_id = await articles.insert_article(
            conn, NewArticle("k", "T", "L", "", writer.id, topic_ids, NOW, NOW, "editor")
        )
        queued = await deliveries.queue_article(
            conn, article_id, topic_ids, writer.id, NOW, extra_chat_ids=extra
        )
    async with database.reader.execute(
        "SELECT chat_id FROM deliveries WHERE article_id = ?", (article_id,)
    ) as cursor:
        chat_ids = {row[0] for row in await cursor.fetchall()}
    assert counted == queued == len(expected)
    assert chat_ids == expected


@pytest.mark.backends("sqlite")  # PostgreSQL's plans: tests/test_postgres.py
@pytest.mark.parametrize("by", ["id", "key"])
async def test_recipients_are_found_through_indexes(database: Database, by: str) -> None:
    await _newsroom(database)
    sql = recipients_sql(2, 1, by="id" if by == "id" else "key")
    params = (1, 2, 1, CHANNEL) if by == "id" else ("mali", "sante", "awa keita", CHANNEL)
    async with database.reader.execute(f"EXPLAIN QUERY PLAN {sql}", params) as cursor:
        steps = [row[3] for row in await cursor.fetchall()]
    # The extra chats are a VALUES list of the parameters (SCAN CONSTANT ROW, SCAN extra).
    scans = [step for step in steps if step.startswith("SCAN") and "CONSTANT ROW" not in step]
    # `f` is the union's own rows (the chats and topics found), read once to join chats.
    scans = [step for step in scans if step not in ("SCAN extra", "SCAN f")]
    assert not [step for step in scans if "USING" not in step], steps
    assert any("subscriptions_by_topic" in step for step in steps), steps
    assert any("subscriptions_by_author" in step for step in steps), steps
