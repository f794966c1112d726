"""The composition root: the Application built from Settings, handlers wired in, services
started and stopped by its lifecycle hooks. Only entry points import it (bot.cli, bot.demo,
tests, bench); shared types live in bot.context."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes, Defaults, TypeHandler

import handlers
from bot.config import Settings
from bot.context import BotData, Context, NewsbotApplication
from bot.delivery import DeliveryWorker
from bot.digests import DigestWorker
from bot.feeds import start_feeds, stop_feeds
from bot.metrics import Metrics
from bot.pacing import ChatLimits, Pacer
from bot.publishing import Publisher, tidy_author_names
from bot.scheduling import Scheduler
from bot.transport import AiohttpRequest
from bot.web import WebServer
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
    await tidy_author_names(data.database)  # names stored before their one display form
    data.worker = DeliveryWorker(
        data.database,
        application.bot,
        _pacer(application),
        timezone=settings.timezone,
        concurrency=settings.concurrency,
        batch_size=settings.batch_size,
        paid_broadcast=settings.paid_broadcast,
        metrics=data.metrics,
        # Several instances may share PostgreSQL: then one of them, elected, sends.
        shared=data.database.dialect == "postgresql",
        clock=data.clock,
    )
    data.publisher_ = Publisher(
        data.database,
        on_queued=data.worker.wake,
        extra_chat_ids=lambda: () if data.channel_id is None else (data.channel_id,),
        clock=data.clock,
        timezone=settings.timezone,
    )
    data.digests = DigestWorker(
        data.database,
        application.bot,
        timezone=settings.timezone,
        clock=data.clock,
        shared=data.database.dialect == "postgresql",  # several instances may share it
    )
    data.scheduler = Scheduler(
        data.database,
        data.publisher_,
        application.bot,
        timezone=settings.timezone,
        clock=data.clock,
    )
    await handlers.on_startup(application)  # Telegram-facing set-up: menus, the channel
    # The services start here, in this order, and stop in _post_stop in the reverse one: the
    # poller publishes into the outbox the worker sends from.
    await data.worker.start()
    await data.digests.start()
    await data.scheduler.start()  # publishes into the outbox too: what fell due meanwhile
    await start_feeds(application)
    listen = settings.listen_on
    if listen is not None:
        data.web = WebServer(application, *listen)
        await data.web.start()


async def _post_stop(application: NewsbotApplication) -> None:
    # post_stop, not post_shutdown: the bot's HTTP client must still be open so the sends
    # under way can finish and be recorded. Whatever _post_init started is stopped, also
    # when it failed half-way.
    data = application.bot_data
    if data.web is not None:
        await data.web.stop()
        data.web = None
    await stop_feeds(application)
    if data.scheduler is not None:
        await data.scheduler.stop()
        data.scheduler = None
    if data.digests is not None:
        await data.digests.stop()
        data.digests = None
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
    With NEWSBOT_WEBHOOK_URL it has no Updater: the bot's own HTTP server takes the updates.
    """
    metrics = Metrics()
    builder = Application.builder()
    if settings.webhook_url:
        builder = builder.updater(None)
    else:
        builder = builder.get_updates_request(AiohttpRequest(connection_pool_size=1))
    application: NewsbotApplication = (
        builder.token(settings.require_token())
        .base_url(settings.api_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                tzinfo=settings.tzinfo,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .request(AiohttpRequest(connection_pool_size=settings.concurrency + 8, metrics=metrics))
        .rate_limiter(Pacer(settings.effective_send_rate, chat_limits, metrics=metrics))
        .context_types(ContextTypes(bot_data=BotData))
        .concurrent_updates(True)
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data.settings = settings
    application.bot_data.metrics = metrics
    application.add_handler(TypeHandler(Update, _count_update), group=-100)
    handlers.register(application)
    return application


async def _count_update(update: Update, context: Context) -> None:
    """Count the update for GET /metrics (before any handler may stop it)."""
    context.bot_data.metrics.updates.inc()


@asynccontextmanager
async def running(
    application: NewsbotApplication, *, poll_timeout: int = 10
) -> AsyncIterator[NewsbotApplication]:
    """Run the bot inside the block, as run_polling() would, without owning the event loop:
    for `newsbot run`, the demo, `newsbot chat` and the tests.

    Updates come by long polling, or by webhook when NEWSBOT_WEBHOOK_URL is set; whatever
    failed to start is stopped again, in reverse order, before the error goes up.
    """
    data = application.bot_data
    await application.initialize()
    try:
        try:
            await _post_init(application)
            try:
                await _take_updates(application, poll_timeout)
                await application.start()
                if data.settings.webhook_url:
                    await _set_webhook(application)
                logger.info("newsbot is up; database %s", data.settings.db_path)
                yield application
            finally:
                if data.web is not None:
                    data.web.stop_taking_updates()  # Telegram keeps what comes now, for later
                if application.updater is not None and application.updater.running:
                    await application.updater.stop()
                if application.running:
                    await application.stop()
        finally:
            await _post_stop(application)
    finally:
        await application.shutdown()
        await _post_shutdown(application)


async def _take_updates(application: NewsbotApplication, poll_timeout: int) -> None:
    """Start long polling, unless updates come by webhook."""
    updater = application.updater
    if updater is None:
        return
    # Telegram refuses getUpdates while a webhook is set, and python-telegram-bot deletes it
    # to poll: whoever turned webhook mode off expects polling, but should see it happen.
    try:
        info = await application.bot.get_webhook_info()
    except TelegramError as error:  # only a warning is at stake
        logger.debug("Could not read the webhook's state: %s", error)
    else:
        if info.url:
            logger.warning(
                "This bot had a webhook (%s): long polling removes it; "
                "set NEWSBOT_WEBHOOK_URL to keep taking updates by webhook",
                info.url,
            )
    await updater.start_polling(
        poll_interval=0.0,
        timeout=poll_timeout,
        allowed_updates=Update.ALL_TYPES,
        bootstrap_retries=10,
    )


async def _set_webhook(application: NewsbotApplication) -> None:
    """Ask Telegram to send updates to NEWSBOT_WEBHOOK_URL, with the secret token.

    Never undone at stop: other instances behind the same URL keep serving.
    """
    settings = application.bot_data.settings
    assert settings.webhook_url is not None
    await application.bot.set_webhook(
        url=settings.webhook_url,
        secret_token=settings.webhook_secret,
        allowed_updates=Update.ALL_TYPES,
        drop_pending_updates=False,
    )
    logger.info("Taking updates by webhook at %s", settings.webhook_url)
