"""The bot's HTTP server: Telegram's webhook, GET /healthz and GET /metrics.

The webhook follows python-telegram-bot's "custom webhook server" recipe: an Application
without an Updater, each update checked (the secret header Telegram echoes), parsed, put on
`application.update_queue` and acknowledged at once; the handlers run after the answer, so
a slow reply never makes Telegram send the update again.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update

from bot.metrics import CONTENT_TYPE
from db import deliveries

if TYPE_CHECKING:
    from bot.context import NewsbotApplication
    from db import Database

__all__ = ["SECRET_HEADER", "WebServer", "webhook_path"]

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_PING_TIMEOUT = 2.0  # seconds the database has to answer a health check
_BAD_BODY_LOG_INTERVAL = 60.0  # one log line a minute about refused bodies, however many


def webhook_path(url: str) -> str:
    """Return the path the webhook is served on: the public URL's own ("/" when it has none)."""
    return urlsplit(url).path or "/"


async def _ping(db: Database) -> None:
    """Raise unless the database answers (SQLite or PostgreSQL)."""
    await db.ping()


class WebServer:
    """Serve the webhook (in webhook mode), /healthz and /metrics on `host:port`."""

    def __init__(self, application: NewsbotApplication, host: str, port: int) -> None:
        self.application = application
        self.host = host
        self.port = port
        settings = application.bot_data.settings
        self._secret = settings.webhook_secret.encode()
        self._taking_updates = bool(settings.webhook_url)
        self._runner: web.AppRunner | None = None
        self._bad_body_logged = -_BAD_BODY_LOG_INTERVAL
        app = web.Application()
        if settings.webhook_url:
            app.router.add_post(webhook_path(settings.webhook_url), self._webhook)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        self._app = app

    async def start(self) -> None:
        """Listen; `port` becomes the bound one (0 picks a free port)."""
        runner = web.AppRunner(self._app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, backlog=1024)
        try:
            await site.start()
        except OSError as error:
            await runner.cleanup()
            raise OSError(
                f"cannot listen on {self.host}:{self.port}: {error.strerror or error}"
            ) from error
        self._runner = runner
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        logger.info("HTTP server on %s:%d", self.host, self.port)

    def stop_taking_updates(self) -> None:
        """Answer 503 to the webhook from now on: Telegram keeps the update and tries again."""
        self._taking_updates = False

    async def stop(self) -> None:
        """Stop listening."""
        self._taking_updates = False
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- the routes ----------------------------------------------------------------------

    async def _webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return web.Response(status=403, text="wrong or missing secret token")
        if not self._taking_updates or not self.application.running:
            # Stopping: Telegram sends the update again, to this instance or another one.
            return web.Response(status=503, text="stopping")
        update = self._parse(await request.read())
        if update is None:
            return web.Response(status=400, text="not a Telegram update")
        await self.application.update_queue.put(update)
        return web.Response(status=200)

    def _parse(self, body: bytes) -> Update | None:
        """Return the update in the body, or None (logged, at most once a minute)."""
        problem = ""
        try:
            data = json.loads(body)
        except ValueError:
            data, problem = None, "not JSON"
        if not problem and not (isinstance(data, dict) and isinstance(data.get("update_id"), int)):
            problem = "JSON without an update_id"
        if not problem:
            try:
                return Update.de_json(data, self.application.bot)
            except Exception as error:  # whatever a malformed field makes the parser raise
                problem = f"unreadable update ({type(error).__name__})"
        now = time.monotonic()
        if now - self._bad_body_logged >= _BAD_BODY_LOG_INTERVAL:
            self._bad_body_logged = now
            logger.warning("Webhook: refused a request body: %s (400)", problem)
        return None

    async def _healthz(self, request: web.Request) -> web.Response:
        status, body = await self.health()
        return web.json_response(body, status=status)

    async def health(self) -> tuple[int, dict[str, Any]]:
        """Return the HTTP status and the JSON body of /healthz."""
        application = self.application
        data = application.bot_data
        mode = "webhook" if data.settings.webhook_url else "polling"
        problem = ""
        updater = application.updater
        if not application.running or (updater is not None and not updater.running):
            problem = "the bot is not running"
        elif data.database is None:
            problem = "the database is not open"
        else:
            try:
                await asyncio.wait_for(_ping(data.database), _PING_TIMEOUT)
            except Exception as error:  # a health check reports; it never fails
                problem = f"the database does not answer ({type(error).__name__})"
        if problem:
            return 503, {"status": "unavailable", "problem": problem, "mode": mode}
        return 200, {"status": "ok", "mode": mode}

    async def _metrics(self, request: web.Request) -> web.Response:
        data = self.application.bot_data
        pending = None
        if data.database is not None:
            try:
                pending = await asyncio.wait_for(
                    deliveries.count_pending(data.database.reader), _PING_TIMEOUT
                )
            except Exception:  # the gauge keeps its last value; /healthz says what is wrong
                logger.debug("Could not count pending alerts", exc_info=True)
        body = data.metrics.render(pending)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})
