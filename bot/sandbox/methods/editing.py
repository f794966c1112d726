"""Changing the bot's messages: the three editMessage* methods and deleteMessage.

Inline-message editing (``inline_message_id``) is not emulated: it is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.sandbox.errors import bad
from bot.sandbox.methods.checks import caption_content, reply_markup, target_chat, text_content
from bot.sandbox.methods.registry import method
from bot.sandbox.world import SandboxChat, SandboxMessage

if TYPE_CHECKING:
    from bot.sandbox.server import Sandbox

__all__: list[str] = []  # handlers register with the method table

_TWO_DAYS = 48 * 3600


def _own_message(
    sb: Sandbox, params: dict[str, Any], *, action: str
) -> tuple[SandboxChat, SandboxMessage]:
    if params.get("inline_message_id"):
        raise bad("Bad Request: MESSAGE_ID_INVALID")
    chat = target_chat(sb, params.get("chat_id"), sending=False)
    raw_id = params.get("message_id")
    if raw_id is None or raw_id == "":
        raise bad("Bad Request: message identifier is not specified")
    try:
        message_id = int(raw_id)
    except (TypeError, ValueError):
        raise bad("Bad Request: message identifier is not specified") from None
    message = chat.message(message_id)
    if message is None or message.deleted:
        raise bad(f"Bad Request: message to {action} not found")
    return chat, message


def _edit(
    sb: Sandbox,
    chat: SandboxChat,
    message: SandboxMessage,
    p: dict[str, Any],
    *,
    text: str | None,
    caption: str | None,
    entities: list[dict[str, Any]],
    source: str | None,
) -> dict[str, Any]:
    markup = reply_markup(p.get("reply_markup"))
    if not message.from_bot:
        raise bad("Bad Request: message can't be edited")
    old_markup = (
        message.reply_markup
        if message.reply_markup and "inline_keyboard" in message.reply_markup
        else None
    )
    if (
        text == message.text
        and caption == message.caption
        and entities == message.entities
        and markup == old_markup
    ):
        raise bad(
            "Bad Request: message is not modified: specified new message content and reply "
            "markup are exactly the same as a current content and reply markup of the message"
        )
    if sb.limits.count_edits:
        sb.rate_limit(chat)
    message.history.append(
        {
            "text": message.text,
            "caption": message.caption,
            "entities": message.entities,
            "reply_markup": message.reply_markup,
            "date": message.edit_date or message.date,
        }
    )
    message.text, message.caption, message.entities = text, caption, entities
    message.reply_markup = markup
    message.edit_date = sb.now()
    if source is not None:
        message.source = source
    return sb.announce_edit(chat, message)


@method("editMessageText", "text")
async def _edit_message_text(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat, message = _own_message(sb, p, action="edit")
    if message.text is None:
        raise bad("Bad Request: there is no text in the message to edit")
    source = p["text"]
    text, entities = text_content(sb, p)
    return _edit(sb, chat, message, p, text=text, caption=None, entities=entities, source=source)


@method("editMessageCaption")
async def _edit_message_caption(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat, message = _own_message(sb, p, action="edit")
    if message.photo is None:
        raise bad("Bad Request: there is no caption in the message to edit")
    source = p.get("caption")
    caption, entities = caption_content(sb, p)
    source = source if isinstance(source, str) else None
    return _edit(sb, chat, message, p, text=None, caption=caption, entities=entities, source=source)


@method("editMessageReplyMarkup")
async def _edit_message_reply_markup(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat, message = _own_message(sb, p, action="edit")
    text, caption, entities = message.text, message.caption, message.entities
    return _edit(sb, chat, message, p, text=text, caption=caption, entities=entities, source=None)


@method("deleteMessage", "chat_id", "message_id")
async def _delete_message(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat, message = _own_message(sb, p, action="delete")
    admin = chat.bot_status == "administrator"
    if not message.from_bot and chat.type != "private" and not admin:
        raise bad("Bad Request: message can't be deleted")
    too_old = sb.clock.time() - message.date >= _TWO_DAYS
    if too_old and not (admin and chat.type in ("supergroup", "channel")):
        raise bad("Bad Request: message can't be deleted")
    message.deleted = True
    sb.stats.messages_deleted += 1
    return True
