"""Editors managed from Telegram (/editors) and the newsroom's journal (/journal), end to end."""

from __future__ import annotations

import asyncio
import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import Button, JournalPageButton, RosterButton
from bot.formatting import format_short_date
from bot.i18n import t
from bot.sandbox import SandboxMessage, SandboxUser
from db import audit, editors
from db.models import from_ts
from tests.conftest import EDITOR_ID, Harness

ARTICLE = (
    "#Mali : Les pluies précoces réjouissent les maraîchers de Baguineda\n"
    "Par Aminata TOURÉ\n"
    "Les premières pluies sont tombées dix jours plus tôt que l’an dernier.\n"
)
TITLE = "Les pluies précoces réjouissent les maraîchers de Baguineda"
EDITORS_ONLY = t("fr", "editors_only")
CHIEFS_ONLY = t("fr", "chiefs_only")


async def _press(bot: Harness, user: SandboxUser, message: SandboxMessage, label: str) -> str:
    """Press a button; return the answer's text (a refusal is an alert, seen by the presser)."""
    query = await user.press(message, label)
    return (await bot.sandbox.wait_for_answer(query)).text or ""


async def _forged(bot: Harness, user: SandboxUser, button: Button) -> str:
    """Press a button the bot never offered this user (sent to her chat); return the answer."""
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data=button.pack())]])
    sent = await bot.app.bot.send_message(user.id, "…", reply_markup=markup)
    bot.app.bot_data.flood_buckets.clear()
    query = await user.press({"chat": {"id": user.id}, "message_id": sent.message_id}, 0)
    return (await bot.sandbox.wait_for_answer(query)).text or ""


async def _preview(bot: Harness, user: SandboxUser, text: str) -> SandboxMessage:
    """Send an article; return the message holding the preview's buttons."""
    chat = user.private_chat
    mark = chat.mark()
    await user.send(text)
    [control] = await bot.sandbox.wait_for(
        chat, lambda m: "Annuler" in m.labels(), timeout=10.0, after=mark
    )
    return control


async def _eventually_published(bot: Harness, count: int) -> None:
    deadline = time.monotonic() + 10.0
    while await _published(bot) != count and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert await _published(bot) == count


async def _turn(bot: Harness, page: SandboxMessage, label: str) -> SandboxMessage:
    """Press a page button of the editor's; return the message once it has changed."""
    chat = bot.editor.private_chat
    mark = chat.mark()
    await _press(bot, bot.editor, page, label)
    [turned] = await bot.sandbox.wait_for(
        chat, lambda m: m.message_id == page.message_id, after=mark
    )
    return turned


async def _editor_ids(bot: Harness) -> frozenset[int]:
    return await editors.editor_ids(bot.db.reader)


async def _published(bot: Harness) -> int:
    async with bot.db.reader.execute(
        "SELECT count(*) FROM articles WHERE title = ?", (TITLE,)
    ) as c:
        row = await c.fetchone()
    return row[0] if row else 0


def _menu(bot: Harness, user: SandboxUser) -> list[str]:
    scope = {"type": "chat", "chat_id": user.id}
    return [command["command"] for command in bot.sandbox.get_commands(scope)]


async def test_an_editor_added_from_telegram_publishes_and_is_refused_once_removed(
    bot: Harness,
) -> None:
    awa = bot.sandbox.add_user("Awa", "Sidibé")
    await bot.ask(awa, "/start")  # her chat is known: the roster shows her name
    [refused] = await bot.ask(awa, f"/publish\n{ARTICLE}")
    assert refused.content == EDITORS_ONLY

    [added] = await bot.ask(bot.editor, f"/editors add {awa.id}")
    assert added.content == t("fr", "newsroom.editors.added", name="Awa Sidibé")
    assert await _editor_ids(bot) == {awa.id}
    assert "publier" in _menu(bot, awa) and "redacteurs" not in _menu(bot, awa)

    control = await _preview(bot, awa, f"/publish\n{ARTICLE}")
    assert await _press(bot, awa, control, "Publier") == ""
    await _eventually_published(bot, 1)

    # A second preview waits while a chief editor removes her: the same buttons refuse her.
    control = await _preview(bot, awa, f"/publish\n{ARTICLE.replace('précoces', 'tardives')}")
    [removed] = await bot.ask(bot.editor, f"/editors remove {awa.id}")
    assert removed.content == t("fr", "newsroom.editors.removed", name="Awa Sidibé")
    assert await _press(bot, awa, control, "Publier") == EDITORS_ONLY
    assert await _press(bot, awa, control, "Publier en alerte") == EDITORS_ONLY
    async with bot.db.reader.execute(
        "SELECT count(*) FROM articles WHERE title LIKE '%tardives%'"
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None and row[0] == 0
    assert await _editor_ids(bot) == frozenset()
    assert _menu(bot, awa) == []  # back to the readers' menu
    actions = [entry.action for entry in await audit.recent_audit(bot.db.reader, 10)]
    assert "editor.add" in actions and "editor.remove" in actions


async def test_the_roster_lists_editors_with_remove_buttons(bot: Harness) -> None:
    issa = bot.sandbox.add_user("Issa", "Maïga")
    await bot.ask(issa, "/start")
    await bot.ask(bot.editor, f"/editors add {issa.id}")

    [roster] = await bot.ask(bot.editor, "/editors")

    assert "Mariam Coulibaly" in roster.content  # the chief editor (NEWSBOT_ADMINS)
    assert f"Issa Maïga (n°\u00a0{issa.id})" in roster.content
    assert roster.labels() == ["Retirer Issa Maïga"]
    mark = bot.editor.private_chat.mark()
    assert await _press(bot, bot.editor, roster, "Retirer Issa Maïga") == ""
    [edited] = await bot.sandbox.wait_for(
        bot.editor.private_chat, lambda m: m.message_id == roster.message_id, after=mark
    )
    assert await _editor_ids(bot) == frozenset()
    assert t("fr", "newsroom.editors.none") in edited.content
    assert edited.labels() == []


async def test_a_forwarded_message_makes_its_author_an_editor_when_telegram_says_who(
    bot: Harness,
) -> None:
    oumar = bot.sandbox.add_user("Oumar", "Traoré")
    mark = bot.editor.private_chat.mark()
    await bot.editor.forward("Bonjour, c’est Oumar.", oumar)
    [reply] = await bot.sandbox.wait_for(bot.editor.private_chat, after=mark)
    assert reply.content == t("fr", "newsroom.editors.added", name="Oumar Traoré")
    assert await _editor_ids(bot) == {oumar.id}

    mark = bot.editor.private_chat.mark()
    await bot.editor.forward("Un message d’une personne discrète.", "Fanta K.")
    [hidden] = await bot.sandbox.wait_for(bot.editor.private_chat, after=mark)
    assert "Fanta K." in hidden.content and "masque son compte" in hidden.content
    assert await _editor_ids(bot) == {oumar.id}


async def test_chief_editors_cannot_be_added_nor_removed_and_ids_are_checked(bot: Harness) -> None:
    [chief] = await bot.ask(bot.editor, f"/editors remove {EDITOR_ID}")
    assert chief.content == t("fr", "newsroom.editors.is_chief", id=EDITOR_ID)
    [bad] = await bot.ask(bot.editor, "/editors add moussa")
    assert "n’est pas un identifiant" in bad.content
    [unknown] = await bot.ask(bot.editor, "/editors remove 123")
    assert unknown.content == t("fr", "newsroom.editors.not_editor", id=123)
    assert await _editor_ids(bot) == frozenset()


async def test_a_reader_reaches_neither_editors_nor_journal_forged_buttons_included(
    bot: Harness,
) -> None:
    reader = bot.sandbox.add_user("Curieuse")
    before = await audit.recent_audit(bot.db.reader, 100)
    for text in ("/editors", f"/editors add {reader.id}", "/redacteurs", "/journal", "/journal-"):
        [reply] = await bot.ask(reader, text)
        assert reply.content == EDITORS_ONLY, text
    for button in (
        RosterButton("add", reader.id),
        RosterButton("remove", EDITOR_ID),
        JournalPageButton("o", 10**6),
    ):
        assert await _forged(bot, reader, button) == EDITORS_ONLY, button
    assert await _editor_ids(bot) == frozenset()
    assert await audit.recent_audit(bot.db.reader, 100) == before
    assert all(
        message.content in (EDITORS_ONLY, "…") for message in reader.private_chat.bot_messages()
    )


async def test_chief_only_actions_are_refused_to_plain_editors(bot: Harness) -> None:
    sali = bot.sandbox.add_user("Sali", "Dembélé")
    other = bot.sandbox.add_user("Karim")
    await bot.ask(bot.editor, f"/editors add {sali.id}")
    for text in (
        "/editors",
        f"/editors add {other.id}",
        "/journal",
        "/feeds",
        "/flux",
        "/addfeed https://journal.example.ml/rss",
        "/removefeed 1",
    ):
        [reply] = await bot.ask(sali, text)
        assert reply.content == CHIEFS_ONLY, text
    assert await _forged(bot, sali, RosterButton("add", other.id)) == CHIEFS_ONLY
    assert await _forged(bot, sali, JournalPageButton("o", 10**6)) == CHIEFS_ONLY
    assert await _editor_ids(bot) == {sali.id}
    [stats] = await bot.ask(sali, "/stats")  # what editors do stays theirs
    assert stats.content.startswith("📊")


async def test_the_journal_says_who_did_what_when_to_which_article_twenty_a_page(
    bot: Harness,
) -> None:
    control = await _preview(bot, bot.editor, f"/publish\n{ARTICLE}")
    await _press(bot, bot.editor, control, "Publier")
    await _eventually_published(bot, 1)
    control = await _preview(bot, bot.editor, f"/publish\n{ARTICLE.replace('Baguineda', 'Kati')}")
    await _press(bot, bot.editor, control, "Annuler")
    async with bot.db.transaction() as conn:
        for number in range(30):
            await audit.audit(conn, 777, "feed.add", time.time(), detail=f"#{number} flux")

    mark = bot.editor.private_chat.mark()
    await bot.editor.send("/journal")
    [page] = await bot.sandbox.wait_for(
        bot.editor.private_chat, lambda m: m.content.startswith("📒"), after=mark
    )

    lines = page.content.split("\n")[2:]
    assert len(lines) == 20
    assert all("n°\u00a0777 a ajouté un flux" in line for line in lines)
    assert lines[0].endswith("#29 flux") and lines[-1].endswith("#10 flux")
    assert page.labels() == ["Plus anciens ›"]
    older = await _turn(bot, page, "Plus anciens ›")
    rest = older.content.split("\n")[2:]
    assert [line.split("\u00a0: ")[-1] for line in rest[:10]] == [
        f"#{number} flux" for number in range(9, -1, -1)
    ]
    assert "Mariam Coulibaly a abandonné un brouillon" in older.content
    assert "Mariam Coulibaly a prévisualisé" in older.content
    [published] = [line for line in rest if "a publié" in line]
    [entry] = [e for e in await audit.recent_audit(bot.db.reader, 100) if e.action == "publish"]
    when = format_short_date(from_ts(entry.at), "fr", bot.app.bot_data.settings.timezone)
    assert published == (
        f"{when} — Mariam Coulibaly a publié\u00a0: n°\u00a0{entry.article_id} «\u202f{TITLE}\u202f»"
    )
    assert older.labels() == ["‹ Plus récents"]
    newest = await _turn(bot, older, "‹ Plus récents")
    assert newest.content.split("\n")[2].endswith("#29 flux")
