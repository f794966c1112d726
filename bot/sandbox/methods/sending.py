"""Putting messages in chats: sendMessage, sendPhoto, sendChatAction.

Forum topics (``message_thread_id``) and the other send* methods belong here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.sandbox.errors import bad
from bot.sandbox.methods.checks import (
    caption_content,
    reply_markup,
    reply_to,
    target_chat,
    text_content,
)
from bot.sandbox.methods.registry import method
from bot.sandbox.world import SandboxChat, SandboxMessage

if TYPE_CHECKING:
    from bot.sandbox.server import Sandbox

__all__: list[str] = []  # handlers register with the method table

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def _bot_message(
    sb: Sandbox, chat: SandboxChat, p: dict[str, Any], source: Any, **content: Any
) -> SandboxMessage:
    """Check the keyboard, the reply and the forum topic, count the send against the limits,
    build the message."""
    markup = reply_markup(p.get("reply_markup"))
    replied = reply_to(chat, p)
    thread = _thread(chat, p, replied)
    sb.rate_limit(chat)
    return sb.new_message(
        chat,
        None,
        reply_markup=markup,
        reply_to_message_id=replied,
        source=source if isinstance(source, str) else None,
        disable_notification=bool(p.get("disable_notification")),
        message_thread_id=thread,
        **content,
    )


def _thread(chat: SandboxChat, p: dict[str, Any], replied: int | None) -> int | None:
    """Return the forum topic a send goes to, refusing a deleted or closed one as Telegram does.

    Without ``message_thread_id`` a reply goes to its message's topic; anything else to General.
    """
    raw = p.get("message_thread_id")
    if raw is None:
        message = chat.message(replied) if replied is not None else None
        return message.message_thread_id if message is not None else None
    try:
        thread_id = int(raw)
    except (TypeError, ValueError):
        raise bad("Bad Request: message thread not found") from None
    topic = chat.topics.get(thread_id) if chat.is_forum else None
    if topic is None or topic.deleted:
        raise bad("Bad Request: message thread not found")
    if topic.closed:
        raise bad("Bad Request: TOPIC_CLOSED")
    return thread_id


@method("sendMessage", "chat_id", "text")
async def _send_message(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat = target_chat(sb, p["chat_id"], sending=True)
    text, entities = text_content(sb, p)
    message = _bot_message(sb, chat, p, p["text"], text=text, entities=entities)
    return sb.deliver(chat, message)


@method("sendPhoto", "chat_id", "photo")
async def _send_photo(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat = target_chat(sb, p["chat_id"], sending=True)
    photo = p["photo"]
    if isinstance(photo, str):
        sizes = sb.photo_sizes(photo)
        if sizes is None:
            if not re.match(r"https?://[^\s/]+", photo):
                raise bad("Bad Request: wrong file identifier/HTTP URL specified")
            if photo in sb.broken_photo_urls:
                raise bad("Bad Request: failed to get HTTP URL content")
    elif isinstance(photo, web.FileField):
        if not photo.file.read(1):
            raise bad("Bad Request: file must be non-empty")
        sizes = None
    else:
        raise bad("Bad Request: wrong file identifier/HTTP URL specified")
    caption, entities = caption_content(sb, p)
    message = _bot_message(sb, chat, p, p.get("caption"), caption=caption, entities=entities)
    message.photo = sizes or sb.new_photo_sizes()  # only once the send is accepted
    return sb.deliver(chat, message)


@method("sendChatAction", "chat_id", "action")
async def _send_chat_action(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat = target_chat(sb, p["chat_id"], sending=True)
    if p["action"] not in _CHAT_ACTIONS:
        raise bad("Bad Request: wrong parameter action in request")
    chat.last_action = p["action"]
    return True
