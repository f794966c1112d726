"""The JSON control surface, in process and as ``python -m bot.sandbox``."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.sandbox import Sandbox

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
async def control(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    """Give an HTTP client rooted at the sandbox's /control surface."""
    root = sandbox.base_url.removesuffix("/bot")
    async with httpx.AsyncClient(base_url=root + "/control") as client:
        yield client


async def test_control_drives_people_faults_and_stats(
    control: httpx.AsyncClient, http: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    bulk = (await control.post("/users", json={"count": 2000})).json()
    assert len(bulk["ids"]) == 2000
    awa = (await control.post("/users", json={"first_name": "Awa", "language_code": "fr"})).json()
    group = (await control.post("/groups", json={"title": "Kati", "admins": [awa["id"]]})).json()
    assert group["type"] == "group"

    sent = (await control.post("/send", json={"user_id": awa["id"], "text": "/latest"})).json()
    assert sent["message"]["entities"][0]["type"] == "bot_command"
    updates = (await http.post("getUpdates")).json()["result"]
    assert updates[0]["message"]["text"] == "/latest"

    reply = await http.post(
        "sendMessage",
        json={
            "chat_id": awa["id"],
            "text": "Liste",
            "reply_markup": {"inline_keyboard": [[{"text": "Suite", "callback_data": "n"}]]},
        },
    )
    message_id = reply.json()["result"]["message_id"]
    pressed = await control.post(
        "/press", json={"user_id": awa["id"], "message_id": message_id, "button": "Suite"}
    )
    assert pressed.json()["callback_query_id"]

    transcript = (await control.get(f"/transcript/{awa['id']}")).json()
    assert [m["content"] for m in transcript["messages"]] == ["/latest", "Liste"]
    assert [m["from_bot"] for m in transcript["messages"]] == [False, True]
    assert transcript["messages"][1]["buttons"] == [[["Suite", "n"]]]

    await control.post("/faults", json={"flood": {"chat_id": awa["id"], "seconds": 5}})
    flooded = await http.post("sendMessage", json={"chat_id": awa["id"], "text": "x"})
    assert flooded.status_code == 429
    await control.post("/faults", json={"clear": True})
    await control.post(f"/users/{awa['id']}/block")
    blocked = await http.post("sendMessage", json={"chat_id": awa["id"], "text": "x"})
    assert blocked.status_code == 403
    migrated = (await control.post(f"/chats/{group['id']}/migrate")).json()
    assert migrated["migrate_to_chat_id"] < -1_000_000_000_000

    stats = (await control.get("/stats")).json()
    assert stats["requests"]["sendMessage"] == 3
    assert stats["responses"]["429"] == 1
    assert stats["too_many_requests"] == 1

    await control.post("/reset")
    assert sandbox.users == {}
    assert (await control.get("/stats")).json()["requests"] == {}


async def test_control_wait_returns_bot_messages(
    control: httpx.AsyncClient, http: httpx.AsyncClient
) -> None:
    awa = (await control.post("/users", json={"first_name": "Awa"})).json()
    waiting = asyncio.create_task(
        control.post("/wait", json={"chat_id": awa["id"], "count": 2, "timeout": 5})
    )
    await asyncio.sleep(0.1)
    for text in ("un", "deux"):
        await http.post("sendMessage", json={"chat_id": awa["id"], "text": text})
    found = (await waiting).json()
    assert [m["text"] for m in found["messages"]] == ["un", "deux"]


async def test_separate_process_prints_its_url_and_serves() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.sandbox",
        "--port",
        "0",
        "--no-rate-limits",
        "--seed",
        "5",
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 20)
        base_url = line.decode().strip()
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/bot")
        root = base_url.removesuffix("/bot")
        async with httpx.AsyncClient() as client:
            me = (await client.get(base_url + "123456:TEST-token/getMe")).json()
            assert me["result"]["username"] == "newsbot_test_bot"
            users = (await client.post(root + "/control/users", json={"count": 50})).json()
            for user_id in users["ids"][:10]:
                response = await client.post(
                    base_url + "123456:TEST-token/sendMessage",
                    data={"chat_id": str(user_id), "text": "alerte"},
                )
                assert response.status_code == 200
            stats = (await client.get(root + "/control/stats")).json()
            assert stats["messages_delivered"] == 10
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 10)
    assert process.returncode == 0
