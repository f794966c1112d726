"""Inline mode: in any chat, a reader types "@bot words" and shares an article from the list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.ext import InlineQueryHandler

from bot import formatting
from bot.i18n import language_for, t
from db import articles
from db.models import Article
from handlers.views import deep_link

if TYPE_CHECKING:
    from bot.context import Context, NewsbotApplication

__all__ = ["register"]

PAGE = 10
MAX_OFFSET = 200  # deeper than this nobody scrolls; it also bounds a forged offset
CACHE_SECONDS = 30  # Telegram may reuse an answer this long: news changes, so not longer


def _result(
    article: Article, lang: str, tz: str, bot_username: str | None
) -> InlineQueryResultArticle:
    link = article.url or deep_link(bot_username, f"article-{article.id}")
    keyboard = (
        InlineKeyboardMarkup([[InlineKeyboardButton(t(lang, "alert_read_button"), url=link)]])
        if link
        else None
    )
    return InlineQueryResultArticle(
        id=f"article-{article.id}",
        title=article.title,
        description=formatting.excerpt(article.lead, 120),
        input_message_content=InputTextMessageContent(
            formatting.alert_text(article, lang, tz), parse_mode="HTML"
        ),
        reply_markup=keyboard,
    )


async def offer_articles(update: Update, context: Context) -> None:
    """Answer an inline query with the matching articles, or the latest when it is empty."""
    query = update.inline_query
    assert query is not None
    lang = language_for(query.from_user.language_code)
    offset = int(query.offset) if query.offset.isdigit() else 0
    if offset > MAX_OFFSET:
        await query.answer([], cache_time=CACHE_SECONDS)
        return
    reader = context.bot_data.db.reader
    words = query.query.strip()
    if words:
        hits = await articles.search_articles(reader, words, PAGE, offset)
        found, more = [hit.article for hit in hits.items], hits.has_more
    else:
        latest = await articles.latest_articles(reader, PAGE)
        found, more = latest.items, False  # the newest page only: a search goes further
    tz = context.bot_data.settings.timezone
    results = [_result(article, lang, tz, context.bot.username) for article in found]
    await query.answer(
        results,
        cache_time=CACHE_SECONDS,
        next_offset=str(offset + PAGE) if more else "",
    )


def register(application: NewsbotApplication) -> None:
    application.add_handler(InlineQueryHandler(offer_articles))
