"""Telegram handlers, one module per feature, each with `register(application)`.

Features: `start`, `reading`, `search`, `subscriptions`, `watches`, `settings`, `newsroom_admin`
(/editors, /journal), `publish`, `editor`, `feeds`, `inline`, `errors`. A feature never
imports another feature (the import-linter contract in pyproject.toml checks it); what
several need lives in shared modules, importable by features:

- `access`: who may do what, the reply language; it also registers the checks run first;
- `menu`: the command lists and names (English and French), for Telegram's menus and /help;
- `language`: the chat's language, /language and its buttons (also offered by /settings);
- `views`: a message and its keyboard, deep links, the buttons several features draw;
- `article_views`: a page of articles, a whole article, the topics list;
- `newsroom`: the editors' kit: tokens, editor buttons, article numbers in commands.

Callback data is typed, one class per kind of button, in bot/buttons.py.

Order matters: python-telegram-bot tries handler groups in ascending order and, within a
group, stops at the first handler that matches. `access` runs first (groups -3 and -2):
it drops floods and records the chat before any feature sees the update. Features follow in
group 0; editor rights are checked by each editor handler itself (`access.EditorOnly`, where
it is registered), so that a reader's "/stats-" is refused by the /stats handler rather than
mistaken for another command. The catch-all for unknown commands and plain text is
registered last, so that it only sees what no feature took.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers import (
    access,
    editor,
    errors,
    feeds,
    inline,
    language,
    newsroom_admin,
    publish,
    reading,
    search,
    settings,
    start,
    subscriptions,
    watches,
)
from handlers.menu import set_command_menus, set_descriptions

if TYPE_CHECKING:
    from bot.context import NewsbotApplication

__all__ = ["on_startup", "register", "register_fallbacks"]


def register(application: NewsbotApplication) -> None:
    """Register every feature's handlers in order."""
    access.register(application)
    errors.register(application)
    start.register(application)
    language.register(application)
    reading.register(application)
    search.register(application)
    subscriptions.register(application)
    watches.register(application)
    settings.register(application)
    newsroom_admin.register(application)  # before editor: its catch-all takes every editor button
    publish.register(application)  # before editor: its catch-all answers stale editor buttons
    editor.register(application)
    feeds.register(application)
    inline.register(application)
    register_fallbacks(application)  # keep last


def register_fallbacks(application: NewsbotApplication) -> None:
    """Register the catch-alls (unknown commands, plain text, stale buttons): after all else."""
    search.register_fallbacks(application)
    start.register_fallbacks(application)


async def on_startup(application: NewsbotApplication) -> None:
    """Set up what Telegram shows once the bot is connected: command menus, descriptions, the
    channel."""
    await set_command_menus(application)
    await set_descriptions(application)
    await editor.setup_channel(application)
