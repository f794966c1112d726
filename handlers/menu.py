"""The command menu Telegram shows next to the message box, the lists /help prints, and the
commands' names in each language.

Every command has an English name and a French one (`FRENCH_NAMES`: Telegram allows only
a-z, 0-9 and _, so no accents); both always work, whatever the reader's language, and each
reader's menu shows the names of their language. Register a command with
``CommandHandler(command_names("latest"), ...)``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.formatting import excerpt
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, of_site, t
from db import editors
from handlers.access import CHIEF_COMMANDS, EDITOR_COMMANDS

if TYPE_CHECKING:
    from bot.context import NewsbotApplication

__all__ = [
    "EDITOR_COMMANDS",
    "FRENCH_NAMES",
    "READER_COMMANDS",
    "bot_commands",
    "command_name",
    "command_names",
    "drop_editor_menu",
    "set_command_menus",
    "set_descriptions",
    "set_editor_menu",
]

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
    "watch",
    "unwatch",
    "language",
    "digest",
    "quiet",
    "settings",
    "help",
)
"""Reader commands in menu order: what people use most comes first."""

FRENCH_NAMES: dict[str, str] = {
    "help": "aide",
    "latest": "derniers",
    "article": "article",
    "search": "recherche",
    "author": "auteur",
    "authors": "auteurs",
    "topics": "rubriques",
    "subscribe": "abonner",
    "unsubscribe": "desabonner",
    "subscriptions": "abonnements",
    "language": "langue",
    "cancel": "annuler",
    "watch": "surveiller",
    "unwatch": "oublier",
    "digest": "resume",
    "quiet": "silence",
    "settings": "reglages",
    "publish": "publier",
    "edit": "corriger",
    "unpublish": "retirer",
    "stats": "stats",
    "feeds": "flux",
    "addfeed": "ajouterflux",
    "removefeed": "retirerflux",
    "scheduled": "programmes",
    "editors": "redacteurs",
    "journal": "journal",
}
"""Each command's French name, by its English one. /start has none: Telegram sends it."""


def command_name(name: str, lang: str) -> str:
    """Return a command's name in `lang` ("latest" -> "derniers" in French)."""
    return FRENCH_NAMES.get(name, name) if lang == "fr" else name


def command_names(name: str) -> tuple[str, ...]:
    """Return every name a command answers to: its English one and its French one."""
    return tuple(dict.fromkeys((name, FRENCH_NAMES.get(name, name))))


def bot_commands(lang: str, *, editor: bool = False, chief: bool = False) -> list[BotCommand]:
    """Return the menu in `lang`: the reader commands, then the editor ones for editors, and
    the chief editors' own (editors, feeds, journal) for them."""
    newsroom = tuple(name for name in EDITOR_COMMANDS if chief or name not in CHIEF_COMMANDS)
    names = READER_COMMANDS + (newsroom if editor or chief else ())
    return [
        BotCommand(command_name(name, lang), t(lang, f"reading.command.{name}")) for name in names
    ]


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
    chiefs = application.bot_data.settings.admins
    added = await editors.editor_ids(application.bot_data.db.reader)
    for editor_id in sorted(chiefs | added):
        await set_editor_menu(bot, editor_id, chief=editor_id in chiefs)


async def set_editor_menu(bot: Bot, user_id: int, *, chief: bool = False) -> None:
    """Give an editor the newsroom's menu in her private chat, in each language."""
    for lang in LANGUAGES:
        code = None if lang == DEFAULT_LANGUAGE else lang
        try:
            await bot.set_my_commands(
                bot_commands(lang, editor=True, chief=chief),
                scope=BotCommandScopeChat(user_id),
                language_code=code,
            )
        except TelegramError as error:
            # An editor who never opened the bot has no chat yet ("chat not found"): the
            # bot still starts, and that editor sees the reader menu meanwhile.
            logger.warning("No editor menu for %s: %s", user_id, error)


async def drop_editor_menu(bot: Bot, user_id: int) -> None:
    """Take the newsroom's menu away from a former editor: she sees the readers' again."""
    for lang in LANGUAGES:
        code = None if lang == DEFAULT_LANGUAGE else lang
        try:
            await bot.delete_my_commands(scope=BotCommandScopeChat(user_id), language_code=code)
        except TelegramError as error:
            logger.warning("Editor menu of %s not removed: %s", user_id, error)


_DESCRIPTION_CHARS = 512  # Telegram's limits (Bot API: setMyDescription, setMyShortDescription)
_SHORT_DESCRIPTION_CHARS = 120


async def set_descriptions(application: NewsbotApplication) -> None:
    """Set what Telegram shows of the bot before a first message, and when it is shared:
    its description and short description, French by default, English for English users."""
    bot = application.bot
    site_name = application.bot_data.settings.site_name
    for lang in LANGUAGES:
        code = None if lang == DEFAULT_LANGUAGE else lang
        paper = of_site(lang, site_name)
        description = excerpt(t(lang, "bot.description", of_site=paper), _DESCRIPTION_CHARS)
        short = excerpt(t(lang, "bot.short_description", of_site=paper), _SHORT_DESCRIPTION_CHARS)
        try:
            await bot.set_my_description(description, language_code=code)
            await bot.set_my_short_description(short, language_code=code)
        except TelegramError as error:
            # Like the menus: a convenience a Telegram hiccup must not turn into a failed start.
            logger.warning("Bot description (%s) not set: %s", lang, error)
