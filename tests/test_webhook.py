"""Webhook mode: updates arrive over HTTP, checked, acknowledged at once, then handled."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest

from bot.app import build_application, running
from bot.config import Settings
from bot.sandbox import Sandbox
from bot.web import SECRET_HEADER
from tests.conftest import BOT_TOKEN, Harness, free_port


async def _post(url: str, body: bytes, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=headers) as response,
    ):
        return response.status


def _update(user_id: int, text: str, update_id: int = 1) -> bytes:
    chat = {"id": user_id, "type": "private", "first_name": "Intrus"}
    message = {
        "message_id": 1,
        "date": 1_700_000_000,
        "chat": chat,
        "from": {"id": user_id, "is_bot": False, "first_name": "Intrus"},
        "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
    }
    return json.dumps({"update_id": update_id, "message": message}).encode()


async def test_a_reader_is_answered_by_webhook_and_getupdates_is_never_called(
    webhook_bot: Harness,
) -> None:
    sandbox, settings = webhook_bot.sandbox, webhook_bot.app.bot_data.settings
    assert sandbox.webhook is not None
    assert sandbox.webhook.url == settings.webhook_url
    assert sandbox.webhook.secret_token == settings.webhook_secret
    reader = sandbox.add_user("Awa")
    [reply] = await webhook_bot.ask(reader, "/start")
    assert reply.from_bot and "Bienvenue" in reply.content
    [reply] = await webhook_bot.ask(reader, "/subscribe mali")
    assert "#Mali" in reply.content
    assert sandbox.stats.requests["getUpdates"] == 0
    assert sandbox.pending_updates == 0
    assert sandbox.webhook.failures == 0


async def test_a_request_without_the_secret_is_refused_with_403_and_never_handled(
    webhook_bot: Harness,
) -> None:
    sandbox, settings = webhook_bot.sandbox, webhook_bot.app.bot_data.settings
    assert settings.webhook_url is not None
    intruder = sandbox.add_user("Intrus")
    body = _update(intruder.id, "/start")
    assert await _post(settings.webhook_url, body, None) == 403
    assert await _post(settings.webhook_url, body, "not-the-secret") == 403
    assert await _post(settings.webhook_url, body, settings.webhook_secret[:-1]) == 403
    await asyncio.sleep(0.3)
    assert intruder.private_chat.bot_messages() == []
    # The same body with the secret is an update like any other.
    assert await _post(settings.webhook_url, body, settings.webhook_secret) == 200
    [reply] = await sandbox.wait_for(intruder)
    assert "Bienvenue" in reply.content


async def test_a_body_that_is_not_an_update_is_refused_with_400_and_logged_once(
    webhook_bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    settings = webhook_bot.app.bot_data.settings
    assert settings.webhook_url is not None
    caplog.set_level(logging.WARNING, logger="bot.web")
    for body in (b"not json", b"[1, 2]", b'{"message": {}}', b'{"update_id": "7"}'):
        assert await _post(settings.webhook_url, body, settings.webhook_secret) == 400
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.web"]
    assert len(lines) == 1 and "refused a request body" in lines[0]
    # The bot still serves.
    [reply] = await webhook_bot.ask(webhook_bot.sandbox.add_user("Awa"), "/start")
    assert "Bienvenue" in reply.content


async def test_updates_are_acknowledged_before_they_are_handled(webhook_bot: Harness) -> None:
    """With Telegram holding every reply, the webhook requests are still answered 200."""
    sandbox = webhook_bot.sandbox
    assert sandbox.webhook is not None
    readers = sandbox.add_users(5)
    sandbox.faults.methods = {"sendmessage"}
    sandbox.faults.hang = True
    for reader in readers:
        await reader.send("/start")
    async with asyncio.timeout(5):
        while sandbox.pending_updates or sandbox.webhook.in_flight:
            await asyncio.sleep(0.01)
    assert all(not reader.private_chat.bot_messages() for reader in readers)
    assert sandbox.stats.updates_delivered == 5
    sandbox.faults.hang = False
    for reader in readers:
        [reply] = await sandbox.wait_for(reader)
        assert "Bienvenue" in reply.content
    latencies = sorted(sandbox.webhook.latencies)
    print(f"\nwebhook acknowledgements: median {latencies[len(latencies) // 2] * 1000:.1f} ms")


async def test_stopping_never_deletes_the_webhook(
    sandbox: Sandbox, webhook_settings: Settings
) -> None:
    application = build_application(webhook_settings)
    async with running(application):
        pass
    assert sandbox.stats.requests["setWebhook"] == 1
    assert sandbox.stats.requests["deleteWebhook"] == 0
    assert sandbox.updates.webhook_url == webhook_settings.webhook_url
    # What arrives while no instance serves waits at Telegram, for the next one.
    reader = sandbox.add_user("Awa")
    await reader.send("/start")
    await asyncio.sleep(0.3)
    assert sandbox.pending_updates == 1
    application = build_application(webhook_settings)
    async with running(application):
        [reply] = await sandbox.wait_for(reader)
        assert "Bienvenue" in reply.content


async def test_long_polling_removes_a_webhook_left_from_before_and_says_so(
    sandbox: Sandbox, bot_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.sandbox.updates import WebhookSender

    await sandbox.set_webhook(WebhookSender(sandbox.updates, "https://bot.example.org/hook"))
    reader = sandbox.add_user("Awa")
    await reader.send("/start")  # waiting at Telegram for the webhook that no longer serves
    caplog.set_level(logging.INFO, logger="bot.app")
    application = build_application(bot_settings)
    async with running(application, poll_timeout=1):
        [reply] = await sandbox.wait_for(reader)
        assert "Bienvenue" in reply.content
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and r.name == "bot.app"
    ]
    assert len(warnings) == 1
    assert "https://bot.example.org/hook" in warnings[0] and "NEWSBOT_WEBHOOK_URL" in warnings[0]
    assert sandbox.updates.webhook_url == ""


async def test_a_webhook_telegram_refuses_stops_start_up_and_leaves_nothing_running(
    sandbox: Sandbox, bot_settings: Settings
) -> None:
    from telegram.error import BadRequest

    settings = replace(
        bot_settings, webhook_url="http://bot.example.org/hook", listen=("127.0.0.1", 0)
    )
    application = build_application(settings)
    with pytest.raises(BadRequest, match=r"(?i)https url must be provided"):
        async with running(application):
            raise AssertionError("started")
    data = application.bot_data
    assert data.web is None and data.worker is None and data.database is None
    assert not application.running


async def test_newsbot_run_in_webhook_mode_serves_health_and_stops_cleanly(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The real command: setWebhook at start, readers answered, /healthz 200, SIGTERM exits 0
    without deleteWebhook."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(Path(__file__).parents[1]),
            "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
            "TELEGRAM_API_URL": sandbox.base_url,
            "NEWSBOT_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
            "NEWSBOT_LISTEN": f"127.0.0.1:{port}",
        },
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(30):
            while sandbox.webhook is None:
                await asyncio.sleep(0.05)
        reader = sandbox.add_user("Awa")
        await reader.send("/start")
        [reply] = await sandbox.wait_for(reader, timeout=10)
        assert "Bienvenue" in reply.content
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/healthz") as response,
        ):
            assert response.status == 200
            assert (await response.json())["mode"] == "webhook"
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 15)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    output = stderr.decode()
    assert process.returncode == 0, output
    assert "Traceback" not in output and "Unclosed" not in output
    assert "Taking updates by webhook at" in output
    assert sandbox.stats.requests["deleteWebhook"] == 0
    assert sandbox.stats.requests["getUpdates"] == 0
