"""The real Application against the sandbox: start-up, /start, shutdown."""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bot import app
from bot.app import build_application, running
from bot.config import Secret, Settings
from bot.delivery import DeliveryWorker
from tests.conftest import BOT_TOKEN, Harness


async def test_start_is_answered_end_to_end_in_the_readers_language(bot: Harness) -> None:
    french = bot.sandbox.add_user("Awa", "Traoré", "awa", "fr")
    english = bot.sandbox.add_user("John", None, "john", "en-GB")
    [bienvenue] = await bot.ask(french, "/start")
    [welcome] = await bot.ask(english, "/start")
    assert bienvenue.from_bot and welcome.from_bot
    assert "/aide" in bienvenue.content and "/help" in welcome.content
    assert "Bienvenue" in bienvenue.content
    assert "Welcome" in welcome.content


async def test_the_worker_starts_before_the_poller_and_stops_after_it(
    bot_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []

    def spy(name: str, real: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def call(*args: Any, **kwargs: Any) -> Any:
            events.append(name)
            return await real(*args, **kwargs)

        return call

    monkeypatch.setattr(DeliveryWorker, "start", spy("worker start", DeliveryWorker.start))
    monkeypatch.setattr(DeliveryWorker, "stop", spy("worker stop", DeliveryWorker.stop))
    monkeypatch.setattr(app, "start_feeds", spy("feeds start", app.start_feeds))
    monkeypatch.setattr(app, "stop_feeds", spy("feeds stop", app.stop_feeds))
    application = build_application(bot_settings)
    data = application.bot_data
    async with running(application, poll_timeout=1):
        assert events == ["worker start", "feeds start"]
        assert data.worker is not None and data.feeds is not None
    assert events == ["worker start", "feeds start", "feeds stop", "worker stop"]
    assert data.worker is None and data.feeds is None


def test_building_the_bot_leaves_the_process_warning_filters_alone() -> None:
    before = list(warnings.filters)
    build_application(Settings(token=Secret(BOT_TOKEN)))
    assert warnings.filters == before
