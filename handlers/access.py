"""Cross-cutting checks that run before any feature: record the chat, guard editor actions."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.i18n import language_for, t
from db import chats

if TYPE_CHECKING:
    from bot.app import Context, NewsbotApplication

__all__ = [
    "EDITOR_CALLBACK_PREFIX",
    "EDITOR_COMMANDS",
    "is_editor",
    "register",
    "reply_language",
]

EDITOR_COMMANDS = frozenset(
    {"publish", "edit", "unpublish", "stats", "feeds", "addfeed", "removefeed"}
)
EDITOR_CALLBACK_PREFIX = "ed:"
"""Every editor button's callback_data starts with this, so one check guards them all."""

_RECORD_AGAIN_AFTER = 600.0  # seconds: a chat's title and language are refreshed this often
_FLOOD_BURST = 8  # updates a user may send at once...
_FLOOD_RATE = 2.0  # ...then this many a second; beyond, updates are dropped with one notice


def reply_language(update: Update) -> str:
    """Return the language to answer this update in: the user's own Telegram language."""
    user = update.effective_user
    return language_for(user.language_code if user else None)


def _private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == "private"


def is_editor(update: Update, context: Context) -> bool:
    """Return whether the update comes from an editor, in a private chat with the bot."""
    user, chat = update.effective_user, update.effective_chat
    return (
        user is not None
        and chat is not None
        and chat.type == "private"
        and user.id in context.bot_data.settings.admins
    )


def _command(update: Update) -> str | None:
    message = update.effective_message
    text = message.text if message and message.text else None
    if not text or not text.startswith("/"):
        return None
    return text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else None


async def slow_down_floods(update: Update, context: Context) -> None:
    """Drop a user's updates beyond a fair rate, telling them once, so others never wait."""
    user = update.effective_user
    if user is None or user.id in context.bot_data.settings.admins:
        return
    now = time.monotonic()
    tokens, stamp, warned = context.bot_data.flood_buckets.get(user.id, (_FLOOD_BURST, now, False))
    tokens = min(_FLOOD_BURST, tokens + (now - stamp) * _FLOOD_RATE)
    if tokens >= 1:
        context.bot_data.flood_buckets[user.id] = (tokens - 1, now, False)
        return
    context.bot_data.flood_buckets[user.id] = (tokens, now, True)
    if not warned:
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
    seen = context.bot_data.recorded_chats
    now = time.monotonic()
    known = seen.get(chat.id)
    if known and known[:2] == (title, language) and now - known[2] < _RECORD_AGAIN_AFTER:
        return
    async with context.bot_data.db.transaction() as conn:
        await chats.upsert_chat(conn, chat.id, chat.type, title, language, time.time())
    seen[chat.id] = (title, language, now)


async def guard_editor_actions(update: Update, context: Context) -> None:
    """Refuse editor commands and buttons to anyone but an editor in a private chat."""
    query = update.callback_query
    editor_button = query is not None and (query.data or "").startswith(EDITOR_CALLBACK_PREFIX)
    if not editor_button and _command(update) not in EDITOR_COMMANDS:
        return
    if is_editor(update, context):
        return
    refusal = t(reply_language(update), "editors_only")
    if query is not None:
        await query.answer(refusal, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(refusal)
    raise ApplicationHandlerStop


def register(application: NewsbotApplication) -> None:
    application.add_handler(TypeHandler(Update, slow_down_floods), group=-3)
    application.add_handler(TypeHandler(Update, record_chat), group=-2)
    application.add_handler(TypeHandler(Update, guard_editor_actions), group=-1)
