"""Fixtures for the sandbox's own tests: a running sandbox and raw HTTP access to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import telegram

from bot.sandbox import Sandbox


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    """Run a sandbox on a free loopback port."""
    async with Sandbox(token="123456:TEST-token", bot_username="newsbot_test_bot") as sb:
        yield sb


@pytest.fixture
async def http(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    """Give a plain HTTP client for the sandbox's Bot API URL."""
    async with httpx.AsyncClient(base_url=sandbox.base_url + sandbox.token + "/") as client:
        yield client


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[telegram.Bot]:
    """Give a python-telegram-bot Bot talking to the sandbox."""
    async with telegram.Bot(sandbox.token, base_url=sandbox.base_url) as bot:
        yield bot


class Api:
    """Call Bot API methods with form-encoded bodies, as python-telegram-bot does."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def __call__(self, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        """Call ``method``; return (HTTP status, decoded body)."""
        import json

        data = {
            key: value if isinstance(value, str) else json.dumps(value)
            for key, value in params.items()
        }
        response = await self.client.post(method, data=data)
        return response.status_code, response.json()


@pytest.fixture
def api(http: httpx.AsyncClient) -> Api:
    """Give a callable that posts a Bot API method and returns (status, body)."""
    return Api(http)
