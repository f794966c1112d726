"""The types every layer shares: `BotData`, the handlers' `Context`, the application's type.

A leaf: at run time it imports only configuration, the database, the bounded maps, the
metrics and the editors' roster; everything else is named under TYPE_CHECKING, so that
nothing imports the composition root (bot.app) to learn these types.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from bot.bounded import AdminCache, FloodBuckets, RecordedChats
from bot.config import Settings
from bot.metrics import Metrics
from bot.roster import EditorRoster
from db import Database

if TYPE_CHECKING:
    from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

    from bot.delivery import DeliveryWorker
    from bot.digests import DigestWorker
    from bot.feeds import FeedPoller
    from bot.pacing import PacerArgs
    from bot.publishing import Publisher
    from bot.scheduling import Scheduler
    from bot.web import WebServer

__all__ = ["BotData", "Context", "NewsbotApplication"]


@dataclass
class BotData:
    """Everything handlers share, typed: `context.bot_data.db`, `.publisher`, `.settings`."""

    settings: Settings = field(default_factory=Settings)
    database: Database | None = None
    worker: DeliveryWorker | None = None
    scheduler: Scheduler | None = None
    """Scheduled articles and drafts' expiry (bot/scheduling.py)."""
    publisher_: Publisher | None = None
    channel_id: int | None = None
    feeds: FeedPoller | None = None
    recorded_chats: RecordedChats = field(default_factory=RecordedChats)
    """Chats recorded lately (title, language), so most updates skip the write."""
    flood_buckets: FloodBuckets = field(default_factory=FloodBuckets)
    """The per-user fair-rate buckets of handlers.access."""
    admin_cache: AdminCache = field(default_factory=AdminCache)
    """(chat, user) -> is a group admin: getChatMember answers, kept briefly."""
    editors: EditorRoster = field(default_factory=EditorRoster)
    """The editors added from Telegram, read from the database every few seconds at most."""
    metrics: Metrics = field(default_factory=Metrics)
    """The counters GET /metrics shows, this application's own."""
    web: WebServer | None = None
    """The HTTP server: the webhook, /healthz, /metrics (when one is configured)."""
    digests: DigestWorker | None = None
    """Sends the digests of chats that take them (and of quiet hours once they end)."""
    clock: Callable[[], float] = field(default_factory=lambda: time.time)
    """Unix time for the outbox, the digests and publishing: tests set their own."""

    @property
    def db(self) -> Database:
        if self.database is None:
            raise RuntimeError("the database is opened in post_init; the bot is not running")
        return self.database

    @property
    def publisher(self) -> Publisher:
        if self.publisher_ is None:
            raise RuntimeError("the publisher is created in post_init; the bot is not running")
        return self.publisher_


_Data: TypeAlias = dict[Any, Any]  # user_data and chat_data: plain dictionaries
# Strings, so that the names imported under TYPE_CHECKING are never needed at run time.
Context: TypeAlias = "CallbackContext[ExtBot[PacerArgs], _Data, _Data, BotData]"
# python-telegram-bot's builder types its JobQueue loosely; Any keeps the rest precise.
NewsbotApplication: TypeAlias = (
    "Application[ExtBot[PacerArgs], Context, _Data, _Data, BotData, JobQueue[Any]]"
)
