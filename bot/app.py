"""The composition root: the Application built from Settings, handlers wired in, services
started and stopped by its lifecycle hooks. Only entry points import it (bot.cli, bot.demo,
tests, bench); shared types live in bot.context."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes, Defaults

import handlers
from bot.config import Settings
from bot.context import BotData, NewsbotApplication
from bot.delivery import DeliveryWorker
from bot.feeds import start_feeds, stop_feeds
from bot.pacing import ChatLimits, Pacer
from bot.publishing import Publisher
from bot.transport import AiohttpRequest
from db import connect

__all__ = ["build_application", "running"]

logger = logging.getLogger(__name__)


def _pacer(application: NewsbotApplication) -> Pacer:
    limiter = application.bot.rate_limiter
    assert isinstance(limiter, Pacer)
    return limiter


async def _post_init(application: NewsbotApplication) -> None:
    data = application.bot_data
    settings = data.settings
    data.database = await connect(settings.db_path)
    data.worker = DeliveryWorker(
        data.database,
        application.bot,
        _pacer(application),
        timezone=settings.timezone,
        concurrency=settings.concurrency,
        batch_size=settings.batch_size,
        paid_broadcast=settings.paid_broadcast,
    )
    data.publisher_ = Publisher(
        data.database,
        on_queued=data.worker.wake,
        extra_chat_ids=lambda: () if data.channel_id is None else (data.channel_id,),
    )
    await handlers.on_startup(application)  # Telegram-facing set-up: menus, the channel
    # The services start here, in this order, and stop in _post_stop in the reverse one: the
    # poller publishes into the outbox the worker sends from.
    await data.worker.start()
    await start_feeds(application)
    logger.info("newsbot is up; database %s", settings.db_path)


async def _post_stop(application: NewsbotApplication) -> None:
    # post_stop, not post_shutdown: the bot's HTTP client must still be open so the sends
    # under way can finish and be recorded.
    data = application.bot_data
    await stop_feeds(application)
    if data.worker is not None:
        await data.worker.stop()
        data.worker = None


async def _post_shutdown(application: NewsbotApplication) -> None:
    data = application.bot_data
    if data.database is not None:
        await data.database.close()
        data.database = None


def build_application(
    settings: Settings, *, chat_limits: ChatLimits | None = None
) -> NewsbotApplication:
    """Return the Application for these settings; nothing is opened before it starts.

    `chat_limits` replaces Telegram's per-chat limits, for a sandbox configured with others.
    """
    application: NewsbotApplication = (
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
        .request(AiohttpRequest(connection_pool_size=settings.concurrency + 8))
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        .rate_limiter(Pacer(settings.effective_send_rate, chat_limits))
        .context_types(ContextTypes(bot_data=BotData))
        .concurrent_updates(True)
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data.settings = settings
    handlers.register(application)
    return application


@asynccontextmanager
async def running(
    application: NewsbotApplication, *, poll_timeout: int = 10
) -> AsyncIterator[NewsbotApplication]:
    """Run the bot (long polling) inside the block, as run_polling() would, without owning
    the event loop: for the demo, `newsbot chat` and the tests."""
    assert application.updater is not None
    await application.initialize()
    try:
        await _post_init(application)
        await application.updater.start_polling(
            poll_interval=0.0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES
        )
        await application.start()
        try:
            yield application
        finally:
            if application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
                await _post_stop(application)
    finally:
        await application.shutdown()
        await _post_shutdown(application)
