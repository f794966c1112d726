"""Cross-cutting checks: chats recorded, floods slowed, editor actions guarded, errors explained."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.app import build_application
from bot.config import Secret, Settings
from bot.i18n import t
from bot.sandbox import SandboxChat, SandboxUser
from db import articles, chats
from db import feeds as feeds_db
from handlers.access import EDITOR_CALLBACK_PREFIX, EDITOR_COMMANDS, EditorOnly
from tests.conftest import BOT_TOKEN, BOT_USERNAME, Harness


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


# --- editor rights, however the command is spelled (security findings 1, 2 and 7) ----------

FIXTURES = Path(__file__).parent / "feeds_fixtures"
REFUSAL = "Commande réservée à la rédaction."
PRIVATE_ONLY = t("fr", "editor_private_only")


def _walk(
    handlers: Iterable[BaseHandler[Any, Any, Any]], newsroom: bool = False
) -> Iterator[tuple[BaseHandler[Any, Any, Any], bool]]:
    """Yield every handler, also inside conversations, with whether it is the newsroom's.

    A conversation is the newsroom's when it is /publish's or an editor command enters it:
    then every one of its steps and fallbacks is an editor handler.
    """
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            inside = newsroom or handler.name == "publish"
            inside = inside or any(_is_editor_handler(h, False) for h in handler.entry_points)
            yield from _walk(handler.entry_points, inside)
            for steps in handler.states.values():
                yield from _walk(steps, inside)
            yield from _walk(handler.fallbacks, inside)
        else:
            yield handler, newsroom


def _is_editor_handler(handler: BaseHandler[Any, Any, Any], newsroom: bool) -> bool:
    if newsroom:
        return True
    if isinstance(handler, CommandHandler):
        return bool(handler.commands & set(EDITOR_COMMANDS))
    if isinstance(handler, CallbackQueryHandler) and isinstance(handler.pattern, re.Pattern):
        return handler.pattern.pattern.lstrip("^").startswith(EDITOR_CALLBACK_PREFIX)
    return False


def test_every_editor_handler_checks_the_sender(tmp_path: Path) -> None:
    """Finding 1: every editor command, conversation step, fallback and button is guarded
    where it is registered, so no spelling of a command can slip past the check."""
    settings = Settings(
        token=Secret(BOT_TOKEN), api_url="http://127.0.0.1:9/bot", db_path=tmp_path / "x.db"
    )
    application = build_application(settings)
    found = [
        (group, handler)
        for group, registered in sorted(application.handlers.items())
        for handler, newsroom in _walk(registered)
        if _is_editor_handler(handler, newsroom)
    ]
    commands = {name for _, h in found if isinstance(h, CommandHandler) for name in h.commands}
    assert commands >= set(EDITOR_COMMANDS), "every editor command has a handler"
    assert any(isinstance(h, CallbackQueryHandler) for _, h in found)
    assert len(found) > 20, "the publish conversation's steps were all found"
    unguarded = [f"{h!r} (group {g})" for g, h in found if not isinstance(h.callback, EditorOnly)]
    assert not unguarded, unguarded


async def test_suffixed_editor_commands_are_refused_to_readers(bot: Harness) -> None:
    """Finding 1: "/stats-", "/publish!", "/edit- 1"… are the editor commands for Telegram."""
    reader = bot.sandbox.add_user("Curieux")
    group = bot.sandbox.add_group("Grin", admins=[bot.sandbox.add_user("Chef")], members=[reader])
    before = await _counts(bot)
    attacks = [
        "/stats-", "/stats!", "/stats.x", "/stats\u200b", "/feeds,", "/STATS-", "/stats\u0301",
        "/addfeed\u200b https://exemple.ml/rss", "/removefeed- 1", "/unpublish- 1", "/edit- 1",
        "/publish!", f"/stats@{BOT_USERNAME}-", "/publish- #Mali : Titre\nPar Awa KEITA\nTexte.",
    ]  # fmt: skip
    for text in attacks:
        for chat in (None, group):
            bot.app.bot_data.flood_buckets.clear()
            [reply] = await bot.ask(reader, text, chat=chat)
            assert reply.content == REFUSAL, (text, chat)
    assert await _counts(bot) == before


async def test_a_reader_cannot_add_a_feed_with_a_suffixed_command(bot: Harness) -> None:
    """Finding 2: "/addfeed- <url> 1" from a reader follows no feed, so no alert can follow."""
    hits: list[str] = []

    async def feed(request: web.Request) -> web.Response:
        hits.append(request.path)
        body = (FIXTURES / "rss2.xml").read_bytes()
        return web.Response(body=body, content_type="application/rss+xml")

    app = web.Application()
    app.router.add_get("/feed.xml", feed)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        reader = bot.sandbox.add_user("Pirate")
        url = server.make_url("/feed.xml")
        for text in (f"/addfeed- {url} 1", f"/addfeed\u200b {url} 1", f"/ADDFEED! {url}"):
            bot.app.bot_data.flood_buckets.clear()
            [reply] = await bot.ask(reader, text)
            assert reply.content == REFUSAL, text
        await asyncio.sleep(0.2)
        assert await feeds_db.list_feeds(bot.db.reader) == []
        assert hits == [], "the bot never even fetched the reader's feed"
    finally:
        await server.close()


async def test_an_editor_in_a_group_is_sent_to_her_private_chat(bot: Harness) -> None:
    """Finding 1: editor commands run only in the editor's private chat with the bot."""
    group = bot.sandbox.add_group("Rédaction élargie", admins=[bot.editor])
    before = await _counts(bot)
    for text in ("/stats", "/stats-", "/unpublish 1", "/publish"):
        [reply] = await bot.ask(bot.editor, text, chat=group)
        assert reply.content == PRIVATE_ONLY, text
    assert await _counts(bot) == before
    [report] = await bot.ask(bot.editor, "/stats-")
    assert report.content.startswith("📊"), "in private, any spelling is the editor's command"


async def _channel_post_with_button(bot: Harness, channel: SandboxChat, data: str) -> int:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Suivre", callback_data=data)]])
    sent = await bot.app.bot.send_message(channel.id, "Nouvel article", reply_markup=markup)
    return sent.message_id


async def _press(bot: Harness, user: SandboxUser, chat: SandboxChat, message_id: int) -> str:
    bot.app.bot_data.flood_buckets.clear()
    query = await user.press({"chat": {"id": chat.id}, "message_id": message_id}, 0)
    return (await bot.sandbox.wait_for_answer(query)).text or ""


async def test_a_channel_viewer_cannot_change_the_channels_subscriptions(bot: Harness) -> None:
    """Finding 7: a button on the bot's own channel post is pressed by a viewer, not by the
    channel: only the channel's administrators may change what the channel follows."""
    owner, viewer = bot.sandbox.add_user("Directrice"), bot.sandbox.add_user("Abonné")
    channel = bot.sandbox.add_channel("Le Journal", "lejournal_ml", owner=owner)
    channel.members[viewer.id] = "member"
    topic = await articles.get_topic_by_key(bot.db.reader, "mali")
    assert topic is not None
    toggle = await _channel_post_with_button(bot, channel, f"sub:t:{topic.id}")
    forged = [f"sub:+t:{topic.id}", "sub:new:Piraterie", f"sub:-t:{topic.id}", "sub:all"]

    answer = await _press(bot, viewer, channel, toggle)
    assert answer == t("fr", "sub.channel_admins_only")
    for data in forged:
        message = await _channel_post_with_button(bot, channel, data)
        assert await _press(bot, viewer, channel, message) == t("fr", "sub.channel_admins_only")
    assert await chats.chat_subscriptions(bot.db.reader, channel.id) == []

    await _press(bot, owner, channel, toggle)
    [followed] = await chats.chat_subscriptions(bot.db.reader, channel.id)
    assert followed.target.id == topic.id
    bot.app.bot_data.admin_cache.clear()
    message = await _channel_post_with_button(bot, channel, "sub:all")
    assert await _press(bot, viewer, channel, message) == t("fr", "sub.channel_admins_only")
    assert len(await chats.chat_subscriptions(bot.db.reader, channel.id)) == 1


async def _counts(bot: Harness) -> dict[str, int]:
    counts = {}
    for table in ("articles", "feeds", "deliveries", "subscriptions", "audit_log"):
        async with bot.db.reader.execute(f"SELECT count(*) FROM {table}") as cursor:
            row = await cursor.fetchone()
        counts[table] = row[0] if row else 0
    return counts
