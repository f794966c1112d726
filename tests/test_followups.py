"""Corrections, withdrawals and unsubscriptions reach every alert, also those still on their way.

A broadcast runs for seconds: when an editor corrects or withdraws the article, or a reader
unsubscribes, some alerts are still waiting, some are being sent, and some were accepted by
Telegram but not yet written back. Each of them must end as the editor and the reader meant.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest

from bot import site
from bot.config import Settings
from bot.sandbox import Sandbox, SandboxChat, SandboxMessage, SandboxUser
from db import Database, articles, audit, chats, deliveries, stats
from db.models import ArticleDraft
from tests.conftest import EDITOR_ID, Harness
from tests.test_alerts import draft, drained, follow

# Telegram's per-chat limits as they are; the bot-wide pace raised a little so that a
# 300-chat broadcast lasts about three seconds, long enough to act in the middle of it.
RATE = 100.0
CHATS = 300
SECOND_EDITOR_ID = 5_000_000_002


pytestmark = pytest.mark.limits(global_rate=RATE, seed=5)


@pytest.fixture
def bot_settings(bot_settings: Settings) -> Settings:
    """The shared settings, with a second editor."""
    return replace(bot_settings, admins=frozenset({EDITOR_ID, SECOND_EDITOR_ID}))


def live_alerts(chat: SandboxChat, title: str) -> int:
    """Count the bot's messages still in the chat (not deleted) that show `title`."""
    return sum(1 for m in chat.bot_messages() if title in m.content)


async def broadcast(bot: Harness, title: str, count: int = CHATS) -> tuple[int, list[SandboxChat]]:
    """Subscribe `count` private chats to #Mali and publish an article to them all."""
    people = [bot.sandbox.add_user(f"Lecteur {n}") for n in range(count)]
    for person in people:
        await follow(bot.db, person.private_chat, topic="Mali")
    result = await bot.publisher.publish(
        draft(title, ("Mali",), "Awa Keïta"), source_key=f"t:{title}", origin="editor"
    )
    assert result.queued == count
    return result.article_id, [p.private_chat for p in people]


async def under_way(sb: Sandbox, base: int, sent: int, timeout: float = 20.0) -> None:
    """Wait until `sent` more messages reached their chats: the broadcast is in full swing."""
    deadline = time.monotonic() + timeout
    while sb.stats.messages_delivered < base + sent:
        assert time.monotonic() < deadline, "the broadcast never got going"
        await asyncio.sleep(0.005)


async def statuses(db: Database, article_id: int) -> dict[str, int]:
    async with db.reader.execute(
        "SELECT status, count(*) FROM deliveries WHERE article_id = ? GROUP BY status",
        (article_id,),
    ) as cursor:
        return {status: count for status, count in await cursor.fetchall()}


async def status_for(db: Database, article_id: int, chat_id: int) -> str | None:
    async with db.reader.execute(
        "SELECT status FROM deliveries WHERE article_id = ? AND chat_id = ?",
        (article_id, chat_id),
    ) as cursor:
        row = await cursor.fetchone()
    return row[0] if row else None


def corrected(old: ArticleDraft, title: str) -> ArticleDraft:
    """Return the draft with a new title (the lead, which quotes it, follows)."""
    return replace(old, title=title, lead=f"Chapeau de l’article « {title} ».")


# --- withdrawals and corrections during a broadcast ----------------------------------------


async def test_withdrawal_during_a_broadcast_leaves_no_alert_anywhere(bot: Harness) -> None:
    sb = bot.sandbox
    base = sb.stats.messages_delivered
    article_id, readers = await broadcast(bot, "Annonce prématurée")
    await under_way(sb, base, CHATS // 3)

    withdrawn = await bot.publisher.withdraw(article_id)
    assert withdrawn.changed
    await drained(bot.db)

    left = [chat for chat in readers if live_alerts(chat, "Annonce prématurée")]
    assert left == [], f"{len(left)} chats still show the withdrawn article"
    # Every row is accounted for: deleted after sending, or cancelled before.
    counts = await statuses(bot.db, article_id)
    assert set(counts) <= {"sent", "cancelled"}, counts
    assert sum(counts.values()) == CHATS
    assert counts.get("cancelled", 0) > 0  # some were still waiting, never sent
    figures = await stats.delivery_stats(bot.db.reader, 0.0)
    assert figures.sent + figures.pending + figures.failed + figures.cancelled == CHATS


async def test_correction_during_a_broadcast_reaches_every_alert(bot: Harness) -> None:
    sb = bot.sandbox
    base = sb.stats.messages_delivered
    article_id, readers = await broadcast(bot, "Bilan provisoire : 12 blessés")
    await under_way(sb, base, CHATS // 3)

    old = draft("Bilan provisoire : 12 blessés", ("Mali",), "Awa Keïta")
    result = await bot.publisher.revise(article_id, corrected(old, "Bilan définitif : 15 blessés"))
    assert result.changed
    await drained(bot.db)

    stale = [chat for chat in readers if live_alerts(chat, "Bilan provisoire")]
    assert stale == [], f"{len(stale)} chats still show the old title"
    assert all(live_alerts(chat, "Bilan définitif : 15 blessés") == 1 for chat in readers)
    assert await statuses(bot.db, article_id) == {"sent": CHATS}


@pytest.mark.parametrize("change", ["correct", "withdraw"])
async def test_change_between_a_send_and_its_outcome_reaches_that_alert(
    bot: Harness, change: str
) -> None:
    """Telegram accepted the alert; its answer is late, and the editor acts meanwhile."""
    sb = bot.sandbox
    reader = sb.add_user("Lectrice")
    await follow(bot.db, reader.private_chat, topic="Mali")
    sb.faults.methods = {"sendmessage"}
    sb.faults.slow_rate = 1.0  # the work is done at once, the answer comes a second later
    sb.faults.slow_seconds = 1.0
    old = draft("Coupure d’eau à Kati", ("Mali",), "Awa Keïta")
    result = await bot.publisher.publish(old, source_key="t:slow", origin="editor")
    [alert] = await sb.wait_for(reader.private_chat)  # in the chat; the bot does not know yet
    assert await status_for(bot.db, result.article_id, reader.id) == "sending"

    if change == "correct":
        fixed = corrected(old, "Coupure d’eau à Kati et Koulikoro")
        assert (await bot.publisher.revise(result.article_id, fixed)).changed
    else:
        assert (await bot.publisher.withdraw(result.article_id)).changed
    sb.faults.clear()
    await drained(bot.db)
    await drained(bot.db)  # the follow-up is queued when the late outcome is written

    if change == "correct":
        assert "Coupure d’eau à Kati et Koulikoro" in alert.content
        assert alert.edited == 1
    else:
        assert alert.deleted
    assert await status_for(bot.db, result.article_id, reader.id) == "sent"


async def test_outcome_written_after_a_correction_queues_the_edit(database: Database) -> None:
    """The worker's own steps, in the racy order: claim, correct, write the outcome."""
    now = time.time()
    async with database.transaction() as conn:
        await conn.execute(
            "INSERT INTO chats (id, type, language, created_at, updated_at) "
            "VALUES (1, 'private', 'fr', ?, ?)",
            (now, now),
        )
        author = await articles.ensure_author(conn, "awa keita", "Awa Keïta")
        new = articles.NewArticle(
            source_key="k", title="Avant", lead="Chapeau.", body="", author_id=author.id,
            topic_ids=[], published_at=now, updated_at=now, origin="editor",
        )  # fmt: skip
        article_id = await articles.insert_article(conn, new)
        await deliveries.queue_article(conn, article_id, [], author.id, now, extra_chat_ids=[1])
        [claimed] = await deliveries.claim_due(conn, now, 10)
    async with database.transaction() as conn:  # the correction lands while the send is out
        await articles.update_article(conn, article_id, replace(new, title="Après"))
        assert await deliveries.queue_followups(conn, article_id, now) == 1  # in flight
    async with database.transaction() as conn:
        await deliveries.mark_sent(conn, [(claimed.id, 99, now)])
    async with database.reader.execute(
        "SELECT status, action, message_id FROM deliveries WHERE id = ?", (claimed.id,)
    ) as cursor:
        assert tuple(await cursor.fetchone()) == ("pending", "edit", 99)


# --- unsubscribing during a broadcast -----------------------------------------------------


async def unsubscribe(bot: Harness, user: SandboxUser, what: str) -> None:
    [reply] = await bot.ask(user, f"/unsubscribe {what}", timeout=5.0)
    assert "ne suivez plus" in reply.content


async def test_unsubscribe_during_a_broadcast_cancels_the_alert_still_waiting(
    bot: Harness,
) -> None:
    sb = bot.sandbox
    people = [sb.add_user(f"Lecteur {n}") for n in range(CHATS)]
    leaving, staying = sb.add_user("Partante"), sb.add_user("Fidèle")
    for person in people:
        await follow(bot.db, person.private_chat, topic="Mali")
    await follow(bot.db, leaving.private_chat, topic="Mali")
    await follow(bot.db, staying.private_chat, topic="Mali", author="Awa Keïta")
    result = await bot.publisher.publish(
        draft("Le fleuve en crue", ("Mali",), "Awa Keïta"), source_key="t:crue", origin="editor"
    )
    assert result.queued == CHATS + 2
    await asyncio.sleep(1.0)
    assert await status_for(bot.db, result.article_id, leaving.id) == "pending"

    await unsubscribe(bot, leaving, "Mali")
    await unsubscribe(bot, staying, "Mali")  # still follows the author: still gets it
    await drained(bot.db)

    assert live_alerts(leaving.private_chat, "Le fleuve en crue") == 0
    assert live_alerts(staying.private_chat, "Le fleuve en crue") == 1
    assert await status_for(bot.db, result.article_id, leaving.id) == "cancelled"
    assert await status_for(bot.db, result.article_id, staying.id) == "sent"
    counts = await deliveries.delivery_counts(bot.db.reader, result.article_id)
    assert (counts.sent, counts.cancelled, counts.failed) == (CHATS + 1, 1, 0)
    figures = await stats.delivery_stats(bot.db.reader, 0.0)
    assert (figures.sent, figures.cancelled) == (CHATS + 1, 1)


async def test_unsubscribe_all_cancels_what_is_still_waiting(database: Database) -> None:
    now = time.time()
    async with database.transaction() as conn:
        await conn.execute(
            "INSERT INTO chats (id, type, language, created_at, updated_at) "
            "VALUES (1, 'private', 'fr', ?, ?)",
            (now, now),
        )
        mali = await articles.ensure_topic(conn, "mali", "Mali")
        author = await articles.ensure_author(conn, "awa keita", "Awa Keïta")
        await chats.subscribe(conn, 1, now, topic_id=mali.id)
        new = articles.NewArticle(
            source_key="k", title="Titre", lead="Chapeau.", body="", author_id=author.id,
            topic_ids=[mali.id], published_at=now, updated_at=now, origin="editor",
        )  # fmt: skip
        article_id = await articles.insert_article(conn, new)
        assert await deliveries.queue_article(conn, article_id, [mali.id], author.id, now) == 1
    async with database.transaction() as conn:
        assert await chats.unsubscribe_all(conn, 1) == 1
    counts = await deliveries.delivery_counts(database.reader, article_id)
    assert (counts.pending, counts.cancelled) == (0, 1)


# --- two editors correcting one article -----------------------------------------------------


ARTICLE = (
    "#Mali : Le pont de Kayes rouvre à la circulation\n"
    "Par Awa KEITA\n"
    "Le pont, fermé depuis un mois, rouvre ce mardi."
)


async def start_correction(bot: Harness, editor: SandboxUser, article_id: int) -> None:
    [current] = await bot.ask(editor, f"/edit {article_id}")
    assert "tel qu’il est publié" in current.content


async def save_correction(
    bot: Harness, editor: SandboxUser, text: str, count: int = 1
) -> list[SandboxMessage]:
    """Paste a corrected text, then press the preview's save button; return the replies."""
    _, control = await bot.ask(editor, text, count=2)
    chat = editor.private_chat
    mark = chat.mark()
    query = await editor.press(control, "Enregistrer la correction")
    await bot.sandbox.wait_for_answer(query)
    return await bot.sandbox.wait_for(chat, timeout=5.0, count=count, after=mark)


async def test_second_editor_is_told_the_article_was_corrected_meanwhile(bot: Harness) -> None:
    first = bot.editor
    second = bot.sandbox.add_user("Issa", "Dembélé", "issa", "fr", user_id=SECOND_EDITOR_ID)
    reader = bot.sandbox.add_user("Abonnée")
    await follow(bot.db, reader.private_chat, topic="Mali")
    article_id = (
        await bot.publisher.publish(
            site.parse_article_message(ARTICLE), source_key="t:pont", origin="editor"
        )
    ).article_id
    [alert] = await bot.sandbox.wait_for(reader.private_chat)
    await drained(bot.db)

    await start_correction(bot, first, article_id)
    await start_correction(bot, second, article_id)  # both start from the same version
    [saved] = await save_correction(bot, first, ARTICLE.replace("ce mardi", "ce mercredi"))
    assert saved.content.startswith("Correction enregistrée")

    theirs = ARTICLE.replace("Le pont", "Le grand pont")
    replies = await save_correction(bot, second, theirs, count=3)
    told = replies[0].content
    assert "quelqu’un d’autre" in told and "n’a pas été enregistrée" in told, told
    shown = "\n".join(m.content for m in replies)
    assert "Le grand pont, fermé depuis un mois, rouvre ce mardi." in shown  # theirs, kept
    assert "rouvre ce mercredi" in shown  # and the version now published
    stored = await articles.get_article(bot.db.reader, article_id)
    assert stored is not None
    assert "ce mercredi" in stored.lead and "grand pont" not in stored.lead  # the first stands

    # The second editor redoes the correction on the current version, straight away.
    redone = ARTICLE.replace("ce mardi", "ce mercredi").replace("Le pont", "Le grand pont")
    [saved] = await save_correction(bot, second, redone)
    assert saved.content.startswith("Correction enregistrée")
    stored = await articles.get_article(bot.db.reader, article_id)
    assert (
        stored is not None
        and stored.lead == "Le grand pont, fermé depuis un mois, rouvre ce mercredi."
    )
    entries = await audit.recent_audit(bot.db.reader, 5)
    assert [(e.user_id, e.action) for e in entries if e.action == "revise"] == [
        (SECOND_EDITOR_ID, "revise"),
        (EDITOR_ID, "revise"),
    ]
    await drained(bot.db)
    await bot.sandbox.wait_for(
        reader.private_chat, lambda m: "grand pont" in m.content and "mercredi" in m.content,
        timeout=10.0, after=0,
    )  # fmt: skip
    assert live_alerts(reader.private_chat, "Kayes") == 1
    assert "Le grand pont" in alert.content and alert.edited == 2  # one alert, corrected twice
