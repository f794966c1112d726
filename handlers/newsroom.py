"""The editors' kit: tokens for pending actions, editor buttons, article numbers in commands.

Shared, importable by any feature (a feature never imports another feature): /publish and
/edit (handlers/publish.py) and /unpublish (handlers/editor.py) build their buttons and read
their arguments the same way. Counts are written with `bot.i18n.plural`.
"""

from __future__ import annotations

import re
import secrets

from telegram import InlineKeyboardButton

from bot.buttons import EditorButton
from bot.i18n import t

__all__ = ["article_id_argument", "editor_button", "new_token"]

_ARTICLE_ID = re.compile(r"[0-9]{1,18}")  # SQLite integers; str.isdigit also takes "²"


def new_token() -> str:
    """Return a short random token naming a pending action in its buttons' data."""
    return secrets.token_urlsafe(6)


def editor_button(lang: str, key: str, action: str, token: str) -> InlineKeyboardButton:
    """Return a button labelled with catalogue `key` that presses `EditorButton(action, token)`."""
    return InlineKeyboardButton(t(lang, key), callback_data=EditorButton(action, token).pack())


def article_id_argument(args: list[str] | None) -> int | None:
    """Return the article number given after a command, if it is one."""
    if not args or not _ARTICLE_ID.fullmatch(args[0]):
        return None
    return int(args[0])
