"""Domain errors that carry a catalogue key, so one error handler can explain any of them.

The tree::

    NewsbotError                 key + params, translated with bot.i18n.t(lang, key, **params)
     ├── DraftError (ValueError) an article message an editor must fix (bot.site)
     └── LimitError              a reader went past a cap: a name too long to look up,
                                 too many subscriptions or new topics (bot.site, bot.follows)

String parameters are HTML-escaped when the error is built: catalogue values are Telegram
HTML and their placeholders expect escaped text, while the values usually echo what a user
typed (a malformed link, a title).
"""

from __future__ import annotations

import html

__all__ = ["DraftError", "LimitError", "NewsbotError"]


class NewsbotError(Exception):
    """Fail with a message the user can read: a catalogue key and its parameters."""

    key: str
    params: dict[str, object]

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = {
            name: html.escape(value, quote=False) if isinstance(value, str) else value
            for name, value in params.items()
        }

    def __str__(self) -> str:
        if not self.params:
            return self.key
        details = ", ".join(f"{name}={value!r}" for name, value in self.params.items())
        return f"{self.key} ({details})"


class DraftError(NewsbotError, ValueError):
    """Reject an article message, saying what the editor should change."""


class LimitError(NewsbotError):
    """Refuse what goes past a cap, saying what the reader can do instead."""
