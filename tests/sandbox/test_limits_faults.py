"""Rate limits and injected faults behave like a busy, imperfect Telegram."""

from __future__ import annotations

import asyncio
import time

import httpx

from bot.sandbox import RateLimits, Sandbox
from tests.sandbox.conftest import Api


async def test_private_chat_burst_then_429(api: Api, sandbox: Sandbox) -> None:
    awa = sandbox.add_user("Awa")
    statuses = [(await api("sendMessage", chat_id=awa.id, text=f"m{n}"))[0] for n in range(3)]
    assert statuses == [200, 200, 200]
    status, body = await api("sendMessage", chat_id=awa.id, text="trop")
    assert status == 429
    assert body["description"] == "Too Many Requests: retry after 1"
    assert body["parameters"] == {"retry_after": 1}
    assert sandbox.stats.too_many_requests == 1
    assert sandbox.stats.rate_limit_violations == 1
    assert sandbox.stats.responses[429] == 1
    # Asking again at once ignores retry_after, which the sandbox counts.
    assert (await api("sendMessage", chat_id=awa.id, text="encore"))[0] == 429
    assert sandbox.stats.retry_after_ignored == 1
    sandbox.advance(1.0)
    assert (await api("sendMessage", chat_id=awa.id, text="après"))[0] == 200
    assert awa.private_chat.texts() == ["m0", "m1", "m2", "après"]
    assert sandbox.stats.messages_delivered == 4


async def test_group_limit_is_20_per_minute_with_plausible_retry_after(
    api: Api, sandbox: Sandbox
) -> None:
    group = sandbox.add_group("Kati", admins=[sandbox.add_user("Awa")])
    for n in range(20):
        assert (await api("sendMessage", chat_id=group.id, text=f"m{n}"))[0] == 200
    status, body = await api("sendMessage", chat_id=group.id, text="trop")
    assert status == 429
    assert 1 <= body["parameters"]["retry_after"] <= 3


async def test_global_limit_spans_chats() -> None:
    limits = RateLimits(global_per_second=5)
    async with Sandbox(limits=limits) as sb, httpx.AsyncClient() as client:
        api = Api(client)
        users = sb.add_users(6)
        statuses = []
        for user in users:
            response = await client.post(
                f"{sb.base_url}{sb.token}/sendMessage", data={"chat_id": user.id, "text": "x"}
            )
            statuses.append(response.status_code)
        assert statuses == [200] * 5 + [429]
        del api


async def test_rate_limits_can_be_turned_off() -> None:
    async with Sandbox(rate_limits=False) as sb, httpx.AsyncClient() as client:
        user = sb.add_user("Awa")
        url = f"{sb.base_url}{sb.token}/sendMessage"
        for n in range(20):
            response = await client.post(url, data={"chat_id": user.id, "text": str(n)})
            assert response.status_code == 200


async def test_edits_do_not_count_by_default(api: Api, sandbox: Sandbox) -> None:
    awa = sandbox.add_user("Awa")
    _, sent = await api("sendMessage", chat_id=awa.id, text="0")
    for n in range(1, 6):
        status, _ = await api(
            "editMessageText", chat_id=awa.id, message_id=sent["result"]["message_id"], text=str(n)
        )
        assert status == 200


async def test_flood_forces_429_for_one_chat(api: Api, sandbox: Sandbox) -> None:
    awa, binta = sandbox.add_user("Awa"), sandbox.add_user("Binta")
    sandbox.faults.flood(awa, seconds=30)
    status, body = await api("sendMessage", chat_id=awa.id, text="x")
    assert status == 429
    assert body["parameters"]["retry_after"] == 30
    assert (await api("sendMessage", chat_id=binta.id, text="x"))[0] == 200
    sandbox.advance(31)
    assert (await api("sendMessage", chat_id=awa.id, text="x"))[0] == 200


async def test_global_flood(api: Api, sandbox: Sandbox) -> None:
    awa = sandbox.add_user("Awa")
    sandbox.faults.flood(seconds=5)
    assert (await api("sendMessage", chat_id=awa.id, text="x"))[0] == 429
    assert (await api("getUpdates"))[0] == 200  # polling keeps working
    sandbox.faults.clear()
    assert (await api("sendMessage", chat_id=awa.id, text="x"))[0] == 200


async def test_error_rate_gives_seeded_5xx_without_side_effects() -> None:
    outcomes = []
    for _ in range(2):
        async with Sandbox(rate_limits=False, seed=3) as sb, httpx.AsyncClient() as client:
            user = sb.add_user("Awa")
            sb.faults.error_rate = 0.5
            statuses = []
            for n in range(40):
                response = await client.post(
                    f"{sb.base_url}{sb.token}/sendMessage", data={"chat_id": user.id, "text": n}
                )
                statuses.append(response.status_code)
                if response.status_code >= 500:
                    body = response.json()
                    assert body["error_code"] == response.status_code
                    assert body["description"] in ("Internal Server Error", "Bad Gateway")
            assert set(statuses) == {200, 500, 502}
            assert len(user.private_chat.texts()) == statuses.count(200)
            outcomes.append(statuses)
    assert outcomes[0] == outcomes[1], "the same seed must give the same faults"


async def test_slow_answers_arrive_late_but_the_message_is_sent(api: Api, sandbox: Sandbox) -> None:
    awa = sandbox.add_user("Awa")
    sandbox.faults.slow_rate = 1.0
    sandbox.faults.slow_seconds = 0.5
    started = time.monotonic()
    assert (await api("sendMessage", chat_id=awa.id, text="lent"))[0] == 200
    assert time.monotonic() - started >= 0.45
    assert awa.private_chat.texts() == ["lent"]


async def test_hang_holds_requests_until_cleared(
    http: httpx.AsyncClient, api: Api, sandbox: Sandbox
) -> None:
    awa = sandbox.add_user("Awa")
    sandbox.faults.hang = True
    try:
        await http.post("sendMessage", data={"chat_id": awa.id, "text": "x"}, timeout=0.3)
    except httpx.ReadTimeout:
        pass
    else:
        raise AssertionError("a hung sandbox answered")
    held = asyncio.create_task(api("sendMessage", chat_id=awa.id, text="après"))
    await asyncio.sleep(0.1)
    assert not held.done()
    sandbox.faults.hang = False
    assert (await asyncio.wait_for(held, 5))[0] == 200
    # The timed-out request still went through once released, as a real timeout may.
    await asyncio.sleep(0.05)
    assert sorted(awa.private_chat.texts()) == ["après", "x"]
