"""What features show, and how: a message and its keyboard, and the buttons several share.

Shared, importable by any feature (a feature never imports another feature).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.buttons import ArticleButton, Button, SubscriptionButton
from bot.formatting import (
    CARD_LEAD_CHARS,
    MAX_ENTITIES,
    MAX_TEXT,
    entity_count,
    excerpt,
    split_html,
    visible_length,
)
from bot.i18n import plural, t
from bot.site import fold
from db.models import Article

if TYPE_CHECKING:
    from telegram import CallbackQuery

__all__ = [
    "BUTTON_NAME_CHARS",
    "View",
    "article_buttons",
    "count_articles",
    "deep_link",
    "deep_link_key",
    "edit_or_send",
    "fit_cards",
    "in_group",
    "markup",
    "page_turns",
    "replace_page",
    "replace_view",
    "reply_view",
    "subscription_button",
]

BUTTON_NAME_CHARS = 40
"""A name longer than this is cut in a button label: phones show about that much."""
_BUTTONS_PER_ROW = 5
_DEEP_LINK_KEY = re.compile(r"[a-z0-9_]{1,57}")  # 64 bytes of payload minus "author-"


@dataclass(frozen=True, slots=True)
class View:
    """One message the bot shows: HTML text and its inline keyboard."""

    text: str
    markup: InlineKeyboardMarkup | None = None


def markup(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup | None:
    """Return a keyboard of the rows that hold buttons; None when none does."""
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None


def in_group(update: Update) -> bool:
    """Return whether the update comes from a group or a channel, not a private chat."""
    chat = update.effective_chat
    return chat is not None and chat.type != "private"


async def reply_view(update: Update, view: View) -> None:
    """Answer the update's message with a view; quote the command in groups, where it helps."""
    message = update.effective_message
    if message is None:
        return
    await message.reply_text(view.text, reply_markup=view.markup, do_quote=in_group(update))


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


async def replace_page(query: CallbackQuery, view: View | None, stale: str) -> None:
    """Answer a page button: its page in place, or ``stale`` when there is none (any more)."""
    if view is None:
        await query.answer(stale)
        return
    await query.answer()
    await replace_view(query, view)


async def edit_or_send(update: Update, message: object, text: str) -> None:
    """Turn a message into `text` (its buttons go); say it anew if it cannot be edited."""
    if isinstance(message, Message):
        try:
            await message.edit_text(text)
            return
        except BadRequest:
            pass  # deleted meanwhile: say it in a new message
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(text)


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
        InlineKeyboardButton(
            str(first_index + position), callback_data=ArticleButton(article.id).pack()
        )
        for position, article in enumerate(items)
    ]
    return [
        buttons[start : start + _BUTTONS_PER_ROW]
        for start in range(0, len(buttons), _BUTTONS_PER_ROW)
    ]


def page_turns(
    page: Callable[[int], Button], offset: int, step: int, has_more: bool, lang: str
) -> list[InlineKeyboardButton]:
    """Return "‹ Précédents" and "Suivants ›" for a list shown `step` items at a time.

    `page` makes the button that shows the page starting at a given offset.
    """
    row = []
    if offset > 0:
        previous = page(max(0, offset - step)).pack()
        row.append(InlineKeyboardButton(t(lang, "reading.button.previous"), callback_data=previous))
    if has_more:
        following = page(offset + step).pack()
        row.append(InlineKeyboardButton(t(lang, "reading.button.next"), callback_data=following))
    return row


def subscription_button(
    kind: Literal["t", "a"], target_id: int, name: str, subscribed: bool, lang: str
) -> InlineKeyboardButton:
    """Return the toggle for a topic or author: "✅ Name" when followed, else "➕ ..."."""
    # Labels are plain text, never HTML: the name goes in as it is, only shortened.
    shown = excerpt(name, BUTTON_NAME_CHARS)
    if subscribed:
        key = "reading.button.subscribed"
    elif kind == "t":
        key = "reading.button.subscribe_topic"
    else:
        key = "reading.button.follow_author"
    return InlineKeyboardButton(
        t(lang, key, name=shown), callback_data=SubscriptionButton(kind, target_id).pack()
    )
