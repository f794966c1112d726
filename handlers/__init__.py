"""Telegram handlers, one module per feature, each with `register(application)`.

Order matters: python-telegram-bot tries handler groups in ascending order and, within a
group, stops at the first handler that matches. Cross-cutting checks run in group -1
so they can stop an update (ApplicationHandlerStop) before any feature sees it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers import start

if TYPE_CHECKING:
    from bot.app import NewsbotApplication

__all__ = ["register"]


def register(application: NewsbotApplication) -> None:
    """Register every feature's handlers in order."""
    start.register(application)
