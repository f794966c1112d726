"""The newsroom's commands: /publish and /edit (handlers/publish.py), /unpublish, /stats, and
the optional channel every published article also goes to.

Every handler here and in the conversation is registered wrapped in `EditorOnly`
(handlers/access.py): it runs only for an editor, in her private chat, checked on the sender
of each update however the command was spelled. Every change is written to the audit log.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import formatting
from bot.buttons import EditorButton
from bot.i18n import DEFAULT_LANGUAGE, plural, t
from bot.publishing import AuditNote
from db import articles, chats, drafts, editorial, stats
from handlers.access import EditorOnly, reply_language
from handlers.menu import command_names
from handlers.newsroom import article_id_argument, editor_button, follow_delivery, new_token
from handlers.views import edit_or_send

if TYPE_CHECKING:
    from bot.context import Context, NewsbotApplication

__all__ = ["register", "setup_channel"]

logger = logging.getLogger(__name__)

STATS_WINDOW = 24 * 3600.0
TOP_SUBSCRIPTIONS = 10


# --- /unpublish -----------------------------------------------------------------------------


async def ask_withdrawal(update: Update, context: Context) -> None:
    """Show the article to withdraw and ask for confirmation."""
    message = update.effective_message
    assert message is not None
    lang = reply_language(update)
    article_id = article_id_argument(context.args)
    if article_id is None:
        await message.reply_text(t(lang, "editor.unpublish_usage"))
        return
    reader = context.bot_data.db.reader
    article = await articles.get_article(reader, article_id, include_withdrawn=True)
    if article is None:
        await message.reply_text(t(lang, "editor.not_found", id=article_id))
        return
    if article.status == "withdrawn":
        await message.reply_text(t(lang, "editor.already_withdrawn", id=article_id))
        return
    token = new_token()
    assert update.effective_user is not None
    # In the database, not in this process: the press may reach another instance.
    async with context.bot_data.db.transaction() as conn:
        now = context.bot_data.clock()
        await drafts.want_withdrawal(conn, token, update.effective_user.id, article.id, now)
    card = formatting.article_card(article, lang, context.bot_data.settings.timezone)
    owed = await editorial.sent_alert_count(reader, article.id)
    text = "\n\n".join(
        [
            t(lang, "editor.confirm_withdraw", id=article.id),
            card,
            plural(lang, "editor.will_remove", owed),
        ]
    )
    keyboard = InlineKeyboardMarkup(
        [
            [editor_button(lang, "editor.withdraw_button", "withdraw", token)],
            [editor_button(lang, "editor.keep_button", "keep", token)],
        ]
    )
    await message.reply_text(text, reply_markup=keyboard)


async def _claim_withdrawal(update: Update, context: Context) -> int | None:
    """Return (and forget) the article a withdrawal button is about; None if stale."""
    button = EditorButton.parse(context.match)
    if button is None or update.effective_user is None:
        return None
    async with context.bot_data.db.transaction() as conn:
        editor_id, now = update.effective_user.id, context.bot_data.clock()
        return await drafts.take_withdrawal(conn, button.token, editor_id, now)


async def withdraw_article(update: Update, context: Context) -> None:
    """Withdraw the article: hidden everywhere, its alerts deleted or marked withdrawn."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    lang = reply_language(update)
    article_id = await _claim_withdrawal(update, context)
    if article_id is None:
        await query.answer(t(lang, "editor.stale"), show_alert=True)
        return
    await query.answer()
    data = context.bot_data
    note = AuditNote(update.effective_user.id, "withdraw")
    result = await data.publisher.withdraw(article_id, note=note)
    if result.changed:
        text = plural(lang, "editor.withdrawn", result.followups, id=article_id)
    else:
        text = t(lang, "editor.already_withdrawn", id=article_id)
    await edit_or_send(update, query.message, text)
    if result.changed and result.followups and update.effective_chat is not None:
        chat_id = update.effective_chat.id
        await follow_delivery(context, chat_id, article_id, lang, "withdraw")


async def keep_article(update: Update, context: Context) -> None:
    """Leave the article published (the Annuler button of /unpublish)."""
    query = update.callback_query
    assert query is not None
    lang = reply_language(update)
    article_id = await _claim_withdrawal(update, context)
    if article_id is None:
        await query.answer(t(lang, "editor.stale"), show_alert=True)
        return
    await query.answer()
    await edit_or_send(update, query.message, t(lang, "editor.kept", id=article_id))


async def answer_stale(update: Update, context: Context) -> None:
    """Answer an editor button whose draft or question is gone (done, expired or forged)."""
    query = update.callback_query
    assert query is not None
    await query.answer(t(reply_language(update), "editor.stale"), show_alert=True)


# --- /stats -------------------------------------------------------------------------------


async def show_stats(update: Update, context: Context) -> None:
    """Report articles, chats, subscriptions and the last day's deliveries."""
    message = update.effective_message
    assert message is not None
    lang = reply_language(update)
    reader = context.bot_data.db.reader
    since = time.time() - STATS_WINDOW
    article_figures = await stats.article_stats(reader, since)
    chat_figures = await stats.chat_stats(reader)
    topics = await stats.top_topic_subscriptions(reader, TOP_SUBSCRIPTIONS)
    authors = await stats.top_author_subscriptions(reader, TOP_SUBSCRIPTIONS)
    delivery = await stats.delivery_stats(reader, since)
    none = t(lang, "editor.stats_none")
    lines = [
        t(lang, "editor.stats_title"),
        "",
        t(
            lang,
            "editor.stats_articles",
            total=article_figures.published,
            recent=article_figures.published_since,
            withdrawn=article_figures.withdrawn,
        ),
        t(
            lang,
            "editor.stats_chats",
            active=chat_figures.active,
            blocked=chat_figures.blocked,
            left=chat_figures.left,
        ),
        t(
            lang,
            "editor.stats_chat_kinds",
            private=chat_figures.active_private,
            groups=chat_figures.active_groups,
            channels=chat_figures.active_channels,
        ),
        "",
        t(lang, "editor.stats_topics"),
        _ranking([(formatting.hashtag(item.name), item.count) for item in topics]) or none,
        t(lang, "editor.stats_authors"),
        _ranking([(item.name, item.count) for item in authors]) or none,
        "",
        t(
            lang,
            "editor.stats_deliveries",
            sent=delivery.sent,
            pending=delivery.pending,
            failed=delivery.failed,
            cancelled=delivery.cancelled,
        ),
        t(
            lang,
            "editor.stats_delays",
            median=_duration(delivery.median_delay, none),
            p95=_duration(delivery.p95_delay, none),
        ),
    ]
    await message.reply_text("\n".join(lines))


def _ranking(items: list[tuple[str, int]]) -> str:
    return "\n".join(
        f"{position}. {formatting.escape(name)} — {count}"
        for position, (name, count) in enumerate(items, start=1)
    )


def _duration(seconds: float | None, none: str) -> str:
    """Return a delay as "850 ms", "12 s", "3 min 05 s" or "2 h 04 min"."""
    if seconds is None:
        return none
    if seconds < 1:
        return f"{round(seconds * 1000)} ms"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


# --- the channel --------------------------------------------------------------------------


async def setup_channel(application: NewsbotApplication) -> None:
    """Resolve NEWSBOT_CHANNEL and record it, so that every published article goes there too.

    A channel that cannot be used is reported once in the log; the bot runs without it.
    """
    data = application.bot_data
    wanted = data.settings.channel
    if not wanted:
        return
    bot = application.bot
    try:
        chat = await bot.get_chat(wanted)
        member = await bot.get_chat_member(chat.id, bot.id)
    except TelegramError as error:
        logger.warning(
            "NEWSBOT_CHANNEL %s cannot be reached (%s): running without the channel", wanted, error
        )
        return
    if chat.type != ChatType.CHANNEL:
        logger.warning(
            "NEWSBOT_CHANNEL %s is a %s, not a channel: running without the channel",
            wanted,
            chat.type,
        )
        return
    if member.status not in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER):
        logger.warning(
            "NEWSBOT_CHANNEL %s: the bot is not an administrator there and cannot post: "
            "running without the channel",
            wanted,
        )
        return
    async with data.db.transaction() as conn:
        await chats.upsert_chat(conn, chat.id, "channel", chat.title, DEFAULT_LANGUAGE, time.time())
    data.channel_id = chat.id
    logger.info("Publishing to the channel %s (%s)", chat.title, chat.id)


# --- wiring -------------------------------------------------------------------------------


def register(application: NewsbotApplication) -> None:
    """Register the editors' commands and buttons; the catch-all for stale buttons last."""
    application.add_handler(CommandHandler(command_names("unpublish"), EditorOnly(ask_withdrawal)))
    application.add_handler(CommandHandler(command_names("stats"), EditorOnly(show_stats)))
    application.add_handler(
        CallbackQueryHandler(
            EditorOnly(withdraw_article), pattern=EditorButton.pattern_for("withdraw")
        )
    )
    application.add_handler(
        CallbackQueryHandler(EditorOnly(keep_article), pattern=EditorButton.pattern_for("keep"))
    )
    # Buttons of a draft that is gone (confirmed, cancelled, expired) or never existed.
    application.add_handler(
        CallbackQueryHandler(EditorOnly(answer_stale), pattern=EditorButton.PATTERN)
    )
