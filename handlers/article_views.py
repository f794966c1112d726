"""Article views several features show: a page of articles, a whole article, the topics.

Shared, importable by any feature (a feature never imports another feature): /latest and
the topic and author pages (handlers/reading.py), deep links (handlers/start.py) and
/subscribe without a name (handlers/subscriptions.py) show the same things.

Article lists page by keyset (the article at the edge of the page), so a page stays right
while articles are published, and buttons survive a restart of the bot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters, Update
from telegram.error import BadRequest

from bot.buttons import ArticleButton, ArticlePageButton, Scope, TopicsPageButton
from bot.formatting import (
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
    is_newsroom,
    render_article,
    visible_length,
)
from bot.i18n import de, t, t_chat
from db import Connection, articles, chats
from db.models import Article, Author, Page, Topic
from handlers.access import reply_language
from handlers.views import (
    BUTTON_NAME_CHARS,
    View,
    article_buttons,
    count_articles,
    deep_link,
    deep_link_key,
    fit_cards,
    in_group,
    markup,
    page_turns,
    reply_view,
    subscription_button,
)

if TYPE_CHECKING:
    from bot.context import Context

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "LIST_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "article_page",
    "remember_list",
    "send_article",
    "send_loaded_article",
    "show_topics",
    "topics_view",
]

DEFAULT_PAGE_SIZE = 5
MAX_PAGE_SIZE = 10
LIST_PAGE_SIZE = 10  # /authors and /topics
RELATED_COUNT = 3
_RELATED_TITLE_CHARS = 60
_SHARE_QUERY_CHARS = 64  # the title's start: enough for the inline search to find it first


def _timezone(context: Context) -> str:
    return context.bot_data.settings.timezone


# --- article lists: /latest, a topic's, an author's --------------------------------------


async def _older(
    reader: Connection, scope: Scope, size: int, cursor: articles.Cursor | None
) -> Page[Article]:
    if scope.kind == "t":
        return await articles.articles_by_topic(reader, scope.id, size, cursor)
    if scope.kind == "a":
        return await articles.articles_by_author(reader, scope.id, size, cursor)
    return await articles.latest_articles(reader, size, cursor)


async def _newer(
    reader: Connection, scope: Scope, size: int, cursor: articles.Cursor
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
            de_name=de(escape(subject.name)),
            articles=count_articles(lang, subject.article_count),
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
    navigation = []
    if has_newer and items:
        newer = ArticlePageButton(scope, "n", items[0].id, size, index)
        navigation.append(
            InlineKeyboardButton(t(lang, "reading.button.newer"), callback_data=newer.pack())
        )
    if has_older and items:
        older = ArticlePageButton(scope, "o", items[-1].id, size, index + len(items))
        navigation.append(
            InlineKeyboardButton(t(lang, "reading.button.older"), callback_data=older.pack())
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
    await remember_list(context, chat_id, index, items)
    return View(text, markup(rows))


async def remember_list(
    context: Context, chat_id: int, first_number: int, items: Sequence[Article]
) -> None:
    """Keep the numbered list a chat is shown, so that "/article 2" opens its second article."""
    if not items:
        return
    async with context.bot_data.db.transaction() as conn:
        await chats.remember_list(conn, chat_id, first_number, [item.id for item in items])


async def _followed(reader: Connection, chat_id: int) -> set[tuple[str, int]]:
    """Return what a chat follows, as ("t", topic_id) and ("a", author_id)."""
    return {
        ("t", s.topic.id) if s.topic is not None else ("a", s.target.id)
        for s in await chats.chat_subscriptions(reader, chat_id)
    }


# --- a whole article ------------------------------------------------------------------


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


def _article_markup(
    article: Article, related: Sequence[Article], followed: set[tuple[str, int]], lang: str
) -> InlineKeyboardMarkup | None:
    """Return the article's buttons: share it, follow its authors and topics, "Lire aussi"."""
    share = InlineKeyboardButton(
        t(lang, "reading.button.share"),
        switch_inline_query=excerpt(article.title, _SHARE_QUERY_CHARS).rstrip("…"),
    )
    follows = [
        subscription_button("a", author.id, author.name, ("a", author.id) in followed, lang)
        for author in article.authors
        if not is_newsroom(author.name)
    ]
    follows += [
        subscription_button(
            "t",
            topic.id,
            excerpt(hashtag(topic.name) or topic.name, BUTTON_NAME_CHARS),
            ("t", topic.id) in followed,
            lang,
        )
        for topic in article.topics
    ]
    rows = [[share], *(follows[start : start + 2] for start in range(0, len(follows), 2))]
    rows += [
        [
            InlineKeyboardButton(
                excerpt(related_article.title, _RELATED_TITLE_CHARS),
                callback_data=ArticleButton(related_article.id).pack(),
            )
        ]
        for related_article in related
    ]
    return markup(rows)


async def send_article(
    context: Context, chat_id: int, article_id: int, lang: str, *, reply_to: int | None = None
) -> bool:
    """Send a whole article to a chat: photo and caption, text parts, "Lire aussi" buttons.

    Return False, sending nothing, when there is no such published article.
    """
    article = await articles.get_article(context.bot_data.db.reader, article_id)
    if article is None:
        return False
    await send_loaded_article(context, chat_id, article, lang, reply_to=reply_to)
    return True


async def send_loaded_article(
    context: Context, chat_id: int, article: Article, lang: str, *, reply_to: int | None = None
) -> None:
    """Send an article already read from the database, as `send_article` does."""
    reader = context.bot_data.db.reader
    tz = _timezone(context)
    related = await articles.related_articles(reader, article, RELATED_COUNT)
    markup = _article_markup(article, related, await _followed(reader, chat_id), lang)
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


# --- /topics ---------------------------------------------------------------------------


async def topics_view(
    context: Context, chat_id: int, lang: str, offset: int, *, group: bool = False
) -> View | None:
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
        [
            t(lang, "reading.topics.header"),
            "",
            *lines,
            "",
            t_chat(lang, "reading.topics.hint", group=group),
        ]
    )
    toggles = [
        subscription_button("t", topic.id, topic.name, ("t", topic.id) in followed, lang)
        for topic in page.items
    ]
    rows = [toggles[start : start + 2] for start in range(0, len(toggles), 2)]
    rows.append(page_turns(TopicsPageButton, offset, LIST_PAGE_SIZE, page.has_more, lang))
    return View(text, markup(rows))


async def show_topics(update: Update, context: Context) -> None:
    """List the topics with their article counts and subscription toggles."""
    chat = update.effective_chat
    if chat is None:
        return
    lang = reply_language(update)
    view = await topics_view(context, chat.id, lang, 0, group=in_group(update))
    await reply_view(update, view or View(t(lang, "reading.topics.empty")))
