"""A small JSON HTTP surface to drive a sandbox from another process (benchmarks, demos)."""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.sandbox.world import SandboxChat, SandboxMessage, SandboxUser

if TYPE_CHECKING:
    from bot.sandbox.server import Sandbox

__all__ = ["add_control_routes", "message_json"]

_SANDBOX: web.AppKey[Sandbox] = web.AppKey("sandbox")


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(data, ensure_ascii=False).encode(),
        status=status,
        content_type="application/json",
    )


def _user_json(user: SandboxUser) -> dict[str, Any]:
    return dict(user.to_api(), started=user.started, blocked=user.blocked)


def _chat_json(chat: SandboxChat) -> dict[str, Any]:
    return dict(chat.to_api(), bot_status=chat.bot_status, members=len(chat.members))


def message_json(message: SandboxMessage) -> dict[str, Any]:
    """Describe a transcript message as JSON-ready data."""
    data = dataclasses.asdict(message)
    data["content"] = message.content
    data["buttons"] = message.buttons
    data["edited"] = message.edited
    return data


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.body_exists:
        return {}
    try:
        data = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="body must be a JSON object") from None
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(text="body must be a JSON object")
    return data


def _sb(request: web.Request) -> Sandbox:
    return request.app[_SANDBOX]


def _get_user(sb: Sandbox, user_id: Any) -> SandboxUser:
    try:
        return sb.user(int(user_id))
    except (KeyError, TypeError, ValueError):
        raise web.HTTPNotFound(text=f"unknown user {user_id}") from None


def _get_chat(sb: Sandbox, chat_id: Any) -> SandboxChat:
    try:
        return sb.chat(chat_id if str(chat_id).startswith("@") else int(chat_id))
    except (KeyError, TypeError, ValueError):
        raise web.HTTPNotFound(text=f"unknown chat {chat_id}") from None


async def _users(request: web.Request) -> web.Response:
    """Create one user, or ``count`` users in one go."""
    sb, body = _sb(request), await _body(request)
    if "count" in body:
        users = sb.add_users(
            int(body["count"]),
            first_name=body.get("first_name", "Lecteur"),
            language_code=body.get("language_code", "fr"),
            started=body.get("started", True),
        )
        return _json({"first_id": users[0].id if users else None, "ids": [u.id for u in users]})
    user = sb.add_user(
        body.get("first_name", "Lecteur"),
        body.get("last_name"),
        body.get("username"),
        body.get("language_code", "fr"),
        started=body.get("started", True),
    )
    return _json(_user_json(user))


async def _user_action(request: web.Request) -> web.Response:
    sb = _sb(request)
    user = _get_user(sb, request.match_info["user_id"])
    action = request.match_info["action"]
    if action == "block":
        user.block_bot()
    elif action == "unblock":
        user.unblock_bot()
    elif action == "deactivate":
        user.deactivate()
    else:
        raise web.HTTPNotFound(text=f"unknown action {action}")
    return _json(_user_json(user))


async def _groups(request: web.Request) -> web.Response:
    sb, body = _sb(request), await _body(request)
    group = sb.add_group(
        body.get("title", "Groupe"),
        admins=[_get_user(sb, uid) for uid in body.get("admins", [])],
        members=[_get_user(sb, uid) for uid in body.get("members", [])],
        supergroup=bool(body.get("supergroup", False)),
        username=body.get("username"),
        bot_member=body.get("bot_member", True),
        bot_admin=body.get("bot_admin", False),
    )
    return _json(_chat_json(group))


async def _channels(request: web.Request) -> web.Response:
    sb, body = _sb(request), await _body(request)
    return _json(_chat_json(sb.add_channel(body.get("title", "Canal"), body.get("username"))))


async def _chat_action(request: web.Request) -> web.Response:
    sb = _sb(request)
    chat = _get_chat(sb, request.match_info["chat_id"])
    action = request.match_info["action"]
    body = await _body(request)
    if action == "delete":
        sb.delete_chat(chat)
        return _json({"ok": True})
    if action == "migrate":
        return _json({"migrate_to_chat_id": sb.migrate_group(chat)})
    if action in ("add_bot", "remove_bot"):
        by = _get_user(sb, body["by"])
        if action == "add_bot":
            await sb.add_bot_to_group(chat, by, admin=bool(body.get("admin")))
        else:
            await sb.remove_bot_from_group(chat, by)
        return _json(_chat_json(chat))
    raise web.HTTPNotFound(text=f"unknown action {action}")


async def _send(request: web.Request) -> web.Response:
    sb, body = _sb(request), await _body(request)
    user = _get_user(sb, body["user_id"])
    chat = _get_chat(sb, body["chat_id"]) if body.get("chat_id") is not None else None
    message = await user.send(body["text"], chat=chat)
    return _json({"message": message})


async def _press(request: web.Request) -> web.Response:
    sb, body = _sb(request), await _body(request)
    user = _get_user(sb, body["user_id"])
    chat = _get_chat(sb, body.get("chat_id", user.id))
    message = chat.message(int(body["message_id"]))
    if message is None:
        raise web.HTTPNotFound(text="unknown message")
    try:
        query_id = await user.press(message, body["button"])
    except (LookupError, ValueError) as error:
        raise web.HTTPBadRequest(text=str(error)) from None
    return _json({"callback_query_id": query_id})


async def _inline(request: web.Request) -> web.Response:
    sb, body = _sb(request), await _body(request)
    user = _get_user(sb, body["user_id"])
    try:
        results = await user.inline_query(
            body.get("query", ""), offset=body.get("offset", ""), timeout=body.get("timeout", 5)
        )
    except TimeoutError:
        raise web.HTTPGatewayTimeout(text="the bot did not answer the inline query") from None
    return _json({"results": results})


async def _faults(request: web.Request) -> web.Response:
    sb, body = _sb(request), await _body(request)
    faults = sb.faults
    if body.get("clear"):
        faults.clear()
    for name in ("error_rate", "slow_rate", "slow_seconds"):
        if name in body:
            setattr(faults, name, float(body[name]))
    if "hang" in body:
        faults.hang = bool(body["hang"])
    if "methods" in body:
        methods = body["methods"]
        faults.methods = None if methods is None else {m.lower() for m in methods}
    flood = body.get("flood")
    if isinstance(flood, dict):
        faults.flood(flood.get("chat_id"), float(flood.get("seconds", 10)))
    return _json(faults.as_dict())


async def _limits(request: web.Request) -> web.Response:
    sb, body = _sb(request), await _body(request)
    for field in dataclasses.fields(sb.limits):
        if field.name in body:
            setattr(sb.limits, field.name, type(getattr(sb.limits, field.name))(body[field.name]))
    sb.limits_changed()
    return _json(dataclasses.asdict(sb.limits))


async def _stats(request: web.Request) -> web.Response:
    sb = _sb(request)
    if request.method == "POST":
        sb.stats.reset()
    return _json(dict(sb.stats.as_dict(), pending_updates=sb.pending_updates))


async def _transcript(request: web.Request) -> web.Response:
    sb = _sb(request)
    chat = _get_chat(sb, request.match_info["chat_id"])
    messages = chat.transcript
    since = int(request.query.get("since", 0))
    if since:
        messages = [m for m in messages if m.message_id > since]
    if "limit" in request.query:
        messages = messages[-int(request.query["limit"]) :]
    return _json({"chat": _chat_json(chat), "messages": [message_json(m) for m in messages]})


async def _wait(request: web.Request) -> web.Response:
    sb, body = _sb(request), await _body(request)
    chat = _get_chat(sb, body["chat_id"])
    try:
        found = await sb.wait_for(
            chat,
            timeout=float(body.get("timeout", 5)),
            count=int(body.get("count", 1)),
            after=body.get("after"),
        )
    except TimeoutError as error:
        raise web.HTTPGatewayTimeout(text=str(error)) from None
    return _json({"messages": [message_json(m) for m in found], "mark": chat.mark()})


async def _advance(request: web.Request) -> web.Response:
    sb, body = _sb(request), await _body(request)
    sb.advance(float(body.get("seconds", 0)))
    return _json({"offset": sb.clock.offset})


async def _reset(request: web.Request) -> web.Response:
    _sb(request).reset()
    return _json({"ok": True})


async def _info(request: web.Request) -> web.Response:
    sb = _sb(request)
    return _json(
        {
            "base_url": sb.base_url,
            "token": sb.token,
            "bot": sb.bot_user,
            "users": len(sb.users),
            "chats": len(sb.chats),
            "rate_limits": sb.limits.enabled,
        }
    )


def add_control_routes(app: web.Application, sandbox: Sandbox) -> None:
    """Add the /control/... JSON endpoints for ``sandbox`` to ``app``."""
    app[_SANDBOX] = sandbox
    routes = app.router
    routes.add_get("/control", _info)
    routes.add_post("/control/users", _users)
    routes.add_post("/control/users/{user_id}/{action}", _user_action)
    routes.add_post("/control/groups", _groups)
    routes.add_post("/control/channels", _channels)
    routes.add_post("/control/chats/{chat_id}/{action}", _chat_action)
    routes.add_post("/control/send", _send)
    routes.add_post("/control/press", _press)
    routes.add_post("/control/inline_query", _inline)
    routes.add_post("/control/faults", _faults)
    routes.add_post("/control/limits", _limits)
    routes.add_get("/control/stats", _stats)
    routes.add_post("/control/stats/reset", _stats)
    routes.add_get("/control/transcript/{chat_id}", _transcript)
    routes.add_post("/control/wait", _wait)
    routes.add_post("/control/advance", _advance)
    routes.add_post("/control/reset", _reset)
