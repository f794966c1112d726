"""The one error handler: explain domain errors to the user, log everything else."""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from telegram import Update
from telegram.error import TelegramError

from bot.errors import NewsbotError
from bot.i18n import t
from db import is_busy
from handlers.access import reply_language

if TYPE_CHECKING:
    from bot.context import Context, NewsbotApplication

__all__ = ["register"]

logger = logging.getLogger(__name__)


async def explain_error(update: object, context: Context) -> None:
    """Reply with a short message the user can act on; log what was unexpected."""
    error = context.error
    if not isinstance(error, NewsbotError):
        logger.error("Error while handling an update", exc_info=error)
    if not isinstance(update, Update):
        return
    lang = reply_language(update)
    if isinstance(error, NewsbotError):
        text = t(lang, error.key, **error.params)
    elif error is not None and is_busy(error):
        # Locked by another writer past the busy timeout, read-only, or the database server
        # unreachable for a moment: nothing was changed.
        text = t(lang, "error.database_busy")
    else:
        text = t(lang, "error.unexpected")
    # Telling the user is a courtesy: if Telegram refuses it too, the log already has it.
    with contextlib.suppress(TelegramError):
        if update.callback_query is not None:
            try:
                await update.callback_query.answer(text[:200], show_alert=True)
                return
            except TelegramError:
                pass  # the button was answered before the failure: say it in the chat
        if update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, text)


def register(application: NewsbotApplication) -> None:
    application.add_error_handler(explain_error)
