"""Reading the news: /latest, /article, /author, /authors, /topics and their buttons.

Buttons (bot/buttons.py; a forged or stale one gets a polite answer): `ArticleButton` opens
an article (also the alerts' "Lire l'article"), `ArticlePageButton` turns an article list in
place, `AuthorButton` and `TopicButton` open an author's or a topic's articles in a new
message, `AuthorsPageButton` and `TopicsPageButton` turn /authors and /topics in place. The
subscription toggles on these pages are the subscriptions feature's.

The pages themselves, shared with other features, are drawn in handlers/article_views.py.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from telegram import InlineKeyboardButton, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.buttons import (
    ArticleButton,
    ArticlePageButton,
    AuthorButton,
    AuthorsPageButton,
    Scope,
    TopicButton,
    TopicsPageButton,
)
from bot.formatting import escape, excerpt, hashtag
from bot.i18n import plural, t
from bot.site import closest, fold_query
from db import Connection, articles, chats
from db.models import Author, Topic
from handlers.access import reply_language
from handlers.article_views import (
    DEFAULT_PAGE_SIZE,
    LIST_PAGE_SIZE,
    MAX_PAGE_SIZE,
    article_page,
    send_article,
    send_loaded_article,
    show_topics,
    topics_view,
)
from handlers.menu import command_names
from handlers.views import (
    BUTTON_NAME_CHARS,
    View,
    count_articles,
    deep_link,
    in_group,
    markup,
    page_turns,
    replace_page,
    reply_view,
)

if TYPE_CHECKING:
    from telegram import CallbackQuery, Chat

    from bot.context import Context, NewsbotApplication

__all__ = ["author_view", "authors_view", "latest_view", "register"]

_CHOICES = 8  # several authors or topics match: at most this many buttons
_SUGGESTIONS = 5  # nothing matches: at most this many close names
_NUMBER_ARG = re.compile(r"[+-]?\d+")
_ARTICLE_ARG = re.compile(r"(?:n°\s*|#)?(\d{1,6})")
_Named = TypeVar("_Named", Topic, Author)

# --- article lists: /latest, a topic's, an author's --------------------------------------


def _parse_latest_args(args: Sequence[str]) -> tuple[int, str, bool]:
    """Split /latest's arguments into a page size (1 to 10), a topic name, and whether more
    than the most a page shows was asked for."""
    size = DEFAULT_PAGE_SIZE
    words = []
    number_seen = capped = False
    for arg in args:
        if not number_seen and _NUMBER_ARG.fullmatch(arg):
            capped = int(arg) > MAX_PAGE_SIZE
            size = min(max(int(arg), 1), MAX_PAGE_SIZE)
            number_seen = True
        else:
            words.append(arg)
    return size, " ".join(words).strip(), capped


async def _match_topic(
    reader: Connection, name: str
) -> tuple[Topic | None, list[Topic], list[Topic]]:
    """Return (the topic, several matches to choose from, close names) for a typed name."""
    folded = fold_query(name.lstrip("#"))
    if not folded:
        return None, [], []
    exact = await articles.get_topic_by_key(reader, folded)
    if exact is not None:
        return exact, [], []
    found = [
        topic
        for topic in await articles.find_topics(reader, folded, _CHOICES)
        if topic.article_count
    ]
    return await _settle(found, lambda: articles.topic_candidates(reader, folded), folded)


async def _settle(
    found: list[_Named], candidates: Callable[[], Awaitable[list[_Named]]], folded: str
) -> tuple[_Named | None, list[_Named], list[_Named]]:
    """Return (the one match, several to choose from, close names): the first that is known."""
    if len(found) == 1:
        return found[0], [], []
    if found:
        return None, found, []
    return None, [], closest(folded, await candidates(), limit=_SUGGESTIONS)


def _topic_buttons(topics: Sequence[Topic], size: int) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(
            f"{excerpt(hashtag(topic.name) or topic.name, BUTTON_NAME_CHARS)} "
            f"({topic.article_count})",
            callback_data=TopicButton(topic.id, size).pack(),
        )
        for topic in topics
    ]


async def latest_view(context: Context, chat_id: int, lang: str, args: Sequence[str]) -> View:
    """Return the answer to /latest [n] [topic]."""
    size, topic_name, capped = _parse_latest_args(args)
    if not topic_name:
        view = await article_page(context, chat_id, lang, Scope("l"), size)
        assert view is not None  # the latest list has no subject that could be gone
        return _with_cap(view, lang, capped)
    reader = context.bot_data.db.reader
    topic, choices, close = await _match_topic(reader, topic_name)
    if topic is not None:
        view = await article_page(context, chat_id, lang, Scope("t", topic.id), size, subject=topic)
        if view is not None:
            return _with_cap(view, lang, capped)
    return _unmatched_view(
        lang,
        "reading.topic",
        topic_name,
        _topic_buttons(choices, size),
        _topic_buttons(close, size),
    )


def _with_cap(view: View, lang: str, capped: bool) -> View:
    """Say, under the list, that no more than a page's worth is shown at once."""
    if not capped:
        return view
    notice = plural(lang, "reading.latest.at_most", MAX_PAGE_SIZE)
    return View(f"{view.text}\n\n<i>{notice}</i>", view.markup)


def _unmatched_view(
    lang: str,
    keys: str,
    name: str,
    choices: list[InlineKeyboardButton],
    close: list[InlineKeyboardButton],
) -> View:
    """Answer a name that matches no one topic or author: offer the choices or close names."""
    shown = escape(excerpt(name, 60))
    if choices:
        return View(t(lang, f"{keys}.choose", query=shown), markup([[b] for b in choices]))
    if close:
        return View(t(lang, f"{keys}.unknown_close", query=shown), markup([[b] for b in close]))
    return View(t(lang, f"{keys}.unknown", query=shown))


async def show_latest(update: Update, context: Context) -> None:
    """Show the newest articles, of a topic when one is named."""
    chat = update.effective_chat
    if chat is None:
        return
    lang = reply_language(update)
    await reply_view(update, await latest_view(context, chat.id, lang, context.args or []))


async def turn_article_page(update: Update, context: Context) -> None:
    """Show the older or newer page of an article list in place."""
    query = update.callback_query
    assert query is not None
    lang = reply_language(update)
    button = ArticlePageButton.parse(context.match)
    chat = update.effective_chat
    view = None
    if button is not None and chat is not None and 1 <= button.size <= MAX_PAGE_SIZE:
        view = await article_page(
            context,
            chat.id,
            lang,
            button.scope,
            button.size,
            direction=button.direction,
            anchor=button.anchor,
            index=max(1, button.index),
        )
    await replace_page(query, view, t(lang, "reading.stale_page"))


async def open_topic(update: Update, context: Context) -> None:
    """Show a topic's newest articles in a new message."""
    query = update.callback_query
    assert query is not None
    lang = reply_language(update)
    button = TopicButton.parse(context.match)
    chat = update.effective_chat
    view = None
    if button is not None and chat is not None and 1 <= button.size <= MAX_PAGE_SIZE:
        scope = Scope("t", button.topic_id)
        view = await article_page(context, chat.id, lang, scope, button.size)
    await _send_page(query, context, chat, lang, view)


async def _send_page(
    query: CallbackQuery, context: Context, chat: Chat | None, lang: str, view: View | None
) -> None:
    """Answer a button that opens a page: the page in a new message, or that it is stale."""
    if view is None or chat is None:
        await query.answer(t(lang, "reading.stale_button"))
        return
    await query.answer()
    await context.bot.send_message(chat.id, view.text, reply_markup=view.markup)


# --- /article --------------------------------------------------------------------------


async def show_article(update: Update, context: Context) -> None:
    """Send the whole article numbered so in the chat's last list (/latest, a search…)."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    lang = reply_language(update)
    match = _ARTICLE_ARG.fullmatch(" ".join(context.args or []).strip())
    if match is None:
        await reply_view(update, View(t(lang, "reading.article.usage")))
        return
    number = int(match[1])
    article_id = await chats.listed_article(context.bot_data.db.reader, chat.id, number)
    if article_id is None:
        await reply_view(update, View(t(lang, "reading.article.not_in_list", number=number)))
        return
    reply_to = message.message_id if in_group(update) else None
    if not await send_article(context, chat.id, article_id, lang, reply_to=reply_to):
        await reply_view(update, View(t(lang, "reading.article.not_found")))


async def open_article(update: Update, context: Context) -> None:
    """Open an article from a button: here in a private chat, through the bot in a group."""
    query = update.callback_query
    assert query is not None
    lang = reply_language(update)
    button = ArticleButton.parse(context.match)
    chat = update.effective_chat
    article = None
    if button is not None:
        article = await articles.get_article(context.bot_data.db.reader, button.article_id)
    if article is None or chat is None:
        await query.answer(t(lang, "reading.article.gone"), show_alert=True)
        return
    if chat.type != "private":
        # A whole article pressed open by anyone would flood the group: Telegram opens the
        # private chat with the bot instead, on this article (Bot API: answer with a t.me URL).
        url = deep_link(context.bot.username, f"article-{article.id}")
        await query.answer(url=url)
        return
    await query.answer()
    await send_loaded_article(context, chat.id, article, lang)


# --- /author and /authors --------------------------------------------------------------


async def _match_author(
    reader: Connection, name: str
) -> tuple[Author | None, list[Author], list[Author]]:
    """Return (the author, several matches to choose from, close names) for a typed name."""
    folded = fold_query(name)
    if not folded:
        return None, [], []
    exact = await articles.get_author_by_key(reader, folded)
    if exact is not None and exact.article_count:
        return exact, [], []
    found = [a for a in await articles.find_authors(reader, folded, _CHOICES) if a.article_count]
    words = folded.split()
    if not found and len(words) > 1:
        # "Traoré Aboubacar": the words in another order. Look for the longest one, keep
        # the names holding every word.
        longest = max(words, key=len)
        found = [
            author
            for author in await articles.find_authors(reader, longest, _CHOICES * 4)
            if author.article_count and all(word in author.key for word in words)
        ][:_CHOICES]
    return await _settle(found, lambda: articles.author_candidates(reader, folded), folded)


def _author_buttons(authors: Sequence[Author]) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(
            f"{excerpt(author.name, BUTTON_NAME_CHARS)} ({author.article_count})",
            callback_data=AuthorButton(author.id).pack(),
        )
        for author in authors
    ]


async def author_view(context: Context, chat_id: int, lang: str, name: str) -> View:
    """Return the answer to /author <name>."""
    reader = context.bot_data.db.reader
    author, choices, close = await _match_author(reader, name)
    if author is not None:
        view = await article_page(context, chat_id, lang, Scope("a", author.id), subject=author)
        if view is not None:
            return view
    return _unmatched_view(
        lang, "reading.author", name, _author_buttons(choices), _author_buttons(close)
    )


async def show_author(update: Update, context: Context) -> None:
    """Show the articles of the author named (the list of authors when none is)."""
    chat = update.effective_chat
    if chat is None:
        return
    lang = reply_language(update)
    name = " ".join(context.args or []).strip()
    if not name:
        view = await authors_view(context, lang, 0)
        await reply_view(update, view or View(t(lang, "reading.authors.empty")))
        return
    await reply_view(update, await author_view(context, chat.id, lang, name))


async def open_author(update: Update, context: Context) -> None:
    """Show an author's articles in a new message."""
    query = update.callback_query
    assert query is not None
    lang = reply_language(update)
    button = AuthorButton.parse(context.match)
    chat = update.effective_chat
    view = None
    if button is not None and chat is not None:
        view = await article_page(context, chat.id, lang, Scope("a", button.author_id))
    await _send_page(query, context, chat, lang, view)


async def authors_view(context: Context, lang: str, offset: int) -> View | None:
    """Return a page of the authors, most prolific first; None past the end."""
    page = await articles.list_authors(context.bot_data.db.reader, LIST_PAGE_SIZE, offset)
    if not page.items:
        return None
    lines = [
        f"{offset + position}. {escape(author.name)} — {count_articles(lang, author.article_count)}"
        for position, author in enumerate(page.items, start=1)
    ]
    text = "\n".join([t(lang, "reading.authors.header"), "", *lines])
    buttons = _author_buttons(page.items)
    rows = [buttons[start : start + 2] for start in range(0, len(buttons), 2)]
    rows.append(page_turns(AuthorsPageButton, offset, LIST_PAGE_SIZE, page.has_more, lang))
    return View(text, markup(rows))


async def show_authors(update: Update, context: Context) -> None:
    """List the authors with their article counts."""
    lang = reply_language(update)
    view = await authors_view(context, lang, 0)
    await reply_view(update, view or View(t(lang, "reading.authors.empty")))


# --- /topics ---------------------------------------------------------------------------


async def turn_authors_page(update: Update, context: Context) -> None:
    """Show another page of /authors in place."""
    query = update.callback_query
    assert query is not None
    lang = reply_language(update)
    button = AuthorsPageButton.parse(context.match)
    view = None
    if button is not None and update.effective_chat is not None:
        view = await authors_view(context, lang, button.offset)
    await replace_page(query, view, t(lang, "reading.stale_page"))


async def turn_topics_page(update: Update, context: Context) -> None:
    """Show another page of /topics in place."""
    query = update.callback_query
    assert query is not None
    lang = reply_language(update)
    button = TopicsPageButton.parse(context.match)
    chat = update.effective_chat
    view = None
    if button is not None and chat is not None:
        view = await topics_view(context, chat.id, lang, button.offset, group=in_group(update))
    await replace_page(query, view, t(lang, "reading.stale_page"))


# --- wiring ----------------------------------------------------------------------------


def register(application: NewsbotApplication) -> None:
    # New messages only: an edited "/latest" would answer a second time.
    fresh = filters.UpdateType.MESSAGE
    application.add_handlers(
        [
            CommandHandler(command_names("latest"), show_latest, filters=fresh),
            CommandHandler(command_names("article"), show_article, filters=fresh),
            CommandHandler(command_names("author"), show_author, filters=fresh),
            CommandHandler(command_names("authors"), show_authors, filters=fresh),
            CommandHandler(command_names("topics"), show_topics, filters=fresh),
            CallbackQueryHandler(open_article, pattern=ArticleButton.PATTERN),
            CallbackQueryHandler(turn_article_page, pattern=ArticlePageButton.PATTERN),
            CallbackQueryHandler(open_author, pattern=AuthorButton.PATTERN),
            CallbackQueryHandler(open_topic, pattern=TopicButton.PATTERN),
            CallbackQueryHandler(turn_authors_page, pattern=AuthorsPageButton.PATTERN),
            CallbackQueryHandler(turn_topics_page, pattern=TopicsPageButton.PATTERN),
        ]
    )
