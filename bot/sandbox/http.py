"""The sandbox's HTTP side: the aiohttp app, reading requests, shaping answers, injected faults.

Every request is ``POST /bot{token}/{method}`` (GET works too, as on Telegram). Parameters
come from the query string and a JSON, form or multipart body; any bytes are read as
UTF-8, invalid sequences and lone surrogates made U+FFFD, as Telegram does. Answers are
``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N, "description": ...}``
with the HTTP status equal to ``error_code``.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from aiohttp import BodyPartReader, hdrs, web

from bot.sandbox import methods
from bot.sandbox.errors import SandboxApiError, bad
from bot.sandbox.policy import retry_after_seconds

if TYPE_CHECKING:
    from bot.sandbox.server import Sandbox

__all__ = ["MAX_BODY_BYTES", "build_app", "serve", "valid_text"]

MAX_BODY_BYTES = 60 * 1024 * 1024  # more than Telegram's 50 MB for uploads: it answers 413
_SANDBOX: web.AppKey[Sandbox] = web.AppKey("bot api sandbox")

# Form values that stay strings even when they look like JSON ("123" as a text is text).
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "action",
        "callback_query_id",
        "inline_query_id",
        "url",
        "language_code",
        "photo",
        "next_offset",
        "inline_message_id",
        "secret_token",
        "ip_address",
        "business_connection_id",
        "message_effect_id",
    }
)
_MISSING_DESCRIPTIONS = {
    "chat_id": "Bad Request: chat_id is empty",
    "text": "Bad Request: message text is empty",
    "photo": "Bad Request: there is no photo in the request",
    "message_id": "Bad Request: message identifier is not specified",
    "user_id": "Bad Request: invalid user_id specified",
    "callback_query_id": "Bad Request: query is too old and response timeout expired or query "
    "ID is invalid",
    "inline_query_id": "Bad Request: query is too old and response timeout expired or query "
    "ID is invalid",
    "results": "Bad Request: RESULTS_MISSING",
    "action": "Bad Request: wrong parameter action in request",
    "commands": 'Bad Request: parameter "commands" is required',
    "url": 'Bad Request: bad webhook: parameter "url" is required',
}


def build_app(sandbox: Sandbox) -> web.Application:
    """Return the aiohttp app that serves the Bot API of ``sandbox``."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[_SANDBOX] = sandbox
    app.router.add_route("*", "/bot{token}/{method}", _handle)
    return app


async def serve(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Serve ``app`` on ``host:port`` (0 picks a free port); return the runner and the port."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, host, port, backlog=1024)
    await site.start()
    server = site._server
    assert server is not None
    sockets = getattr(server, "sockets", None) or []
    return runner, (sockets[0].getsockname()[1] if sockets else port)


def valid_text(text: str) -> str:
    """Return text as Telegram keeps it: a lone UTF-16 surrogate becomes U+FFFD.

    A JSON "\\ud800" escape, or bytes a terminal decoded with surrogateescape, leave such
    code points in a Python string; UTF-8 cannot carry them, so Telegram replaces them.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A pair split in two code points joins again; what stays alone is replaced.
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def _valid(value: Any) -> Any:
    """Return a decoded request value with every string in it made valid text."""
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, dict):
        return {valid_text(str(key)): _valid(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_valid(item) for item in value]
    return value


# -- one request ---------------------------------------------------------------------------


async def _handle(request: web.Request) -> web.StreamResponse:
    sb = request.app[_SANDBOX]
    port = _client_port(request)
    sb.stats.unacknowledged.pop(port, None)  # asking again: the last answer was read
    if request.match_info["token"] != sb.token:
        return _respond(sb, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    key = request.match_info["method"].lower()
    entry = methods.find(key)
    if entry is None:
        return _respond(sb, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
    sb.stats.requests[entry.name] += 1
    try:
        params = await _params(request)
    except SandboxApiError as error:
        return _error(sb, error)
    except web.HTTPRequestEntityTooLarge:
        return _error(sb, SandboxApiError(413, "Request Entity Too Large"))
    faults = sb.faults
    faulty = faults.applies_to(key)
    if faulty:
        if faults.hang:
            await faults.released()
        if faults.error_rate and sb.rng.random() < faults.error_rate:
            code = sb.rng.choice((500, 502))
            text = "Internal Server Error" if code == 500 else "Bad Gateway"
            return _respond(sb, code, {"ok": False, "error_code": code, "description": text})
        if faults.floods:
            flooded = _flooded(sb, params)
            if flooded:
                return _too_many(sb, flooded)
    try:
        for param in entry.required:
            value = params.get(param)
            if value is None or value == "":
                raise bad(
                    _MISSING_DESCRIPTIONS.get(
                        param, f'Bad Request: parameter "{param}" is required'
                    )
                )
        result = await entry.handler(sb, params)
    except SandboxApiError as error:
        transport = request.transport
        if error.code == 409 and (transport is None or transport.is_closing()):
            # A long poll its client abandoned: nobody will read this conflict.
            return web.Response(status=409)
        return _error(sb, error)
    if faulty and faults.slow_rate and sb.rng.random() < faults.slow_rate:
        await asyncio.sleep(faults.slow_seconds)
    if key.startswith("send") and isinstance(result, dict) and "message_id" in result:
        sb.stats.unacknowledged[port] = (result["chat"]["id"], result["message_id"])
    return _respond(sb, 200, {"ok": True, "result": result})


def _client_port(request: web.Request) -> int:
    """Return the client's port, which names its connection (0 when it is gone)."""
    transport = request.transport
    peer = transport.get_extra_info("peername") if transport is not None else None
    return int(peer[1]) if isinstance(peer, tuple) and len(peer) > 1 else 0


def _flooded(sb: Sandbox, params: dict[str, Any]) -> float:
    """Return how long an injected flood still holds for the request's chat (0: none)."""
    now = sb.clock.monotonic()
    floods = sb.faults.floods
    until = floods.get(None, 0.0)
    raw = params.get("chat_id")
    if raw is not None:
        with contextlib.suppress(KeyError, ValueError, TypeError):
            until = max(until, floods.get(sb.chat(raw).id, 0.0))
    return max(until - now, 0.0)


# -- answers -------------------------------------------------------------------------------


def _respond(sb: Sandbox, status: int, body: dict[str, Any]) -> web.Response:
    sb.stats.responses[status] += 1
    # Requests and users' messages are made valid text on the way in; this is the last
    # guard: one unencodable update would fail every getUpdates after it.
    return web.Response(
        body=valid_text(json.dumps(body, ensure_ascii=False)).encode(),
        status=status,
        content_type="application/json",
    )


def _error(sb: Sandbox, error: SandboxApiError) -> web.Response:
    body: dict[str, Any] = {
        "ok": False,
        "error_code": error.code,
        "description": error.description,
    }
    if error.parameters:
        body["parameters"] = error.parameters
    if error.code == 429:
        sb.stats.too_many_requests += 1
    return _respond(sb, error.code, body)


def _too_many(sb: Sandbox, wait: float) -> web.Response:
    seconds = retry_after_seconds(wait)
    return _error(
        sb,
        SandboxApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}),
    )


# -- reading parameters --------------------------------------------------------------------


async def _params(request: web.Request) -> dict[str, Any]:
    # Like Telegram, any bytes are read as UTF-8, invalid sequences replaced by U+FFFD;
    # only a body that is not JSON, or not multipart, when it says it is, is refused.
    params: dict[str, Any] = {}
    for key, value in request.query.items():
        params[key] = _decode(key, value)
    if not request.body_exists:
        return _valid_params(params)
    ctype = request.content_type
    if ctype == "application/json":
        raw = await request.read()
        try:
            body = json.loads(raw.decode("utf-8", "replace"))
        except ValueError:
            raise bad("Bad Request: can't parse JSON object") from None
        if not isinstance(body, dict):
            raise bad("Bad Request: can't parse JSON object")
        params.update(body)
    elif ctype == "application/x-www-form-urlencoded":
        raw = await request.read()
        text = raw.decode("utf-8", "replace")
        for key, value in parse_qsl(text, keep_blank_values=True, errors="replace"):
            params[key] = _decode(key, value)
    elif ctype == "multipart/form-data":
        params.update(await _multipart(request))
    return _valid_params(params)


def _valid_params(params: dict[str, Any]) -> dict[str, Any]:
    """Return the request's parameters with every string in them made valid text."""
    return {valid_text(key): _valid(value) for key, value in params.items()}


async def _multipart(request: web.Request) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    try:
        async for part in await request.multipart():
            if not isinstance(part, BodyPartReader) or not part.name:
                continue
            data = await part.read(decode=True)
            if part.filename is not None:
                kind = part.headers.get(hdrs.CONTENT_TYPE, "application/octet-stream")
                fields[part.name] = web.FileField(
                    part.name, part.filename, io.BytesIO(data), kind, part.headers
                )
            else:
                fields[part.name] = _decode(part.name, data.decode("utf-8", "replace"))
    except Exception:  # whatever aiohttp's parser raises on a body that is not multipart
        raise bad("Bad Request: can't parse multipart/form-data body") from None
    return fields


def _decode(key: str, value: str) -> Any:
    # python-telegram-bot sends nested objects, numbers and booleans JSON-encoded.
    if key in _STRING_PARAMS or not value:
        return value
    first = value[0]
    if first in '[{-0123456789tfn"':
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
