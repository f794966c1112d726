"""Keyword alerts and forum topics end to end: the real bot against the sandbox."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot import follows
from bot.sandbox import SandboxChat, SandboxMessage, SandboxUser
from db import Database, watches
from db.models import ArticleDraft
from tests.conftest import Harness
from tests.reading_helpers import press


def _draft(title: str, topics: tuple[str, ...], lead: str, body: str = "") -> ArticleDraft:
    return ArticleDraft(title=title, author="Awa Keïta", topics=topics, lead=lead, body=body)


async def _publish(bot: Harness, key: str, title: str, topics: tuple[str, ...], lead: str) -> int:
    result = await bot.publisher.publish(
        _draft(title, topics, lead), source_key=key, origin="editor"
    )
    return result.queued


async def _settled(db: Database, timeout: float = 10.0) -> None:
    """Wait until the outbox has nothing pending or being sent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with db.reader.execute(
            "SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending')"
        ) as cursor:
            row = await cursor.fetchone()
        if row is not None and row[0] == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("deliveries still pending")


def _alerts(chat: SandboxChat, words: str) -> list[SandboxMessage]:
    return [m for m in chat.bot_messages() if words in m.content]


async def test_a_watch_alerts_once_and_is_listed_with_its_remove_button(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Fatoumata", "Sidibé", language_code="fr")
    [reply] = await bot.ask(reader, "/watch barrage de Sélingué")
    assert "«\u202fbarrage\u202f» et «\u202fSélingué\u202f»" in reply.content
    assert "«\u202fde\u202f»" in reply.content  # the common word is said to be left out
    [again] = await bot.ask(reader, "/surveiller SELINGUE barrages")
    assert "déjà une alerte" in again.content

    chat = reader.private_chat
    mark = chat.mark()
    queued = await _publish(
        bot, "w:1", "Énergie : le barrage de Sélingué à sec", ("Énergie",), "Coupures en vue."
    )
    assert queued == 1
    [alert] = await bot.sandbox.wait_for(chat, after=mark, timeout=10)
    assert "Sélingué à sec" in alert.content
    await _publish(bot, "w:2", "Énergie : le barrage de Manantali", ("Énergie",), "Rien à Sélin.")
    await _settled(bot.db)
    assert len(_alerts(chat, "Manantali")) == 0

    [listing] = await bot.ask(reader, "/subscriptions")
    assert "🔎 barrage de Sélingué" in listing.content
    [(label, data)] = [b for row in listing.buttons for b in row]
    assert label == "✖️ 🔎 barrage de Sélingué" and data is not None
    assert data.startswith("unw:")
    answer, redrawn = await press(bot, reader, listing, label)
    assert answer.text is not None and "Alerte supprimée" in answer.text
    assert redrawn is not None and "Aucun abonnement" in redrawn.content
    assert await watches.chat_watches(bot.db.reader, reader.id) == []


async def test_a_topic_and_two_watches_matching_make_one_alert(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Issa", "Traoré", language_code="fr")
    await bot.ask(reader, "/subscribe Santé")
    await bot.ask(reader, "/watch paludisme")
    await bot.ask(reader, "/watch vaccins Mopti")
    chat = reader.private_chat
    queued = await _publish(
        bot,
        "w:3",
        "Santé : une campagne contre le paludisme à Mopti",
        ("Santé",),
        "Des vaccins arrivent dans les centres de santé de la région.",
    )
    assert queued == 1
    await _settled(bot.db)
    assert len(_alerts(chat, "paludisme à Mopti")) == 1


async def test_a_reader_typing_junk_gets_a_useful_answer(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Kadiatou", "Maïga", language_code="fr")
    answers = {}
    for typed in (
        "/watch",
        "/watch de la le",
        "/watch !!! ... ???",
        "/watch deux trois quatre cinq six sept",
        "/watch " + "x" * 120,
        "/unwatch",
        "/unwatch élections",
    ):
        [reply] = await bot.ask(reader, typed)
        answers[typed] = reply
    assert "<code>" not in answers["/watch"].content  # parsed as HTML, shown as code
    assert "/surveiller élections Mali" in answers["/watch"].content
    assert "aucun mot à surveiller" in answers["/watch de la le"].content
    assert "aucun mot à surveiller" in answers["/watch !!! ... ???"].content
    assert "5\u00a0mots au plus" in answers["/watch deux trois quatre cinq six sept"].content
    assert "100\u00a0caractères" in answers["/watch " + "x" * 120].content
    assert "/oublier élections Mali" in answers["/unwatch"].content
    assert "aucune alerte" in answers["/unwatch élections"].content
    assert await watches.chat_watches(bot.db.reader, reader.id) == []


async def test_unwatch_of_a_watch_not_held_offers_those_held(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Moussa", "Diarra", language_code="fr")
    await bot.ask(reader, "/watch élections Kayes")
    await bot.ask(reader, "/watch barrage")
    [offer] = await bot.ask(reader, "/unwatch élections Ségou")
    assert "pas d’alerte sur «\u202félections\u202f» et «\u202fSégou\u202f»" in offer.content
    assert offer.labels() == ["✖️ 🔎 barrage", "✖️ 🔎 élections Kayes"]
    [done] = await bot.ask(reader, "/unwatch Kayes ELECTION")  # any order, case, singular
    assert "Alerte supprimée" in done.content
    held = await watches.chat_watches(bot.db.reader, reader.id)
    assert [w.words for w in held] == ["barrage"]


async def test_watches_count_against_the_follow_cap(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(follows, "MAX_FOLLOWS", 2)
    reader = bot.sandbox.add_user("Aminata", "Touré", language_code="fr")
    await bot.ask(reader, "/subscribe Mali")
    await bot.ask(reader, "/watch barrage")
    [refused] = await bot.ask(reader, "/watch coton")
    assert "le maximum" in refused.content
    assert [w.words for w in await watches.chat_watches(bot.db.reader, reader.id)] == ["barrage"]


async def test_in_a_group_only_admins_set_watches(bot: Harness) -> None:
    admin = bot.sandbox.add_user("Oumar", "Sangaré", language_code="fr")
    member = bot.sandbox.add_user("Awa", "Coulibaly", language_code="fr")
    group = bot.sandbox.add_group("Rédaction Gao", admins=[admin], members=[member])
    [refused] = await bot.ask(member, "/watch Gao", chat=group)
    assert "administrateurs" in refused.content
    [done] = await bot.ask(admin, "/watch Gao", chat=group)
    assert "ce groupe sera prévenu" in done.content
    assert [w.words for w in await watches.chat_watches(bot.db.reader, group.id)] == ["Gao"]


# --- forum topics ------------------------------------------------------------------------


async def _forum(bot: Harness) -> tuple[SandboxUser, SandboxChat, int, int]:
    admin = bot.sandbox.add_user("Boubacar", "Cissé", language_code="fr")
    forum = bot.sandbox.add_group(
        "Veille Sahel", admins=[admin], supergroup=True, forum=True, bot_admin=True
    )
    politics = bot.sandbox.create_topic(forum, "Politique", admin)
    sport = bot.sandbox.create_topic(forum, "Sport", admin)
    return admin, forum, politics, sport


async def _ask_in(
    bot: Harness, user: SandboxUser, forum: SandboxChat, thread: int, text: str
) -> SandboxMessage:
    mark = forum.mark()
    await user.send(text, forum, thread=thread)
    [reply] = await bot.sandbox.wait_for(forum, after=mark, timeout=10)
    return reply


async def test_each_forum_topic_gets_the_alerts_subscribed_in_it(bot: Harness) -> None:
    admin, forum, politics, sport = await _forum(bot)
    reply = await _ask_in(bot, admin, forum, politics, "/subscribe Mali")
    assert reply.message_thread_id == politics  # the answer stays in its topic
    reply = await _ask_in(bot, admin, forum, sport, "/abonner Sport")
    assert reply.message_thread_id == sport
    reply = await _ask_in(bot, admin, forum, sport, "/watch Aigles")
    assert reply.message_thread_id == sport

    listing = await _ask_in(bot, admin, forum, sport, "/subscriptions")
    assert "#Sport" in listing.content and "Aigles" in listing.content
    assert "#Mali" not in listing.content  # Politique's own subscription

    await _publish(bot, "f:1", "Mali : la transition prolongée", ("Mali",), "À Bamako.")
    await _publish(bot, "f:2", "Sport : les Aigles qualifiés", ("Sport",), "Victoire à Yaoundé.")
    await _publish(bot, "f:3", "Mali-Sport : le stade rénové", ("Mali", "Sport"), "Travaux.")
    await _settled(bot.db)
    in_politics = [m.content for m in forum.in_topic(politics)]
    in_sport = [m.content for m in forum.in_topic(sport)]
    assert sum("transition prolongée" in c for c in in_politics) == 1
    assert sum("stade rénové" in c for c in in_politics) == 1
    assert sum("Aigles qualifiés" in c for c in in_sport) == 1  # topic and watch: once
    assert sum("stade rénové" in c for c in in_sport) == 1
    assert not any("transition" in c for c in in_sport)
    assert not any("Aigles qualifiés" in c for c in in_politics)
    assert forum.in_topic(None) == []  # nothing in General


async def test_a_closed_topic_fails_its_alert_and_a_deleted_one_loses_its_follows(
    bot: Harness,
) -> None:
    admin, forum, politics, sport = await _forum(bot)
    await _ask_in(bot, admin, forum, politics, "/subscribe Mali")
    await _ask_in(bot, admin, forum, sport, "/subscribe Sport")
    bot.sandbox.close_topic(forum, sport)
    await _publish(bot, "c:1", "Sport : match nul à Sikasso", ("Sport",), "Un partout.")
    await _publish(bot, "c:2", "Mali : le budget adopté", ("Mali",), "À l’Assemblée.")
    await _settled(bot.db)
    async with bot.db.reader.execute(
        "SELECT thread_id, status, last_error FROM deliveries WHERE chat_id = ? ORDER BY id",
        (forum.id,),
    ) as cursor:
        rows = [tuple(row) for row in await cursor.fetchall()]
    # python-telegram-bot keeps the description without "Bad Request: ", capitalised.
    assert rows == [(sport, "failed", "Topic_closed"), (politics, "sent", None)]
    assert sum("budget adopté" in m.content for m in forum.in_topic(politics)) == 1
    async with bot.db.reader.execute(
        "SELECT count(*) FROM subscriptions WHERE chat_id = ? AND thread_id = ?",
        (forum.id, sport),
    ) as cursor:
        assert (await cursor.fetchone())[0] == 1  # closed, not gone: it may be reopened

    bot.sandbox.delete_topic(forum, politics)
    await _publish(bot, "c:3", "Mali : la rentrée scolaire", ("Mali",), "Les écoles rouvrent.")
    await _settled(bot.db)
    async with bot.db.reader.execute(
        "SELECT status, last_error FROM deliveries WHERE chat_id = ? AND thread_id = ? "
        "ORDER BY id DESC LIMIT 1",
        (forum.id, politics),
    ) as cursor:
        assert tuple(await cursor.fetchone()) == ("failed", "Message thread not found")
    async with bot.db.reader.execute(
        "SELECT thread_id FROM subscriptions WHERE chat_id = ?", (forum.id,)
    ) as cursor:
        assert [row[0] for row in await cursor.fetchall()] == [sport]
    assert forum.in_topic(None) == []  # never moved to General
