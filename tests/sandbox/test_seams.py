"""The sandbox's inner seams: people talk to a Host, updates wait in a queue, methods in a table."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.sandbox import Sandbox, SandboxChat, SandboxUser
from bot.sandbox.errors import SandboxApiError
from bot.sandbox.methods import find, implemented_methods
from bot.sandbox.updates import UpdateQueue
from tests.sandbox.conftest import Api


class RecordingHost:
    """A Host that only writes down what people do."""

    transcript_limit: int | None = None

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    @property
    def position(self) -> int:
        return 41

    def receive_message(
        self,
        user: SandboxUser,
        chat: SandboxChat | int | None,
        *,
        text: str | None = None,
        caption: str | None = None,
        photo: bool = False,
        reply_to: Any = None,
        thread: int | None = None,
    ) -> dict[str, Any]:
        self.calls.append(("message", user.id, chat, text, caption, photo))
        return {"message_id": 1}

    def receive_edit(self, user: SandboxUser, message: Any, text: str) -> dict[str, Any]:
        self.calls.append(("edit", user.id, message, text))
        return {"message_id": message}

    def receive_press(self, user: SandboxUser, message: Any, button: str | int) -> str:
        self.calls.append(("press", user.id, message, button))
        return "query-1"

    async def receive_inline_query(
        self, user: SandboxUser, query: str, offset: str, timeout: float
    ) -> list[dict[str, Any]]:
        self.calls.append(("inline", user.id, query, offset))
        return []

    def bot_status_changed(
        self, chat: SandboxChat, by: SandboxUser | None, old: str, new: str
    ) -> None:
        self.calls.append(("status", chat.id, by.id if by else None, old, new))


async def test_people_act_only_through_their_host() -> None:
    host = RecordingHost()
    awa = SandboxUser(host, 7, "Awa")
    await awa.send("/latest")
    await awa.send_photo(caption="Légende")
    await awa.edit(3, "Corrigé")
    assert await awa.press(4, "Suivant ›") == "query-1"
    await awa.inline_query("mali", offset="5")
    awa.block_bot()
    awa.unblock_bot()
    assert host.calls == [
        ("message", 7, None, "/latest", None, False),
        ("message", 7, None, None, "Légende", True),
        ("edit", 7, 3, "Corrigé"),
        ("press", 7, 4, "Suivant ›"),
        ("inline", 7, "mali", "5"),
        ("status", 7, 7, "member", "kicked"),
        ("status", 7, 7, "kicked", "member"),
    ]
    assert awa.private_chat.mark() == 41


def test_the_queue_keeps_only_allowed_updates_and_forgets_confirmed_ones() -> None:
    queue = UpdateQueue(first_id=10)
    queue.allowed = frozenset({"message"})
    queue.push("callback_query", {"id": "q"})
    for n in range(4):
        queue.push("message", {"n": n})
    assert [u["update_id"] for u in queue.batch(100)] == [10, 11, 12, 13]
    queue.confirm(12)
    assert [u["message"]["n"] for u in queue.batch(1)] == [2]
    queue.confirm(-1)
    assert [u["update_id"] for u in queue.batch(100)] == [13]


async def test_a_second_poll_ends_the_first_and_a_push_wakes_it() -> None:
    queue = UpdateQueue(first_id=1)
    first = asyncio.create_task(queue.wait(5))
    await asyncio.sleep(0)
    second = asyncio.create_task(queue.wait(5))
    with pytest.raises(SandboxApiError) as conflict:
        await first
    assert conflict.value.code == 409
    queue.push("message", {})
    await asyncio.wait_for(second, 1)
    assert len(queue) == 1


async def test_a_closed_queue_answers_polls_at_once() -> None:
    queue = UpdateQueue(first_id=1)
    held = asyncio.create_task(queue.wait(5))
    await asyncio.sleep(0)
    queue.close()
    await asyncio.wait_for(held, 1)
    await asyncio.wait_for(queue.wait(5), 1)


async def test_reset_answers_a_held_get_updates(sandbox: Sandbox, api: Api) -> None:
    poll = asyncio.create_task(api("getUpdates", timeout=5))
    await asyncio.sleep(0.2)
    sandbox.reset()
    status, body = await asyncio.wait_for(poll, 2)
    assert (status, body["result"]) == (200, [])


async def test_method_names_are_case_insensitive(api: Api) -> None:
    status, body = await api("GETME")
    assert status == 200
    assert body["result"]["is_bot"] is True
    assert find("sendmessage") is find("sendMessage") is not None
    assert "sendMessage" in implemented_methods()
