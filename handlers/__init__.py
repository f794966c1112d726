"""Telegram handlers, one module per feature, each with `register(application)`.

Order matters: python-telegram-bot tries handler groups in ascending order and, within a
group, stops at the first handler that matches. `access` runs first (groups -2 and -1):
it records the chat and stops editor commands from anyone but an editor before any
feature sees them. Features follow in group 0; the catch-all for unknown commands and
plain text is registered last, so that it only sees what no feature took.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers import access, start, subscriptions

if TYPE_CHECKING:
    from bot.app import NewsbotApplication

__all__ = ["on_startup", "register"]


def register(application: NewsbotApplication) -> None:
    """Register every feature's handlers in order."""
    access.register(application)
    start.register(application)
    subscriptions.register(application)


async def on_startup(application: NewsbotApplication) -> None:
    """Run what features need once the bot is connected (command menus, channel)."""


async def on_stop(application: NewsbotApplication) -> None:
    """Stop what features started (feed polling)."""
