"""The chat's language: /language fr|en, or /language alone for two buttons (`LanguageButton`).

The choice is the chat's, groups included (there only its administrators may make it), and
it wins over each user's Telegram language for replies, alerts and digests. Shared, so that
another feature's screen (/settings) offers the same choice: `language_view` draws it and
`choose_language` applies it.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import TYPE_CHECKING

from telegram import BotCommandScopeChat, InlineKeyboardButton, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.buttons import LanguageButton
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, t, t_chat
from bot.site import fold
from db import chats
from handlers.access import (
    is_chief,
    is_editor,
    refuse_unless_chat_admin,
    reply_language,
    use_language,
)
from handlers.menu import bot_commands, command_names
from handlers.views import View, in_group, markup, reply_view

if TYPE_CHECKING:
    from bot.context import Context, NewsbotApplication

__all__ = ["LANGUAGE_NAMES", "choose_language", "language_view", "parse_language", "register"]

logger = logging.getLogger(__name__)

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
"""Each language in its own words: a reader lost in the other language still finds theirs."""
_SPELLINGS = {"fr": {"fr", "francais", "french"}, "en": {"en", "english", "anglais"}}


def parse_language(text: str) -> str | None:
    """Return the language a reader typed ("fr", "Français", "english"…), or None."""
    folded = fold(text)
    return next((code for code, names in _SPELLINGS.items() if folded in names), None)


def language_view(lang: str, current: str, *, group: bool = False) -> View:
    """Return the choice of language: a line and one button per language, ✅ on `current`."""
    buttons = [
        InlineKeyboardButton(
            f"✅ {LANGUAGE_NAMES[code]}" if code == current else LANGUAGE_NAMES[code],
            callback_data=LanguageButton(code).pack(),
        )
        for code in LANGUAGES
    ]
    return View(t_chat(lang, "language.choose", group=group), markup([buttons]))


async def choose_language(update: Update, context: Context, language: str) -> str:
    """Make `language` the chat's for good; return the confirmation, written in it.

    The caller has checked that the sender may change the chat's settings.
    """
    chat = update.effective_chat
    assert chat is not None
    async with context.bot_data.db.transaction() as conn:
        await chats.choose_language(conn, chat.id, language, time.time())
    use_language(update, language)
    await _set_chat_menu(update, context, language)
    return t_chat(language, "language.chosen", group=in_group(update))


async def _set_chat_menu(update: Update, context: Context, language: str) -> None:
    """Show the command menu in the chosen language in this chat, whatever each client's."""
    chat = update.effective_chat
    assert chat is not None
    commands = bot_commands(
        language, editor=is_editor(update, context), chief=is_chief(update, context)
    )
    # The chat's menu for every language code the bot has menus for, else a client in the
    # other language would still get the bot-wide menu of its own language.
    for code in LANGUAGES:
        try:
            await context.bot.set_my_commands(
                commands,
                scope=BotCommandScopeChat(chat.id),
                language_code=None if code == DEFAULT_LANGUAGE else code,
            )
        except TelegramError as error:
            # A menu is a convenience: the choice itself is made.
            logger.warning("Chat menu (%s) not set for %s: %s", code, chat.id, error)


async def set_language(update: Update, context: Context) -> None:
    """Set the chat's language from /language fr|en; alone, offer the two buttons."""
    if update.effective_chat is None or await refuse_unless_chat_admin(update, context):
        return
    lang = reply_language(update)
    wanted = " ".join(context.args or []).strip()
    if not wanted:
        await reply_view(update, language_view(lang, lang, group=in_group(update)))
        return
    language = parse_language(wanted)
    if language is None:
        await reply_view(update, language_view(lang, lang, group=in_group(update)))
        return
    await reply_view(update, View(await choose_language(update, context, language)))


async def press_language_button(update: Update, context: Context) -> None:
    """Apply a language button: the chat's language, and the message says so in it."""
    query = update.callback_query
    assert query is not None
    if await refuse_unless_chat_admin(update, context):
        return
    button = LanguageButton.parse(context.match)
    if button is None or button.language not in LANGUAGES:
        await query.answer(t(reply_language(update), "reading.stale_button"))
        return
    confirmation = await choose_language(update, context, button.language)
    await query.answer()
    view = language_view(button.language, button.language, group=in_group(update))
    # Pressed twice, or a message too old to edit: the answer was enough.
    with contextlib.suppress(TelegramError):
        await query.edit_message_text(confirmation, reply_markup=view.markup)


def register(application: NewsbotApplication) -> None:
    application.add_handlers(
        [
            CommandHandler(
                command_names("language"), set_language, filters=filters.UpdateType.MESSAGE
            ),
            CallbackQueryHandler(press_language_button, pattern=LanguageButton.PATTERN),
        ]
    )
