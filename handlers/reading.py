"""Reading the news: /latest, /article, /author, /authors, /topics and their buttons.

Callback data (at most 64 bytes, checked strictly; anything else gets a polite answer):

    art:<article_id>                       open an article (also the alerts' "Lire l'article")
    pg:<scope>:<o|n>:<article_id>:<size>:<index>
                                           turn an article list in place: older (o) than the
                                           last article shown, or newer (n) than the first;
                                           scope is l (latest), t<topic_id> or a<author_id>;
                                           index numbers the first card of the page
    au:<author_id>                         open an author's articles (a new message)
    tp:<topic_id>:<size>                   open a topic's articles (a new message)
    aus:<offset> / tps:<offset>            turn the /authors or /topics list in place
    sub:t:<topic_id> / sub:a:<author_id>   subscription toggles (handlers/subscriptions.py)

Article lists page by keyset (the article at the edge of the page), so a page stays right
while articles are published, and buttons survive a restart of the bot.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal, TypeVar

import aiosqlite
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.formatting import (
    CARD_LEAD_CHARS,
    MAX_CAPTION,
    MAX_ENTITIES,
    MAX_TEXT,
    article_list,
    entity_count,
    escape,
    excerpt,
    format_short_date,
    hashtag,
    hashtags,
    render_article,
    split_html,
    visible_length,
)
from bot.i18n import plural, t
from bot.site import closest, fold, fold_query
from db import articles, chats
from db.models import Article, Author, Page, Topic
from handlers.access import reply_language
from handlers.buttons import BUTTON_NAME_CHARS, subscription_button

if TYPE_CHECKING:
    from telegram import CallbackQuery

    from bot.context import Context, NewsbotApplication

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "Scope",
    "View",
    "article_buttons",
    "article_page",
    "count_articles",
    "deep_link",
    "deep_link_key",
    "fit_cards",
    "register",
    "replace_view",
    "reply_view",
    "send_article",
]

DEFAULT_PAGE_SIZE = 5
MAX_PAGE_SIZE = 10
LIST_PAGE_SIZE = 10  # /authors and /topics
RELATED_COUNT = 3
_BUTTONS_PER_ROW = 5
_CHOICES = 8  # several authors or topics match: at most this many buttons
_SUGGESTIONS = 5  # nothing matches: at most this many close names
_RELATED_TITLE_CHARS = 60
_DEEP_LINK_KEY = re.compile(r"[a-z0-9_]{1,57}")  # 64 bytes of payload minus "author-"

_PAGE_DATA = re.compile(r"pg:(l|[ta]\d{1,18}):([on]):(\d{1,18}):(\d{1,2}):(\d{1,7})")
_ARTICLE_DATA = re.compile(r"art:(\d{1,18})")
_AUTHOR_DATA = re.compile(r"au:(\d{1,18})")
_TOPIC_DATA = re.compile(r"tp:(\d{1,18}):(\d{1,2})")
_LIST_DATA = re.compile(r"(aus|tps):(\d{1,6})")
_NUMBER_ARG = re.compile(r"[+-]?\d+")
_ARTICLE_ARG = re.compile(r"#?(\d{1,18})")

T = TypeVar("T", Author, Topic)


@dataclass(frozen=True, slots=True)
class View:
    """One message the bot shows: HTML text and its inline keyboard."""

    text: str
    markup: InlineKeyboardMarkup | None = None


@dataclass(frozen=True, slots=True)
class Scope:
    """Which articles a list shows: the latest ("l"), a topic's ("t") or an author's ("a")."""

    kind: Literal["l", "t", "a"]
    id: int = 0

    def encode(self) -> str:
        return "l" if self.kind == "l" else f"{self.kind}{self.id}"

    @classmethod
    def decode(cls, raw: str) -> Scope:
        if raw == "l":
            return cls("l")
        kind: Literal["t", "a"] = "t" if raw[0] == "t" else "a"
        return cls(kind, int(raw[1:]))


# --- helpers shared with search and start ----------------------------------------------


def deep_link_key(name: str) -> str | None:
    """Return the key of a topic or author in a /start payload ("Awa Keïta" -> "awa_keita").

    None when the folded name holds characters a payload cannot carry, or is too long.
    """
    key = fold(name).replace(" ", "_")
    return key if _DEEP_LINK_KEY.fullmatch(key) else None


def deep_link(bot_username: str | None, payload: str) -> str | None:
    """Return the t.me link that opens the bot with /start `payload`."""
    return f"https://t.me/{bot_username}?start={payload}" if bot_username else None


def count_articles(lang: str, count: int) -> str:
    """Return "1 article" / "12 articles", the number written the language's way."""
    return plural(lang, "reading.count", count)


def fit_cards(header: str, cards_for: Callable[[int], list[str]]) -> str:
    """Return the header and cards as one message, shortening excerpts until it fits."""
    text = header
    for lead_chars in (CARD_LEAD_CHARS, CARD_LEAD_CHARS // 2, 0):
        text = "\n\n".join([header, *cards_for(lead_chars)])
        if visible_length(text) <= MAX_TEXT and entity_count(text) <= MAX_ENTITIES:
            return text
    return split_html(text)[0]


def article_buttons(items: Sequence[Article], first_index: int) -> list[list[InlineKeyboardButton]]:
    """Return numbered buttons opening each article of a list, in rows of five."""
    buttons = [
        InlineKeyboardButton(str(first_index + position), callback_data=f"art:{article.id}")
        for position, article in enumerate(items)
    ]
    return [
        buttons[start : start + _BUTTONS_PER_ROW]
        for start in range(0, len(buttons), _BUTTONS_PER_ROW)
    ]


def _markup(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup | None:
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None


def _in_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type != "private"


async def reply_view(update: Update, view: View) -> None:
    """Answer the update's message with a view; quote the command in groups, where it helps."""
    message = update.effective_message
    if message is None:
        return
    await message.reply_text(view.text, reply_markup=view.markup, do_quote=_in_group(update))


async def replace_view(query: CallbackQuery, view: View) -> None:
    """Show a view in place of the message whose button was pressed (already answered)."""
    try:
        await query.edit_message_text(view.text, reply_markup=view.markup)
    except BadRequest as error:
        # Pressed twice: the page is already there. Anything else (a message too old to
        # edit, a photo): show the page as a new message rather than nothing.
        if "not modified" in error.message.lower():
            return
        message = query.message
        if message is None:
            raise
        await message.get_bot().send_message(message.chat.id, view.text, reply_markup=view.markup)


def _timezone(context: Context) -> str:
    return context.bot_data.settings.timezone


# --- article lists: /latest, a topic's, an author's --------------------------------------


async def _older(
    reader: aiosqlite.Connection, scope: Scope, size: int, cursor: articles.Cursor | None
) -> Page[Article]:
    if scope.kind == "t":
        return await articles.articles_by_topic(reader, scope.id, size, cursor)
    if scope.kind == "a":
        return await articles.articles_by_author(reader, scope.id, size, cursor)
    return await articles.latest_articles(reader, size, cursor)


async def _newer(
    reader: aiosqlite.Connection, scope: Scope, size: int, cursor: articles.Cursor
) -> Page[Article]:
    if scope.kind == "t":
        return await articles.newer_articles_by_topic(reader, scope.id, size, cursor)
    if scope.kind == "a":
        return await articles.newer_articles_by_author(reader, scope.id, size, cursor)
    return await articles.newer_articles(reader, size, cursor)


def _author_cards(
    items: Sequence[Article], lang: str, tz: str, first_index: int
) -> Callable[[int], list[str]]:
    # The site's "Les articles de l'auteur": title, date, excerpt; the byline would only
    # repeat the header.
    def cards(lead_chars: int) -> list[str]:
        result = []
        for position, article in enumerate(items):
            title = escape(excerpt(article.title, 200))
            meta = [
                hashtags(article.topics),
                escape(format_short_date(article.published_at, lang, tz)),
            ]
            lines = [f"<b>{first_index + position}. {title}</b>", " · ".join(m for m in meta if m)]
            if lead_chars and article.lead.strip():
                lines.append(escape(excerpt(article.lead, lead_chars)))
            result.append("\n".join(lines))
        return result

    return cards


async def article_page(
    context: Context,
    chat_id: int,
    lang: str,
    scope: Scope,
    size: int = DEFAULT_PAGE_SIZE,
    *,
    direction: Literal["o", "n"] | None = None,
    anchor: int | None = None,
    index: int = 1,
    subject: Topic | Author | None = None,
) -> View | None:
    """Return a page of the latest, a topic's or an author's articles; None if it is gone.

    Without an anchor, the newest page. With one, the page older ("o") than the anchor
    article or newer ("n") than it; `index` is the number of the anchor's card plus one
    (older) or the anchor's own number (newer). `subject` saves a query when the caller
    already holds the scope's topic or author.
    """
    reader = context.bot_data.db.reader
    tz = _timezone(context)
    if subject is None and scope.kind == "t":
        subject = await articles.get_topic(reader, scope.id)
    elif subject is None and scope.kind == "a":
        subject = await articles.get_author(reader, scope.id)
    if scope.kind != "l" and subject is None:
        return None
    cursor = None
    if anchor is not None:
        cursor = await articles.article_cursor(reader, anchor)
        if cursor is None:
            return None
    if direction == "n" and cursor is not None:
        page = await _newer(reader, scope, size, cursor)
        has_newer = page.has_more
        if has_newer:
            index = max(1, index - len(page.items))
        else:
            # Back at the top: show the newest page itself, full and numbered from 1.
            page, index = await _older(reader, scope, size, None), 1
        has_older = True if has_newer else page.has_more
    else:
        page = await _older(reader, scope, size, cursor)
        if cursor is not None and not page.items:
            return None  # the older articles were withdrawn since the page was shown
        has_newer, has_older = cursor is not None, page.has_more

    items = page.items
    if isinstance(subject, Topic):
        tag = escape(hashtag(subject.name) or subject.name)
        header = t(lang, "reading.topic.header", topic=tag)
        empty = t(lang, "reading.topic.empty", topic=tag)
    elif isinstance(subject, Author):
        header = t(
            lang,
            "reading.author.header",
            name=escape(subject.name),
            count=count_articles(lang, subject.article_count),
        )
        empty = t(lang, "reading.author.empty", name=escape(subject.name))
    else:
        header = t(lang, "reading.latest.header")
        empty = t(lang, "reading.latest.empty")
    if not items:
        text = f"{header}\n\n{empty}"
    elif isinstance(subject, Author):
        text = fit_cards(header, _author_cards(items, lang, tz, index))
    else:
        text = article_list(items, lang, tz, header, first_index=index)

    rows = article_buttons(items, index)
    code = scope.encode()
    navigation = []
    if has_newer and items:
        navigation.append(
            InlineKeyboardButton(
                t(lang, "reading.button.newer"),
                callback_data=f"pg:{code}:n:{items[0].id}:{size}:{index}",
            )
        )
    if has_older and items:
        navigation.append(
            InlineKeyboardButton(
                t(lang, "reading.button.older"),
                callback_data=f"pg:{code}:o:{items[-1].id}:{size}:{index + len(items)}",
            )
        )
    rows.append(navigation)
    if subject is not None:
        kind: Literal["t", "a"] = "t" if isinstance(subject, Topic) else "a"
        followed = await _followed(reader, chat_id)
        rows.append(
            [
                subscription_button(
                    kind, subject.id, subject.name, (kind, subject.id) in followed, lang
                )
            ]
        )
    return View(text, _markup(rows))


async def _followed(reader: aiosqlite.Connection, chat_id: int) -> set[tuple[str, int]]:
    """Return what a chat follows, as ("t", topic_id) and ("a", author_id)."""
    return {
        ("t", s.topic.id) if s.topic is not None else ("a", s.target.id)
        for s in await chats.chat_subscriptions(reader, chat_id)
    }


def _parse_latest_args(args: Sequence[str]) -> tuple[int, str]:
    """Split /latest's arguments into a page size (1 to 10) and a topic name."""
    size = DEFAULT_PAGE_SIZE
    words = []
    number_seen = False
    for arg in args:
        if not number_seen and _NUMBER_ARG.fullmatch(arg):
            size = min(max(int(arg), 1), MAX_PAGE_SIZE)
            number_seen = True
        else:
            words.append(arg)
    return size, " ".join(words).strip()


async def _match_topic(
    reader: aiosqlite.Connection, name: str
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
    if len(found) == 1:
        return found[0], [], []
    if found:
        return None, found, []
    return (
        None,
        [],
        closest(folded, await articles.topic_candidates(reader, folded), limit=_SUGGESTIONS),
    )


def _topic_buttons(topics: Sequence[Topic], size: int) -> list[list[InlineKeyboardButton]]:
    return [
        [
            InlineKeyboardButton(
                f"{excerpt(hashtag(topic.name) or topic.name, BUTTON_NAME_CHARS)} "
                f"({topic.article_count})",
                callback_data=f"tp:{topic.id}:{size}",
            )
        ]
        for topic in topics
    ]


async def latest_view(context: Context, chat_id: int, lang: str, args: Sequence[str]) -> View:
    """Return the answer to /latest [n] [topic]."""
    size, topic_name = _parse_latest_args(args)
    if not topic_name:
        view = await article_page(context, chat_id, lang, Scope("l"), size)
        assert view is not None  # the latest list has no subject that could be gone
        return view
    reader = context.bot_data.db.reader
    topic, choices, close = await _match_topic(reader, topic_name)
    if topic is not None:
        view = await article_page(context, chat_id, lang, Scope("t", topic.id), size, subject=topic)
        if view is not None:
            return view
    shown = escape(excerpt(topic_name, 60))
    if choices:
        return View(
            t(lang, "reading.topic.choose", query=shown),
            _markup(_topic_buttons(choices, size)),
        )
    if close:
        return View(
            t(lang, "reading.topic.unknown_close", query=shown),
            _markup(_topic_buttons(close, size)),
        )
    return View(t(lang, "reading.topic.unknown", query=shown))


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
    match = _PAGE_DATA.fullmatch(query.data or "")
    chat = update.effective_chat
    view = None
    if match is not None and chat is not None:
        size = int(match[4])
        if 1 <= size <= MAX_PAGE_SIZE:
            direction: Literal["o", "n"] = "o" if match[2] == "o" else "n"
            view = await article_page(
                context,
                chat.id,
                lang,
                Scope.decode(match[1]),
                size,
                direction=direction,
                anchor=int(match[3]),
                index=max(1, int(match[5])),
            )
    if view is None:
        await query.answer(t(lang, "reading.stale_page"))
        return
    await query.answer()
    await replace_view(query, view)


async def open_topic(update: Update, context: Context) -> None:
    """Show a topic's newest articles in a new message."""
    query = update.callback_query
    assert query is not None
    lang = reply_language(update)
    match = _TOPIC_DATA.fullmatch(query.data or "")
    chat = update.effective_chat
    view = None
    if match is not None and chat is not None and 1 <= int(match[2]) <= MAX_PAGE_SIZE:
        view = await article_page(context, chat.id, lang, Scope("t", int(match[1])), int(match[2]))
    if view is None or chat is None:
        await query.answer(t(lang, "reading.stale_button"))
        return
    await query.answer()
    await context.bot.send_message(chat.id, view.text, reply_markup=view.markup)


# --- /article --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Part:
    text: str
    photo_url: str | None = None  # a photo message with `text` as its caption


def _with_related(parts: list[_Part], related: Sequence[Article], lang: str) -> list[_Part]:
    """End the article with "Lire aussi" above the related buttons, on its last part if room."""
    if not related:
        return parts
    heading = t(lang, "reading.article.related")
    last = parts[-1]
    limit = MAX_CAPTION if last.photo_url else MAX_TEXT
    joined = f"{last.text}\n\n{heading}"
    if visible_length(joined) <= limit and entity_count(joined) <= MAX_ENTITIES:
        return [*parts[:-1], replace(last, text=joined)]
    return [*parts, _Part(heading)]


def _related_markup(related: Sequence[Article]) -> InlineKeyboardMarkup | None:
    return _markup(
        [
            [
                InlineKeyboardButton(
                    excerpt(article.title, _RELATED_TITLE_CHARS), callback_data=f"art:{article.id}"
                )
            ]
            for article in related
        ]
    )


async def send_article(
    context: Context, chat_id: int, article_id: int, lang: str, *, reply_to: int | None = None
) -> bool:
    """Send a whole article to a chat: photo and caption, text parts, "Lire aussi" buttons.

    Return False, sending nothing, when there is no such published article.
    """
    article = await articles.get_article(context.bot_data.db.reader, article_id)
    if article is None:
        return False
    await _send_loaded_article(context, chat_id, article, lang, reply_to=reply_to)
    return True


async def _send_loaded_article(
    context: Context, chat_id: int, article: Article, lang: str, *, reply_to: int | None = None
) -> None:
    reader = context.bot_data.db.reader
    tz = _timezone(context)
    related = await articles.related_articles(reader, article, RELATED_COUNT)
    markup = _related_markup(related)
    rendering = render_article(article, lang, tz)
    parts: list[_Part] = []
    if rendering.photo_url is not None and rendering.caption is not None:
        parts.append(_Part(rendering.caption, rendering.photo_url))
    parts.extend(_Part(text) for text in rendering.messages)
    parts = _with_related(parts, related, lang)

    bot = context.bot
    for number, part in enumerate(parts):
        last = number == len(parts) - 1
        reply = (
            ReplyParameters(reply_to, allow_sending_without_reply=True)
            if number == 0 and reply_to is not None
            else None
        )
        if part.photo_url is not None:
            try:
                await bot.send_photo(
                    chat_id,
                    part.photo_url,
                    caption=part.text,
                    reply_markup=markup if last else None,
                    reply_parameters=reply,
                )
                continue
            except BadRequest:
                # Telegram could not fetch the picture: the article still reads without it.
                text_only = render_article(replace(article, image_url=None), lang, tz)
                fallback = _with_related([_Part(m) for m in text_only.messages], related, lang)
                for index, text in enumerate(fallback):
                    await bot.send_message(
                        chat_id,
                        text.text,
                        reply_markup=markup if index == len(fallback) - 1 else None,
                        reply_parameters=reply if index == 0 else None,
                    )
                return
        await bot.send_message(
            chat_id, part.text, reply_markup=markup if last else None, reply_parameters=reply
        )


async def show_article(update: Update, context: Context) -> None:
    """Send the whole article whose number is given."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    lang = reply_language(update)
    match = _ARTICLE_ARG.fullmatch(" ".join(context.args or []).strip())
    if match is None:
        await reply_view(update, View(t(lang, "reading.article.usage")))
        return
    reply_to = message.message_id if _in_group(update) else None
    if not await send_article(context, chat.id, int(match[1]), lang, reply_to=reply_to):
        await reply_view(update, View(t(lang, "reading.article.not_found")))


async def open_article(update: Update, context: Context) -> None:
    """Open an article from a button: here in a private chat, through the bot in a group."""
    query = update.callback_query
    assert query is not None
    lang = reply_language(update)
    match = _ARTICLE_DATA.fullmatch(query.data or "")
    chat = update.effective_chat
    article = None
    if match is not None:
        article = await articles.get_article(context.bot_data.db.reader, int(match[1]))
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
    await _send_loaded_article(context, chat.id, article, lang)


# --- /author and /authors --------------------------------------------------------------


async def _match_author(
    reader: aiosqlite.Connection, name: str
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
    if len(found) == 1:
        return found[0], [], []
    if found:
        return None, found, []
    return (
        None,
        [],
        closest(folded, await articles.author_candidates(reader, folded), limit=_SUGGESTIONS),
    )


def _author_buttons(authors: Sequence[Author]) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(
            f"{excerpt(author.name, BUTTON_NAME_CHARS)} ({author.article_count})",
            callback_data=f"au:{author.id}",
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
    shown = escape(excerpt(name, 60))
    if choices:
        rows = [[button] for button in _author_buttons(choices)]
        return View(t(lang, "reading.author.choose", query=shown), _markup(rows))
    if close:
        rows = [[button] for button in _author_buttons(close)]
        return View(t(lang, "reading.author.unknown_close", query=shown), _markup(rows))
    return View(t(lang, "reading.author.unknown", query=shown))


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
    match = _AUTHOR_DATA.fullmatch(query.data or "")
    chat = update.effective_chat
    view = None
    if match is not None and chat is not None:
        view = await article_page(context, chat.id, lang, Scope("a", int(match[1])))
    if view is None or chat is None:
        await query.answer(t(lang, "reading.stale_button"))
        return
    await query.answer()
    await context.bot.send_message(chat.id, view.text, reply_markup=view.markup)


def _list_navigation(
    prefix: str, offset: int, has_more: bool, lang: str
) -> list[InlineKeyboardButton]:
    row = []
    if offset > 0:
        previous = max(0, offset - LIST_PAGE_SIZE)
        row.append(
            InlineKeyboardButton(
                t(lang, "reading.button.previous"), callback_data=f"{prefix}:{previous}"
            )
        )
    if has_more:
        row.append(
            InlineKeyboardButton(
                t(lang, "reading.button.next"),
                callback_data=f"{prefix}:{offset + LIST_PAGE_SIZE}",
            )
        )
    return row


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
    rows.append(_list_navigation("aus", offset, page.has_more, lang))
    return View(text, _markup(rows))


async def show_authors(update: Update, context: Context) -> None:
    """List the authors with their article counts."""
    lang = reply_language(update)
    view = await authors_view(context, lang, 0)
    await reply_view(update, view or View(t(lang, "reading.authors.empty")))


# --- /topics ---------------------------------------------------------------------------


async def topics_view(context: Context, chat_id: int, lang: str, offset: int) -> View | None:
    """Return a page of the topics with counts and this chat's subscription toggles."""
    reader = context.bot_data.db.reader
    page = await articles.list_topics(reader, LIST_PAGE_SIZE, offset)
    if not page.items:
        return None
    followed = await _followed(reader, chat_id)
    username = context.bot.username
    lines = []
    for position, topic in enumerate(page.items, start=offset + 1):
        tag = escape(hashtag(topic.name) or topic.name)
        key = deep_link_key(topic.name)
        link = deep_link(username, f"topic-{key}") if key else None
        shown = f'<a href="{escape(link)}">{tag}</a>' if link else tag
        lines.append(f"{position}. {shown} — {count_articles(lang, topic.article_count)}")
    text = "\n".join(
        [t(lang, "reading.topics.header"), "", *lines, "", t(lang, "reading.topics.hint")]
    )
    toggles = [
        subscription_button("t", topic.id, topic.name, ("t", topic.id) in followed, lang)
        for topic in page.items
    ]
    rows = [toggles[start : start + 2] for start in range(0, len(toggles), 2)]
    rows.append(_list_navigation("tps", offset, page.has_more, lang))
    return View(text, _markup(rows))


async def show_topics(update: Update, context: Context) -> None:
    """List the topics with their article counts and subscription toggles."""
    chat = update.effective_chat
    if chat is None:
        return
    lang = reply_language(update)
    view = await topics_view(context, chat.id, lang, 0)
    await reply_view(update, view or View(t(lang, "reading.topics.empty")))


async def turn_list_page(update: Update, context: Context) -> None:
    """Show another page of /authors or /topics in place."""
    query = update.callback_query
    assert query is not None
    lang = reply_language(update)
    match = _LIST_DATA.fullmatch(query.data or "")
    chat = update.effective_chat
    view = None
    if match is not None and chat is not None:
        offset = int(match[2])
        if match[1] == "aus":
            view = await authors_view(context, lang, offset)
        else:
            view = await topics_view(context, chat.id, lang, offset)
    if view is None:
        await query.answer(t(lang, "reading.stale_page"))
        return
    await query.answer()
    await replace_view(query, view)


# --- wiring ----------------------------------------------------------------------------


def register(application: NewsbotApplication) -> None:
    # New messages only: an edited "/latest" would answer a second time.
    fresh = filters.UpdateType.MESSAGE
    application.add_handlers(
        [
            CommandHandler("latest", show_latest, filters=fresh),
            CommandHandler("article", show_article, filters=fresh),
            CommandHandler("author", show_author, filters=fresh),
            CommandHandler("authors", show_authors, filters=fresh),
            CommandHandler("topics", show_topics, filters=fresh),
            CallbackQueryHandler(open_article, pattern=r"^art:"),
            CallbackQueryHandler(turn_article_page, pattern=r"^pg:"),
            CallbackQueryHandler(open_author, pattern=r"^au:"),
            CallbackQueryHandler(open_topic, pattern=r"^tp:"),
            CallbackQueryHandler(turn_list_page, pattern=r"^(aus|tps):"),
        ]
    )
