"""/search, and plain text in a private chat, over the articles' full text.

Pages turn with `SearchPageButton` (bot/buttons.py): it carries the search words themselves
when they fit in the 64 bytes (so the buttons outlive a restart), else a token, the words
being kept in the chat's data for a while.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.buttons import SearchPageButton
from bot.formatting import article_byline, escape, excerpt, format_short_date, hashtags
from bot.i18n import t
from db import articles
from db.articles import SNIPPET_END, SNIPPET_START, SearchHit, search_words
from handlers.access import reply_language
from handlers.article_views import remember_list
from handlers.menu import command_names
from handlers.views import View, article_buttons, fit_cards, page_turns, replace_page, reply_view

if TYPE_CHECKING:
    from bot.context import Context, NewsbotApplication

__all__ = ["PAGE_SIZE", "register", "register_fallbacks", "search_words", "snippet_html"]

PAGE_SIZE = 5
_STORED_SEARCHES = 20  # per chat, for searches too long for the callback data
_CHAT_KEY = "reading.searches"
_SHOWN_QUERY_CHARS = 60
_TYPED_WORD = re.compile(r"\w+")  # the words search_words finds, before lower-casing


def snippet_html(snippet: str) -> str:
    """Return an FTS5 snippet as Telegram HTML: escaped, matched words in bold."""
    # Escape first: the markers are control characters escape() leaves alone. Then pair them
    # by hand, so that a stray marker in stored text can never leave a tag open.
    text = " ".join(snippet.split())
    out: list[str] = []
    bold = False
    for char in escape(text):
        if char == SNIPPET_START:
            if not bold:
                out.append("<b>")
                bold = True
        elif char == SNIPPET_END:
            if bold:
                out.append("</b>")
                bold = False
        elif unicodedata.category(char) != "Cc":
            out.append(char)
    if bold:
        out.append("</b>")
    return "".join(out).replace("<b></b>", "")


def _cards(hits: Sequence[SearchHit], lang: str, tz: str, first: int) -> Callable[[int], list[str]]:
    def cards(lead_chars: int) -> list[str]:
        result = []
        for position, hit in enumerate(hits):
            article = hit.article
            meta = [
                hashtags(article.topics),
                article_byline(article, lang),
                escape(format_short_date(article.published_at, lang, tz)),
            ]
            lines = [
                f"<b>{first + position}. {escape(excerpt(article.title, 200))}</b>",
                " · ".join(item for item in meta if item),
            ]
            # The snippet is about 16 words: it goes only when the page is too long anyway.
            snippet = snippet_html(hit.snippet)
            if lead_chars and snippet:
                lines.append(snippet)
            result.append("\n".join(lines))
        return result

    return cards


def _page_button(context: Context, offset: int, typed: str) -> SearchPageButton:
    """Return the button turning to `offset`: with the words as typed if they fit, else a
    token."""
    query = typed
    button = SearchPageButton(offset, words=query)
    if button.fits():
        return button
    chat_data = context.chat_data if context.chat_data is not None else {}
    stored: dict[str, str] = chat_data.setdefault(_CHAT_KEY, {})
    token = next((key for key, value in stored.items() if value == query), None)
    if token is None:
        token = secrets.token_hex(4)
        stored[token] = query
        while len(stored) > _STORED_SEARCHES:
            del stored[next(iter(stored))]
    return SearchPageButton(offset, token=token)


async def search_view(
    context: Context, chat_id: int, lang: str, text: str, offset: int = 0
) -> View | None:
    """Return a page of search results; None when an offset is past the end."""
    words = search_words(text)
    if not words:
        return View(t(lang, "reading.search.no_words"))
    query = " ".join(words)
    page = await articles.search_articles(context.bot_data.db.reader, query, PAGE_SIZE, offset)
    # The reader's words as typed ("Ségou", not "ségou"), the same on every page.
    typed = " ".join(_TYPED_WORD.findall(text)[: len(words)])
    shown = escape(excerpt(typed, _SHOWN_QUERY_CHARS))
    if not page.items:
        return None if offset else View(t(lang, "reading.search.none", query=shown))
    tz = context.bot_data.settings.timezone
    header = t(lang, "reading.search.header", query=shown)
    body = fit_cards(header, _cards(page.items, lang, tz, offset + 1))
    listed = [hit.article for hit in page.items]
    await remember_list(context, chat_id, offset + 1, listed)
    rows = article_buttons(listed, offset + 1)
    rows.append(
        page_turns(
            lambda turn_to: _page_button(context, turn_to, typed),
            offset,
            PAGE_SIZE,
            page.has_more,
            lang,
        )
    )
    return View(body, InlineKeyboardMarkup([row for row in rows if row]))


def _chat_id(update: Update) -> int:
    chat = update.effective_chat
    assert chat is not None  # commands, text and buttons all come from a chat
    return chat.id


async def search(update: Update, context: Context) -> None:
    """Search the articles for the words given."""
    lang = reply_language(update)
    text = " ".join(context.args or [])
    if not text.strip():
        await reply_view(update, View(t(lang, "reading.search.usage")))
        return
    view = await search_view(context, _chat_id(update), lang, text)
    await reply_view(update, view or View(t(lang, "reading.search.no_words")))


async def search_plain_text(update: Update, context: Context) -> None:
    """Treat text sent in a private chat as a search."""
    message = update.effective_message
    if message is None or not message.text:
        return
    lang = reply_language(update)
    view = await search_view(context, _chat_id(update), lang, message.text)
    await reply_view(update, view or View(t(lang, "reading.search.no_words")))


async def turn_search_page(update: Update, context: Context) -> None:
    """Show another page of search results in place."""
    query = update.callback_query
    assert query is not None
    lang = reply_language(update)
    button = SearchPageButton.parse(context.match)
    view = None
    if button is not None:
        words: str | None = button.words
        if button.token:
            stored = (context.chat_data or {}).get(_CHAT_KEY) or {}
            words = stored.get(button.token)
        if words:
            view = await search_view(context, _chat_id(update), lang, words, button.offset)
    await replace_page(query, view, t(lang, "reading.search.expired"))


def register(application: NewsbotApplication) -> None:
    application.add_handlers(
        [
            CommandHandler(command_names("search"), search, filters=filters.UpdateType.MESSAGE),
            CallbackQueryHandler(turn_search_page, pattern=SearchPageButton.PATTERN),
        ]
    )


def register_fallbacks(application: NewsbotApplication) -> None:
    """Register plain text as a search; after every feature, so conversations come first."""
    application.add_handler(
        MessageHandler(
            filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE,
            search_plain_text,
        )
    )
