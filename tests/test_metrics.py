"""GET /healthz and GET /metrics: what an orchestrator and the on-call person read."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import replace

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot import site
from bot.app import build_application, running
from bot.config import Settings
from bot.pacing import ChatLimits
from bot.samples import load_samples
from bot.sandbox import Sandbox
from bot.web import WebServer
from db import articles, chats
from db import feeds as feeds_db
from db.models import ArticleDraft
from tests.conftest import EDITOR_ID, Harness, free_port


@pytest.fixture
async def served(
    sandbox: Sandbox, bot_settings: Settings, chat_limits: ChatLimits | None
) -> AsyncIterator[Harness]:
    """The bot long polling, with NEWSBOT_LISTEN set: /healthz and /metrics are served."""
    settings = replace(bot_settings, listen=("127.0.0.1", free_port()))
    editor = sandbox.add_user("Mariam", "Coulibaly", "redaction", "fr", user_id=EDITOR_ID)
    application = build_application(settings, chat_limits=chat_limits)
    async with running(application, poll_timeout=1):
        await load_samples(application.bot_data.publisher)
        yield Harness(sandbox, application, editor)


async def _get(harness: Harness, path: str) -> tuple[int, str, str]:
    web = harness.app.bot_data.web
    assert web is not None
    url = f"http://{web.host}:{web.port}{path}"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, response.headers["Content-Type"], await response.text()


async def _samples(harness: Harness) -> dict[str, float]:
    """Return every sample of /metrics by name and labels, e.g. 'newsbot_alerts_total{outcome=sent}'."""
    status, kind, text = await _get(harness, "/metrics")
    assert status == 200 and kind.startswith("text/plain")
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            found[sample.name + (f"{{{labels}}}" if labels else "")] = sample.value
    return found


async def _subscribers(harness: Harness, count: int, topic: str) -> list[int]:
    users = harness.sandbox.add_users(count)
    now = time.time()
    async with harness.db.transaction() as conn:
        found = await articles.ensure_topic(conn, site.fold(topic), topic)
        for user in users:
            await chats.upsert_chat(conn, user.id, "private", None, "fr", now)
            await chats.subscribe(conn, user.id, now, topic_id=found.id)
    return [user.id for user in users]


def _draft(title: str, topic: str) -> ArticleDraft:
    return ArticleDraft(title=title, lead=f"{title}, selon nos informations.", topics=(topic,))


async def test_healthz_is_ok_while_the_bot_runs_and_the_database_answers(
    served: Harness,
) -> None:
    status, kind, body = await _get(served, "/healthz")
    assert (status, kind.split(";")[0]) == (200, "application/json")
    assert '"status": "ok"' in body and '"mode": "polling"' in body


async def test_healthz_is_503_when_the_database_does_not_answer(
    served: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken() -> None:
        raise OSError("disk I/O error")

    monkeypatch.setattr(served.db, "ping", broken)
    status, _, body = await _get(served, "/healthz")
    assert status == 503
    assert '"status": "unavailable"' in body and "database does not answer" in body


async def test_healthz_is_503_when_the_bot_is_not_running(bot_settings: Settings) -> None:
    application = build_application(bot_settings)
    status, body = await WebServer(application, "127.0.0.1", 0).health()
    assert status == 503 and body["problem"] == "the bot is not running"


async def test_metrics_count_updates_replies_alerts_and_their_delay(served: Harness) -> None:
    reader = served.sandbox.add_user("Awa")
    await served.ask(reader, "/start")
    await served.ask(reader, "/latest")
    ids = await _subscribers(served, 3, "Élevage")
    await served.publisher.publish(
        _draft("La campagne de vaccination du bétail commence", "Élevage"),
        source_key="metrics:1",
        origin="editor",
    )
    for chat_id in ids:
        await served.sandbox.wait_for(chat_id)
    found = await _samples(served)
    assert found["newsbot_updates_handled_total"] >= 2
    assert found["newsbot_replies_sent_total"] >= 2
    assert found["newsbot_alerts_total{outcome=sent}"] == 3
    assert found["newsbot_alerts_total{outcome=failed}"] == 0
    assert found["newsbot_delivery_delay_seconds_count"] == 3
    assert found["newsbot_delivery_delay_seconds_bucket{le=+Inf}"] == 3
    assert found["newsbot_alerts_pending"] == 0
    assert found["newsbot_telegram_429_total"] == 0


async def test_pending_alerts_are_read_from_the_database_at_scrape_time(served: Harness) -> None:
    worker = served.app.bot_data.worker
    assert worker is not None
    await worker.stop()  # nothing is sent: the outbox keeps them
    await _subscribers(served, 4, "Pêche")
    await served.publisher.publish(
        _draft("Le fleuve rouvre aux pêcheurs de Mopti", "Pêche"),
        source_key="metrics:2",
        origin="editor",
    )
    assert (await _samples(served))["newsbot_alerts_pending"] == 4


@pytest.mark.limits(global_rate=30)
async def test_metrics_count_telegrams_429s(served: Harness) -> None:
    reader = served.sandbox.add_user("Awa")
    served.sandbox.faults.flood(reader, seconds=1.0)
    [reply] = await served.ask(reader, "/start", timeout=10)
    assert "Bienvenue" in reply.content
    assert (await _samples(served))["newsbot_telegram_429_total"] >= 1


async def test_metrics_count_feed_polls_by_outcome(served: Harness) -> None:
    poller = served.app.bot_data.feeds
    assert poller is not None
    now = time.time()
    async with served.db.transaction() as conn:
        feed = await feeds_db.insert_feed(conn, "http://127.0.0.1:9/rss", 15, now, now + 3600)
    assert feed is not None
    report = await poller.poll_feed(feed.id)
    assert report is not None and report.status == "failed"
    found = await _samples(served)
    assert found["newsbot_feed_polls_total{outcome=failed}"] == 1
    assert found["newsbot_feed_polls_total{outcome=ok}"] == 0


async def test_each_application_counts_only_its_own(bot_settings: Settings) -> None:
    first, second = build_application(bot_settings), build_application(bot_settings)
    first.bot_data.metrics.replies.inc(5)
    assert b"newsbot_replies_sent_total 5.0" in first.bot_data.metrics.render(None)
    assert b"newsbot_replies_sent_total 0.0" in second.bot_data.metrics.render(None)
