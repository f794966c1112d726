"""Alerts: the outbox worker against the sandbox with Telegram's limits on."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter
from contextlib import closing
from typing import Any

import pytest

from bot.app import build_application, running
from bot.config import Settings
from bot.samples import load_samples
from bot.sandbox import Sandbox, SandboxChat, SandboxMessage
from bot.site import fold
from db import Database, articles, chats, deliveries
from db.models import ArticleDraft
from tests.conftest import BOT_USERNAME, Harness

# Telegram's per-chat limits as they are; the bot-wide one raised (with the bot's own pace
# following it) so that broadcasts to hundreds of chats take seconds, not minutes.
RATE = 150.0
pytestmark = pytest.mark.limits(global_rate=RATE, seed=3)


def draft(title: str, topics: tuple[str, ...], author: str, **extra: object) -> ArticleDraft:
    fields: dict[str, object] = {"lead": f"Chapeau de l’article « {title} ».", **extra}
    return ArticleDraft(title=title, author=author, topics=topics, **fields)  # type: ignore[arg-type]


async def follow(db: Database, chat: SandboxChat, *, topic: str = "", author: str = "") -> None:
    """Record a chat and its subscription directly (the commands have their own tests)."""
    async with db.transaction() as conn:
        await chats.upsert_chat(conn, chat.id, chat.type, chat.title, "fr", time.time())  # type: ignore[arg-type]
        if topic:
            found = await articles.ensure_topic(conn, fold(topic), topic)
            await chats.subscribe(conn, chat.id, time.time(), topic_id=found.id)
        if author:
            writer = await articles.ensure_author(conn, fold(author), author)
            await chats.subscribe(conn, chat.id, time.time(), author_id=writer.id)


async def drained(db: Database, timeout: float = 60.0) -> None:
    """Wait until nothing is pending or being sent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with db.reader.execute(
            "SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending')"
        ) as cursor:
            if (await cursor.fetchone())[0] == 0:
                return
        await asyncio.sleep(0.05)
    raise AssertionError("deliveries still pending")


def alerts(chat: SandboxChat, title: str) -> int:
    return sum(1 for m in chat.bot_messages(include_deleted=True) if title in m.content)


async def status_of(db: Database, chat_id: int) -> str | None:
    chat = await chats.get_chat(db.reader, chat_id)
    return chat.status if chat else None


async def test_every_subscriber_gets_each_matching_alert_exactly_once(bot: Harness) -> None:
    sb = bot.sandbox
    readers = [sb.add_user(f"Lecteur {n}", language_code="fr") for n in range(240)]
    admin = readers[0]
    groups = [sb.add_group(f"Groupe {n}", admins=[admin], supergroup=n % 2 == 0) for n in range(60)]
    everyone = [r.private_chat for r in readers] + groups
    expected: dict[int, set[str]] = {}
    for n, chat in enumerate(everyone):
        wants = set()
        if n % 2 == 0:
            await follow(bot.db, chat, topic="Mali")
            wants.add("Fraude")
        if n % 5 == 0:
            await follow(bot.db, chat, author="Awa Keïta")  # overlaps with Mali: still once
            wants.add("Fraude")
        if n % 3 == 0:
            await follow(bot.db, chat, topic="Sport")
            wants.add("Marathon")
        expected[chat.id] = wants

    first = await bot.publisher.publish(
        draft("Fraude aux examens : trois arrestations", ("Mali", "Russie"), "Awa Keïta"),
        source_key="t:1", origin="editor",
    )  # fmt: skip
    second = await bot.publisher.publish(
        draft("Marathon de Bamako : record battu", ("Sport",), "Seydou Koné"),
        source_key="t:2", origin="editor",
    )  # fmt: skip
    assert first.queued == sum("Fraude" in w for w in expected.values())
    assert second.queued == sum("Marathon" in w for w in expected.values())

    await drained(bot.db)
    for chat in everyone:
        for title in ("Fraude", "Marathon"):
            assert alerts(chat, title) == (1 if title in expected[chat.id] else 0), chat
    assert sb.stats.too_many_requests == 0
    assert sb.stats.rate_limit_violations == 0
    counts = await deliveries.delivery_counts(bot.db.reader, first.article_id)
    assert (counts.sent, counts.failed) == (first.queued, 0)


async def test_alert_is_formatted_with_a_read_button_and_message_id_kept(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Awa")
    await follow(bot.db, reader.private_chat, topic="Santé")
    result = await bot.publisher.publish(
        draft("Campagne de vaccination à Kayes", ("Santé",), "Awa Keïta",
              url="https://www.journal-exemple.ml/articles/vaccination-kayes"),
        source_key="t:url", origin="editor",
    )  # fmt: skip
    [alert] = await bot.sandbox.wait_for(reader.private_chat)
    assert alert.text is not None and alert.text.startswith("Campagne de vaccination à Kayes")
    assert "#Santé" in alert.text and "Awa Keïta" in alert.text
    assert "ALERTE" not in alert.text
    assert alert.buttons == [
        [("Lire l’article", "https://www.journal-exemple.ml/articles/vaccination-kayes")]
    ]
    await drained(bot.db)
    async with bot.db.reader.execute(
        "SELECT message_id FROM deliveries WHERE article_id = ?", (result.article_id,)
    ) as cursor:
        assert (await cursor.fetchone())[0] == alert.message_id


async def test_photo_alert_goes_as_a_photo_with_caption(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Awa")
    await follow(bot.db, reader.private_chat, topic="Culture")
    await bot.publisher.publish(
        draft("Le festival sur le Niger revient", ("Culture",), "Awa Keïta", lead="x " * 900,
              image_url="https://www.journal-exemple.ml/images/festival.jpg"),
        source_key="t:photo", origin="editor",
    )  # fmt: skip
    [alert] = await bot.sandbox.wait_for(reader.private_chat)
    assert alert.photo and alert.caption is not None
    assert len(alert.caption) <= 1024
    assert alert.buttons[0][0][1].startswith("art:")  # no URL: the button opens it in the bot


async def test_urgent_alert_jumps_the_queue_and_rings(bot: Harness) -> None:
    sb = bot.sandbox
    readers = [sb.add_user(f"Lecteur {n}") for n in range(60)]
    for reader in readers:
        await follow(bot.db, reader.private_chat, topic="Mali")
    last = readers[-1].private_chat
    await bot.publisher.publish(draft("Ordinaire", ("Mali",), "A"), source_key="o", origin="editor")
    await bot.publisher.publish(
        draft("Séisme ressenti à Bamako", ("Mali",), "A", urgent=True),
        source_key="u", origin="editor",
    )  # fmt: skip
    await drained(bot.db)
    messages = [m for m in last.bot_messages() if m.text]
    assert [m.text.split("\n")[0] for m in messages][:1] == ["🔴 ALERTE"]
    assert "Séisme" in messages[0].text
    assert sb.stats.requests["sendMessage"] >= 120


async def test_reader_is_answered_during_a_broadcast(bot: Harness) -> None:
    sb = bot.sandbox
    readers = [sb.add_user(f"Lecteur {n}") for n in range(400)]
    for reader in readers:
        await follow(bot.db, reader.private_chat, topic="Mali")
    result = await bot.publisher.publish(
        draft("Grande annonce", ("Mali",), "A"), source_key="big", origin="editor"
    )
    await asyncio.sleep(0.3)  # the broadcast is under way
    curious = sb.add_user("Curieux")
    [reply] = await bot.ask(curious, "/latest", timeout=3.0)
    assert "Les dernières nouvelles" in reply.content
    counts = await deliveries.delivery_counts(bot.db.reader, result.article_id)
    assert counts.pending > 0, "the reply should not have waited for the broadcast to end"
    await drained(bot.db)


async def test_blocked_deactivated_and_deleted_chats_are_dropped(bot: Harness) -> None:
    sb = bot.sandbox
    blocked, deactivated, fine = sb.add_user("Bloque"), sb.add_user("Parti"), sb.add_user("Fidèle")
    group = sb.add_group("Disparu", admins=[fine])
    for chat in (blocked.private_chat, deactivated.private_chat, fine.private_chat, group):
        await follow(bot.db, chat, topic="Mali")
    blocked.block_bot()
    deactivated.deactivate()
    sb.delete_chat(group)
    await bot.publisher.publish(draft("Premier", ("Mali",), "A"), source_key="1", origin="editor")
    await drained(bot.db)
    assert await status_of(bot.db, blocked.id) == "blocked"
    assert await status_of(bot.db, deactivated.id) == "blocked"
    assert await status_of(bot.db, group.id) == "left"
    assert await status_of(bot.db, fine.id) == "active"
    requests_before = sb.stats.requests["sendMessage"]
    second = await bot.publisher.publish(
        draft("Deuxième", ("Mali",), "A"), source_key="2", origin="editor"
    )
    assert second.queued == 1  # gone chats are not queued again
    await drained(bot.db)
    assert sb.stats.requests["sendMessage"] == requests_before + 1
    assert alerts(fine.private_chat, "Deuxième") == 1


async def test_migrated_group_gets_the_alert_at_its_new_id(bot: Harness) -> None:
    sb = bot.sandbox
    admin = sb.add_user("Admin")
    group = sb.add_group("Rédaction Kati", admins=[admin])
    await follow(bot.db, group, topic="Mali")
    old_id = group.id
    new_id = sb.migrate_group(group)
    await bot.publisher.publish(
        draft("Après migration", ("Mali",), "A"), source_key="m", origin="editor"
    )
    await drained(bot.db)
    assert alerts(sb.chat(new_id), "Après migration") == 1
    assert await chats.get_chat(bot.db.reader, old_id) is None
    subs = await chats.chat_subscriptions(bot.db.reader, new_id)
    assert [s.label for s in subs] == ["#Mali"]


async def test_server_errors_and_slow_answers_are_retried_until_delivered(bot: Harness) -> None:
    sb = bot.sandbox
    assert bot.app.bot_data.worker is not None
    bot.app.bot_data.worker.backoff_base = 0.05
    readers = [sb.add_user(f"Lecteur {n}") for n in range(40)]
    for reader in readers:
        await follow(bot.db, reader.private_chat, topic="Mali")
    sb.faults.methods = {"sendmessage"}
    sb.faults.error_rate = 0.3
    await bot.publisher.publish(
        draft("Malgré les pannes", ("Mali",), "A"), source_key="f", origin="editor"
    )
    await drained(bot.db)
    assert sb.stats.responses[500] + sb.stats.responses[502] > 0
    assert all(alerts(r.private_chat, "Malgré les pannes") == 1 for r in readers)


async def test_exhausted_retries_end_failed_with_the_error_kept(bot: Harness) -> None:
    sb = bot.sandbox
    worker = bot.app.bot_data.worker
    assert worker is not None
    worker.backoff_base = worker.backoff_cap = 0.01
    reader = sb.add_user("Malchanceux")
    await follow(bot.db, reader.private_chat, topic="Mali")
    sb.faults.methods = {"sendmessage"}
    sb.faults.error_rate = 1.0
    result = await bot.publisher.publish(
        draft("Jamais arrivé", ("Mali",), "A"), source_key="x", origin="editor"
    )
    await drained(bot.db, timeout=120)
    async with bot.db.reader.execute(
        "SELECT status, attempts, last_error FROM deliveries WHERE article_id = ?",
        (result.article_id,),
    ) as cursor:
        status, attempts, last_error = await cursor.fetchone()
    assert status == "failed"
    assert attempts >= 12
    assert "NetworkError" in last_error


async def test_restart_mid_broadcast_serves_everyone_once(
    sandbox: Sandbox, bot_settings: Settings
) -> None:
    readers = [sandbox.add_user(f"Lecteur {n}") for n in range(300)]
    first = build_application(bot_settings)
    async with running(first, poll_timeout=1):
        db = first.bot_data.db
        for reader in readers:
            await follow(db, reader.private_chat, topic="Mali")
        await first.bot_data.publisher.publish(
            draft("Interrompu", ("Mali",), "A"), source_key="r", origin="editor"
        )
        while sandbox.stats.messages_delivered < 60:
            await asyncio.sleep(0.01)
    # The first bot stopped mid-broadcast; a new one takes over on the same database.
    delivered_at_stop = sandbox.stats.messages_delivered
    assert delivered_at_stop < len(readers)
    second = build_application(bot_settings)
    async with running(second, poll_timeout=1):
        await drained(second.bot_data.db)
    per_reader = Counter(alerts(r.private_chat, "Interrompu") for r in readers)
    assert per_reader == {1: len(readers)}  # a clean stop leaves nothing in flight


@pytest.mark.backends("sqlite")  # it peeks into the SQLite file as each alert goes out
@pytest.mark.limits(global_rate=30.0, seed=5)
async def test_at_telegrams_pace_each_alert_is_written_down_before_its_slot_sends_on(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash can then repeat only the sends in flight, never a backlog of unwritten ones."""
    sb = bot.sandbox
    readers = [sb.add_user(f"Lecteur {n}") for n in range(45)]
    for reader in readers:
        await follow(bot.db, reader.private_chat, topic="Rythme")
    settings, worker = bot.app.bot_data.settings, bot.app.bot_data.worker
    assert worker is not None and worker.write_batch == 1
    title = "Rentrée scolaire à Kayes"
    unwritten: list[int] = []  # as each alert is accepted: earlier ones not yet recorded sent
    deliver = sb.deliver

    def deliver_and_look(chat: SandboxChat, message: SandboxMessage) -> dict[str, Any]:
        if title in message.content:
            with closing(sqlite3.connect(f"file:{settings.db_path}?mode=ro", uri=True)) as conn:
                (sent,) = conn.execute(
                    "SELECT count(*) FROM deliveries WHERE status = 'sent'"
                    " AND article_id = (SELECT max(id) FROM articles)"
                ).fetchone()
            unwritten.append(len(unwritten) - sent)
        return deliver(chat, message)

    monkeypatch.setattr(sb, "deliver", deliver_and_look)
    await bot.publisher.publish(draft(title, ("Rythme",), "A"), source_key="p", origin="editor")
    await drained(bot.db)
    assert len(unwritten) == len(readers)
    # Each slot writes its outcome before it takes another send: when one is accepted, only
    # the other slots' sends can still be on their way back unwritten.
    assert max(unwritten) <= settings.concurrency - 1, unwritten


async def test_subscription_commands_in_a_private_chat(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Awa")
    [reply] = await bot.ask(reader, "/subscribe mali")
    assert "Vous recevrez les nouveaux articles #Mali" in reply.content
    [reply] = await bot.ask(reader, "/subscribe Mali")
    assert "déjà" in reply.content
    [reply] = await bot.ask(reader, "/subscribe Rusie")
    assert "Vouliez-vous dire" in reply.content
    assert "#Russie" in reply.labels()
    mark = reader.private_chat.mark()
    await reader.press(reply, "#Russie")
    [edited] = await bot.sandbox.wait_for(reader.private_chat, after=mark)
    assert "Vous recevrez les nouveaux articles #Russie" in edited.content
    [reply] = await bot.ask(reader, "/subscriptions")
    assert "#Mali" in reply.content and "#Russie" in reply.content
    [reply] = await bot.ask(reader, "/subscribe Orpaillage")
    assert "Aucun article ne porte encore #Orpaillage" in reply.content
    [reply] = await bot.ask(reader, "/unsubscribe mali")
    assert "ne suivez plus #Mali" in reply.content
    labels = [s.label for s in await chats.chat_subscriptions(bot.db.reader, reader.id)]
    assert labels == ["#Orpaillage", "#Russie"]
    [reply] = await bot.ask(reader, "/unsubscribe all")
    mark = reader.private_chat.mark()
    await reader.press(reply, 0)
    [done] = await bot.sandbox.wait_for(reader.private_chat, after=mark)
    assert "2 abonnement" in done.content
    assert await chats.chat_subscriptions(bot.db.reader, reader.id) == []


async def test_subscribing_to_an_author_by_a_partial_accentless_name(bot: Harness) -> None:
    reader = bot.sandbox.add_user("John", language_code="en")
    samples = await articles.list_authors(bot.db.reader, 50)
    author = next(a for a in samples.items if any(c in a.name for c in "éèïÉ"))
    typed = author.key.split()[-1].upper()  # "DIAKITE" for "Ousmane Diakité"
    [reply] = await bot.ask(reader, f"/subscribe {typed}")
    assert f"You will get new articles by {author.name}" in reply.content


async def test_group_subscriptions_are_for_admins_only(bot: Harness) -> None:
    sb = bot.sandbox
    admin, member = sb.add_user("Admin"), sb.add_user("Membre")
    group = sb.add_group("Club de lecture", admins=[admin], members=[member])
    [reply] = await bot.ask(member, "/subscribe Mali", chat=group)
    assert "administrateurs" in reply.content
    assert await chats.chat_subscriptions(bot.db.reader, group.id) == []
    [reply] = await bot.ask(admin, f"/subscribe@{BOT_USERNAME} Mali", chat=group)
    assert "#Mali" in reply.content
    assert [s.label for s in await chats.chat_subscriptions(bot.db.reader, group.id)] == ["#Mali"]


async def test_bot_removed_from_a_group_stops_alerts_and_back_resumes(bot: Harness) -> None:
    sb = bot.sandbox
    admin = sb.add_user("Admin")
    group = sb.add_group("Amis du journal", admins=[admin], bot_member=False)
    await sb.add_bot_to_group(group, by=admin)
    [reply] = await bot.ask(admin, "/subscribe Mali", chat=group)
    assert "#Mali" in reply.content
    await sb.remove_bot_from_group(group, by=admin)
    for _ in range(100):
        if await status_of(bot.db, group.id) == "left":
            break
        await asyncio.sleep(0.02)
    assert await status_of(bot.db, group.id) == "left"
    gone = await bot.publisher.publish(
        draft("Absent", ("Mali",), "A"), source_key="a", origin="editor"
    )
    assert gone.queued == 0
    await sb.add_bot_to_group(group, by=admin)
    for _ in range(100):
        if await status_of(bot.db, group.id) == "active":
            break
        await asyncio.sleep(0.02)
    back = await bot.publisher.publish(
        draft("De retour", ("Mali",), "A"), source_key="b", origin="editor"
    )
    assert back.queued == 1
    await sb.wait_for(group, lambda m: "De retour" in m.content)


async def test_topics_toggle_button_subscribes_and_unsubscribes(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Awa")
    [reply] = await bot.ask(reader, "/subscribe")  # alone: the /topics keyboard
    assert "➕ Mali" in reply.labels()
    mark = reader.private_chat.mark()
    query = await reader.press(reply, "➕ Mali")
    answer = await bot.sandbox.wait_for_answer(query)
    assert "Mali" in (answer.text or "")
    [edited] = await bot.sandbox.wait_for(reader.private_chat, after=mark)
    assert "✅ Mali" in edited.labels() and "➕ Mali" not in edited.labels()
    assert [s.label for s in await chats.chat_subscriptions(bot.db.reader, reader.id)] == ["#Mali"]
    mark = reader.private_chat.mark()
    query = await reader.press(edited, "✅ Mali")
    await bot.sandbox.wait_for_answer(query)
    [again] = await bot.sandbox.wait_for(reader.private_chat, after=mark)
    assert "➕ Mali" in again.labels()
    assert await chats.chat_subscriptions(bot.db.reader, reader.id) == []


async def test_author_follow_button_keeps_its_wording(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Awa")
    [reply] = await bot.ask(reader, "/author diakite")
    follow_label = next(label for label in reply.labels() if label.startswith("➕ Suivre"))
    mark = reader.private_chat.mark()
    await reader.press(reply, follow_label)
    [edited] = await bot.sandbox.wait_for(reader.private_chat, after=mark)
    name = follow_label.removeprefix("➕ Suivre ")
    assert f"✅ {name}" in edited.labels()
    subscriptions = await chats.chat_subscriptions(bot.db.reader, reader.id)
    assert [s.label for s in subscriptions] == [name]


async def test_forged_subscription_buttons_change_nothing(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Awa")
    [reply] = await bot.ask(reader, "/subscribe")
    for forged in ("sub:t:999999", "sub:x:1", "sub:+t:abc", "sub:", "sub:new:" + "x" * 60):
        reply.reply_markup = {"inline_keyboard": [[{"text": "x", "callback_data": forged}]]}
        query = await reader.press(reply, 0)
        answer = await bot.sandbox.wait_for_answer(query)
        assert answer.text, forged
    assert await chats.chat_subscriptions(bot.db.reader, reader.id) == []


async def test_samples_load_silently(bot: Harness) -> None:
    # The harness loaded the samples: no alert was queued for them, even twice.
    await load_samples(bot.publisher)
    async with bot.db.reader.execute("SELECT count(*) FROM deliveries") as cursor:
        assert (await cursor.fetchone())[0] == 0
