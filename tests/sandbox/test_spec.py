"""Every method the sandbox serves is in Bot API 10.0 and enforces its required fields."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox import Sandbox
from bot.sandbox.methods import implemented_methods
from tests.sandbox.conftest import Api

# The project's own copy of the Bot API 10.0 specification: a clone has nothing beside it.
SPEC_PATH = Path(__file__).resolve().parents[1] / "data" / "bot-api-10.0.json"


@cache
def _spec() -> dict[str, Any]:
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))


def _required(method: str) -> set[str]:
    return {f["name"] for f in _spec()["methods"][method].get("fields", []) if f["required"]}


_PENDING: list[asyncio.Task[Any]] = []


@pytest.fixture(autouse=True)
async def _cancel_pending() -> AsyncIterator[None]:
    """Cancel the inline queries nobody waits for once a test is done."""
    yield
    while _PENDING:
        task = _PENDING.pop()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await task


Factory = Callable[[Sandbox, Api], Awaitable[dict[str, Any]]]


async def _private(sb: Sandbox, api: Api) -> dict[str, Any]:
    return {"chat_id": sb.add_user("Awa").id}


async def _group(sb: Sandbox, api: Api) -> dict[str, Any]:
    return {"chat_id": sb.add_group("Kati", admins=[sb.add_user("Awa")]).id}


async def _own_message(sb: Sandbox, api: Api) -> dict[str, Any]:
    user = sb.add_user("Awa")
    _, body = await api(
        "sendMessage",
        chat_id=user.id,
        text="avant",
        reply_markup={"inline_keyboard": [[{"text": "Suite", "callback_data": "next"}]]},
    )
    return {"chat_id": user.id, "message_id": body["result"]["message_id"]}


async def _callback(sb: Sandbox, api: Api) -> dict[str, Any]:
    params = await _own_message(sb, api)
    user = sb.user(params["chat_id"])
    [message] = user.private_chat.bot_messages()
    return {"callback_query_id": await user.press(message, "Suite")}


async def _inline(sb: Sandbox, api: Api) -> dict[str, Any]:
    user = sb.add_user("Awa")
    asking = asyncio.create_task(user.inline_query("mali", timeout=2))
    await asyncio.sleep(0)
    _, body = await api("getUpdates")
    query_id = body["result"][-1]["inline_query"]["id"]
    _PENDING.append(asking)
    results = [
        {
            "type": "article",
            "id": "1",
            "title": "Mali",
            "input_message_content": {"message_text": "Mali"},
        }
    ]
    return {"inline_query_id": query_id, "results": results}


async def _photo_message(sb: Sandbox, api: Api) -> dict[str, Any]:
    user = sb.add_user("Awa")
    _, body = await api("sendPhoto", chat_id=user.id, photo="https://example.ml/a.jpg")
    return {"chat_id": user.id, "message_id": body["result"]["message_id"], "caption": "Légende"}


async def _nothing(sb: Sandbox, api: Api) -> dict[str, Any]:
    return {}


async def _member(sb: Sandbox, api: Api) -> dict[str, Any]:
    params = await _group(sb, api)
    return dict(params, user_id=sb.bot_id)


async def _forum(sb: Sandbox, api: Api) -> dict[str, Any]:
    admin = sb.add_user("Boubacar")
    forum = sb.add_group("Veille", admins=[admin], supergroup=True, forum=True, bot_admin=True)
    return {"chat_id": forum.id}


async def _forum_topic(sb: Sandbox, api: Api) -> dict[str, Any]:
    params = await _forum(sb, api)
    admin = next(iter(sb.chat(params["chat_id"]).members))
    thread = sb.create_topic(params["chat_id"], "Sport", sb.user(admin))
    return dict(params, message_thread_id=thread)


async def _closed_topic(sb: Sandbox, api: Api) -> dict[str, Any]:
    params = await _forum_topic(sb, api)
    sb.close_topic(params["chat_id"], params["message_thread_id"])
    return params


async def _with(base: Factory, extra: dict[str, Any], sb: Sandbox, api: Api) -> dict[str, Any]:
    return dict(await base(sb, api), **extra)


COMMANDS = [{"command": "latest", "description": "Derniers articles"}]

# A call that succeeds for every implemented method; each test removes one required field.
VALID_CALLS: dict[str, Factory] = {
    "getMe": _nothing,
    "logOut": _nothing,
    "close": _nothing,
    "getUpdates": _nothing,
    "setWebhook": lambda sb, api: _with(_nothing, {"url": "https://bot.example/hook"}, sb, api),
    "deleteWebhook": _nothing,
    "getWebhookInfo": _nothing,
    "setMyCommands": lambda sb, api: _with(_nothing, {"commands": COMMANDS}, sb, api),
    "getMyCommands": _nothing,
    "deleteMyCommands": _nothing,
    "setMyDescription": lambda sb, api: _with(_nothing, {"description": "Le journal"}, sb, api),
    "getMyDescription": _nothing,
    "setMyShortDescription": lambda sb, api: _with(
        _nothing, {"short_description": "Le journal", "language_code": "en"}, sb, api
    ),
    "getMyShortDescription": _nothing,
    "sendMessage": lambda sb, api: _with(_private, {"text": "Bonjour"}, sb, api),
    "sendPhoto": lambda sb, api: _with(_private, {"photo": "https://example.ml/a.jpg"}, sb, api),
    "editMessageText": lambda sb, api: _with(_own_message, {"text": "après"}, sb, api),
    "editMessageCaption": _photo_message,
    "editMessageReplyMarkup": _own_message,
    "deleteMessage": _own_message,
    "answerCallbackQuery": _callback,
    "answerInlineQuery": _inline,
    "getChat": _private,
    "getChatMember": _member,
    "getChatAdministrators": _group,
    "getChatMemberCount": _group,
    "leaveChat": _group,
    "sendChatAction": lambda sb, api: _with(_private, {"action": "typing"}, sb, api),
    "createForumTopic": lambda sb, api: _with(_forum, {"name": "Politique"}, sb, api),
    "closeForumTopic": _forum_topic,
    "reopenForumTopic": _closed_topic,
    "deleteForumTopic": _forum_topic,
}


def test_spec_file_is_bot_api_10() -> None:
    assert _spec()["version"].endswith("10.0")


def test_every_implemented_method_is_in_the_spec_with_the_same_required_fields() -> None:
    implemented = implemented_methods()
    assert set(implemented) == set(VALID_CALLS)
    for method, required in implemented.items():
        assert method in _spec()["methods"], method
        assert set(required) == _required(method), method


@pytest.mark.parametrize("method", sorted(VALID_CALLS))
async def test_valid_call_succeeds(method: str, sandbox: Sandbox, api: Api) -> None:
    params = await VALID_CALLS[method](sandbox, api)
    status, body = await api(method, **params)
    assert (status, body["ok"]) == (200, True), body


@pytest.mark.parametrize(
    ("method", "missing"),
    sorted((m, field) for m in VALID_CALLS for field in _required(m)),
)
async def test_missing_required_field_is_400(
    method: str, missing: str, sandbox: Sandbox, api: Api
) -> None:
    params = await VALID_CALLS[method](sandbox, api)
    del params[missing]
    status, body = await api(method, **params)
    assert status == 400
    assert body["ok"] is False
    assert body["error_code"] == 400
    assert body["description"].startswith("Bad Request: ")


async def test_descriptions_keep_their_language_and_limits(sandbox: Sandbox, api: Api) -> None:
    await api("setMyDescription", description="Les nouvelles du journal")
    await api("setMyDescription", description="The newspaper's news", language_code="en")
    status, body = await api("getMyDescription", language_code="en")
    assert (status, body["result"]) == (200, {"description": "The newspaper's news"})
    _, body = await api("getMyDescription", language_code="de")  # none of its own: the default
    assert body["result"] == {"description": "Les nouvelles du journal"}
    status, _ = await api("setMyShortDescription", short_description="x" * 121)
    assert status == 400
    await api("setMyDescription", description="", language_code="en")  # removed
    _, body = await api("getMyDescription", language_code="en")
    assert body["result"] == {"description": "Les nouvelles du journal"}
