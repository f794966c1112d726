"""The Sandbox: a Telegram Bot API server on loopback with simulated people."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import random
import re
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import BodyPartReader, hdrs, web

from bot.sandbox.html import HtmlError, autodetect_entities, parse_text
from bot.sandbox.policy import (
    Faults,
    RateLimits,
    SandboxClock,
    SandboxStats,
    _Limiter,
    retry_after_seconds,
)
from bot.sandbox.world import SandboxChat, SandboxMessage, SandboxUser, message_ref

__all__ = ["CallbackAnswer", "Sandbox", "SandboxApiError"]

logger = logging.getLogger(__name__)

# Updates a bot gets when it never chose allowed_updates (Telegram's default).
_DEFAULT_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "my_chat_member",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
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
_INLINE_RESULT_TYPES = frozenset(
    {
        "article",
        "photo",
        "gif",
        "mpeg4_gif",
        "video",
        "audio",
        "voice",
        "document",
        "location",
        "venue",
        "contact",
        "game",
        "sticker",
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
_QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_TWO_DAYS = 48 * 3600
_SENDS = frozenset({"sendmessage", "sendphoto"})
_EDITS = frozenset({"editmessagetext", "editmessagecaption", "editmessagereplymarkup"})


class SandboxApiError(Exception):
    """A Bot API error answer: HTTP status ``code``, ``description`` and ``parameters``."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.parameters = parameters


def _bad(description: str, parameters: dict[str, Any] | None = None) -> SandboxApiError:
    return SandboxApiError(400, description, parameters)


def _valid_text(text: str) -> str:
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
        return _valid_text(value)
    if isinstance(value, dict):
        return {_valid_text(str(key)): _valid(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_valid(item) for item in value]
    return value


@dataclass
class CallbackAnswer:
    """What the bot answered to a callback query."""

    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int


@dataclass
class _CallbackQuery:
    user: SandboxUser
    created: float
    answered: bool = False


Handler = Callable[["Sandbox", dict[str, Any]], Awaitable[Any]]
_METHODS: dict[str, tuple[str, tuple[str, ...], Handler]] = {}


def _method(name: str, *required: str) -> Callable[[Handler], Handler]:
    """Register a Bot API method handler with the parameters the spec makes required."""

    def register(func: Handler) -> Handler:
        _METHODS[name.lower()] = (name, required, func)
        return func

    return register


def implemented_methods() -> dict[str, tuple[str, ...]]:
    """Return the implemented Bot API methods and their required parameters."""
    return {name: required for name, required, _ in _METHODS.values()}


class Sandbox:
    """A faithful local Telegram Bot API with simulated users, groups and channels."""

    def __init__(
        self,
        token: str = "123456:TEST-token",
        bot_username: str = "newsbot_test_bot",
        *,
        rate_limits: bool = True,
        limits: RateLimits | None = None,
        seed: int = 0,
        strict_html: bool = True,
        privacy_mode: bool = True,
        transcript_limit: int | None = None,
        callback_ttl: float = 30.0,
        bot_first_name: str = "Newsbot",
        control: bool = True,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.bot_first_name = bot_first_name
        self.limits = limits or RateLimits()
        if not rate_limits:
            self.limits.enabled = False
        self.strict_html = strict_html
        self.privacy_mode = privacy_mode
        self.transcript_limit = transcript_limit
        self.callback_ttl = callback_ttl
        self.control = control
        self.seed = seed
        self.rng = random.Random(seed)
        self.clock = SandboxClock()
        self.stats = SandboxStats()
        self.faults = Faults(self.clock)
        self.base_url = ""
        self.broken_photo_urls: set[str] = set()
        self._limiter = _Limiter(self.limits)
        self._runner: web.AppRunner | None = None
        self._closing = False
        self._reset_world()

    # -- lifecycle -------------------------------------------------------------------------

    def _reset_world(self) -> None:
        self.users: dict[int, SandboxUser] = {}
        self.chats: dict[int, SandboxChat] = {}
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self.inline_answers: dict[str, dict[str, Any]] = {}
        self.my_commands: dict[tuple[str, int | None, int | None, str], list[dict[str, str]]] = {}
        self.webhook_url = ""
        self.allowed_updates: frozenset[str] = _DEFAULT_UPDATES
        self._updates: deque[tuple[int, dict[str, Any]]] = deque()
        self._next_update_id = 100_000 + self.rng.randrange(900_000)
        self._poller: asyncio.Future[str] | None = None
        self._callbacks: dict[str, _CallbackQuery] = {}
        self._answer_waiters: dict[str, asyncio.Future[Any]] = {}
        self._files: dict[str, list[dict[str, Any]]] = {}
        self._next_user = 6_100_000_000
        self._next_group = 4_200_000_000
        self._next_super = 1_002_300_000_000
        self._seq = 0

    def reset(self) -> None:
        """Forget every user, chat, update, fault and counter (the server keeps running)."""
        if self._poller is not None and not self._poller.done():
            self._poller.set_result("reset")
        self._reset_world()
        self.faults.clear()
        self.stats.reset()
        self._limiter.reset()

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on ``host:port`` (0 picks a free port); return the base URL."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        if self.control:
            from bot.sandbox.control import add_control_routes

            add_control_routes(app, self)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, backlog=1024)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        bound = sockets[0].getsockname()[1] if sockets else port
        self.base_url = f"http://{host}:{bound}/bot"
        return self.base_url

    async def stop(self) -> None:
        """Release held requests and stop the server."""
        self._closing = True
        self.faults.hang = False
        if self._poller is not None and not self._poller.done():
            self._poller.set_result("closing")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Sandbox:
        if self._runner is None:
            await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def advance(self, seconds: float) -> None:
        """Move the sandbox clock forward (message ages, rate limits, callback expiry)."""
        self.clock.advance(seconds)

    # -- people ----------------------------------------------------------------------------

    @property
    def bot_user(self) -> dict[str, Any]:
        """Return the bot's User object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def add_user(
        self,
        first_name: str = "Lecteur",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "fr",
        *,
        started: bool = True,
        user_id: int | None = None,
    ) -> SandboxUser:
        """Create a user (who has started the bot unless ``started=False``)."""
        if user_id is None:
            user_id = self._next_user
            self._next_user += 1
        user = SandboxUser(
            self, user_id, first_name, last_name, username, language_code, started=started
        )
        self.users[user_id] = user
        self.chats[user_id] = user.private_chat
        return user

    def add_users(
        self,
        count: int,
        *,
        first_name: str = "Lecteur",
        language_code: str | None = "fr",
        started: bool = True,
    ) -> list[SandboxUser]:
        """Create ``count`` users at once, named ``first_name`` plus a number."""
        return [
            self.add_user(f"{first_name} {n}", language_code=language_code, started=started)
            for n in range(1, count + 1)
        ]

    def add_group(
        self,
        title: str,
        admins: list[SandboxUser] | None = None,
        members: list[SandboxUser] | None = None,
        *,
        supergroup: bool = False,
        creator: SandboxUser | None = None,
        username: str | None = None,
        bot_member: bool = True,
        bot_admin: bool = False,
    ) -> SandboxChat:
        """Create a group (the first admin is its creator unless ``creator`` is given)."""
        if supergroup:
            chat_id = -self._next_super
            self._next_super += 1
        else:
            chat_id = -self._next_group
            self._next_group += 1
        chat = SandboxChat(
            self,
            chat_id,
            "supergroup" if supergroup else "group",
            title=title,
            username=username,
            transcript_limit=self.transcript_limit,
        )
        admins = list(admins or [])
        if creator is None and admins:
            creator = admins.pop(0)
        if creator is not None:
            chat.members[creator.id] = "creator"
        for user in admins:
            chat.members[user.id] = "administrator"
        for user in members or []:
            chat.members.setdefault(user.id, "member")
        chat.bot_status = ("administrator" if bot_admin else "member") if bot_member else "left"
        self.chats[chat_id] = chat
        return chat

    def add_channel(
        self, title: str, username: str | None = None, *, owner: SandboxUser | None = None
    ) -> SandboxChat:
        """Create a channel where the bot is an administrator."""
        chat_id = -self._next_super
        self._next_super += 1
        chat = SandboxChat(
            self,
            chat_id,
            "channel",
            title=title,
            username=username,
            transcript_limit=self.transcript_limit,
        )
        if owner is not None:
            chat.members[owner.id] = "creator"
        chat.bot_status = "administrator"
        self.chats[chat_id] = chat
        return chat

    def chat(self, chat: SandboxChat | SandboxUser | int | str) -> SandboxChat:
        """Return a chat by object, id, @username or user (their private chat)."""
        if isinstance(chat, SandboxChat):
            return chat
        if isinstance(chat, SandboxUser):
            return chat.private_chat
        if isinstance(chat, str) and chat.startswith("@"):
            for candidate in self.chats.values():
                if candidate.username and candidate.username.lower() == chat[1:].lower():
                    return candidate
            raise KeyError(chat)
        return self.chats[int(chat)]

    def user(self, user_id: int) -> SandboxUser:
        """Return a user by id."""
        return self.users[user_id]

    async def add_bot_to_group(
        self, group: SandboxChat, by: SandboxUser, *, admin: bool = False
    ) -> None:
        """Add the bot to a group: my_chat_member update and a new_chat_members message."""
        old = group.bot_status
        group.bot_status = "administrator" if admin else "member"
        self._my_chat_member(group, by, old, group.bot_status)
        if group.type != "channel":
            self._service_message(group, by, {"new_chat_members": [self.bot_user]})

    async def remove_bot_from_group(self, group: SandboxChat, by: SandboxUser) -> None:
        """Remove the bot: "left" from a basic group, "kicked" (banned) from a supergroup."""
        old = group.bot_status
        group.bot_status = "left" if group.type == "group" else "kicked"
        self._my_chat_member(group, by, old, group.bot_status)

    def delete_chat(self, chat: SandboxChat | int) -> None:
        """Delete a chat: the bot then gets 400 "chat not found" for it."""
        self.chat(chat).deleted = True

    def migrate_group(self, group: SandboxChat | int, by: SandboxUser | None = None) -> int:
        """Upgrade a basic group to a supergroup; return the new chat id."""
        old = self.chat(group)
        if old.type != "group":
            raise ValueError("only basic groups can be migrated")
        new = self.add_group(old.title or "", supergroup=True)
        new.members = dict(old.members)
        new.bot_status = old.bot_status
        new.migrated_from = old.id
        old.migrated_to = new.id
        if by is None:
            creator = next((uid for uid, s in old.members.items() if s == "creator"), None)
            by = self.users.get(creator) if creator is not None else None
        if by is None:
            by = next(iter(self.users.values()), None) or self.add_user("Admin")
        # Telegram posts both service messages: one closes the old group, one opens the new.
        self._service_message(old, by, {"migrate_to_chat_id": new.id})
        self._service_message(new, by, {"migrate_from_chat_id": old.id})
        return new.id

    async def wait_for(
        self,
        chat: SandboxChat | SandboxUser | int,
        predicate: Callable[[SandboxMessage], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - the public API names it so
        count: int = 1,
        *,
        after: int | None = None,
    ) -> list[SandboxMessage]:
        """Wait for ``count`` new bot messages or edits in ``chat`` (after ``chat.mark()``)."""
        return await self.chat(chat)._wait(predicate, timeout, count, after)

    async def wait_for_answer(
        self,
        callback_query_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109 - the public API names it so
    ) -> CallbackAnswer:
        """Wait until the bot answers a callback query; return the answer."""
        if callback_query_id in self.callback_answers:
            return self.callback_answers[callback_query_id]
        future = self._answer_waiters.setdefault(
            callback_query_id, asyncio.get_running_loop().create_future()
        )
        return await asyncio.wait_for(asyncio.shield(future), timeout)

    def get_commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """Return the commands set for a scope and language (exact match, like Telegram)."""
        return list(self.my_commands.get(self._scope_key(scope, language_code), []))

    @property
    def pending_updates(self) -> int:
        """Return how many updates wait for the bot."""
        return len(self._updates)

    # -- world events ------------------------------------------------------------------------

    def _now(self) -> int:
        return int(self.clock.time())

    def _enqueue(self, kind: str, payload: dict[str, Any]) -> None:
        # Like Telegram, updates the bot did not ask for are never stored.
        if kind not in self.allowed_updates:
            return
        update_id = self._next_update_id
        self._next_update_id += 1
        self._updates.append((update_id, {"update_id": update_id, kind: payload}))
        if self._poller is not None and not self._poller.done():
            self._poller.set_result("update")

    def _member_api(self, user: dict[str, Any], status: str, chat_type: str) -> dict[str, Any]:
        data: dict[str, Any] = {"user": user, "status": status}
        if status == "creator":
            data["is_anonymous"] = False
        elif status == "administrator":
            is_bot = user.get("is_bot", False)
            data.update(
                can_be_edited=False,
                is_anonymous=False,
                can_manage_chat=True,
                can_delete_messages=True,
                can_manage_video_chats=not is_bot,
                can_restrict_members=True,
                can_promote_members=not is_bot,
                can_change_info=True,
                can_invite_users=True,
                can_post_stories=False,
                can_edit_stories=False,
                can_delete_stories=False,
            )
            if chat_type == "channel":
                data.update(can_post_messages=True, can_edit_messages=True)
            else:
                data["can_pin_messages"] = True
        elif status == "kicked":
            data["until_date"] = 0
        return data

    def _my_chat_member(
        self, chat: SandboxChat, by: SandboxUser | None, old: str, new: str
    ) -> None:
        self._enqueue(
            "my_chat_member",
            {
                "chat": chat.to_api(),
                "from": by.to_api() if by is not None else self.bot_user,
                "date": self._now(),
                "old_chat_member": self._member_api(self.bot_user, old, chat.type),
                "new_chat_member": self._member_api(self.bot_user, new, chat.type),
            },
        )

    def _service_message(
        self, chat: SandboxChat, by: SandboxUser, fields: dict[str, Any]
    ) -> SandboxMessage:
        message = SandboxMessage(
            message_id=chat._new_id(),
            chat_id=chat.id,
            from_bot=False,
            sender_id=by.id,
            date=self._now(),
            service=fields,
        )
        chat._store(message)
        if chat.bot_status in ("member", "administrator", "creator"):
            self._enqueue("message", self._message_api(chat, message))
        return message

    def _user_chat(self, user: SandboxUser, chat: SandboxChat | int | None) -> SandboxChat:
        if chat is None:
            return user.private_chat
        return self.chat(chat)

    def _user_message(
        self,
        user: SandboxUser,
        chat_ref: SandboxChat | int | None,
        *,
        text: str | None = None,
        caption: str | None = None,
        photo: bool = False,
        reply_to: Any = None,
    ) -> dict[str, Any]:
        chat = self._user_chat(user, chat_ref)
        if chat.deleted or chat.migrated_to is not None:
            raise ValueError(f"chat {chat.id} no longer accepts messages")
        # What a client typed arrives as valid text, lone surrogates replaced (Telegram's way).
        text = None if text is None else _valid_text(text)
        caption = None if caption is None else _valid_text(caption)
        content = text if text is not None else caption
        entities = autodetect_entities(content) if content else []
        message = SandboxMessage(
            message_id=chat._new_id(),
            chat_id=chat.id,
            from_bot=False,
            sender_id=user.id,
            date=self._now(),
            text=text,
            caption=caption,
            entities=entities,
        )
        if photo:
            message.photo = self._new_photo_sizes()
        if reply_to is not None:
            message.reply_to_message_id = message_ref(reply_to)[1]
        chat._store(message)
        data = self._message_api(chat, message)
        if chat.type == "private":
            if user.deactivated:
                return data
            user.started = True
            if user.blocked:
                # Writing to a blocked bot means pressing "Restart" first: it unblocks.
                user.unblock_bot()
        elif not self._group_delivers(chat, message, entities):
            return data
        if chat.type == "channel":
            self._enqueue("channel_post", data)
        else:
            self._enqueue("message", data)
        return data

    def _edit_user_message(self, user: SandboxUser, message: Any, text: str) -> dict[str, Any]:
        """Edit a user's own message (its text, or a photo's caption): an edited_* update."""
        chat, found = self._find_message(message, user)
        if found.from_bot or found.sender_id != user.id:
            raise ValueError("a user can edit only the messages they sent")
        text = _valid_text(text)
        found.history.append(
            {"text": found.text, "caption": found.caption, "entities": found.entities}
        )
        if found.photo is not None:
            found.caption = text
        else:
            found.text = text
        found.entities = autodetect_entities(text)
        found.edit_date = self._now()
        data = self._message_api(chat, found)
        if chat.type != "private" and not self._group_delivers(chat, found, found.entities):
            return data
        self._enqueue("edited_channel_post" if chat.type == "channel" else "edited_message", data)
        return data

    def _group_delivers(
        self, chat: SandboxChat, message: SandboxMessage, entities: list[dict[str, Any]]
    ) -> bool:
        """Decide, as privacy mode does, whether the bot sees a group message."""
        if chat.bot_status not in ("member", "administrator", "creator"):
            return False
        if not self.privacy_mode or chat.bot_status == "administrator":
            return True
        if message.reply_to_message_id is not None:
            replied = chat.message(message.reply_to_message_id)
            if replied is not None and replied.from_bot:
                return True
        content = message.content
        for entity in entities:
            if entity["type"] == "bot_command" and entity["offset"] == 0:
                command = content[: entity["length"]]
                target = command.partition("@")[2]
                return not target or target.lower() == self.bot_username.lower()
        return False

    def _find_message(self, message: Any, user: SandboxUser) -> tuple[SandboxChat, SandboxMessage]:
        chat_id, message_id = message_ref(message)
        chat = self.chat(chat_id) if chat_id is not None else user.private_chat
        found = chat.message(message_id)
        if found is None or found.deleted:
            raise LookupError(f"message {message_id} is not in chat {chat.id}")
        return chat, found

    def _press(self, user: SandboxUser, message: Any, button: str | int) -> str:
        chat, found = self._find_message(message, user)
        rows = (found.reply_markup or {}).get("inline_keyboard") or []
        flat = [b for row in rows for b in row]
        if isinstance(button, int):
            if not 0 <= button < len(flat):
                raise LookupError(f"no button {button}; the message has {len(flat)}")
            chosen = flat[button]
        else:
            matches = [b for b in flat if b.get("text") == button]
            if not matches:
                labels = [b.get("text") for b in flat]
                raise LookupError(f"no button {button!r}; labels are {labels}")
            chosen = matches[0]
        if "callback_data" not in chosen:
            raise ValueError(f"button {chosen.get('text')!r} has no callback_data")
        query_id = str(self.rng.getrandbits(63))
        self._callbacks[query_id] = _CallbackQuery(user, self.clock.monotonic())
        self._enqueue(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_api(),
                "message": self._message_api(chat, found),
                "chat_instance": str((chat.id * 2654435761) % 10**18),
                "data": chosen["callback_data"],
            },
        )
        return query_id

    async def _inline_query(
        self,
        user: SandboxUser,
        query: str,
        offset: str,
        timeout: float,  # noqa: ASYNC109 - the public API names it so
    ) -> list[dict[str, Any]]:
        query = _valid_text(query)
        query_id = str(self.rng.getrandbits(63))
        self._callbacks[query_id] = _CallbackQuery(user, self.clock.monotonic())
        future = self._answer_waiters.setdefault(
            query_id, asyncio.get_running_loop().create_future()
        )
        self._enqueue(
            "inline_query",
            {
                "id": query_id,
                "from": user.to_api(),
                "query": query,
                "offset": offset,
                "chat_type": "sender",
            },
        )
        answer = await asyncio.wait_for(future, timeout)
        return list(answer.get("results", []))

    # -- Bot API objects -------------------------------------------------------------------

    def _new_photo_sizes(self) -> list[dict[str, Any]]:
        serial = self.rng.getrandbits(48)
        sizes = [
            {
                "file_id": f"AgACAgQAAxkBAAI{serial:012x}{side:04d}",
                "file_unique_id": f"AQAD{serial:012x}{side}",
                "width": side,
                "height": side * 3 // 4,
                "file_size": side * 90,
            }
            for side in (90, 320, 800)
        ]
        for size in sizes:
            self._files[str(size["file_id"])] = sizes
        return sizes

    def _message_api(
        self, chat: SandboxChat, message: SandboxMessage, *, nested: bool = False
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": chat.to_api(),
        }
        if message.from_bot:
            if chat.type == "channel":
                data["sender_chat"] = data["chat"]
            else:
                data["from"] = self.bot_user
        else:
            sender = self.users.get(message.sender_id)
            if chat.type == "channel":
                data["sender_chat"] = data["chat"]
            elif sender is not None:
                data["from"] = sender.to_api()
        if message.text is not None:
            data["text"] = message.text
            if message.entities:
                data["entities"] = message.entities
        if message.photo is not None:
            data["photo"] = message.photo
        if message.caption is not None:
            data["caption"] = message.caption
            if message.entities:
                data["caption_entities"] = message.entities
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        if message.service:
            data.update(message.service)
        if message.reply_to_message_id is not None and not nested:
            replied = chat.message(message.reply_to_message_id)
            if replied is not None and not replied.deleted:
                data["reply_to_message"] = self._message_api(chat, replied, nested=True)
        return data

    # -- HTTP ----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return self._respond(
                401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            )
        key = request.match_info["method"].lower()
        entry = _METHODS.get(key)
        if entry is None:
            return self._respond(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        name, required, handler = entry
        self.stats.requests[name] += 1
        try:
            params = await self._params(request)
        except SandboxApiError as error:
            return self._error(error)
        except web.HTTPRequestEntityTooLarge:
            return self._error(SandboxApiError(413, "Request Entity Too Large"))
        faults = self.faults
        faulty = faults.applies_to(key)
        if faulty:
            if faults.hang:
                await faults.released()
            if faults.error_rate and self.rng.random() < faults.error_rate:
                code = self.rng.choice((500, 502))
                text = "Internal Server Error" if code == 500 else "Bad Gateway"
                return self._respond(code, {"ok": False, "error_code": code, "description": text})
            if faults.floods:
                flooded = self._flooded(params)
                if flooded:
                    return self._too_many(flooded, violation=False)
        try:
            for param in required:
                value = params.get(param)
                if value is None or value == "":
                    raise _bad(
                        _MISSING_DESCRIPTIONS.get(
                            param, f'Bad Request: parameter "{param}" is required'
                        )
                    )
            result = await handler(self, params)
        except SandboxApiError as error:
            transport = request.transport
            if error.code == 409 and (transport is None or transport.is_closing()):
                # A long poll its client abandoned: nobody will read this conflict.
                return web.Response(status=409)
            return self._error(error)
        if faulty and faults.slow_rate and self.rng.random() < faults.slow_rate:
            await asyncio.sleep(faults.slow_seconds)
        return self._respond(200, {"ok": True, "result": result})

    def _respond(self, status: int, body: dict[str, Any]) -> web.Response:
        self.stats.responses[status] += 1
        # Requests and users' messages are made valid text on the way in; this is the last
        # guard: one unencodable update would fail every getUpdates after it.
        return web.Response(
            body=_valid_text(json.dumps(body, ensure_ascii=False)).encode(),
            status=status,
            content_type="application/json",
        )

    def _error(self, error: SandboxApiError) -> web.Response:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": error.code,
            "description": error.description,
        }
        if error.parameters:
            body["parameters"] = error.parameters
        if error.code == 429:
            self.stats.too_many_requests += 1
        return self._respond(error.code, body)

    def _too_many(self, wait: float, *, violation: bool) -> web.Response:
        if violation:
            self.stats.rate_limit_violations += 1
        seconds = retry_after_seconds(wait)
        return self._error(
            SandboxApiError(
                429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}
            )
        )

    def _flooded(self, params: dict[str, Any]) -> float:
        now = self.clock.monotonic()
        floods = self.faults.floods
        until = floods.get(None, 0.0)
        raw = params.get("chat_id")
        if raw is not None:
            with contextlib.suppress(KeyError, ValueError, TypeError):
                until = max(until, floods.get(self.chat(raw).id, 0.0))
        return max(until - now, 0.0)

    async def _params(self, request: web.Request) -> dict[str, Any]:
        # Like Telegram, any bytes are read as UTF-8, invalid sequences replaced by U+FFFD;
        # only a body that is not JSON, or not multipart, when it says it is, is refused.
        params: dict[str, Any] = {}
        for key, value in request.query.items():
            params[key] = self._decode(key, value)
        if not request.body_exists:
            return _valid(params)
        ctype = request.content_type
        if ctype == "application/json":
            raw = await request.read()
            try:
                body = json.loads(raw.decode("utf-8", "replace"))
            except ValueError:
                raise _bad("Bad Request: can't parse JSON object") from None
            if not isinstance(body, dict):
                raise _bad("Bad Request: can't parse JSON object")
            params.update(body)
        elif ctype == "application/x-www-form-urlencoded":
            raw = await request.read()
            text = raw.decode("utf-8", "replace")
            for key, value in parse_qsl(text, keep_blank_values=True, errors="replace"):
                params[key] = self._decode(key, value)
        elif ctype == "multipart/form-data":
            params.update(await self._multipart(request))
        return _valid(params)

    async def _multipart(self, request: web.Request) -> dict[str, Any]:
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
                    fields[part.name] = self._decode(part.name, data.decode("utf-8", "replace"))
        except Exception:  # whatever aiohttp's parser raises on a body that is not multipart
            raise _bad("Bad Request: can't parse multipart/form-data body") from None
        return fields

    @staticmethod
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

    # -- shared checks -------------------------------------------------------------------

    def _resolve(self, raw: Any, *, sending: bool) -> SandboxChat:
        """Find the target chat and refuse it as Telegram would."""
        if raw is None or raw == "":
            raise _bad("Bad Request: chat_id is empty")
        try:
            chat = self.chat(raw)
        except (KeyError, ValueError, TypeError):
            raise _bad("Bad Request: chat not found") from None
        if chat.deleted:
            raise _bad("Bad Request: chat not found")
        if chat.migrated_to is not None:
            raise _bad(
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
                    raise SandboxApiError(
                        403, "Forbidden: bot can't initiate conversation with a user"
                    )
            return chat
        kind = {"group": "group chat", "supergroup": "supergroup chat"}.get(
            chat.type, "channel chat"
        )
        if chat.bot_status == "kicked":
            raise SandboxApiError(403, f"Forbidden: bot was kicked from the {kind}")
        if chat.bot_status == "left":
            raise SandboxApiError(403, f"Forbidden: bot is not a member of the {kind}")
        if sending and chat.type == "channel" and chat.bot_status != "administrator":
            raise _bad("Bad Request: need administrator rights in the channel chat")
        return chat

    def _rate_limit(self, chat: SandboxChat) -> None:
        if not self.limits.enabled:
            return
        now = self.clock.monotonic()
        promised = self._limiter.promised
        deadline = max(promised.get(chat.id, 0.0), promised.get(None, 0.0))
        if now < deadline:
            self.stats.retry_after_ignored += 1
        wait = self._limiter.check(chat.id, chat.type == "private", now)
        if wait > 0:
            seconds = retry_after_seconds(wait)
            # Some slack: a client that waits retry_after rounded down is not misbehaving.
            promised[chat.id] = now + seconds - 0.25
            self.stats.rate_limit_violations += 1
            raise SandboxApiError(
                429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}
            )

    def _text(
        self, text: Any, params: dict[str, Any], entities_key: str, caption: bool
    ) -> tuple[str, list[dict[str, Any]]]:
        if not isinstance(text, str):
            text = json.dumps(text) if not isinstance(text, (int, float)) else str(text)
        entities = params.get(entities_key)
        if entities is not None and not isinstance(entities, list):
            raise _bad("Bad Request: can't parse entities JSON object")
        try:
            return parse_text(
                text, params.get("parse_mode"), entities, strict=self.strict_html, caption=caption
            )
        except HtmlError as error:
            raise _bad(error.description) from None

    def _markup(self, raw: Any) -> dict[str, Any] | None:
        if raw is None or raw == "":
            return None
        if not isinstance(raw, dict):
            raise _bad("Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in raw:
            rows = raw["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad(
                    "Bad Request: can't parse inline keyboard button: "
                    'field "inline_keyboard" must be an Array of Arrays'
                )
            total = 0
            for row in rows:
                for button in row:
                    total += 1
                    self._check_button(button)
            if total > 100:
                raise _bad("Bad Request: reply markup is too long")
            return raw
        if "keyboard" in raw:
            rows = raw["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad("Bad Request: can't parse reply keyboard markup JSON object")
            for row in rows:
                for button in row:
                    label = button.get("text") if isinstance(button, dict) else button
                    if not isinstance(label, str) or not label:
                        raise _bad("Bad Request: keyboard button text can't be empty")
            return raw
        if raw.get("remove_keyboard") or raw.get("force_reply"):
            return raw
        raise _bad("Bad Request: can't parse reply keyboard markup JSON object")

    @staticmethod
    def _check_button(button: Any) -> None:
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise _bad(
                "Bad Request: can't parse inline keyboard button: "
                'Field "text" must be of type String'
            )
        if not button["text"].strip():
            raise _bad("Bad Request: BUTTON_TEXT_INVALID")
        actions = [key for key in _BUTTON_ACTIONS if key in button]
        if not actions:
            raise _bad(
                "Bad Request: can't parse inline keyboard button: "
                "Text buttons are unallowed in the inline keyboard"
            )
        if len(actions) > 1:
            raise _bad(
                "Bad Request: can't parse inline keyboard button: exactly one of the optional "
                f"fields must be used, found {', '.join(actions)}"
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                raise _bad("Bad Request: BUTTON_DATA_INVALID")
        if "url" in button:
            url = button["url"]
            if not isinstance(url, str) or not re.match(r"(https?://[^\s/]+|tg://\S+)", url):
                raise _bad("Bad Request: BUTTON_URL_INVALID")

    def _reply_to(self, chat: SandboxChat, params: dict[str, Any]) -> int | None:
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
            raise _bad("Bad Request: message to be replied not found")
        return found.message_id

    def _deliver(self, chat: SandboxChat, message: SandboxMessage) -> dict[str, Any]:
        chat._store(message)
        self._seq += 1
        chat._bot_event(message, self._seq)
        self.stats.messages_delivered += 1
        return self._message_api(chat, message)

    def _own_message(
        self, params: dict[str, Any], *, action: str
    ) -> tuple[SandboxChat, SandboxMessage]:
        if params.get("inline_message_id"):
            raise _bad("Bad Request: MESSAGE_ID_INVALID")
        chat = self._resolve(params.get("chat_id"), sending=False)
        raw_id = params.get("message_id")
        if raw_id is None or raw_id == "":
            raise _bad("Bad Request: message identifier is not specified")
        try:
            message_id = int(raw_id)
        except (TypeError, ValueError):
            raise _bad("Bad Request: message identifier is not specified") from None
        message = chat.message(message_id)
        if message is None or message.deleted:
            raise _bad(f"Bad Request: message to {action} not found")
        return chat, message

    def _edit(
        self,
        chat: SandboxChat,
        message: SandboxMessage,
        *,
        text: str | None,
        caption: str | None,
        entities: list[dict[str, Any]],
        markup: dict[str, Any] | None,
        source: str | None,
    ) -> dict[str, Any]:
        if not message.from_bot:
            raise _bad("Bad Request: message can't be edited")
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
            raise _bad(
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message"
            )
        if self.limits.count_edits:
            self._rate_limit(chat)
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
        message.edit_date = self._now()
        if source is not None:
            message.source = source
        self._seq += 1
        chat._bot_event(message, self._seq)
        self.stats.messages_edited += 1
        return self._message_api(chat, message)

    def _callback(self, query_id: Any) -> _CallbackQuery:
        record = self._callbacks.get(str(query_id))
        if (
            record is None
            or record.answered
            or self.clock.monotonic() - record.created > self.callback_ttl
        ):
            raise _bad(_QUERY_INVALID)
        return record

    def _scope_key(self, scope: Any, language_code: Any) -> tuple[str, int | None, int | None, str]:
        if scope is None or scope == "":
            scope = {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
            raise _bad("Bad Request: can't parse BotCommandScope JSON object")
        kind = scope["type"]
        chat_id = user_id = None
        if kind in ("chat", "chat_administrators", "chat_member"):
            chat_id = self._resolve(scope.get("chat_id"), sending=False).id
        if kind == "chat_member":
            raw = scope.get("user_id")
            if not isinstance(raw, int) or raw not in self.users:
                raise _bad("Bad Request: invalid user_id specified")
            user_id = raw
        language = language_code or ""
        if not isinstance(language, str) or (language and not re.fullmatch(r"[a-z]{2}", language)):
            raise _bad("Bad Request: invalid language code specified")
        return kind, chat_id, user_id, language


# -- Bot API methods -----------------------------------------------------------------------


@_method("getMe")
async def _get_me(sb: Sandbox, p: dict[str, Any]) -> Any:
    return dict(
        sb.bot_user,
        can_join_groups=True,
        can_read_all_group_messages=not sb.privacy_mode,
        supports_inline_queries=True,
        can_connect_to_business=False,
        has_main_web_app=False,
    )


@_method("logOut")
async def _log_out(sb: Sandbox, p: dict[str, Any]) -> Any:
    return True


@_method("close")
async def _close(sb: Sandbox, p: dict[str, Any]) -> Any:
    return True


@_method("getUpdates")
async def _get_updates(sb: Sandbox, p: dict[str, Any]) -> Any:
    if sb.webhook_url:
        raise SandboxApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    try:
        offset = int(p.get("offset") or 0)
        limit = int(p.get("limit") or 100)
        timeout = float(p.get("timeout") or 0)
    except (TypeError, ValueError):
        raise _bad("Bad Request: wrong parameter in request") from None
    limit = min(max(limit, 1), 100)
    allowed = p.get("allowed_updates")
    if isinstance(allowed, list):
        # An empty list means "the default set"; the choice is kept for later calls.
        sb.allowed_updates = frozenset(allowed) if allowed else _DEFAULT_UPDATES
    queue = sb._updates
    if offset > 0:
        while queue and queue[0][0] < offset:
            queue.popleft()
    elif offset < 0:
        while len(queue) > -offset:
            queue.popleft()
    if sb._poller is not None and not sb._poller.done():
        sb._poller.set_result("conflict")
    if not queue and timeout > 0 and not sb._closing:
        poller: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        sb._poller = poller
        try:
            reason = await asyncio.wait_for(asyncio.shield(poller), timeout)
        except TimeoutError:
            reason = "timeout"
        finally:
            if sb._poller is poller:
                sb._poller = None
        if reason == "conflict":
            raise SandboxApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
    batch = [update for _, update in list(queue)[:limit]] if queue else []
    sb.stats.updates_delivered += len(batch)
    return batch


@_method("setWebhook", "url")
async def _set_webhook(sb: Sandbox, p: dict[str, Any]) -> Any:
    url = str(p.get("url") or "")
    if not url.startswith("https://"):
        raise _bad("Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
    sb.webhook_url = url
    if p.get("drop_pending_updates"):
        sb._updates.clear()
    if isinstance(p.get("allowed_updates"), list):
        sb.allowed_updates = frozenset(p["allowed_updates"]) or _DEFAULT_UPDATES
    return True


@_method("deleteWebhook")
async def _delete_webhook(sb: Sandbox, p: dict[str, Any]) -> Any:
    sb.webhook_url = ""
    if p.get("drop_pending_updates"):
        sb._updates.clear()
    return True


@_method("getWebhookInfo")
async def _get_webhook_info(sb: Sandbox, p: dict[str, Any]) -> Any:
    info: dict[str, Any] = {
        "url": sb.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(sb._updates),
    }
    if sb.webhook_url:
        info["max_connections"] = 40
        info["allowed_updates"] = sorted(sb.allowed_updates)
    return info


@_method("setMyCommands", "commands")
async def _set_my_commands(sb: Sandbox, p: dict[str, Any]) -> Any:
    commands = p.get("commands")
    if not isinstance(commands, list):
        raise _bad("Bad Request: can't parse commands JSON object")
    if len(commands) > 100:
        raise _bad("Bad Request: BOT_COMMANDS_TOO_MUCH")
    clean: list[dict[str, str]] = []
    for command in commands:
        if not isinstance(command, dict):
            raise _bad("Bad Request: can't parse BotCommand JSON object")
        name, description = command.get("command"), command.get("description")
        if not isinstance(name, str) or not _COMMAND_NAME.fullmatch(name):
            raise _bad("Bad Request: BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise _bad("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        clean.append({"command": name, "description": description})
    key = sb._scope_key(p.get("scope"), p.get("language_code"))
    if clean:
        sb.my_commands[key] = clean
    else:
        sb.my_commands.pop(key, None)
    return True


@_method("getMyCommands")
async def _get_my_commands(sb: Sandbox, p: dict[str, Any]) -> Any:
    return sb.my_commands.get(sb._scope_key(p.get("scope"), p.get("language_code")), [])


@_method("deleteMyCommands")
async def _delete_my_commands(sb: Sandbox, p: dict[str, Any]) -> Any:
    sb.my_commands.pop(sb._scope_key(p.get("scope"), p.get("language_code")), None)
    return True


@_method("sendMessage", "chat_id", "text")
async def _send_message(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat = sb._resolve(p["chat_id"], sending=True)
    source = p["text"]
    text, entities = sb._text(source, p, "entities", caption=False)
    markup = sb._markup(p.get("reply_markup"))
    reply_to = sb._reply_to(chat, p)
    sb._rate_limit(chat)
    message = SandboxMessage(
        message_id=chat._new_id(),
        chat_id=chat.id,
        from_bot=True,
        sender_id=sb.bot_id,
        date=sb._now(),
        text=text,
        entities=entities + autodetect_entities(text, entities),
        reply_markup=markup,
        reply_to_message_id=reply_to,
        source=source if isinstance(source, str) else None,
    )
    message.entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return sb._deliver(chat, message)


@_method("sendPhoto", "chat_id", "photo")
async def _send_photo(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat = sb._resolve(p["chat_id"], sending=True)
    photo = p["photo"]
    if isinstance(photo, str):
        if photo in sb._files:
            sizes = sb._files[photo]
        elif re.match(r"https?://[^\s/]+", photo):
            if photo in sb.broken_photo_urls:
                raise _bad("Bad Request: failed to get HTTP URL content")
            sizes = None
        else:
            raise _bad("Bad Request: wrong file identifier/HTTP URL specified")
    elif isinstance(photo, web.FileField):
        if not photo.file.read(1):
            raise _bad("Bad Request: file must be non-empty")
        sizes = None
    else:
        raise _bad("Bad Request: wrong file identifier/HTTP URL specified")
    caption_source = p.get("caption")
    caption: str | None = None
    entities: list[dict[str, Any]] = []
    if caption_source not in (None, ""):
        caption, entities = sb._text(caption_source, p, "caption_entities", caption=True)
    markup = sb._markup(p.get("reply_markup"))
    reply_to = sb._reply_to(chat, p)
    sb._rate_limit(chat)
    message = SandboxMessage(
        message_id=chat._new_id(),
        chat_id=chat.id,
        from_bot=True,
        sender_id=sb.bot_id,
        date=sb._now(),
        caption=caption or None,
        entities=entities + autodetect_entities(caption or "", entities),
        photo=sizes or sb._new_photo_sizes(),
        reply_markup=markup,
        reply_to_message_id=reply_to,
        source=caption_source if isinstance(caption_source, str) else None,
    )
    return sb._deliver(chat, message)


@_method("editMessageText", "text")
async def _edit_message_text(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat, message = sb._own_message(p, action="edit")
    if message.text is None:
        raise _bad("Bad Request: there is no text in the message to edit")
    source = p["text"]
    text, entities = sb._text(source, p, "entities", caption=False)
    entities = sorted(
        entities + autodetect_entities(text, entities), key=lambda e: (e["offset"], -e["length"])
    )
    return sb._edit(
        chat,
        message,
        text=text,
        caption=None,
        entities=entities,
        markup=sb._markup(p.get("reply_markup")),
        source=source,
    )


@_method("editMessageCaption")
async def _edit_message_caption(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat, message = sb._own_message(p, action="edit")
    if message.photo is None:
        raise _bad("Bad Request: there is no caption in the message to edit")
    source = p.get("caption")
    caption: str | None = None
    entities: list[dict[str, Any]] = []
    if source not in (None, ""):
        caption, entities = sb._text(source, p, "caption_entities", caption=True)
        entities = entities + autodetect_entities(caption, entities)
    return sb._edit(
        chat,
        message,
        text=None,
        caption=caption or None,
        entities=entities,
        markup=sb._markup(p.get("reply_markup")),
        source=source if isinstance(source, str) else None,
    )


@_method("editMessageReplyMarkup")
async def _edit_message_reply_markup(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat, message = sb._own_message(p, action="edit")
    return sb._edit(
        chat,
        message,
        text=message.text,
        caption=message.caption,
        entities=message.entities,
        markup=sb._markup(p.get("reply_markup")),
        source=None,
    )


@_method("deleteMessage", "chat_id", "message_id")
async def _delete_message(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat, message = sb._own_message(p, action="delete")
    admin = chat.bot_status == "administrator"
    if not message.from_bot and chat.type != "private" and not admin:
        raise _bad("Bad Request: message can't be deleted")
    too_old = sb.clock.time() - message.date >= _TWO_DAYS
    if too_old and not (admin and chat.type in ("supergroup", "channel")):
        raise _bad("Bad Request: message can't be deleted")
    message.deleted = True
    sb.stats.messages_deleted += 1
    return True


@_method("answerCallbackQuery", "callback_query_id")
async def _answer_callback_query(sb: Sandbox, p: dict[str, Any]) -> Any:
    query_id = str(p["callback_query_id"])
    record = sb._callback(query_id)
    text = p.get("text")
    if text is not None and len(str(text)) > 200:
        raise _bad("Bad Request: MESSAGE_TOO_LONG")
    record.answered = True
    answer = CallbackAnswer(
        text=str(text) if text is not None else None,
        show_alert=bool(p.get("show_alert")),
        url=p.get("url"),
        cache_time=int(p.get("cache_time") or 0),
    )
    sb.callback_answers[query_id] = answer
    waiter = sb._answer_waiters.pop(query_id, None)
    if waiter is not None and not waiter.done():
        waiter.set_result(answer)
    return True


@_method("answerInlineQuery", "inline_query_id", "results")
async def _answer_inline_query(sb: Sandbox, p: dict[str, Any]) -> Any:
    query_id = str(p["inline_query_id"])
    record = sb._callback(query_id)
    results = p["results"]
    if not isinstance(results, list):
        raise _bad("Bad Request: can't parse inline query results JSON object")
    if len(results) > 50:
        raise _bad("Bad Request: RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        if not isinstance(result, dict) or result.get("type") not in _INLINE_RESULT_TYPES:
            raise _bad("Bad Request: can't parse inline query result JSON object")
        result_id = result.get("id")
        if not isinstance(result_id, str) or not 1 <= len(result_id.encode("utf-8")) <= 64:
            raise _bad("Bad Request: RESULT_ID_INVALID")
        if result_id in seen:
            raise _bad("Bad Request: RESULT_ID_DUPLICATE")
        seen.add(result_id)
        if result["type"] == "article" and not result.get("title"):
            raise _bad("Bad Request: RESULT_TITLE_EMPTY")
        content = result.get("input_message_content")
        if isinstance(content, dict) and "message_text" in content:
            sb._text(content["message_text"], content, "entities", caption=False)
        elif result["type"] == "article":
            raise _bad("Bad Request: can't parse InputMessageContent JSON object")
        if "reply_markup" in result:
            sb._markup(result["reply_markup"])
    record.answered = True
    answer = {"results": results, "next_offset": p.get("next_offset") or ""}
    sb.inline_answers[query_id] = answer
    waiter = sb._answer_waiters.pop(query_id, None)
    if waiter is not None and not waiter.done():
        waiter.set_result(answer)
    return True


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


@_method("getChat", "chat_id")
async def _get_chat(sb: Sandbox, p: dict[str, Any]) -> Any:
    return _chat_full_info(sb._resolve(p["chat_id"], sending=False))


def _status_of(sb: Sandbox, chat: SandboxChat, user_id: int) -> str:
    if user_id == sb.bot_id:
        return chat.bot_status if chat.type != "private" else "member"
    if chat.type == "private":
        return "member" if user_id == chat.id else "left"
    return chat.members.get(user_id, "left")


@_method("getChatMember", "chat_id", "user_id")
async def _get_chat_member(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat = sb._resolve(p["chat_id"], sending=False)
    try:
        user_id = int(p["user_id"])
    except (TypeError, ValueError):
        raise _bad("Bad Request: invalid user_id specified") from None
    if user_id == sb.bot_id:
        user = sb.bot_user
    elif user_id in sb.users:
        user = sb.users[user_id].to_api()
    else:
        raise _bad("Bad Request: user not found")
    return sb._member_api(user, _status_of(sb, chat, user_id), chat.type)


@_method("getChatAdministrators", "chat_id")
async def _get_chat_administrators(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat = sb._resolve(p["chat_id"], sending=False)
    if chat.type == "private":
        raise _bad("Bad Request: there are no administrators in the private chat")
    admins = [
        sb._member_api(sb.users[uid].to_api(), status, chat.type)
        for uid, status in chat.members.items()
        if status in ("creator", "administrator") and uid in sb.users
    ]
    if chat.bot_status == "administrator":
        admins.append(sb._member_api(sb.bot_user, "administrator", chat.type))
    return admins


@_method("getChatMemberCount", "chat_id")
async def _get_chat_member_count(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat = sb._resolve(p["chat_id"], sending=False)
    if chat.type == "private":
        return 2
    present = ("creator", "administrator", "member")
    count = sum(1 for status in chat.members.values() if status in present)
    return count + (1 if chat.bot_status in present else 0)


@_method("leaveChat", "chat_id")
async def _leave_chat(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat = sb._resolve(p["chat_id"], sending=False)
    if chat.type == "private":
        raise _bad("Bad Request: chat member status can't be changed in private chats")
    old = chat.bot_status
    chat.bot_status = "left"
    sb._my_chat_member(chat, None, old, "left")
    return True


@_method("sendChatAction", "chat_id", "action")
async def _send_chat_action(sb: Sandbox, p: dict[str, Any]) -> Any:
    chat = sb._resolve(p["chat_id"], sending=True)
    if p["action"] not in _CHAT_ACTIONS:
        raise _bad("Bad Request: wrong parameter action in request")
    chat.last_action = p["action"]
    return True
