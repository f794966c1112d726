"""/start (with its deep links), /help, and the catch-alls: unknown commands, a /cancel with
nothing to cancel, stale buttons.

Deep-link payloads (``t.me/<bot>?start=<payload>``, only ``A-Za-z0-9_-``, at most 64):
``article-<id>``, ``topic-<key>``, ``author-<key>`` where the key is the folded name with
``_`` for spaces (`handlers.views.deep_link_key`). Anything else gets the welcome.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from telegram import MessageEntity, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.buttons import Scope
from bot.i18n import of_site, t
from bot.site import fold
from db import articles
from handlers.access import CHIEF_COMMANDS, is_chief, is_editor, reply_language
from handlers.article_views import article_page, send_article
from handlers.menu import EDITOR_COMMANDS, READER_COMMANDS, command_name, command_names
from handlers.views import View, reply_view

if TYPE_CHECKING:
    from bot.context import Context, NewsbotApplication

__all__ = ["register", "register_fallbacks"]

_PAYLOAD = re.compile(r"(article|topic|author)-([A-Za-z0-9_-]{1,57})")
_ARTICLE_ID = re.compile(r"\d{1,18}")
_WITH_ARGUMENTS = frozenset(
    {
        "latest",
        "article",
        "search",
        "author",
        "subscribe",
        "unsubscribe",
        "watch",
        "unwatch",
        "language",
        "digest",
        "quiet",
    }
)


def _welcome(context: Context, lang: str, notice: str | None = None) -> View:
    paper = of_site(lang, context.bot_data.settings.site_name)
    blocks = [t(lang, "reading.welcome", of_site=paper)]
    if context.bot.username:
        blocks.append(t(lang, "reading.welcome.inline", bot=context.bot.username))
    if notice:
        blocks.insert(0, notice)
    return View("\n\n".join(blocks))


async def _open_deep_link(update: Update, context: Context, payload: str, lang: str) -> bool:
    """Show what a deep link points at; return False when it points at nothing."""
    chat, message = update.effective_chat, update.effective_message
    match = _PAYLOAD.fullmatch(payload)
    if match is None or chat is None or message is None:
        return False
    kind, key = match.groups()
    reader = context.bot_data.db.reader
    if kind == "article":
        if not _ARTICLE_ID.fullmatch(key):
            return False
        return await send_article(context, chat.id, int(key), lang)
    folded = fold(key)  # "_" folds to a space, as it came from one
    if kind == "topic":
        topic = await articles.get_topic_by_key(reader, folded)
        view = (
            await article_page(context, chat.id, lang, Scope("t", topic.id), subject=topic)
            if topic
            else None
        )
    else:
        author = await articles.get_author_by_key(reader, folded)
        view = (
            await article_page(context, chat.id, lang, Scope("a", author.id), subject=author)
            if author
            else None
        )
    if view is None:
        return False
    await reply_view(update, view)
    return True


async def start(update: Update, context: Context) -> None:
    """Welcome the reader, or open what a deep link points at."""
    lang = reply_language(update)
    payload = context.args[0] if context.args and len(context.args) == 1 else ""
    if payload and await _open_deep_link(update, context, payload, lang):
        return
    # A link to a withdrawn article or a renamed topic still deserves a word of explanation.
    notice = t(lang, "reading.start.gone") if _PAYLOAD.fullmatch(payload) else None
    await reply_view(update, _welcome(context, lang, notice))


def help_text(
    lang: str, *, editor: bool, bot_username: str | None = None, chief: bool = False
) -> str:
    """Return /help: every reader command with one line, named in `lang`, inline sharing, and
    the editor commands for editors."""

    def line(name: str) -> str:
        arguments = t(lang, f"reading.args.{name}") if name in _WITH_ARGUMENTS else ""
        command = command_name(name, lang)
        usage = f"/{command} <i>{arguments}</i>" if arguments else f"/{command}"
        return f"{usage} — {t(lang, f'reading.command.{name}')}"

    blocks = [t(lang, "reading.help.header"), "\n".join(line(name) for name in READER_COMMANDS)]
    blocks.append(t(lang, "reading.help.plain_text"))
    if bot_username:
        blocks.append(t(lang, "reading.help.inline", bot=bot_username))
    blocks.append(t(lang, "reading.help.english"))
    if editor:
        blocks.append(t(lang, "reading.help.editors"))
        shown = [name for name in EDITOR_COMMANDS if chief or name not in CHIEF_COMMANDS]
        blocks.append("\n".join(line(name) for name in shown))
    return "\n\n".join(blocks)


async def show_help(update: Update, context: Context) -> None:
    """List the commands, with the editor ones for editors."""
    lang = reply_language(update)
    text = help_text(
        lang,
        editor=is_editor(update, context),
        bot_username=context.bot.username,
        chief=is_chief(update, context),
    )
    await reply_view(update, View(text))


async def hint_unknown_command(update: Update, context: Context) -> None:
    """Point towards /help after a command no feature knows (in groups, only if ours)."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not message.text:
        return
    if chat.type != "private":
        # Privacy mode may still deliver "/cmd" meant for another bot in the group: answer
        # only a command addressed to us by name.
        entity = next(
            (e for e in message.entities if e.type == MessageEntity.BOT_COMMAND and e.offset == 0),
            None,
        )
        command = message.parse_entity(entity) if entity else ""
        target = command.partition("@")[2].lower()
        if not target or target != (context.bot.username or "").lower():
            return
    await reply_view(update, View(t(reply_language(update), "reading.unknown_command")))


async def nothing_to_cancel(update: Update, context: Context) -> None:
    """Answer /cancel outside any conversation: there is nothing to cancel."""
    await reply_view(update, View(t(reply_language(update), "reading.nothing_to_cancel")))


async def answer_stale_button(update: Update, context: Context) -> None:
    """Answer a button no feature recognises: an old or forged one."""
    query = update.callback_query
    if query is not None:
        await query.answer(t(reply_language(update), "reading.stale_button"))


def register(application: NewsbotApplication) -> None:
    fresh = filters.UpdateType.MESSAGE
    application.add_handlers(
        [
            CommandHandler("start", start, filters=fresh),
            CommandHandler(command_names("help"), show_help, filters=fresh),
        ]
    )


def register_fallbacks(application: NewsbotApplication) -> None:
    """Register the catch-alls; they must come after every feature's handlers."""
    application.add_handlers(
        [
            # A conversation's own /cancel comes first; this one answers when none is going on.
            CommandHandler(
                command_names("cancel"), nothing_to_cancel, filters=filters.UpdateType.MESSAGE
            ),
            MessageHandler(filters.COMMAND & filters.UpdateType.MESSAGE, hint_unknown_command),
            CallbackQueryHandler(answer_stale_button),
        ]
    )
