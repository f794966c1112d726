"""Cross-cutting checks: floods slowed and chats recorded before any feature; editor rights;
who may change a chat's settings; the language to answer in.

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
from contextvars import ContextVar
from typing import TYPE_CHECKING, Generic, TypeVar

from telegram import ChatMember, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ConversationHandler, TypeHandler

from bot.buttons import EditorButton
from bot.i18n import language_for, t
from db import chats

if TYPE_CHECKING:
    from bot.context import Context, NewsbotApplication

__all__ = [
    "CHIEF_COMMANDS",
    "EDITOR_CALLBACK_PREFIX",
    "EDITOR_COMMANDS",
    "ChiefOnly",
    "EditorOnly",
    "chief_ids",
    "editor_ids",
    "is_chief",
    "is_editor",
    "may_manage_chat",
    "refresh_editors",
    "refuse_unless_chat_admin",
    "register",
    "reply_language",
    "topic_thread",
    "use_language",
]

CHIEF_COMMANDS = ("feeds", "addfeed", "removefeed", "editors", "journal")
"""The chief editors' own commands (NEWSBOT_ADMINS): their handlers are `ChiefOnly`."""
EDITOR_COMMANDS = ("publish", "edit", "scheduled", "unpublish", "stats", *CHIEF_COMMANDS)
"""The newsroom's commands, in menu order; each handler of one is wrapped in `EditorOnly`
(`ChiefOnly` is one)."""
EDITOR_CALLBACK_PREFIX = EditorButton.PREFIX
"""Every editor button's callback_data starts with this; its handlers are `EditorOnly` too."""

_R = TypeVar("_R")
_ADMIN_STATUSES = {ChatMember.OWNER, ChatMember.ADMINISTRATOR}

# The language the update's chat chose with /language, read once per update by `record_chat`
# (group -2) for `reply_language`, which every feature calls with the update alone. Each
# update runs in its own task (concurrent updates), so the value never crosses to another;
# it is kept with its update and applies to that update only.
_chosen_language: ContextVar[tuple[Update, str] | None] = ContextVar(
    "chosen_language", default=None
)


def reply_language(update: Update) -> str:
    """Return the language to answer this update in: the chat's chosen one (/language), else
    the user's own Telegram language."""
    chosen = _chosen_language.get()
    if chosen is not None and chosen[0] is update:
        return chosen[1]
    user = update.effective_user
    return language_for(user.language_code if user else None)


def topic_thread(message: Message | None) -> int:
    """Return the forum topic a message is in (its message_thread_id), 0 outside forum topics.

    A forum's General topic, a plain group's reply thread and a private chat are all 0: only a
    forum supergroup's topic messages (`is_topic_message`) name a topic alerts can go to. For a
    pressed button, the bot's message that carries it is in the topic its list was asked in.
    """
    if message is None or not message.chat.is_forum or not message.is_topic_message:
        return 0
    return message.message_thread_id or 0


def use_language(update: Update, language: str | None) -> None:
    """Answer the rest of this update in `language` (the chat's choice); None: the user's."""
    _chosen_language.set((update, language) if language else None)


def _private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == "private"


def editor_ids(context: Context) -> frozenset[int]:
    """Return who is an editor: the chief editors and the editors added from Telegram.

    The added ones as last read (at most a few seconds ago: `refresh_editors` runs first at
    every update); `EditorOnly` itself asks for the current set before letting anyone in.
    """
    return context.bot_data.settings.admins | context.bot_data.editors.known


def chief_ids(context: Context) -> frozenset[int]:
    """Return the chief editors: NEWSBOT_ADMINS, who manage editors and feeds."""
    return context.bot_data.settings.admins


def _in_private(update: Update, ids: frozenset[int]) -> bool:
    user, chat = update.effective_user, update.effective_chat
    return (
        user is not None and chat is not None and chat.type == ChatType.PRIVATE and user.id in ids
    )


def is_editor(update: Update, context: Context) -> bool:
    """Return whether the update comes from an editor, in a private chat with the bot."""
    return _in_private(update, editor_ids(context))


def is_chief(update: Update, context: Context) -> bool:
    """Return whether the update comes from a chief editor, in a private chat with the bot."""
    return _in_private(update, chief_ids(context))


async def refresh_editors(context: Context) -> frozenset[int]:
    """Return the editors now, reading the database again if the last reading is stale."""
    data = context.bot_data
    if data.database is not None:
        await data.editors.current(data.database)
    return editor_ids(context)


class EditorOnly(Generic[_R]):
    """A handler callback that runs only for an editor, in her private chat with the bot.

    Wrap every editor callback where it is registered:
    ``CommandHandler("stats", EditorOnly(show_stats))``. Anyone else is answered a refusal
    (an editor elsewhere is sent to her private chat) and a conversation is left: the
    wrapper then returns ``ConversationHandler.END``, so no step is kept and no timeout set.
    The editors are read from the database (briefly cached, dropped on every change), so a
    removed editor is refused at her next press.
    """

    chief_only = False

    def __init__(self, callback: Callable[[Update, Context], Awaitable[_R]]) -> None:
        self.callback = callback
        functools.update_wrapper(self, callback)

    async def __call__(self, update: Update, context: Context) -> _R | int:
        allowed = chief_ids(context) if self.chief_only else await refresh_editors(context)
        if _in_private(update, allowed):
            return await self.callback(update, context)
        await _refuse_editor_action(update, context, chief_only=self.chief_only)
        return ConversationHandler.END


class ChiefOnly(EditorOnly[_R]):
    """A handler callback that runs only for a chief editor (NEWSBOT_ADMINS), in private.

    Managing editors and feeds is theirs: an editor gets a refusal saying so.
    """

    chief_only = True


async def _refuse_editor_action(
    update: Update, context: Context, *, chief_only: bool = False
) -> None:
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    editor = user is not None and user.id in await refresh_editors(context)
    if editor and chief_only and chat is not None and chat.type == ChatType.PRIVATE:
        key = "chiefs_only"
    else:
        key = "editor_private_only" if editor else "editors_only"
    text = t(reply_language(update), key)
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)  # seen by the presser only
    elif message is not None and chat is not None and chat.type != ChatType.CHANNEL:
        # Not in a channel: all its subscribers would read the refusal.
        await message.reply_text(text)


async def may_manage_chat(update: Update, context: Context) -> bool:
    """Return whether the sender may change this chat's subscriptions and settings: anyone in
    a private chat; in a group or a channel, only its administrators (for a button, whoever
    pressed it)."""
    chat, query, message = update.effective_chat, update.callback_query, update.effective_message
    if chat is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    if query is None and message is not None and message.sender_chat is not None:
        # Written as the chat itself: an anonymous group admin, or the channel's own post. A
        # pressed button's message is the bot's own post: it says nothing of who pressed it.
        return message.sender_chat.id == chat.id
    user = query.from_user if query is not None else update.effective_user
    if user is None:
        return False
    cache = context.bot_data.admin_cache
    known = cache.get((chat.id, user.id))
    if known is not None:
        return known
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
        allowed = member.status in _ADMIN_STATUSES
    except TelegramError:
        allowed = False
    cache.put((chat.id, user.id), allowed)
    return allowed


async def refuse_unless_chat_admin(update: Update, context: Context) -> bool:
    """Answer a polite refusal when the sender may not change the chat's subscriptions or
    settings (`may_manage_chat`); return True then."""
    if await may_manage_chat(update, context):
        return False
    chat = update.effective_chat
    key = "sub.channel_admins_only" if chat and chat.type == ChatType.CHANNEL else "sub.admins_only"
    text = t(reply_language(update), key)
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)
    return True


async def slow_down_floods(update: Update, context: Context) -> None:
    """Drop a user's updates beyond a fair rate, telling them once, so others never wait."""
    user = update.effective_user
    if user is None or user.id in await refresh_editors(context):
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
    """Remember the chat (type, title, language) so alerts can reach it, and read the language
    it chose for the replies; cheap when known."""
    chat = update.effective_chat
    if chat is None or update.my_chat_member is not None:
        return  # membership changes are handled by the subscriptions feature
    user = update.effective_user
    language = language_for(user.language_code if user else None)
    title = chat.title or chat.full_name
    recorded = context.bot_data.recorded_chats
    if recorded.get(chat.id) != (title, language):
        async with context.bot_data.db.transaction() as conn:
            await chats.upsert_chat(conn, chat.id, chat.type, title, language, time.time())
        recorded.put(chat.id, (title, language))
    # Read at every update, not kept: another instance may have taken the chat's /language.
    use_language(update, await chats.chosen_language(context.bot_data.db.reader, chat.id))


def register(application: NewsbotApplication) -> None:
    application.add_handler(TypeHandler(Update, slow_down_floods), group=-3)
    application.add_handler(TypeHandler(Update, record_chat), group=-2)
