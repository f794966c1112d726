"""python-telegram-bot itself, over real HTTP, against the sandbox."""

from __future__ import annotations

import pytest
import telegram
from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from bot.sandbox import Sandbox


async def test_bot_sends_edits_and_deletes(bot: telegram.Bot, sandbox: Sandbox) -> None:
    awa = sandbox.add_user("Awa", "Keïta", username="awa")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Plus anciens ›", callback_data="p:2")]])
    message = await bot.send_message(
        awa.id,
        "<b>#Mali : Le gouvernement</b>\nPar Awa KEITA",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    assert message.text == "#Mali : Le gouvernement\nPar Awa KEITA"
    assert message.from_user is not None and message.from_user.is_bot
    assert message.text_html.startswith("<b>")
    assert message.reply_markup == keyboard

    edited = await bot.edit_message_text(
        "<i>corrigé</i>", awa.id, message.message_id, parse_mode=ParseMode.HTML
    )
    assert isinstance(edited, telegram.Message)
    assert edited.text == "corrigé"
    assert edited.edit_date is not None
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "<i>corrigé</i>", awa.id, message.message_id, parse_mode=ParseMode.HTML
        )
    assert await bot.delete_message(awa.id, message.message_id) is True
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(awa.id, message.message_id)


async def test_bot_sends_photo_by_url_with_caption(bot: telegram.Bot, sandbox: Sandbox) -> None:
    awa = sandbox.add_user("Awa")
    question = await awa.send("Une photo ?")
    photo = await bot.send_photo(
        awa.id,
        "https://example.ml/une.jpg",
        caption="<b>À la une</b>",
        parse_mode=ParseMode.HTML,
        reply_parameters=ReplyParameters(question["message_id"]),
    )
    assert photo.caption == "À la une"
    assert photo.photo[-1].width == 800
    assert photo.reply_to_message is not None
    assert photo.reply_to_message.text == "Une photo ?"
    edited = await bot.edit_message_caption(awa.id, photo.message_id, caption="Légende")
    assert isinstance(edited, telegram.Message)
    assert edited.caption == "Légende"


async def test_errors_become_ptb_exceptions(bot: telegram.Bot, sandbox: Sandbox) -> None:
    awa = sandbox.add_user("Awa")
    group = sandbox.add_group("Kati", admins=[awa])
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(awa.id, "<p>x</p>", parse_mode=ParseMode.HTML)
    awa.block_bot()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(awa.id, "x")
    new_id = sandbox.migrate_group(group)
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(group.id, "x")
    assert migrated.value.new_chat_id == new_id
    await bot.send_message(new_id, "x")
    sandbox.faults.flood(new_id, seconds=7)
    with pytest.raises(RetryAfter, match="Retry in 7 seconds"):
        await bot.send_message(new_id, "x")


async def test_commands_with_scope_and_language(bot: telegram.Bot, sandbox: Sandbox) -> None:
    group = sandbox.add_group("Rédaction", admins=[sandbox.add_user("Awa")])
    reader = [BotCommand("latest", "Derniers articles"), BotCommand("search", "Chercher")]
    editor = [BotCommand("publish", "Publish an article")]
    assert await bot.set_my_commands(reader)
    assert await bot.set_my_commands(reader[:1], scope=BotCommandScopeAllGroupChats())
    assert await bot.set_my_commands(
        editor, scope=BotCommandScopeChat(group.id), language_code="en"
    )
    assert await bot.get_my_commands() == tuple(reader)
    assert await bot.get_my_commands(scope=BotCommandScopeAllGroupChats()) == tuple(reader[:1])
    assert await bot.get_my_commands(scope=BotCommandScopeChat(group.id)) == ()
    got = await bot.get_my_commands(scope=BotCommandScopeChat(group.id), language_code="en")
    assert got == tuple(editor)
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])


async def test_bot_reads_chats_and_members(bot: telegram.Bot, sandbox: Sandbox) -> None:
    awa, binta = sandbox.add_user("Awa"), sandbox.add_user("Binta")
    group = sandbox.add_group("Kati", admins=[awa], members=[binta], supergroup=True)
    chat = await bot.get_chat(group.id)
    assert chat.type == "supergroup"
    assert (await bot.get_chat_member(group.id, awa.id)).status == "creator"
    assert (await bot.get_chat_member(group.id, binta.id)).status == "member"
    admins = await bot.get_chat_administrators(group.id)
    assert [a.user.id for a in admins] == [awa.id]
    assert await bot.get_chat_member_count(group.id) == 3
    assert await bot.send_chat_action(group.id, "typing")


async def test_application_answers_start_end_to_end(sandbox: Sandbox) -> None:
    awa = sandbox.add_user("Awa", language_code="fr")

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Suite", callback_data="next")]])
        await update.effective_message.reply_html(
            f"Bienvenue, <b>{update.effective_user.first_name}</b> !",  # type: ignore[union-attr]
            reply_markup=keyboard,
        )

    async def more(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Voici la suite")
        await query.edit_message_text("Page 2")

    app = ApplicationBuilder().token(sandbox.token).base_url(sandbox.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(more))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            mark = awa.private_chat.mark()
            await awa.send("/start")
            [reply] = await sandbox.wait_for(awa.private_chat, after=mark, timeout=10)
            assert reply.text == "Bienvenue, Awa !"
            assert reply.entities == [{"type": "bold", "offset": 11, "length": 3}]
            query_id = await awa.press(reply, "Suite")
            answer = await sandbox.wait_for_answer(query_id, timeout=10)
            assert answer.text == "Voici la suite"
            [edited] = await sandbox.wait_for(awa.private_chat, lambda m: m.edited > 0, 10)
            assert edited.text == "Page 2"
        finally:
            await app.updater.stop()
            await app.stop()
    assert sandbox.stats.requests["getUpdates"] >= 1
    assert sandbox.stats.responses[409] == 0
