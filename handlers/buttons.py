"""Inline buttons shared by features, so that every side builds them from one definition.

Subscription toggles are drawn by the reading commands (/topics, topic and author pages)
and flipped by the subscriptions feature when pressed; both build them here.
"""

from __future__ import annotations

from typing import Literal

from telegram import InlineKeyboardButton

from bot.formatting import excerpt
from bot.i18n import t

__all__ = ["BUTTON_NAME_CHARS", "SubscriptionKind", "subscription_button", "subscription_data"]

SubscriptionKind = Literal["t", "a"]
"""What a subscription button is about: "t" a topic, "a" an author."""

BUTTON_NAME_CHARS = 40
"""A name longer than this is cut in a button label: phones show about that much."""


def subscription_data(kind: SubscriptionKind, target_id: int) -> str:
    """Return the callback_data of a subscription toggle: "sub:t:<id>" or "sub:a:<id>"."""
    return f"sub:{kind}:{target_id}"


def subscription_button(
    kind: SubscriptionKind, target_id: int, name: str, subscribed: bool, lang: str
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
        t(lang, key, name=shown), callback_data=subscription_data(kind, target_id)
    )
