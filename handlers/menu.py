"""The command menu Telegram shows next to the message box, and the lists /help prints."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from handlers.access import EDITOR_COMMANDS

if TYPE_CHECKING:
    from bot.context import NewsbotApplication

__all__ = ["EDITOR_COMMANDS", "READER_COMMANDS", "bot_commands", "set_command_menus"]

logger = logging.getLogger(__name__)

READER_COMMANDS = (
    "latest",
    "article",
    "search",
    "author",
    "authors",
    "topics",
    "subscribe",
    "unsubscribe",
    "subscriptions",
    "help",
)
"""Reader commands in menu order: what people use most comes first."""


def bot_commands(lang: str, *, editor: bool = False) -> list[BotCommand]:
    """Return the menu in `lang`: the reader commands, then the editor ones for editors."""
    names = READER_COMMANDS + (EDITOR_COMMANDS if editor else ())
    return [BotCommand(name, t(lang, f"reading.command.{name}")) for name in names]


async def set_command_menus(application: NewsbotApplication) -> None:
    """Set the menus: French by default, English for English users, fuller for each editor."""
    bot = application.bot
    for lang in LANGUAGES:
        # Telegram's default menu has no language code; it is the French one here.
        code = None if lang == DEFAULT_LANGUAGE else lang
        try:
            await bot.set_my_commands(
                bot_commands(lang), scope=BotCommandScopeDefault(), language_code=code
            )
        except TelegramError as error:
            # A menu is a convenience: a Telegram hiccup at start-up must not stop the bot.
            logger.warning("Command menu (%s) not set: %s", lang, error)
        for editor_id in sorted(application.bot_data.settings.admins):
            try:
                await bot.set_my_commands(
                    bot_commands(lang, editor=True),
                    scope=BotCommandScopeChat(editor_id),
                    language_code=code,
                )
            except TelegramError as error:
                # An editor who never opened the bot has no chat yet ("chat not found"): the
                # bot still starts, and that editor sees the reader menu meanwhile.
                logger.warning("No editor menu for %s: %s", editor_id, error)
