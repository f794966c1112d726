"""Subscriptions: /subscribe, /unsubscribe, /subscriptions, their buttons, and chat membership.

Buttons (bot/buttons.py): `SubscriptionButton` toggles, follows or unfollows a topic or an
author (the toggles of /topics and of topic and author pages, a choice among several
matches, the /subscriptions list's remove buttons), `NewTopicButton` follows a topic no
article carries yet, `UnsubscribeAllButton` confirms /unsubscribe all; only those who may
manage the chat's subscriptions may press them. `SubscriptionsPageButton` turns the
/subscriptions list, for anyone.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Literal

from telegram import (
    CallbackQuery,
    Chat,
    ChatMember,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import follows, site
from bot.buttons import (
    NewTopicButton,
    SubscriptionButton,
    SubscriptionsPageButton,
    UnsubscribeAllButton,
    UnwatchButton,
)
from bot.formatting import escape, excerpt
from bot.i18n import de, plural, t, t_chat
from db import articles, chats, watches
from db.models import Author, Page, Subscription, Topic, Watch
from handlers.access import refuse_unless_chat_admin, reply_language, topic_thread
from handlers.article_views import show_topics
from handlers.menu import command_names
from handlers.views import in_group, page_turns, subscription_button

if TYPE_CHECKING:
    from bot.context import Context, NewsbotApplication

__all__ = ["register"]

Kind = Literal["t", "a"]
_MAX_CHOICES = 8
_NEW_TOPIC_MAX = 40  # characters of a new topic's name (callback_data holds 64 bytes)
# A page of /subscriptions: with names cut to _LIST_NAME_CHARS it stays far below 4,096
# characters, and its buttons (one per line, plus two to turn pages) below Telegram's 100.
_LIST_PAGE = 20
_LIST_NAME_CHARS = 80


# --- resolving what the reader typed ---------------------------------------------------


def _label(target: Topic | Author) -> str:
    return f"#{target.name}" if isinstance(target, Topic) else target.name


def _kind(target: Topic | Author) -> Kind:
    return "t" if isinstance(target, Topic) else "a"


async def _resolve(
    context: Context, text: str
) -> tuple[list[Topic | Author], list[Topic | Author]]:
    """Return (matches, near misses) for a topic or author name, topics first."""
    reader = context.bot_data.db.reader
    folded = site.fold_query(text.lstrip("#"))
    if not folded:
        return [], []
    exact = await articles.get_topic_by_key(reader, folded)
    if exact is not None:
        return [exact], []
    topics = await articles.find_topics(reader, folded, _MAX_CHOICES)
    authors = await articles.find_authors(reader, folded, _MAX_CHOICES)
    exact_authors = [a for a in authors if a.key == folded]
    if exact_authors:
        return list(exact_authors[:1]), []
    matches: list[Topic | Author] = [*topics, *authors]
    if matches:
        return matches[:_MAX_CHOICES], []
    return [], await _near_misses(context, folded)


async def _near_misses(context: Context, folded: str) -> list[Topic | Author]:
    """Return topics and authors close to a misspelt name ("Rusie", "Traore Aboubakar")."""
    reader = context.bot_data.db.reader
    pool: list[Topic | Author] = [
        *await articles.topic_candidates(reader, folded),
        *await articles.author_candidates(reader, folded),
    ]
    return site.closest(folded, pool, limit=3, threshold=0.75)


def _follow_button(target: Topic | Author) -> InlineKeyboardButton:
    button = SubscriptionButton(_kind(target), target.id, "follow")
    return InlineKeyboardButton(_label(target), callback_data=button.pack())


# --- changing subscriptions ------------------------------------------------------------


async def _subscribe(
    context: Context, chat_id: int, target: Topic | Author, thread: int = 0
) -> bool:
    async with context.bot_data.db.transaction() as conn:
        added = await chats.subscribe(
            conn,
            chat_id,
            time.time(),
            topic_id=target.id if isinstance(target, Topic) else None,
            author_id=target.id if isinstance(target, Author) else None,
            thread_id=thread,
        )
        if added:
            await follows.check_added(conn, chat_id)
        return added


async def _unsubscribe(
    context: Context, chat_id: int, kind: Kind, target_id: int, thread: int = 0
) -> bool:
    async with context.bot_data.db.transaction() as conn:
        return await chats.unsubscribe(
            conn,
            chat_id,
            topic_id=target_id if kind == "t" else None,
            author_id=target_id if kind == "a" else None,
            thread_id=thread,
        )


async def _named_target(
    update: Update, context: Context, *, or_else: Callable[[Update, Context], Awaitable[None]]
) -> str | None:
    """Return the name typed after the command; None once answered: refused, or nothing typed
    (then ``or_else`` answers)."""
    if await refuse_unless_chat_admin(update, context):
        return None
    wanted = " ".join(context.args or []).strip()
    if not wanted:
        await or_else(update, context)
        return None
    return wanted


def _confirmation(lang: str, target: Topic | Author, added: bool, *, group: bool) -> str:
    name = escape(_label(target))
    if isinstance(target, Topic):
        key = "sub.topic_added" if added else "sub.topic_already"
        return t_chat(lang, key, group=group, name=name)
    key = "sub.author_added" if added else "sub.author_already"
    return t_chat(lang, key, group=group, name=name, de_name=de(name))


async def subscribe(update: Update, context: Context) -> None:
    """Subscribe the chat to a topic or an author named in the command."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    lang = reply_language(update)
    if (wanted := await _named_target(update, context, or_else=show_topics)) is None:
        return
    matches, near = await _resolve(context, wanted)
    if len(matches) == 1:
        added = await _subscribe(context, chat.id, matches[0], topic_thread(message))
        await message.reply_text(_confirmation(lang, matches[0], added, group=in_group(update)))
        return
    if matches:
        rows = [[_follow_button(target)] for target in matches]
        await message.reply_text(t(lang, "sub.which_one"), reply_markup=InlineKeyboardMarkup(rows))
        return
    name = _new_topic_name(wanted)
    if near:
        rows = [[_follow_button(target)] for target in near]
        if name:
            rows.append(
                [
                    InlineKeyboardButton(
                        t(lang, "sub.new_topic_button", name=name),
                        callback_data=NewTopicButton(name).pack(),
                    )
                ]
            )
        await message.reply_text(
            t(lang, "sub.did_you_mean", word=escape(wanted)),
            reply_markup=InlineKeyboardMarkup(rows),
        )
        return
    if not name:
        await message.reply_text(t(lang, "sub.bad_name"))
        return
    await _subscribe_new_topic(context, chat.id, name, message, lang)


def _new_topic_name(text: str) -> str | None:
    """Return a hashtag-like topic name for a word no article uses yet, or None."""
    words = site.parse_title(f"#{text.lstrip('#').strip()} :").topics
    if len(words) != 1:
        return None
    name = words[0]
    if len(name) > _NEW_TOPIC_MAX or not NewTopicButton(name).fits():
        return None
    return name


async def _subscribe_new_topic(
    context: Context, chat_id: int, name: str, message: Message, lang: str
) -> None:
    key = site.fold(name)
    thread = topic_thread(message)
    async with context.bot_data.db.transaction() as conn:
        if await articles.get_topic_by_key(conn, key) is None:
            await follows.check_new_topic(conn, chat_id)
        topic = await articles.ensure_topic(conn, key, name)
        if await chats.subscribe(conn, chat_id, time.time(), topic_id=topic.id, thread_id=thread):
            await follows.check_added(conn, chat_id)
    group = message.chat.type != "private"
    text = t_chat(lang, "sub.new_topic_added", group=group, name=escape(f"#{topic.name}"))
    await message.reply_text(text)


async def unsubscribe(update: Update, context: Context) -> None:
    """Remove a subscription, or all of them after confirmation."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    lang = reply_language(update)
    if (wanted := await _named_target(update, context, or_else=list_subscriptions)) is None:
        return
    group = in_group(update)
    if site.fold(wanted) in {"all", "tout", "tous", "toutes"}:
        answers = [
            InlineKeyboardButton(
                t(lang, "sub.confirm_all_button"), callback_data=UnsubscribeAllButton().pack()
            ),
            InlineKeyboardButton(
                t(lang, "sub.keep_all_button"),
                callback_data=UnsubscribeAllButton(confirm=False).pack(),
            ),
        ]
        await message.reply_text(
            t_chat(lang, "sub.confirm_all", group=group),
            reply_markup=InlineKeyboardMarkup([answers]),
        )
        return
    thread = topic_thread(message)
    target = await _followed_match(context, chat.id, wanted, thread)
    if target is None:
        await message.reply_text(
            t_chat(lang, "sub.not_following", group=group, name=escape(wanted))
        )
        return
    await _unsubscribe(context, chat.id, _kind(target), target.id, thread)
    await message.reply_text(t_chat(lang, "sub.removed", group=group, name=escape(_label(target))))


async def _followed_match(
    context: Context, chat_id: int, wanted: str, thread: int = 0
) -> Topic | Author | None:
    """Return what the chat follows that `wanted` names, matched as /subscribe matches names
    ("Diakité", "diakite", "Ousmane Diakite" are one author); None when it follows no match."""
    reader = context.bot_data.db.reader
    followed = await chats.chat_subscriptions(reader, chat_id, thread_id=thread)
    folded = site.fold(wanted.lstrip("#"))
    for subscription in followed:
        if subscription.target.key == folded:
            return subscription.target
    matches, _ = await _resolve(context, wanted)
    wanted_ids = {(_kind(match), match.id) for match in matches}
    held = [s.target for s in followed if (_kind(s.target), s.target.id) in wanted_ids]
    return held[0] if len(held) == 1 else None


async def _list_page(
    context: Context,
    chat_id: int,
    lang: str,
    offset: int,
    *,
    group: bool = False,
    thread: int = 0,
) -> tuple[str, InlineKeyboardMarkup] | None:
    """Return a page of the chat's subscriptions, then its keyword watches, with their buttons
    (in a forum, those of one topic); None when it has none."""
    reader = context.bot_data.db.reader
    total = await chats.follow_count(reader, chat_id, thread_id=thread)
    if total == 0:
        return None
    # Past the end (removed since the page was shown): the last page.
    offset = min(offset, (total - 1) // _LIST_PAGE * _LIST_PAGE)
    subscribed = total - await watches.watch_count(reader, chat_id, thread)
    items: list[Subscription | Watch] = []
    if offset < subscribed:
        subs = await chats.subscriptions_page(reader, chat_id, _LIST_PAGE, offset, thread_id=thread)
        items.extend(subs.items)
    if len(items) < _LIST_PAGE:
        first = max(0, offset - subscribed)
        held = await watches.watches_page(reader, chat_id, thread, _LIST_PAGE - len(items), first)
        items.extend(held.items)
    if not items:
        return None
    page = Page(items, offset + _LIST_PAGE < total)
    lines = "\n".join(f"• {escape(excerpt(_list_label(s), _LIST_NAME_CHARS))}" for s in items)
    pages = -(-total // _LIST_PAGE)
    if pages > 1:
        number = offset // _LIST_PAGE + 1
        text = t_chat(
            lang, "sub.list_page", group=group, count=total, page=number, pages=pages, lines=lines
        )
    else:
        text = t_chat(lang, "sub.list", group=group, count=total, lines=lines)
    rows = [
        [
            InlineKeyboardButton(
                f"✖️ {excerpt(_list_label(s), _LIST_NAME_CHARS)}",
                callback_data=_remove_data(s),
            )
        ]
        for s in page.items
    ]
    turn = page_turns(SubscriptionsPageButton, offset, _LIST_PAGE, page.has_more, lang)
    if turn:
        rows.append(turn)
    return text, InlineKeyboardMarkup(rows)


def _list_label(item: Subscription | Watch) -> str:
    return f"🔎 {item.words}" if isinstance(item, Watch) else item.label


def _remove_data(item: Subscription | Watch) -> str:
    if isinstance(item, Watch):
        return UnwatchButton(item.id).pack()
    return SubscriptionButton(_kind(item.target), item.target.id, "unfollow").pack()


async def list_subscriptions(update: Update, context: Context) -> None:
    """List the chat's subscriptions, a page at a time, each with a button to remove it."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    lang = reply_language(update)
    group = in_group(update)
    shown = await _list_page(context, chat.id, lang, 0, group=group, thread=topic_thread(message))
    if shown is None:
        await message.reply_text(t_chat(lang, "sub.none", group=group))
        return
    text, markup = shown
    await message.reply_text(text, reply_markup=markup)


async def turn_subscriptions_page(update: Update, context: Context) -> None:
    """Show another page of /subscriptions in place."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None
    lang = reply_language(update)
    button = SubscriptionsPageButton.parse(context.match)
    shown = None
    if button is not None and chat is not None:
        shown = await _list_page(
            context,
            chat.id,
            lang,
            button.offset,
            group=in_group(update),
            thread=topic_thread(update.effective_message),
        )
    if shown is None:
        await query.answer(t(lang, "reading.stale_page"))
        return
    await query.answer()
    text, markup = shown
    # Pressed twice, or the message is too old to edit: the answer was enough.
    with contextlib.suppress(TelegramError):
        await query.edit_message_text(text, reply_markup=markup)


# --- buttons ---------------------------------------------------------------------------


async def _managed_press(
    update: Update, context: Context
) -> tuple[CallbackQuery, str, Chat] | None:
    """Return a pressed subscription button's query, language and chat; None, answered, if the
    presser may not change the chat's subscriptions."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None
    if chat is None:
        await query.answer()
        return None
    if await refuse_unless_chat_admin(update, context):
        return None
    return query, reply_language(update), chat


async def _answer_stale(query: CallbackQuery, lang: str) -> None:
    await query.answer(t(lang, "sub.stale_button"), show_alert=True)


async def confirm_unsubscribe_all(update: Update, context: Context) -> None:
    """Remove every subscription of the chat (the button of /unsubscribe all)."""
    if (pressed := await _managed_press(update, context)) is None:
        return
    query, lang, chat = pressed
    button = UnsubscribeAllButton.parse(context.match)
    if button is None:
        await _answer_stale(query, lang)
        return
    if not button.confirm:
        await query.answer()
        await _edit_text(query, t_chat(lang, "sub.kept_all", group=in_group(update)))
        return
    async with context.bot_data.db.transaction() as conn:
        removed = await chats.unsubscribe_all(
            conn, chat.id, thread_id=topic_thread(update.effective_message)
        )
    await query.answer()
    await _edit_text(query, plural(lang, "sub.all_removed", removed))


async def press_new_topic_button(update: Update, context: Context) -> None:
    """Follow a topic no article carries yet (offered when /subscribe finds no match)."""
    if (pressed := await _managed_press(update, context)) is None:
        return
    query, lang, chat = pressed
    button = NewTopicButton.parse(context.match)
    name = _new_topic_name(button.name) if button is not None else None
    if name is None:
        await _answer_stale(query, lang)
        return
    assert isinstance(query.message, Message)
    await query.answer()
    await _subscribe_new_topic(context, chat.id, name, query.message, lang)


async def press_subscription_button(update: Update, context: Context) -> None:
    """Apply a subscription button: toggle, follow or unfollow a topic or an author."""
    if (pressed := await _managed_press(update, context)) is None:
        return
    query, lang, chat = pressed
    button = SubscriptionButton.parse(context.match)
    target = await _target(context, button) if button is not None else None
    if button is None or target is None:
        await _answer_stale(query, lang)
        return
    kind = _kind(target)
    thread = topic_thread(update.effective_message)
    if button.change == "unfollow":
        await _unsubscribe(context, chat.id, kind, target.id, thread)
        await query.answer(t(lang, "sub.removed_short", name=_label(target)))
        await _redraw_list(update, context, query, lang)
        return
    if button.change == "follow":
        added = await _subscribe(context, chat.id, target, thread)
        await query.answer()
        await _edit_text(query, _confirmation(lang, target, added, group=in_group(update)))
        return
    followed = any(
        s.target.id == target.id and _kind(s.target) == kind
        for s in await chats.chat_subscriptions(
            context.bot_data.db.reader, chat.id, thread_id=thread
        )
    )
    if followed:
        await _unsubscribe(context, chat.id, kind, target.id, thread)
        await query.answer(t(lang, "sub.removed_short", name=_label(target)))
    else:
        await _subscribe(context, chat.id, target, thread)
        await query.answer(t(lang, "sub.added_short", name=_label(target)))
    toggle = subscription_button(kind, target.id, target.name, not followed, lang)
    await _redraw_pressed(query, toggle)


async def press_unwatch_button(update: Update, context: Context) -> None:
    """Remove a keyword watch (its ✖️ in /subscriptions) and redraw the list without it."""
    if (pressed := await _managed_press(update, context)) is None:
        return
    query, lang, chat = pressed
    button = UnwatchButton.parse(context.match)
    watch = await watches.get_watch(context.bot_data.db.reader, button.watch_id) if button else None
    if watch is None or watch.chat_id != chat.id:
        await _answer_stale(query, lang)
        return
    async with context.bot_data.db.transaction() as conn:
        await chats.unwatch(conn, chat.id, watch.id)
    await query.answer(t(lang, "watch.removed_short", words=watch.words))
    await _redraw_list(update, context, query, lang)


async def _target(context: Context, button: SubscriptionButton) -> Topic | Author | None:
    reader = context.bot_data.db.reader
    if button.kind == "t":
        return await articles.get_topic(reader, button.target_id)
    return await articles.get_author(reader, button.target_id)


async def _edit_text(query: CallbackQuery, text: str) -> None:
    # The message may be too old or unchanged: the answer already told the reader.
    with contextlib.suppress(TelegramError):
        await query.edit_message_text(text)


async def _redraw_list(update: Update, context: Context, query: CallbackQuery, lang: str) -> None:
    """Redraw the /subscriptions page whose ✖️ was pressed: the removed line goes, text and
    buttons alike; with nothing left, the message says so."""
    chat = update.effective_chat
    assert chat is not None
    group = in_group(update)
    shown = await _list_page(
        context,
        chat.id,
        lang,
        _shown_offset(query, lang),
        group=group,
        thread=topic_thread(update.effective_message),
    )
    text, markup = shown if shown is not None else (t_chat(lang, "sub.none", group=group), None)
    # Pressed twice, or the message is too old to edit: the answer was enough.
    with contextlib.suppress(TelegramError):
        await query.edit_message_text(text, reply_markup=markup)


def _shown_offset(query: CallbackQuery, lang: str) -> int:
    """Return the offset of the /subscriptions page a pressed button sits on, read from its
    page turns (none: the first page)."""
    markup = query.message.reply_markup if isinstance(query.message, Message) else None
    for row in markup.inline_keyboard if markup is not None else ():
        for button in row:
            data = button.callback_data if isinstance(button.callback_data, str) else ""
            turn = SubscriptionsPageButton.parse(SubscriptionsPageButton.PATTERN.match(data))
            if turn is not None:
                # "‹ Précédents" points a page back, "Suivants ›" a page on.
                back = button.text == t(lang, "reading.button.previous")
                return turn.offset + _LIST_PAGE if back else max(0, turn.offset - _LIST_PAGE)
    return 0


async def _redraw_pressed(query: CallbackQuery, redrawn: InlineKeyboardButton | None) -> None:
    """Put ``redrawn`` in place of the pressed button (None drops it); the rest stays as it is."""
    markup = query.message.reply_markup if isinstance(query.message, Message) else None
    if markup is None:
        return
    swapped = [
        [redrawn if button.callback_data == query.data else button for button in row]
        for row in markup.inline_keyboard
    ]
    rows = [[button for button in row if button is not None] for row in swapped]
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(InlineKeyboardMarkup([r for r in rows if r]))


# --- chat membership -------------------------------------------------------------------


async def track_membership(update: Update, context: Context) -> None:
    """Follow the bot's own membership: removed or blocked stops alerts, back restarts them."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None:
        return
    chat = change.chat
    status = change.new_chat_member.status
    present = status in {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER}
    language = reply_language(update)
    new_status: Literal["active", "blocked", "left"] = (
        "active" if present else "blocked" if chat.type == "private" else "left"
    )
    async with context.bot_data.db.transaction() as conn:
        await chats.upsert_chat(
            conn, chat.id, chat.type, chat.title or chat.full_name, language, time.time(),
            status=new_status,
        )  # fmt: skip
    context.bot_data.recorded_chats.forget(chat.id)


async def follow_migration(update: Update, context: Context) -> None:
    """Move a group that became a supergroup, with its subscriptions, to its new id."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    async with context.bot_data.db.transaction() as conn:
        await chats.migrate_chat(conn, message.chat.id, message.migrate_to_chat_id, time.time())
    context.bot_data.recorded_chats.forget(message.chat.id)


def register(application: NewsbotApplication) -> None:
    application.add_handler(CommandHandler(command_names("subscribe"), subscribe))
    application.add_handler(CommandHandler(command_names("unsubscribe"), unsubscribe))
    application.add_handler(CommandHandler(command_names("subscriptions"), list_subscriptions))
    # SubscriptionButton.PATTERN takes every subscription button: the other two kinds first.
    application.add_handlers(
        [
            CallbackQueryHandler(confirm_unsubscribe_all, pattern=UnsubscribeAllButton.PATTERN),
            CallbackQueryHandler(press_new_topic_button, pattern=NewTopicButton.PATTERN),
            CallbackQueryHandler(press_subscription_button, pattern=SubscriptionButton.PATTERN),
            CallbackQueryHandler(turn_subscriptions_page, pattern=SubscriptionsPageButton.PATTERN),
            CallbackQueryHandler(press_unwatch_button, pattern=UnwatchButton.PATTERN),
        ]
    )
    application.add_handler(ChatMemberHandler(track_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, follow_migration))
