"""Every error the bot defines, in one place, so one error handler can explain any of them.

The tree::

    Exception
     ├── NewsbotError                key + params, translated with bot.i18n.t(lang, key, **params)
     │    ├── DraftError (ValueError) an article message an editor must fix (bot.site)
     │    ├── LimitError             a reader went past a cap: a name too long to look up,
     │    │                          too many subscriptions or new topics (bot.site, bot.follows)
     │    ├── FeedError              a feed could not be fetched or read; may say when to
     │    │                          retry, and is stored in feeds.last_error (bot.feeds)
     │    └── UsageError             a command's arguments are not usable (handlers.feeds)
     ├── ConfigError (ValueError)    a setting is missing or wrong: start-up stops, naming the
     │                               variable (bot.config)
     ├── DatabaseTooNewError         the database was written by a newer newsbot
     │   (RuntimeError)              (db.connection, which imports nothing of bot)
     └── DatabaseOpenError           the database cannot be opened or reached (a PostgreSQL
         (RuntimeError)              server down or refusing): one line, no password

String parameters of a NewsbotError are escaped (`bot.markup.escape`) when the error is
built: catalogue values are Telegram HTML and their placeholders expect escaped text, while
the values usually echo what a user typed (a malformed link, a title). The Telegram
emulator's errors (`bot.sandbox`) are Bot API answers, not the bot's, and stay there.
"""

from __future__ import annotations

import json

from bot.markup import escape
from db.connection import DatabaseOpenError, DatabaseTooNewError

__all__ = [
    "ConfigError",
    "DatabaseOpenError",
    "DatabaseTooNewError",
    "DraftError",
    "FeedError",
    "LimitError",
    "NewsbotError",
    "UsageError",
]


class NewsbotError(Exception):
    """Fail with a message the user can read: a catalogue key and its parameters."""

    key: str
    params: dict[str, object]

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = {
            name: escape(value) if isinstance(value, str) else value
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


class FeedError(NewsbotError):
    """A feed could not be fetched or read; the key names the reason for people."""

    def __init__(self, key: str, /, *, retry_after: float | None = None, **params: object):
        super().__init__(key, **params)
        self.retry_after = retry_after

    def stored(self) -> str:
        """Return the error as kept in feeds.last_error: the key and its parameters, as JSON."""
        return json.dumps({"key": self.key, **self.params}, ensure_ascii=False)


class UsageError(NewsbotError):
    """The command's arguments are not usable; the key says what to show instead."""


class ConfigError(ValueError):
    """A setting is missing or wrong; the message names the variable."""

    def __init__(self, variable: str, problem: str):
        super().__init__(f"{variable}: {problem}")
        self.variable = variable
