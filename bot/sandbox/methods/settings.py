"""The bot itself: getMe, logOut, close, its command menus (set/get/deleteMyCommands) and
its descriptions (set/getMyDescription, set/getMyShortDescription).

The bot's other settings (setMyName, setChatMenuButton…) belong here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from bot.sandbox.errors import bad
from bot.sandbox.methods.checks import target_chat
from bot.sandbox.methods.registry import method

if TYPE_CHECKING:
    from bot.sandbox.server import Sandbox

__all__ = ["ScopeKey", "scope_key"]

ScopeKey = tuple[str, int | None, int | None, str]

_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")


def scope_key(sb: Sandbox, scope: Any, language_code: Any) -> ScopeKey:
    """Return the key of a command menu: scope type, chat id, user id and language."""
    if scope is None or scope == "":
        scope = {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
        raise bad("Bad Request: can't parse BotCommandScope JSON object")
    kind = scope["type"]
    chat_id = user_id = None
    if kind in ("chat", "chat_administrators", "chat_member"):
        chat_id = target_chat(sb, scope.get("chat_id"), sending=False).id
    if kind == "chat_member":
        raw = scope.get("user_id")
        if not isinstance(raw, int) or raw not in sb.users:
            raise bad("Bad Request: invalid user_id specified")
        user_id = raw
    language = language_code or ""
    if not isinstance(language, str) or (language and not re.fullmatch(r"[a-z]{2}", language)):
        raise bad("Bad Request: invalid language code specified")
    return kind, chat_id, user_id, language


@method("getMe")
async def _get_me(sb: Sandbox, p: dict[str, Any]) -> Any:
    return dict(
        sb.bot_user,
        can_join_groups=True,
        can_read_all_group_messages=not sb.privacy_mode,
        supports_inline_queries=True,
        can_connect_to_business=False,
        has_main_web_app=False,
    )


@method("logOut")
async def _log_out(sb: Sandbox, p: dict[str, Any]) -> Any:
    return True


@method("close")
async def _close(sb: Sandbox, p: dict[str, Any]) -> Any:
    return True


@method("setMyCommands", "commands")
async def _set_my_commands(sb: Sandbox, p: dict[str, Any]) -> Any:
    commands = p.get("commands")
    if not isinstance(commands, list):
        raise bad("Bad Request: can't parse commands JSON object")
    if len(commands) > 100:
        raise bad("Bad Request: BOT_COMMANDS_TOO_MUCH")
    clean: list[dict[str, str]] = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad("Bad Request: can't parse BotCommand JSON object")
        name, description = command.get("command"), command.get("description")
        if not isinstance(name, str) or not _COMMAND_NAME.fullmatch(name):
            raise bad("Bad Request: BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        clean.append({"command": name, "description": description})
    key = scope_key(sb, p.get("scope"), p.get("language_code"))
    if clean:
        sb.my_commands[key] = clean
    else:
        sb.my_commands.pop(key, None)
    return True


@method("getMyCommands")
async def _get_my_commands(sb: Sandbox, p: dict[str, Any]) -> Any:
    return sb.my_commands.get(scope_key(sb, p.get("scope"), p.get("language_code")), [])


@method("deleteMyCommands")
async def _delete_my_commands(sb: Sandbox, p: dict[str, Any]) -> Any:
    sb.my_commands.pop(scope_key(sb, p.get("scope"), p.get("language_code")), None)
    return True


def _description_language(raw: Any) -> str:
    language = raw or ""
    if not isinstance(language, str) or (language and not re.fullmatch(r"[a-z]{2}", language)):
        raise bad("Bad Request: invalid language code specified")
    return language


def _set_description(sb: Sandbox, p: dict[str, Any], field: str, limit: int) -> Any:
    text = p.get(field) or ""
    if not isinstance(text, str):
        raise bad(f"Bad Request: can't parse {field}")
    if len(text) > limit:
        raise bad(f"Bad Request: {field.upper()}_TOO_LONG")
    key = (field, _description_language(p.get("language_code")))
    if text:
        sb.my_descriptions[key] = text
    else:
        sb.my_descriptions.pop(key, None)  # an empty text removes the language's own one
    return True


def _get_description(sb: Sandbox, p: dict[str, Any], field: str) -> Any:
    language = _description_language(p.get("language_code"))
    # Like Telegram: a language without its own description gets the default one.
    text = sb.my_descriptions.get((field, language)) or sb.my_descriptions.get((field, ""), "")
    return {field: text}


@method("setMyDescription")
async def _set_my_description(sb: Sandbox, p: dict[str, Any]) -> Any:
    return _set_description(sb, p, "description", 512)


@method("getMyDescription")
async def _get_my_description(sb: Sandbox, p: dict[str, Any]) -> Any:
    return _get_description(sb, p, "description")


@method("setMyShortDescription")
async def _set_my_short_description(sb: Sandbox, p: dict[str, Any]) -> Any:
    return _set_description(sb, p, "short_description", 120)


@method("getMyShortDescription")
async def _get_my_short_description(sb: Sandbox, p: dict[str, Any]) -> Any:
    return _get_description(sb, p, "short_description")
