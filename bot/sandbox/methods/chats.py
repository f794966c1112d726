"""Chats and their members: getChat, getChatMember(Count), getChatAdministrators, leaveChat;
forum topics: createForumTopic, closeForumTopic, reopenForumTopic, deleteForumTopic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.sandbox.errors import bad
from bot.sandbox.methods.checks import target_chat
from bot.sandbox.methods.registry import method
from bot.sandbox.world import SandboxChat, member_api

if TYPE_CHECKING:
    from bot.sandbox.server import Sandbox

__all__: list[str] = []  # handlers register with the method table


def _chat_full_info(chat: SandboxChat) -> dict[str, Any]:
    data = chat.to_api()
    data.update(
        accent_color_id=0,
        max_reaction_count=11,
        accepted_gift_types={
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    )
    return data


def _status_of(sb: Sandbox, chat: SandboxChat, user_id: int) -> str:
    if user_id == sb.bot_id:
        return chat.bot_status if chat.type != "private" else "member"
    if chat.type == "private":
        return "member" if user_id == chat.id else "left"
    return chat.members.get(user_id, "left")


@method("getChat", "chat_id")
async def _get_chat(sb: Sandbox, p: dict[str, Any]) -> Any:
    return _chat_full_info(target_chat(sb, p["chat_id"], sending=False))


@method("getChatMember", "chat_id", "user_id")
async def _get_chat_member(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat = target_chat(sb, p["chat_id"], sending=False)
    try:
        user_id = int(p["user_id"])
    except (TypeError, ValueError):
        raise bad("Bad Request: invalid user_id specified") from None
    if user_id == sb.bot_id:
        user = sb.bot_user
    elif user_id in sb.users:
        user = sb.users[user_id].to_api()
    else:
        raise bad("Bad Request: user not found")
    return member_api(user, _status_of(sb, chat, user_id), chat.type)


@method("getChatAdministrators", "chat_id")
async def _get_chat_administrators(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat = target_chat(sb, p["chat_id"], sending=False)
    if chat.type == "private":
        raise bad("Bad Request: there are no administrators in the private chat")
    admins = [
        member_api(sb.users[uid].to_api(), status, chat.type)
        for uid, status in chat.members.items()
        if status in ("creator", "administrator") and uid in sb.users
    ]
    if chat.bot_status == "administrator":
        admins.append(member_api(sb.bot_user, "administrator", chat.type))
    return admins


@method("getChatMemberCount", "chat_id")
async def _get_chat_member_count(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat = target_chat(sb, p["chat_id"], sending=False)
    if chat.type == "private":
        return 2
    present = ("creator", "administrator", "member")
    count = sum(1 for status in chat.members.values() if status in present)
    return count + (1 if chat.bot_status in present else 0)


@method("leaveChat", "chat_id")
async def _leave_chat(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat = target_chat(sb, p["chat_id"], sending=False)
    if chat.type == "private":
        raise bad("Bad Request: chat member status can't be changed in private chats")
    old = chat.bot_status
    chat.bot_status = "left"
    sb.bot_status_changed(chat, None, old, "left")
    return True


def _forum_topic(sb: Sandbox, p: dict[str, Any]) -> tuple[SandboxChat, int]:
    """Return the forum and the topic a topic method names, refused as Telegram does."""
    chat = target_chat(sb, p["chat_id"], sending=False)
    if not chat.is_forum:
        raise bad("Bad Request: the chat is not a forum")
    if chat.bot_status != "administrator":
        raise bad("Bad Request: not enough rights to manage topics in the chat")
    try:
        thread_id = int(p["message_thread_id"])
    except (TypeError, ValueError, KeyError):
        raise bad("Bad Request: message thread not found") from None
    topic = chat.topics.get(thread_id)
    if topic is None or topic.deleted:
        raise bad("Bad Request: message thread not found")
    return chat, thread_id


@method("createForumTopic", "chat_id", "name")
async def _create_forum_topic(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat = target_chat(sb, p["chat_id"], sending=True)
    if not chat.is_forum:
        raise bad("Bad Request: the chat is not a forum")
    if chat.bot_status != "administrator":
        raise bad("Bad Request: not enough rights to create a topic")
    name = str(p["name"])
    if not 1 <= len(name) <= 128:
        raise bad(
            "Bad Request: TOPIC_TITLE_EMPTY" if not name else "Bad Request: TOPIC_TITLE_TOO_LONG"
        )
    thread_id = sb.create_topic(chat, name, None)
    return {"message_thread_id": thread_id, "name": name, "icon_color": 0x6FB9F0}


@method("closeForumTopic", "chat_id", "message_thread_id")
async def _close_forum_topic(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat, thread_id = _forum_topic(sb, p)
    if chat.topics[thread_id].closed:
        raise bad("Bad Request: TOPIC_NOT_MODIFIED")
    sb.close_topic(chat, thread_id)
    return True


@method("reopenForumTopic", "chat_id", "message_thread_id")
async def _reopen_forum_topic(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat, thread_id = _forum_topic(sb, p)
    if not chat.topics[thread_id].closed:
        raise bad("Bad Request: TOPIC_NOT_MODIFIED")
    sb.close_topic(chat, thread_id, closed=False)
    return True


@method("deleteForumTopic", "chat_id", "message_thread_id")
async def _delete_forum_topic(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat, thread_id = _forum_topic(sb, p)
    sb.delete_topic(chat, thread_id)
    return True
