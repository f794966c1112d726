"""Cross-cutting checks: chats recorded, floods slowed, editor actions guarded, errors explained."""

from __future__ import annotations

import asyncio
import logging

import pytest

from db import chats
from tests.conftest import BOT_TOKEN, Harness


async def test_a_chat_is_recorded_with_its_language(bot: Harness) -> None:
    reader = bot.sandbox.add_user("John", language_code="en")
    await bot.ask(reader, "/subscriptions")
    chat = await chats.get_chat(bot.db.reader, reader.id)
    assert chat is not None
    assert (chat.type, chat.language, chat.status) == ("private", "en", "active")


async def test_a_flooding_user_is_slowed_without_slowing_others(bot: Harness) -> None:
    flooder, patient = bot.sandbox.add_user("Pressé"), bot.sandbox.add_user("Patient")
    for _ in range(60):
        await flooder.send("/subscriptions")
    [reply] = await bot.ask(patient, "/subscriptions", timeout=3.0)
    assert "Aucun abonnement" in reply.content
    await asyncio.sleep(1.0)
    answers = [m.content for m in flooder.private_chat.bot_messages()]
    notices = [a for a in answers if "trop vite" in a]
    assert len(notices) == 1
    assert len(answers) < 20  # most of the 60 were dropped, not queued


async def test_editor_commands_are_refused_to_readers(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Curieux")
    for command in ("/publish", "/edit 1", "/unpublish 1", "/stats", "/feeds", "/addfeed x"):
        [reply] = await bot.ask(reader, command)
        assert reply.content == "Commande réservée à la rédaction.", command


async def test_the_token_never_reaches_the_logs(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    reader = bot.sandbox.add_user("Awa")
    await bot.ask(reader, "/subscriptions")
    assert caplog.records, "the bot logs at DEBUG level"
    assert all(BOT_TOKEN not in record.getMessage() for record in caplog.records)


def test_log_lines_and_tracebacks_are_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.logs import setup_logging

    setup_logging(logging.INFO, BOT_TOKEN)
    log = logging.getLogger("newsbot.test")
    try:
        log.info("POST https://api.telegram.org/bot%s/sendMessage", BOT_TOKEN)
        try:
            raise RuntimeError(f"failed calling /bot{BOT_TOKEN}/getMe")
        except RuntimeError:
            log.exception("boom")
    finally:
        logging.getLogger().handlers.clear()
    err = capsys.readouterr().err
    assert "/bot<token>/sendMessage" in err
    assert "/bot<token>/getMe" in err
    assert BOT_TOKEN not in err


async def test_a_group_keeps_the_language_it_was_added_in(bot: Harness) -> None:
    french, english = bot.sandbox.add_user("Awa"), bot.sandbox.add_user("John", language_code="en")
    group = bot.sandbox.add_group("Lecteurs de Kati", admins=[french], members=[english])
    await bot.ask(french, "/subscriptions", chat=group)
    await bot.ask(english, "/subscriptions", chat=group)
    chat = await chats.get_chat(bot.db.reader, group.id)
    assert chat is not None and chat.language == "fr"
