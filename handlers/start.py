"""/start: the welcome."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import CommandHandler

from bot.i18n import language_for, t

if TYPE_CHECKING:
    from bot.app import Context, NewsbotApplication


async def start(update: Update, context: Context) -> None:
    """Greet the reader."""
    assert update.effective_message is not None
    user = update.effective_user
    lang = language_for(user.language_code if user else None)
    await update.effective_message.reply_text(t(lang, "greeting"))


def register(application: NewsbotApplication) -> None:
    application.add_handler(CommandHandler("start", start))
