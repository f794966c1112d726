"""What several Bot API methods check the same way: the target chat, text, keyboards, replies."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from bot.sandbox.errors import SandboxApiError, bad
from bot.sandbox.html import HtmlError, autodetect_entities, parse_text
from bot.sandbox.world import SandboxChat

if TYPE_CHECKING:
    from bot.sandbox.server import Sandbox

__all__ = [
    "caption_content",
    "message_text",
    "reply_markup",
    "reply_to",
    "target_chat",
    "text_content",
]

_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def target_chat(sb: Sandbox, raw: Any, *, sending: bool) -> SandboxChat:
    """Find the target chat and refuse it as Telegram would."""
    if raw is None or raw == "":
        raise bad("Bad Request: chat_id is empty")
    try:
        chat = sb.chat(raw)
    except (KeyError, ValueError, TypeError):
        raise bad("Bad Request: chat not found") from None
    if chat.deleted:
        raise bad("Bad Request: chat not found")
    if chat.migrated_to is not None:
        raise bad(
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": chat.migrated_to},
        )
    if chat.type == "private":
        user = chat.user
        if sending and user is not None:
            if user.deactivated:
                raise SandboxApiError(403, "Forbidden: user is deactivated")
            if user.blocked:
                raise SandboxApiError(403, "Forbidden: bot was blocked by the user")
            if not user.started:
                raise SandboxApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat
    kind = {"group": "group chat", "supergroup": "supergroup chat"}.get(chat.type, "channel chat")
    if chat.bot_status == "kicked":
        raise SandboxApiError(403, f"Forbidden: bot was kicked from the {kind}")
    if chat.bot_status == "left":
        raise SandboxApiError(403, f"Forbidden: bot is not a member of the {kind}")
    if sending and chat.type == "channel" and chat.bot_status != "administrator":
        raise bad("Bad Request: need administrator rights in the channel chat")
    return chat


def message_text(
    sb: Sandbox, text: Any, params: dict[str, Any], entities_key: str, *, caption: bool
) -> tuple[str, list[dict[str, Any]]]:
    """Parse a text or caption with its parse mode or entities; return (plain, entities)."""
    if not isinstance(text, str):
        text = json.dumps(text) if not isinstance(text, (int, float)) else str(text)
    entities = params.get(entities_key)
    if entities is not None and not isinstance(entities, list):
        raise bad("Bad Request: can't parse entities JSON object")
    try:
        return parse_text(
            text, params.get("parse_mode"), entities, strict=sb.strict_html, caption=caption
        )
    except HtmlError as error:
        raise bad(error.description) from None


def text_content(sb: Sandbox, params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """Parse a message's text; return it with its entities and those Telegram adds, in order."""
    text, entities = message_text(sb, params["text"], params, "entities", caption=False)
    entities = entities + autodetect_entities(text, entities)
    return text, sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def caption_content(sb: Sandbox, params: dict[str, Any]) -> tuple[str | None, list[dict[str, Any]]]:
    """Parse an optional caption; return it (None when empty) with its and Telegram's entities."""
    source = params.get("caption")
    if source in (None, ""):
        return None, []
    caption, entities = message_text(sb, source, params, "caption_entities", caption=True)
    return caption or None, entities + autodetect_entities(caption, entities)


def reply_markup(raw: Any) -> dict[str, Any] | None:
    """Check a reply_markup as Telegram does; return it (None when there is none)."""
    if raw is None or raw == "":
        return None
    if not isinstance(raw, dict):
        raise bad("Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in raw:
        rows = raw["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad(
                "Bad Request: can't parse inline keyboard button: "
                'field "inline_keyboard" must be an Array of Arrays'
            )
        total = 0
        for row in rows:
            for button in row:
                total += 1
                _check_button(button)
        if total > 100:
            raise bad("Bad Request: reply markup is too long")
        return raw
    if "keyboard" in raw:
        rows = raw["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad("Bad Request: can't parse reply keyboard markup JSON object")
        for row in rows:
            for button in row:
                label = button.get("text") if isinstance(button, dict) else button
                if not isinstance(label, str) or not label:
                    raise bad("Bad Request: keyboard button text can't be empty")
        return raw
    if raw.get("remove_keyboard") or raw.get("force_reply"):
        return raw
    raise bad("Bad Request: can't parse reply keyboard markup JSON object")


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad(
            'Bad Request: can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not button["text"].strip():
        raise bad("Bad Request: BUTTON_TEXT_INVALID")
    actions = [key for key in _BUTTON_ACTIONS if key in button]
    if not actions:
        raise bad(
            "Bad Request: can't parse inline keyboard button: "
            "Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise bad(
            "Bad Request: can't parse inline keyboard button: exactly one of the optional "
            f"fields must be used, found {', '.join(actions)}"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise bad("Bad Request: BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not re.match(r"(https?://[^\s/]+|tg://\S+)", url):
            raise bad("Bad Request: BUTTON_URL_INVALID")


def reply_to(chat: SandboxChat, params: dict[str, Any]) -> int | None:
    """Return the id of the message a send replies to (reply_parameters or the old field)."""
    reply = params.get("reply_parameters")
    message_id = params.get("reply_to_message_id")
    allow = bool(params.get("allow_sending_without_reply"))
    if isinstance(reply, dict):
        message_id = reply.get("message_id")
        allow = bool(reply.get("allow_sending_without_reply", allow))
    if message_id is None:
        return None
    found = chat.message(int(message_id))
    if found is None or found.deleted:
        if allow:
            return None
        raise bad("Bad Request: message to be replied not found")
    return found.message_id
