"""Cross-cutting checks: floods slowed and chats recorded before any feature; editor rights.

Editor rights are checked where each editor handler is registered, not by reading the text:
every command, conversation step, fallback and button of the newsroom is wrapped in
`EditorOnly`, so it runs only for the update's sender being an editor, in her private chat
with the bot. Telegram decides what the command is (the bot_command entity: "/stats-" and
"/stats\u200b" are /stats), python-telegram-bot matches it, and the guard runs whatever
the spelling was.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ConversationHandler, TypeHandler

from bot.buttons import EditorButton
from bot.i18n import language_for, t
from db import chats

if TYPE_CHECKING:
    from bot.context import Context, NewsbotApplication

__all__ = [
    "EDITOR_CALLBACK_PREFIX",
    "EDITOR_COMMANDS",
    "EditorOnly",
    "editor_ids",
    "is_editor",
    "register",
    "reply_language",
]

EDITOR_COMMANDS = ("publish", "edit", "unpublish", "stats", "feeds", "addfeed", "removefeed")
"""The newsroom's commands, in menu order; each handler of one is wrapped in `EditorOnly`."""
EDITOR_CALLBACK_PREFIX = EditorButton.PREFIX
"""Every editor button's callback_data starts with this; its handlers are `EditorOnly` too."""

_R = TypeVar("_R")


def reply_language(update: Update) -> str:
    """Return the language to answer this update in: the user's own Telegram language."""
    user = update.effective_user
    return language_for(user.language_code if user else None)


def _private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == "private"


def editor_ids(context: Context) -> frozenset[int]:
    """Return who is an editor now: read at each update, so a change applies at once."""
    return context.bot_data.settings.admins


def is_editor(update: Update, context: Context) -> bool:
    """Return whether the update comes from an editor, in a private chat with the bot."""
    user, chat = update.effective_user, update.effective_chat
    return (
        user is not None
        and chat is not None
        and chat.type == ChatType.PRIVATE
        and user.id in editor_ids(context)
    )


class EditorOnly(Generic[_R]):
    """A handler callback that runs only for an editor, in her private chat with the bot.

    Wrap every editor callback where it is registered:
    ``CommandHandler("stats", EditorOnly(show_stats))``. Anyone else is answered a refusal
    (an editor elsewhere is sent to her private chat) and a conversation is left: the
    wrapper then returns ``ConversationHandler.END``, so no step is kept and no timeout set.
    """

    def __init__(self, callback: Callable[[Update, Context], Awaitable[_R]]) -> None:
        self.callback = callback
        functools.update_wrapper(self, callback)

    async def __call__(self, update: Update, context: Context) -> _R | int:
        if is_editor(update, context):
            return await self.callback(update, context)
        await _refuse_editor_action(update, context)
        return ConversationHandler.END


async def _refuse_editor_action(update: Update, context: Context) -> None:
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    editor = user is not None and user.id in editor_ids(context)
    text = t(reply_language(update), "editor_private_only" if editor else "editors_only")
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)  # seen by the presser only
    elif message is not None and chat is not None and chat.type != ChatType.CHANNEL:
        # Not in a channel: all its subscribers would read the refusal.
        await message.reply_text(text)


async def slow_down_floods(update: Update, context: Context) -> None:
    """Drop a user's updates beyond a fair rate, telling them once, so others never wait."""
    user = update.effective_user
    if user is None or user.id in editor_ids(context):
        return
    admission = context.bot_data.flood_buckets.admit(user.id)
    if admission == "pass":
        return
    if admission == "warn":
        notice = t(reply_language(update), "too_fast")
        if update.callback_query is not None:
            await update.callback_query.answer(notice)
        elif update.effective_message is not None and _private(update):
            await update.effective_message.reply_text(notice)
    raise ApplicationHandlerStop


async def record_chat(update: Update, context: Context) -> None:
    """Remember the chat (type, title, language) so alerts can reach it; cheap when known."""
    chat = update.effective_chat
    if chat is None or update.my_chat_member is not None:
        return  # membership changes are handled by the subscriptions feature
    language = reply_language(update)
    title = chat.title or chat.full_name
    recorded = context.bot_data.recorded_chats
    if recorded.get(chat.id) == (title, language):
        return
    async with context.bot_data.db.transaction() as conn:
        await chats.upsert_chat(conn, chat.id, chat.type, title, language, time.time())
    recorded.put(chat.id, (title, language))


def register(application: NewsbotApplication) -> None:
    application.add_handler(TypeHandler(Update, slow_down_floods), group=-3)
    application.add_handler(TypeHandler(Update, record_chat), group=-2)
