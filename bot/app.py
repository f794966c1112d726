"""Wiring: build the python-telegram-bot Application from Settings."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TypeAlias

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackContext, ContextTypes, Defaults, ExtBot

import handlers
from bot.config import Settings
from db import Database, connect

__all__ = ["BotData", "Context", "NewsbotApplication", "build_application"]

logger = logging.getLogger(__name__)


@dataclass
class BotData:
    """Everything handlers share, typed: `context.bot_data.db`, `context.bot_data.settings`."""

    settings: Settings = field(default_factory=Settings)
    database: Database | None = None

    @property
    def db(self) -> Database:
        if self.database is None:
            raise RuntimeError("the database is opened in post_init; the bot is not running")
        return self.database


Context: TypeAlias = CallbackContext[ExtBot[None], dict, dict, BotData]
NewsbotApplication: TypeAlias = Application[ExtBot[None], Context, dict, dict, BotData, object]


async def _post_init(application: NewsbotApplication) -> None:
    data = application.bot_data
    data.database = await connect(data.settings.db_path)
    logger.info("Database ready at %s", data.settings.db_path)


async def _post_shutdown(application: NewsbotApplication) -> None:
    data = application.bot_data
    if data.database is not None:
        await data.database.close()
        data.database = None


def build_application(settings: Settings) -> NewsbotApplication:
    """Return the Application for these settings; nothing is opened before it starts."""
    application = (
        Application.builder()
        .token(settings.require_token())
        .base_url(settings.api_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                tzinfo=settings.tzinfo,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .context_types(ContextTypes(bot_data=BotData))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data.settings = settings
    handlers.register(application)
    return application
