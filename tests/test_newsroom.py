"""The newsroom's habits, end to end: drafts that survive a restart, scheduled publication,
/scheduled, corrections of the photo, progress to « terminé ».

The bot runs on a clock the test moves (`Clock`): set to a moment in Africa/Bamako (UTC+0),
it flows with real time from there, so a test jumps to an article's minute without waiting.
Restarts are real: the application is stopped and another one started on the same database.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import site
from bot.app import build_application, running
from bot.buttons import ScheduledButton
from bot.config import Settings
from bot.i18n import plural, t
from bot.pacing import ChatLimits
from bot.sandbox import Sandbox, SandboxMessage, SandboxUser, validate_html
from bot.scheduling import scheduled_label
from db import articles, audit, drafts
from handlers import newsroom, publish
from handlers.access import EditorOnly
from tests.conftest import EDITOR_ID, Harness
from tests.test_editor import eventually, follow, is_new, next_change, press, sent_alert

BAMAKO = ZoneInfo("Africa/Bamako")
TITLE = "Le marché de Médine rouvre après les travaux"
ARTICLE = (
    f"#Bamako : {TITLE}\n"
    "Par Fatoumata BAGAYOKO\n"
    "Les commerçants ont retrouvé leurs étals ce matin, après six mois de chantier.\n"
    "\n"
    "La mairie promet un parking pour la fin de l’année."
)


class Clock:
    """Wall time the test moves: set to a moment, it flows with real time from there."""

    def __init__(self, start: datetime):
        self.set(start)

    def set(self, moment: datetime) -> None:
        self._offset = moment.timestamp() - time.time()

    def __call__(self) -> float:
        return time.time() + self._offset


START = datetime(2026, 12, 1, 18, 0, tzinfo=BAMAKO)  # Tuesday 1 December, 18:00
TOMORROW_7 = datetime(2026, 12, 2, 7, 0, tzinfo=BAMAKO)


@pytest.fixture(autouse=True)
def brisk_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(newsroom, "PROGRESS_INTERVAL", 0.2)


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


class Newsroom:
    """Start and stop the bot on one database, as a restart does."""

    def __init__(
        self, sandbox: Sandbox, settings: Settings, limits: ChatLimits | None, clock: Clock
    ):
        self.sandbox, self.settings, self.limits, self.clock = sandbox, settings, limits, clock
        self.editor = sandbox.add_user("Mariam", "Coulibaly", "redaction", "fr", user_id=EDITOR_ID)

    @asynccontextmanager
    async def run(self) -> AsyncIterator[Harness]:
        application = build_application(self.settings, chat_limits=self.limits)
        application.bot_data.clock = self.clock
        async with running(application, poll_timeout=1):
            yield Harness(self.sandbox, application, self.editor)


@pytest.fixture
def room(
    sandbox: Sandbox, bot_settings: Settings, chat_limits: ChatLimits | None, clock: Clock
) -> Newsroom:
    return Newsroom(sandbox, bot_settings, chat_limits, clock)


@pytest.fixture
async def bot(room: Newsroom) -> AsyncIterator[Harness]:
    async with room.run() as harness:
        yield harness


def plain(html: str) -> str:
    return validate_html(html)[0]


async def preview(bot: Harness, text: str) -> tuple[SandboxMessage, SandboxMessage]:
    alert, control = await bot.ask(bot.editor, text, count=2)
    return alert, control


async def titled(bot: Harness, title: str) -> list[int]:
    async with bot.db.reader.execute("SELECT id FROM articles WHERE title = ?", (title,)) as cur:
        return [row[0] for row in await cur.fetchall()]


async def reader_of_bamako(bot: Harness) -> SandboxUser:
    reader = bot.sandbox.add_user("Kadiatou")
    await follow(bot, reader, topic="Bamako")
    return reader


# --- drafts that survive ----------------------------------------------------------------------


async def test_a_preview_survives_a_restart_and_is_confirmed(room: Newsroom) -> None:
    async with room.run() as first:
        reader = await reader_of_bamako(first)
        _, control = await preview(first, f"/publish\n{ARTICLE}")
    # Another process on the same database: the press finds the draft there.
    async with room.run() as second:
        [done] = await next_change(
            second, room.editor.private_chat, press(second, room.editor, control, "Publier"),
            lambda m: m.message_id == control.message_id,
        )  # fmt: skip
        [article_id] = await titled(second, TITLE)
        assert done.content == plain(plural("fr", "editor.published", 1, id=article_id))
        [alert] = await second.sandbox.wait_for(reader.private_chat, timeout=10.0, after=0)
        assert TITLE in alert.content


async def test_a_guided_step_survives_a_restart(room: Newsroom) -> None:
    async with room.run() as first:
        await first.ask(room.editor, "/publish")
        [ask_byline] = await first.ask(room.editor, f"#Bamako : {TITLE}")
        assert ask_byline.content.startswith("La signature")
    async with room.run() as second:
        [ask_text] = await second.ask(room.editor, "Par Fatoumata BAGAYOKO")
        assert ask_text.content.startswith("Le texte")


async def test_a_draft_left_alone_expires_across_a_restart(room: Newsroom, clock: Clock) -> None:
    async with room.run() as first:
        _, control = await preview(first, f"/publish\n{ARTICLE}")
    clock.set(START + timedelta(minutes=16))
    mark = room.editor.private_chat.mark()
    async with room.run() as second:
        [expired] = await second.sandbox.wait_for(room.editor.private_chat, is_new, after=mark)
        assert expired.content == plain(t("fr", "editor.expired", minutes=15))
        assert control.labels() == []
        assert await drafts.get_draft(second.db.reader, EDITOR_ID, EDITOR_ID, clock()) is None
        assert await titled(second, TITLE) == []


async def test_previews_and_cancellations_are_in_the_audit_log(bot: Harness) -> None:
    _, control = await preview(bot, f"/publish\n{ARTICLE}")
    await press(bot, bot.editor, control, "Annuler")
    await eventually(lambda: _actions(bot, ["cancel", "preview"]))


async def _actions(bot: Harness, wanted: list[str]) -> bool:
    entries = await audit.recent_audit(bot.db.reader, 2)
    return [entry.action for entry in entries] == wanted and all(
        entry.user_id == EDITOR_ID and entry.detail.endswith(TITLE) for entry in entries
    )


def test_every_step_of_a_draft_is_editor_only() -> None:
    """The steps a plain message reaches (publish.STEPS) are guarded like every button."""
    assert publish.STEPS
    assert all(isinstance(step, EditorOnly) for step in publish.STEPS.values())


# --- scheduled publication -------------------------------------------------------------------


async def visible_anywhere(bot: Harness, reader: SandboxUser) -> list[str]:
    """Return where a reader finds the article: /latest, /search, an inline query, an alert."""
    found = []
    [latest] = await bot.ask(reader, "/latest")
    if TITLE in latest.content:
        found.append("latest")
    [search] = await bot.ask(reader, "/search Médine travaux")
    if TITLE in search.content:
        found.append("search")
    results = await reader.inline_query("Médine")
    if any(TITLE in str(result) for result in results):
        found.append("inline")
    if any(TITLE in text for text in reader.private_chat.texts()):
        found.append("alert")
    return found


async def test_a_scheduled_article_is_invisible_until_its_minute_then_out_once(
    room: Newsroom, clock: Clock
) -> None:
    when = scheduled_label(TOMORROW_7.timestamp(), "fr", "Africa/Bamako", START.timestamp())
    async with room.run() as bot:
        reader = await reader_of_bamako(bot)
        alert, control = await preview(bot, f"/publish\n{ARTICLE}\nParution : 02/12/2026 07:00")
        assert TITLE in alert.content
        assert control.content.startswith(plain(t("fr", "editor.scheduled_for", when=when)))
        assert "mercredi 2 décembre à 07:00" in control.content
        assert control.labels()[:3] == ["Programmer", "Programmer en alerte", "Changer l’heure"]
        [done] = await next_change(
            bot, room.editor.private_chat, press(bot, room.editor, control, "Programmer")
        )
        assert done.content == plain(t("fr", "editor.scheduled", when=when))

        clock.set(TOMORROW_7 - timedelta(minutes=1))
        assert bot.app.bot_data.scheduler is not None
        await bot.app.bot_data.scheduler.run_once()
        assert await visible_anywhere(bot, reader) == []
        assert await titled(bot, TITLE) == []
    # The bot is down at the minute; it publishes when it is back.
    clock.set(TOMORROW_7 + timedelta(seconds=30))
    mark, read = room.editor.private_chat.mark(), reader.private_chat.mark()
    async with room.run() as bot:
        [alert] = await bot.sandbox.wait_for(reader.private_chat, timeout=10.0, after=read)
        assert TITLE in alert.content
        [article_id] = await titled(bot, TITLE)
        [notice] = await bot.sandbox.wait_for(room.editor.private_chat, after=mark)
        assert notice.content == plain(plural("fr", "editor.scheduled_out", 1, id=article_id))
        assert sorted(await visible_anywhere(bot, reader)) == [
            "alert",
            "inline",
            "latest",
            "search",
        ]
        stored = await articles.get_article(bot.db.reader, article_id)
        assert stored is not None and stored.published_at.timestamp() >= TOMORROW_7.timestamp()
        assert bot.app.bot_data.scheduler is not None
        await bot.app.bot_data.scheduler.run_once()
    async with room.run() as bot:
        await asyncio.sleep(0.5)
        assert await titled(bot, TITLE) == [article_id]
        alerts = [m for m in reader.private_chat.bot_messages() if m.content.startswith(TITLE)]
        assert len(alerts) == 1
        sql = "SELECT count(*) FROM deliveries WHERE article_id = ?"
        assert await bot.db.reader.fetchval(sql, (article_id,)) == 1
        assert await drafts.list_scheduled(bot.db.reader) == []


async def test_two_instances_at_the_minute_publish_once(room: Newsroom, clock: Clock) -> None:
    async with room.run() as bot:
        reader = await reader_of_bamako(bot)
        _, control = await preview(bot, f"/publish\n{ARTICLE}\nParution : 02/12/2026 07:00")
        await press(bot, room.editor, control, "Programmer")
        await eventually(lambda: _waiting(bot, 1))
        scheduler = bot.app.bot_data.scheduler
        assert scheduler is not None
        other = type(scheduler)(
            bot.db, bot.publisher, bot.app.bot, timezone="Africa/Bamako", clock=clock
        )
        clock.set(TOMORROW_7)
        await asyncio.gather(scheduler.run_once(), other.run_once(), scheduler.run_once())
        [article_id] = await titled(bot, TITLE)
        await sent_alert(bot, reader, article_id)
        sql = "SELECT count(*) FROM deliveries WHERE article_id = ?"
        assert await bot.db.reader.fetchval(sql, (article_id,)) == 1


async def _waiting(bot: Harness, count: int) -> bool:
    return len(await drafts.list_scheduled(bot.db.reader)) == count


async def test_a_past_time_is_refused_in_one_line(bot: Harness) -> None:
    when = datetime(2026, 12, 1, 7, 0, tzinfo=BAMAKO).timestamp()
    [refusal] = await bot.ask(bot.editor, f"/publish\n{ARTICLE}\nParution : 01/12/2026 07:00")
    expected = t(
        "fr", "editor.schedule_past", when=scheduled_label(when, "fr", "Africa/Bamako", when)
    )
    assert refusal.content == plain(expected)
    assert "\n" not in refusal.content
    await asyncio.sleep(0.3)
    assert await titled(bot, TITLE) == [] and await drafts.list_scheduled(bot.db.reader) == []


async def test_an_unreadable_parution_line_says_how_to_write_it(bot: Harness) -> None:
    [reply] = await bot.ask(bot.editor, f"/publish\n{ARTICLE}\nParution : demain matin")
    assert reply.content == plain(t("fr", "draft.bad_schedule", value="demain matin"))


async def test_the_schedule_buttons_need_no_typing(bot: Harness) -> None:
    _, control = await preview(bot, f"/publish\n{ARTICLE}")
    chat = bot.editor.private_chat
    [days] = await next_change(bot, chat, press(bot, bot.editor, control, "Programmer…"))
    assert days.message_id == control.message_id
    assert days.labels() == ["Aujourd’hui", "Demain", "Autre date…", "Retour"]
    [hours] = await next_change(bot, chat, press(bot, bot.editor, days, "Demain"))
    assert hours.labels()[:3] == ["06:00", "07:00", "08:00"]
    [again] = await next_change(bot, chat, press(bot, bot.editor, hours, "07:00"))
    assert "mercredi 2 décembre à 07:00" in again.content
    await press(bot, bot.editor, again, "Programmer en alerte")
    await eventually(lambda: _waiting(bot, 1))
    [item] = await drafts.list_scheduled(bot.db.reader)
    assert item.publish_at == TOMORROW_7.timestamp() and item.draft.urgent


async def test_today_offers_only_the_hours_to_come(bot: Harness) -> None:
    _, control = await preview(bot, f"/publish\n{ARTICLE}")
    chat = bot.editor.private_chat
    [days] = await next_change(bot, chat, press(bot, bot.editor, control, "Programmer…"))
    [hours] = await next_change(bot, chat, press(bot, bot.editor, days, "Aujourd’hui"))
    assert hours.labels() == ["20:00", "22:00", "Autre heure…", "Retour"]  # it is 18:00
    [ask] = await next_change(bot, chat, press(bot, bot.editor, hours, "Autre heure…"), is_new)
    assert ask.content == plain(t("fr", "editor.ask_when_today"))
    [refusal] = await bot.ask(bot.editor, "17:30")
    assert "déjà passé" in refusal.content
    [control] = await bot.ask(bot.editor, "19h15")
    assert (
        "mardi 1 décembre à 19:15" in control.content
        or "mardi 1er décembre à 19:15" in control.content
    )


async def test_scheduled_lists_and_publishes_now_or_cancels(bot: Harness) -> None:
    reader = await reader_of_bamako(bot)
    for title, hour in ((TITLE, "07:00"), ("Coupure d’eau à Badalabougou", "09:30")):
        text = ARTICLE.replace(TITLE, title)
        _, control = await preview(bot, f"/publish\n{text}\nParution : 02/12/2026 {hour}")
        await next_change(
            bot, bot.editor.private_chat, press(bot, bot.editor, control, "Programmer"),
            lambda m: m.content.startswith("🕒 Programmé"),
        )  # fmt: skip
    assert await _waiting(bot, 2)
    first_id = (await drafts.list_scheduled(bot.db.reader))[0].id

    header, first, second = await bot.ask(bot.editor, "/scheduled", count=3)
    assert header.content == plain(plural("fr", "editor.scheduled_header", 2))
    assert TITLE in first.content and "07:00" in first.content
    assert "Badalabougou" in second.content
    assert first.labels() == ["Publier maintenant", "Annuler"]

    [cancelled] = await next_change(
        bot, bot.editor.private_chat, press(bot, bot.editor, second, "Annuler")
    )
    assert cancelled.content.startswith("Parution annulée")
    [published] = await next_change(
        bot, bot.editor.private_chat, press(bot, bot.editor, first, "Publier maintenant"),
        lambda m: m.message_id == first.message_id,
    )  # fmt: skip
    [article_id] = await titled(bot, TITLE)
    assert published.content == plain(plural("fr", "editor.published", 1, id=article_id))
    await sent_alert(bot, reader, article_id)
    assert await titled(bot, "Coupure d’eau à Badalabougou") == []
    assert await drafts.list_scheduled(bot.db.reader) == []
    again = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "Publier maintenant", callback_data=ScheduledButton("now", first_id).pack()
                )
            ]
        ]
    )
    sent = await bot.app.bot.send_message(EDITOR_ID, "…", reply_markup=again)
    query_id = await bot.editor.press(sent.message_id, 0)  # pressed again: gone
    answer = await bot.sandbox.wait_for_answer(query_id)
    assert answer.text == t("fr", "editor.scheduled_gone")
    [none] = await bot.ask(bot.editor, "/scheduled")
    assert none.content == t("fr", "editor.scheduled_none")


# --- corrections of the photo, progress to « terminé » ------------------------------------------


async def published_and_sent(bot: Harness, control: SandboxMessage) -> None:
    """Press Publier and wait until the progress message says the sending is done."""
    await next_change(
        bot, bot.editor.private_chat, press(bot, bot.editor, control, "Publier"),
        lambda m: m.content.startswith("✅ Envoi terminé"),
    )  # fmt: skip


PHOTO_LINE = "Photo : https://www.journal-exemple.ml/images/medine.jpg"


async def test_edit_removes_the_photo_and_says_what_the_sent_alerts_keep(bot: Harness) -> None:
    reader = await reader_of_bamako(bot)
    _, control = await preview(bot, f"/publish\n{ARTICLE}\n{PHOTO_LINE}")
    await published_and_sent(bot, control)
    [article_id] = await titled(bot, TITLE)
    alert = await sent_alert(bot, reader, article_id)
    assert alert.photo is not None

    [source] = await bot.ask(bot.editor, f"/edit {article_id}")
    assert PHOTO_LINE.replace(" : ", "\u00a0: ") in source.content or "medine.jpg" in source.content
    corrected = ARTICLE.replace("six mois", "sept mois")  # and no Photo line: removed
    preview_alert, control = await preview(bot, corrected)
    assert preview_alert.photo is None
    assert plain(t("fr", "editor.photo_removed_note")) in control.content

    chat = bot.editor.private_chat
    mark = chat.mark()
    await press(bot, bot.editor, control, "Enregistrer la correction")
    [done] = await bot.sandbox.wait_for(
        chat, lambda m: m.content.startswith("✅"), timeout=15.0, after=mark
    )
    assert done.content == plain(t("fr", "editor.progress_correct_done"))
    saved = next(m for m in chat.bot_messages() if m.message_id == control.message_id)
    assert saved.content.endswith(plain(t("fr", "editor.photo_removed_note")))
    await eventually(lambda: "sept mois" in reader.private_chat.bot_messages()[0].content)
    edited = reader.private_chat.bot_messages()[0]
    assert edited.photo is not None  # Telegram keeps a sent photo; its caption is corrected
    stored = await articles.get_article(bot.db.reader, article_id)
    assert stored is not None and stored.image_url is None


async def test_a_withdrawal_is_followed_to_done(bot: Harness) -> None:
    reader = await reader_of_bamako(bot)
    _, control = await preview(bot, f"/publish\n{ARTICLE}")
    await published_and_sent(bot, control)
    [article_id] = await titled(bot, TITLE)
    await sent_alert(bot, reader, article_id)
    [confirm] = await bot.ask(bot.editor, f"/unpublish {article_id}")
    chat = bot.editor.private_chat
    mark = chat.mark()
    await press(bot, bot.editor, confirm, "Retirer l’article")
    [done] = await bot.sandbox.wait_for(
        chat, lambda m: m.content.startswith("✅"), timeout=15.0, after=mark
    )
    assert done.content == plain(t("fr", "editor.progress_withdraw_done"))


async def test_an_unpublish_asked_before_a_restart_is_confirmed_after(room: Newsroom) -> None:
    async with room.run() as first:
        article_id = await _published_quietly(first)
        [confirm] = await first.ask(room.editor, f"/unpublish {article_id}")
    async with room.run() as second:
        [done] = await next_change(
            second, room.editor.private_chat,
            press(second, room.editor, confirm, "Retirer l’article"),
            lambda m: m.message_id == confirm.message_id,
        )  # fmt: skip
        assert done.content.startswith(f"Article n°\u00a0{article_id} retiré")
        assert await articles.get_article(second.db.reader, article_id) is None


async def _published_quietly(bot: Harness) -> int:
    draft = site.parse_article_message(ARTICLE)
    result = await bot.publisher.publish(draft, source_key="test:medine", origin="import")
    return result.article_id


async def test_edit_adds_a_photo_and_the_sent_text_alert_is_still_corrected(bot: Harness) -> None:
    reader = await reader_of_bamako(bot)
    _, control = await preview(bot, f"/publish\n{ARTICLE}")
    await published_and_sent(bot, control)
    [article_id] = await titled(bot, TITLE)
    await sent_alert(bot, reader, article_id)
    await bot.ask(bot.editor, f"/edit {article_id}")
    corrected = ARTICLE.replace("six mois", "sept mois")
    shown, control = await preview(bot, f"{corrected}\n{PHOTO_LINE}")
    assert shown.photo is not None
    assert plain(t("fr", "editor.photo_added_note")) in control.content
    await press(bot, bot.editor, control, "Enregistrer la correction")
    await eventually(lambda: "sept mois" in reader.private_chat.bot_messages()[0].content)
    assert reader.private_chat.bot_messages()[0].photo is None  # a text message stays one
    stored = await articles.get_article(bot.db.reader, article_id)
    assert stored is not None and stored.image_url is not None
