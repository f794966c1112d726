"""Keyword alerts: /watch <words>, /unwatch <words>.

A watch alerts the chat (in a forum, the topic it was made in) of every new article holding
all its words, matched as /search matches them (db/watches.py). The watches are listed in
/subscriptions, each with its ✖️ button (`UnwatchButton`, handled in handlers/subscriptions.py
with the rest of that list). In groups only admins may change them, as for /subscribe.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler

from bot import follows
from bot.buttons import UnwatchButton
from bot.formatting import escape, excerpt
from bot.i18n import t, t_chat
from db import chats, watches
from handlers.access import refuse_unless_chat_admin, reply_language, topic_thread
from handlers.menu import command_names
from handlers.views import in_group

if TYPE_CHECKING:
    from bot.context import Context, NewsbotApplication

__all__ = ["register"]

_SUGGESTED = 10  # watches offered, with their ✖️, when /unwatch names none of them


def _quoted(lang: str, words: list[str]) -> str:
    """Return words quoted and joined as a sentence says them: « a », « b » et « c »."""
    quoted = [t(lang, "watch.quote", word=escape(word)) for word in words]
    if len(quoted) == 1:
        return quoted[0]
    return t(lang, "watch.and", first=", ".join(quoted[:-1]), last=quoted[-1])


async def _typed(update: Update, context: Context, usage: str) -> tuple[str, list[str]] | None:
    """Return the words typed after the command and the terms they make; None once answered
    (refused, nothing typed, too long, only common words, too many words)."""
    message = update.effective_message
    assert message is not None
    lang, group = reply_language(update), in_group(update)
    if await refuse_unless_chat_admin(update, context):
        return None
    typed = " ".join(" ".join(context.args or []).split())
    if not typed:
        await message.reply_text(t_chat(lang, usage, group=group))
        return None
    if len(typed) > watches.MAX_WATCH_CHARS:
        await message.reply_text(t(lang, "watch.too_long", limit=watches.MAX_WATCH_CHARS))
        return None
    terms = watches.watch_terms(typed)
    if not terms:
        await message.reply_text(t(lang, "watch.no_words", typed=escape(excerpt(typed, 60))))
        return None
    if len(terms) > watches.MAX_WATCH_TERMS:
        await message.reply_text(t(lang, "watch.too_many_words", limit=watches.MAX_WATCH_TERMS))
        return None
    if any(len(term) > watches.MAX_TERM_CHARS for term in terms):
        await message.reply_text(t(lang, "watch.too_long", limit=watches.MAX_WATCH_CHARS))
        return None
    return typed, terms


async def watch(update: Update, context: Context) -> None:
    """Alert the chat of every new article holding all the words typed."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    if (typed := await _typed(update, context, "watch.usage")) is None:
        return
    words, terms = typed
    lang, group = reply_language(update), in_group(update)
    async with context.bot_data.db.transaction() as conn:
        held, added = await watches.add_watch(
            conn, chat.id, words, terms, time.time(), thread_id=topic_thread(message)
        )
        if added:
            await follows.check_added(conn, chat.id)  # over the cap: rolled back, and said
    shown = _quoted(lang, watches.shown_words(held.words))
    key = "watch.added" if added else "watch.already"
    lines = [t_chat(lang, key, group=group, terms=shown)]
    ignored = watches.ignored_words(words)
    if ignored and added:
        lines.append(t(lang, "watch.ignored", words=_quoted(lang, ignored)))
    await message.reply_text("\n".join(lines))


async def unwatch(update: Update, context: Context) -> None:
    """Remove the keyword alert on the words typed; offer the chat's alerts if none matches."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    if (typed := await _typed(update, context, "watch.unwatch_usage")) is None:
        return
    words, terms = typed
    lang, group = reply_language(update), in_group(update)
    thread = topic_thread(message)
    key = watches.watch_key(terms)
    held = await watches.chat_watches(context.bot_data.db.reader, chat.id, thread)
    found = next((w for w in held if w.key == key), None)
    if found is not None:
        async with context.bot_data.db.transaction() as conn:
            await chats.unwatch(conn, chat.id, found.id)
        shown = _quoted(lang, watches.shown_words(found.words))
        await message.reply_text(t_chat(lang, "watch.removed", group=group, terms=shown))
        return
    shown = _quoted(lang, watches.shown_words(words))
    if not held:
        await message.reply_text(t_chat(lang, "watch.not_found_none", group=group, terms=shown))
        return
    rows = [
        [
            InlineKeyboardButton(
                f"✖️ 🔎 {excerpt(w.words, 60)}", callback_data=UnwatchButton(w.id).pack()
            )
        ]
        for w in held[:_SUGGESTED]
    ]
    await message.reply_text(
        t_chat(lang, "watch.not_found", group=group, terms=shown),
        reply_markup=InlineKeyboardMarkup(rows),
    )


def register(application: NewsbotApplication) -> None:
    application.add_handler(CommandHandler(command_names("watch"), watch))
    application.add_handler(CommandHandler(command_names("unwatch"), unwatch))
