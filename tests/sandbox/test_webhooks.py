"""The sandbox's webhooks: setWebhook makes it POST each update, as Telegram does."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from bot.sandbox import Sandbox
from tests.sandbox.conftest import Api

SECRET = "s3cret_Token-42"


@dataclass
class Receiver:
    """A webhook on loopback: records what it gets, answers with `statuses` first, then 200."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    secrets: list[str | None] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    hold: asyncio.Event | None = None
    in_flight: int = 0
    most_in_flight: int = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.hold is not None:
                await self.hold.wait()
            status = self.statuses.pop(0) if self.statuses else 200
            if status == 200:
                self.received.append(json.loads(await request.read()))
                self.secrets.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
            return web.Response(status=status)
        finally:
            self.in_flight -= 1

    def texts(self) -> list[str]:
        return [update["message"]["text"] for update in self.received if "message" in update]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    app = web.Application()
    app.router.add_post("/telegram", found.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    found.url = f"http://127.0.0.1:{port}/telegram"
    yield found
    if found.hold is not None:
        found.hold.set()
    await runner.cleanup()


async def until(condition: Any, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def test_each_update_is_posted_with_the_secret_and_get_updates_is_refused(
    sandbox: Sandbox, api: Api, receiver: Receiver
) -> None:
    status, _ = await api("setWebhook", url=receiver.url, secret_token=SECRET)
    assert status == 200
    awa = sandbox.add_user("Awa")
    for text in ("/start", "/latest", "/help"):
        await awa.send(text)
    await until(lambda: len(receiver.received) == 3)
    assert receiver.texts() == ["/start", "/latest", "/help"]
    assert receiver.secrets == [SECRET] * 3
    ids = [update["update_id"] for update in receiver.received]
    assert ids == sorted(ids) and len(set(ids)) == 3
    await until(lambda: sandbox.pending_updates == 0)
    assert sandbox.stats.updates_delivered == 3

    status, body = await api("getUpdates")
    assert status == 409
    assert body["description"] == (
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first"
    )
    _, info = await api("getWebhookInfo")
    assert info["result"]["url"] == receiver.url
    assert info["result"]["pending_update_count"] == 0
    assert info["result"]["max_connections"] == 40
    assert "last_error_message" not in info["result"]


async def test_a_webhook_that_fails_gets_the_update_again_and_each_chat_keeps_its_order(
    sandbox: Sandbox, api: Api, receiver: Receiver
) -> None:
    receiver.statuses = [500, 500, 403]
    await api("setWebhook", url=receiver.url, secret_token=SECRET)
    awa, issa = sandbox.add_user("Awa"), sandbox.add_user("Issa")
    await awa.send("Awa 1")
    await issa.send("Issa 1")
    await awa.send("Awa 2")
    await issa.send("Issa 2")
    await until(lambda: len(receiver.received) == 4)
    texts = receiver.texts()
    assert [t for t in texts if t.startswith("Awa")] == ["Awa 1", "Awa 2"]
    assert [t for t in texts if t.startswith("Issa")] == ["Issa 1", "Issa 2"]
    _, info = await api("getWebhookInfo")
    result = info["result"]
    assert result["pending_update_count"] == 0
    assert result["last_error_message"] in (
        "Wrong response from the webhook: 500 Internal Server Error",
        "Wrong response from the webhook: 403 Forbidden",
    )
    assert abs(result["last_error_date"] - sandbox.now()) <= 5


async def test_pending_updates_wait_while_the_webhook_is_down(
    sandbox: Sandbox, api: Api, receiver: Receiver
) -> None:
    # A port nobody listens on: Telegram keeps the update and says why.
    await api("setWebhook", url="http://127.0.0.1:9/telegram")
    await sandbox.add_user("Awa").send("/start")
    await until(lambda: sandbox.webhook is not None and sandbox.webhook.failures > 0)
    _, info = await api("getWebhookInfo")
    assert info["result"]["pending_update_count"] == 1
    assert info["result"]["last_error_message"] == "Connection refused"
    # The bot comes up at its real address: the update that waited arrives.
    await api("setWebhook", url=receiver.url)
    await until(lambda: receiver.texts() == ["/start"])


async def test_no_more_than_max_connections_requests_at_once(
    sandbox: Sandbox, api: Api, receiver: Receiver
) -> None:
    receiver.hold = asyncio.Event()
    await api("setWebhook", url=receiver.url, max_connections=3)
    for user in sandbox.add_users(8):
        await user.send("/start")
    await until(lambda: receiver.in_flight == 3)
    await asyncio.sleep(0.2)
    assert receiver.in_flight == 3
    receiver.hold.set()
    await until(lambda: len(receiver.received) == 8)
    assert receiver.most_in_flight == 3


async def test_set_webhook_refuses_what_telegram_refuses(api: Api) -> None:
    cases = {
        "http://bot.example.org/hook": "An HTTPS URL must be provided for webhook",
        "https://bot.example.org:8080/hook": "Webhook can be set up only on ports 80, 88, 443 or 8443",
    }
    for url, text in cases.items():
        status, body = await api("setWebhook", url=url)
        assert (status, body["description"]) == (400, f"Bad Request: bad webhook: {text}")
    status, body = await api("setWebhook", url="https://bot.example.org/hook", secret_token="a:b")
    assert (status, body["description"]) == (
        400,
        "Bad Request: secret token contains unallowed characters",
    )
    _, info = await api("getWebhookInfo")
    assert info["result"]["url"] == ""


async def test_delete_webhook_gives_the_pending_updates_back_to_get_updates(
    sandbox: Sandbox, api: Api
) -> None:
    await api("setWebhook", url="https://bot.example.org/hook")  # never called: not loopback
    await sandbox.add_user("Awa").send("/start")
    _, info = await api("getWebhookInfo")
    assert info["result"]["pending_update_count"] == 1
    assert (await api("deleteWebhook"))[0] == 200
    status, body = await api("getUpdates")
    assert status == 200
    assert [update["message"]["text"] for update in body["result"]] == ["/start"]


async def test_drop_pending_updates_forgets_them(sandbox: Sandbox, api: Api) -> None:
    await sandbox.add_user("Awa").send("/start")
    await api("setWebhook", url="https://bot.example.org/hook", drop_pending_updates=True)
    _, info = await api("getWebhookInfo")
    assert info["result"]["pending_update_count"] == 0


async def test_setting_a_webhook_ends_a_waiting_get_updates_with_409(api: Api) -> None:
    waiting = asyncio.create_task(api("getUpdates", timeout=5))
    await asyncio.sleep(0.2)
    await api("setWebhook", url="https://bot.example.org/hook")
    status, body = await asyncio.wait_for(waiting, 2)
    assert status == 409
    assert "webhook is active" in body["description"]
