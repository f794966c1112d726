"""Reliability: a misbehaving Telegram, a locked or read-only database, and who may do what.

Each test runs the real bot against the in-process sandbox (see tests/conftest.py) and
asserts on what the chats received and on the database. Crash recovery with real processes
is in test_reliability_crash.py; hostile input in test_fuzz.py.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram.error import TimedOut

import db.sqlite
from bot.config import Settings
from bot.i18n import t
from bot.sandbox import Sandbox, SandboxMessage, SandboxUser
from db import Database, chats
from tests.conftest import BOT_USERNAME, Harness
from tests.test_alerts import alerts, draft, drained, follow

RATE = 150.0
BUSY_MS = 300  # the busy timeout, shortened so that a lock outlasts it in a fraction of a second


pytestmark = pytest.mark.limits(global_rate=RATE, seed=11)


@pytest.fixture
def bot_settings(bot_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The shared settings, for a bot whose database gives up on a lock after BUSY_MS."""
    monkeypatch.setattr(db.sqlite, "BUSY_TIMEOUT_MS", BUSY_MS)
    return bot_settings


def readers(sb: Sandbox, count: int) -> list[SandboxUser]:
    return [sb.add_user(f"Lecteur {n}") for n in range(count)]


async def follow_all(harness: Harness, people: list[SandboxUser], topic: str) -> None:
    for person in people:
        await follow(harness.db, person.private_chat, topic=topic)


def worker_alive(harness: Harness) -> bool:
    worker = harness.app.bot_data.worker
    return worker is not None and worker._task is not None and not worker._task.done()


async def row_counts(database: Database) -> tuple[int, ...]:
    """Count what publishing writes: articles, their topics, deliveries, subscriptions."""
    counts = []
    for table in ("articles", "article_topics", "deliveries", "subscriptions"):
        async with database.reader.execute(f"SELECT count(*) FROM {table}") as cursor:
            counts.append((await cursor.fetchone())[0])
    return tuple(counts)


# --- a Telegram that misbehaves ------------------------------------------------------------


async def test_5xx_slow_answers_and_floods_deliver_every_alert_once(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """10 % 5xx, 5 % answers later than the client's read timeout, two chats flooded."""
    sb = bot.sandbox
    worker = bot.app.bot_data.worker
    assert worker is not None
    worker.backoff_base = 0.05
    people = readers(sb, 200)
    await follow_all(bot, people, "Mali")
    flooded = {people[3].id, people[150].id}
    # The bot's read timeout shortened to 0.5 s, and slow answers come after 1 s: the message
    # is in the chat but the bot saw a timeout, so it sends again (the documented duplicate).
    request: Any = bot.app.bot.request
    monkeypatch.setattr(request, "_read_timeout", 0.5)
    timed_out: set[int] = set()
    original = request.do_request

    async def recording(url: str, method: str, request_data: Any = None, **kw: Any) -> Any:
        try:
            return await original(url, method, request_data, **kw)
        except TimedOut:
            if request_data is not None and "chat_id" in request_data.parameters:
                timed_out.add(int(request_data.parameters["chat_id"]))
            raise

    monkeypatch.setattr(request, "do_request", recording)
    sb.faults.methods = {"sendmessage"}
    sb.faults.error_rate = 0.10
    sb.faults.slow_rate = 0.05
    sb.faults.slow_seconds = 1.0
    flood_seconds = 6.0
    for chat_id in flooded:
        sb.faults.flood(chat_id, flood_seconds)
    began = time.monotonic()
    await bot.publisher.publish(
        draft("Malgré tout", ("Mali",), "Awa Keïta"), source_key="faults", origin="editor"
    )
    others = [p.private_chat for p in people if p.id not in flooded]
    while any(alerts(chat, "Malgré tout") == 0 for chat in others):
        assert time.monotonic() - began < 30
        await asyncio.sleep(0.05)
    others_done = time.monotonic() - began
    # Two chats held back by 429s did not hold up the 198 others.
    assert others_done < flood_seconds
    await drained(bot.db)
    assert time.monotonic() - began >= flood_seconds - 1  # the flooded ones waited their turn
    counts = {p.id: alerts(p.private_chat, "Malgré tout") for p in people}
    assert min(counts.values()) == 1
    duplicated = {chat_id for chat_id, n in counts.items() if n > 1}
    assert duplicated <= timed_out  # only a send whose answer came too late is repeated
    assert all(counts[c] == 1 for c in flooded)
    assert sb.stats.responses[500] + sb.stats.responses[502] > 10
    assert sb.stats.too_many_requests >= 2
    assert sb.stats.retry_after_ignored == 0
    assert timed_out, "no answer was slower than the read timeout: the test proves nothing"
    assert worker_alive(bot)

    sb.faults.clear()
    await bot.publisher.publish(
        draft("Après la tempête", ("Mali",), "Awa Keïta"), source_key="after", origin="editor"
    )
    await drained(bot.db)
    assert all(alerts(p.private_chat, "Après la tempête") == 1 for p in people)
    print(
        f"\nfaults: 200 chats, {sb.stats.responses[500] + sb.stats.responses[502]} 5xx, "
        f"{len(timed_out)} timeouts, {sb.stats.too_many_requests} 429s, "
        f"{len(duplicated)} duplicates; others done in {others_done:.1f} s"
    )


# --- a locked or read-only database ---------------------------------------------------------


class Lock:
    """Another process's writer holding the database (BEGIN IMMEDIATE) until released."""

    def __init__(self, path: Path):
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("BEGIN IMMEDIATE")
        self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            self.conn.execute("ROLLBACK")
            self.conn.close()


@pytest.fixture
def locks(bot_settings: Settings) -> Iterator[list[Lock]]:
    taken: list[Lock] = []
    yield taken
    for lock in taken:
        lock.release()


@pytest.mark.backends("sqlite")  # a locked or read-only SQLite file
async def test_publish_while_another_writer_holds_the_lock_stores_nothing(
    bot: Harness, bot_settings: Settings, locks: list[Lock]
) -> None:
    reader = bot.sandbox.add_user("Awa")
    await follow(bot.db, reader.private_chat, topic="Mali")
    before = await row_counts(bot.db)
    locks.append(Lock(bot_settings.db_path))
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        await bot.publisher.publish(
            draft("Bloqué", ("Mali", "Nouveau"), "Nouvel Auteur"), source_key="l", origin="editor"
        )
    assert await row_counts(bot.db) == before  # no half-published article
    locks[0].release()
    result = await bot.publisher.publish(
        draft("Bloqué", ("Mali", "Nouveau"), "Nouvel Auteur"), source_key="l", origin="editor"
    )
    assert result.created and result.queued == 1
    await drained(bot.db)
    assert alerts(reader.private_chat, "Bloqué") == 1


@pytest.mark.backends("sqlite")  # a locked or read-only SQLite file
async def test_publish_on_a_read_only_database_stores_nothing(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Awa")
    await follow(bot.db, reader.private_chat, topic="Mali")
    before = await row_counts(bot.db)
    await bot.db.writer.execute("PRAGMA query_only = ON")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await bot.publisher.publish(
            draft("Lecture seule", ("Mali",), "Awa Keïta"), source_key="ro", origin="editor"
        )
    assert not bot.db.writer.in_transaction
    assert await row_counts(bot.db) == before
    await bot.db.writer.execute("PRAGMA query_only = OFF")
    await bot.publisher.publish(
        draft("Lecture seule", ("Mali",), "Awa Keïta"), source_key="ro", origin="editor"
    )
    await drained(bot.db)
    assert alerts(reader.private_chat, "Lecture seule") == 1


async def wait_delivered(sb: Sandbox, count: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while sb.stats.messages_delivered < count:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)


@pytest.mark.backends("sqlite")  # a locked or read-only SQLite file
async def test_worker_carries_on_through_a_locked_database_and_sends_once(
    bot: Harness, bot_settings: Settings, locks: list[Lock], caplog: pytest.LogCaptureFixture
) -> None:
    sb = bot.sandbox
    people = readers(sb, 200)
    await follow_all(bot, people, "Mali")
    base = sb.stats.messages_delivered
    await bot.publisher.publish(draft("Verrou", ("Mali",), "A"), source_key="v", origin="editor")
    await wait_delivered(sb, base + 40)
    with caplog.at_level(logging.ERROR, logger="bot.delivery"):
        locks.append(Lock(bot_settings.db_path))
        await asyncio.sleep(1.5)  # several flushes and claims fail meanwhile
        stuck = sb.stats.messages_delivered
        locks[0].release()
        await drained(bot.db)
    failures = [r for r in caplog.records if r.name == "bot.delivery"]
    assert failures, "the failed writes were not logged"
    assert all(r.exc_info and "database is locked" in str(r.exc_info[1]) for r in failures), [
        r.getMessage() for r in failures
    ]
    assert worker_alive(bot)
    assert stuck < base + len(people)  # the lock really held the broadcast up
    assert Counter(alerts(p.private_chat, "Verrou") for p in people) == {1: len(people)}


@pytest.mark.backends("sqlite")  # a locked or read-only SQLite file
async def test_worker_carries_on_through_a_read_only_database(bot: Harness) -> None:
    sb = bot.sandbox
    people = readers(sb, 150)
    await follow_all(bot, people, "Mali")
    base = sb.stats.messages_delivered
    await bot.publisher.publish(draft("Disque", ("Mali",), "A"), source_key="d", origin="editor")
    await wait_delivered(sb, base + 30)
    await bot.db.writer.execute("PRAGMA query_only = ON")
    await asyncio.sleep(1.2)
    await bot.db.writer.execute("PRAGMA query_only = OFF")
    await drained(bot.db)
    assert worker_alive(bot)
    assert Counter(alerts(p.private_chat, "Disque") for p in people) == {1: len(people)}


# --- who may do what -------------------------------------------------------------------------

EDITOR_ONLY = (
    "/publish", "/publish\n#Mali : Titre pirate\nPar Faux AUTEUR\nChapeau.", "/edit 1",
    "/unpublish 1", "/stats", "/feeds", "/addfeed https://exemple.ml/rss", "/removefeed 1",
    f"/unpublish@{BOT_USERNAME} 2",
)  # fmt: skip


async def test_non_editors_reach_no_editor_command(bot: Harness) -> None:
    sb = bot.sandbox
    stranger = sb.add_user("Inconnu")
    before = await row_counts(bot.db)
    refusal = t("fr", "editors_only")
    for text in EDITOR_ONLY:
        [reply] = await bot.ask(stranger, text)
        assert reply.content == refusal, text
    # An editor, but in a group: editor commands are for the private chat only.
    group = sb.add_group("Rédaction élargie", admins=[bot.editor, stranger])
    [reply] = await bot.ask(bot.editor, "/unpublish 1", chat=group)
    assert reply.content == t("fr", "editor_private_only")
    assert await row_counts(bot.db) == before
    assert {status for _, status in await published(bot)} == {"published"}


async def published(harness: Harness) -> list[tuple[int, str]]:
    async with harness.db.reader.execute("SELECT id, status FROM articles") as cursor:
        return [tuple(row) for row in await cursor.fetchall()]


async def press_forged(
    harness: Harness, user: SandboxUser, message: SandboxMessage, data: str
) -> str | None:
    """Put `data` on the message's button, press it as `user`, return the answer's text."""
    harness.app.bot_data.flood_buckets.clear()  # many presses in a row: not a flood here
    message.reply_markup = {"inline_keyboard": [[{"text": "x", "callback_data": data}]]}
    query = await user.press(message, 0)
    return (await harness.sandbox.wait_for_answer(query)).text


async def test_forged_editor_buttons_are_refused_to_non_editors(bot: Harness) -> None:
    sb = bot.sandbox
    stranger = sb.add_user("Inconnu")
    [reply] = await bot.ask(stranger, "/latest")
    before = await row_counts(bot.db)
    articles_before = await published(bot)
    forged = [
        "ed:withdraw:1", "ed:withdraw:2:yes", "ed:keep:1", "ed:pub:abc", "ed:urgent:0",
        "ed:force:1", "ed:cancel:1", "ed:", "ed:" + "9" * 61,
    ]  # fmt: skip
    for data in forged:
        text = await press_forged(bot, stranger, reply, data)
        assert text == t("fr", "editors_only"), data
    assert await row_counts(bot.db) == before
    assert await published(bot) == articles_before


async def test_group_members_cannot_change_group_subscriptions(bot: Harness) -> None:
    sb = bot.sandbox
    admin, member = sb.add_user("Admin"), sb.add_user("Membre")
    group = sb.add_group("Grin du quartier", admins=[admin], members=[member])
    [menu] = await bot.ask(admin, "/subscribe", chat=group)
    mali = next(i for i, label in enumerate(menu.labels()) if label.endswith(" Mali"))
    query = await admin.press(menu, mali)
    await sb.wait_for_answer(query)
    assert [s.label for s in await chats.chat_subscriptions(bot.db.reader, group.id)] == ["#Mali"]
    refusal = t("fr", "sub.admins_only")

    # The real buttons, and every kind of forged one, pressed by a plain member.
    query = await member.press(menu, mali)
    assert (await sb.wait_for_answer(query)).text == refusal
    topic_id = await topic_id_of(bot, "mali")
    for data in (f"sub:t:{topic_id}", f"sub:-t:{topic_id}", "sub:all", "sub:+t:1", "sub:new:X"):
        assert await press_forged(bot, member, menu, data) == refusal, data
    for command in ("/unsubscribe all", "/unsubscribe Mali", "/subscribe Sport"):
        [reply] = await bot.ask(member, command, chat=group)
        assert reply.content == refusal, command
    assert [s.label for s in await chats.chat_subscriptions(bot.db.reader, group.id)] == ["#Mali"]


async def topic_id_of(harness: Harness, key: str) -> int:
    async with harness.db.reader.execute("SELECT id FROM topics WHERE key = ?", (key,)) as cur:
        return int((await cur.fetchone())[0])


async def test_crafted_subscription_button_changes_only_the_chat_it_is_pressed_in(
    bot: Harness,
) -> None:
    """Callback data carries no chat id: a forged button acts on the chat it sits in."""
    sb = bot.sandbox
    awa, binta = sb.add_user("Awa"), sb.add_user("Binta")
    group = sb.add_group("Famille", admins=[binta], members=[awa])
    await follow(bot.db, binta.private_chat, topic="Sport")
    await follow(bot.db, group, topic="Sport")
    [reply] = await bot.ask(awa, "/latest")
    sport, mali = await topic_id_of(bot, "sport"), await topic_id_of(bot, "mali")
    for data in (f"sub:-t:{sport}", f"sub:t:{sport}", f"sub:+t:{mali}", "sub:all"):
        await press_forged(bot, awa, reply, data)
    # Awa's own chat changed as her buttons said; Binta's chat and the group did not.
    assert [s.label for s in await chats.chat_subscriptions(bot.db.reader, awa.id)] == []
    for other in (binta.id, group.id):
        labels = [s.label for s in await chats.chat_subscriptions(bot.db.reader, other)]
        assert labels == ["#Sport"]
    await press_forged(bot, awa, reply, f"sub:t:{mali}")
    assert [s.label for s in await chats.chat_subscriptions(bot.db.reader, awa.id)] == ["#Mali"]


async def test_a_flooding_user_is_slowed_politely_and_slows_no_one_else(bot: Harness) -> None:
    sb = bot.sandbox
    flooder, neighbour = sb.add_user("Pressé"), sb.add_user("Patient")
    chat = flooder.private_chat
    for _ in range(100):
        await flooder.send("/help")
    began = time.monotonic()
    [reply] = await bot.ask(neighbour, "/help", timeout=3.0)
    latency = time.monotonic() - began
    assert "/derniers" in reply.content
    assert latency < 1.5
    notice = t("fr", "too_fast")
    # The burst of 8 is answered (at Telegram's pace for one chat), and one notice; the
    # other 91 commands are dropped.
    await sb.wait_for(chat, count=9, after=0, timeout=20.0)
    await asyncio.sleep(1.2)
    texts = [m.content for m in chat.bot_messages()]
    assert texts.count(notice) == 1
    assert len(texts) == 9
    assert sb.stats.rate_limit_violations == 0  # the replies kept to Telegram's pace
    assert sb.stats.too_many_requests == 0
    print(f"\nflood: 100 commands -> {len(texts)} replies; neighbour answered in {latency:.2f} s")


@pytest.mark.backends("sqlite")  # a locked or read-only SQLite file
async def test_editor_publishing_into_a_read_only_database_is_told_and_nothing_is_kept(
    bot: Harness,
) -> None:
    editor = bot.editor
    before = await row_counts(bot.db)
    await bot.ask(
        editor, "/publish\n#Mali : Coupure d’eau à Kati\nPar Awa KEITA\nLe chapeau.", count=2
    )
    [preview] = [m for m in editor.private_chat.bot_messages() if "Publier" in m.labels()]
    await bot.db.writer.execute("PRAGMA query_only = ON")
    try:
        mark = editor.private_chat.mark()
        await editor.press(preview, "Publier")
        replies = await bot.sandbox.wait_for(
            editor.private_chat, lambda m: "occupée" in m.content, after=mark
        )
    finally:
        await bot.db.writer.execute("PRAGMA query_only = OFF")
    assert "rien n’a été modifié" in replies[0].content
    assert await row_counts(bot.db) == before
