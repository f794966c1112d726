"""The Sandbox: a Telegram Bot API server on loopback with simulated people.

``Sandbox`` keeps the world (people, chats, updates, queries) and offers its public API;
``http`` serves it, ``methods`` implements the Bot API on it, and the people and chats of
``world`` talk to it through the ``Host`` protocol.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.sandbox.errors import QUERY_INVALID, SandboxApiError, bad
from bot.sandbox.html import autodetect_entities
from bot.sandbox.http import build_app, serve, valid_text
from bot.sandbox.methods.settings import ScopeKey, scope_key
from bot.sandbox.policy import (
    Faults,
    RateLimits,
    SandboxClock,
    SandboxStats,
    _Limiter,
    retry_after_seconds,
)
from bot.sandbox.updates import UpdateQueue, WebhookSender
from bot.sandbox.world import (
    CallbackAnswer,
    ForumTopic,
    SandboxChat,
    SandboxMessage,
    SandboxUser,
    member_api,
    message_ref,
)

__all__ = ["Sandbox"]


@dataclass
class _Query:
    """A callback or inline query sent to the bot, until it is answered or too old."""

    user: SandboxUser
    created: float
    answered: bool = False


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
        self.webhook: WebhookSender | None = None
        self._reset_world()

    # -- lifecycle -------------------------------------------------------------------------

    def _reset_world(self) -> None:
        self.users: dict[int, SandboxUser] = {}
        self.chats: dict[int, SandboxChat] = {}
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self.inline_answers: dict[str, dict[str, Any]] = {}
        self.my_commands: dict[ScopeKey, list[dict[str, str]]] = {}
        self.my_descriptions: dict[tuple[str, str], str] = {}
        """("description" or "short_description", language code or "") -> the text set."""
        self.updates = UpdateQueue(first_id=100_000 + self.rng.randrange(900_000))
        self._queries: dict[str, _Query] = {}
        self._answer_waiters: dict[str, asyncio.Future[Any]] = {}
        self._files: dict[str, list[dict[str, Any]]] = {}
        self._next_user = 6_100_000_000
        self._next_group = 4_200_000_000
        self._next_super = 1_002_300_000_000
        self._seq = 0

    def reset(self) -> None:
        """Forget every user, chat, update, fault and counter (the server keeps running)."""
        if self.webhook is not None:
            self.webhook.cancel()
            self.webhook = None
        self.updates.release()
        self._reset_world()
        self.faults.clear()
        self.stats.reset()
        self._limiter.reset()

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on ``host:port`` (0 picks a free port); return the base URL."""
        app = build_app(self)
        if self.control:
            from bot.sandbox.control import add_control_routes

            add_control_routes(app, self)
        self._runner, bound = await serve(app, host, port)
        self.base_url = f"http://{host}:{bound}/bot"
        return self.base_url

    async def stop(self) -> None:
        """Release held requests and stop the server."""
        self.faults.hang = False
        await self.set_webhook(None)
        self.updates.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Sandbox:
        if self._runner is None:
            await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def set_webhook(self, sender: WebhookSender | None) -> None:
        """Send updates to a webhook from now on (None: keep them for getUpdates again)."""
        if self.webhook is not None:
            await self.webhook.stop()
        self.webhook = sender
        self.updates.webhook_url = sender.url if sender is not None else ""
        if sender is not None:
            self.updates.webhook_set()
            sender.start()

    def advance(self, seconds: float) -> None:
        """Move the sandbox clock forward (message ages, rate limits, callback expiry)."""
        self.clock.advance(seconds)

    def limits_changed(self) -> None:
        """Count afresh after ``limits`` changed."""
        self._limiter.reset()

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
        forum: bool = False,
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
        chat.is_forum = forum and supergroup
        self.chats[chat_id] = chat
        return chat

    def create_topic(self, chat: SandboxChat | int, name: str, by: SandboxUser | None) -> int:
        """Open a topic in a forum supergroup, as its admin ``by`` (None: the bot) does; return
        its thread id.

        As in Telegram, the thread id is the id of the topic's "forum_topic_created" message.
        """
        forum = self.chat(chat)
        if not forum.is_forum:
            raise ValueError(f"chat {forum.id} is not a forum")
        fields = {"forum_topic_created": {"name": name, "icon_color": 0x6FB9F0}}
        message = self.new_message(forum, by, service=fields)
        thread_id = message.message_id
        message.message_thread_id = thread_id
        forum.topics[thread_id] = ForumTopic(thread_id, name)
        forum.keep(message)
        if by is not None and forum.bot_status in ("member", "administrator", "creator"):
            self.updates.push("message", self._message_api(forum, message))
        return thread_id

    def close_topic(self, chat: SandboxChat | int, thread_id: int, *, closed: bool = True) -> None:
        """Close a forum topic (or reopen it): the bot's sends to it get 400 TOPIC_CLOSED."""
        self.chat(chat).topics[thread_id].closed = closed

    def delete_topic(self, chat: SandboxChat | int, thread_id: int) -> None:
        """Delete a forum topic: the bot's sends to it get 400 "message thread not found"."""
        self.chat(chat).topics[thread_id].deleted = True

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
        self.bot_status_changed(group, by, old, group.bot_status)
        if group.type != "channel":
            self._service_message(group, by, {"new_chat_members": [self.bot_user]})

    async def remove_bot_from_group(self, group: SandboxChat, by: SandboxUser) -> None:
        """Remove the bot: "left" from a basic group, "kicked" (banned) from a supergroup."""
        old = group.bot_status
        group.bot_status = "left" if group.type == "group" else "kicked"
        self.bot_status_changed(group, by, old, group.bot_status)

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
        return await self.chat(chat).wait(predicate, timeout, count, after)

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
        return list(self.my_commands.get(scope_key(self, scope, language_code), []))

    @property
    def pending_updates(self) -> int:
        """Return how many updates wait for the bot."""
        return len(self.updates)

    # -- what people do (the world's Host protocol) ----------------------------------------

    @property
    def position(self) -> int:
        """Return how many bot messages and edits happened so far (a chat's mark)."""
        return self._seq

    def receive_message(
        self,
        user: SandboxUser,
        chat: SandboxChat | int | None,
        *,
        text: str | None = None,
        caption: str | None = None,
        photo: bool = False,
        reply_to: Any = None,
        forward_from: SandboxUser | str | None = None,
        thread: int | None = None,
    ) -> dict[str, Any]:
        """Take a user's message (private chat when ``chat`` is None); return the Message.

        ``thread``: in a forum supergroup, the topic it is written in (None: General).

        ``forward_from``: the message is forwarded from that user, or from one who hides her
        account in forwards (only her name, a string, comes through).
        """
        where = user.private_chat if chat is None else self.chat(chat)
        if where.deleted or where.migrated_to is not None:
            raise ValueError(f"chat {where.id} no longer accepts messages")
        # What a client typed arrives as valid text, lone surrogates replaced (Telegram's way).
        text = None if text is None else valid_text(text)
        caption = None if caption is None else valid_text(caption)
        content = text if text is not None else caption
        entities = autodetect_entities(content) if content else []
        message = self.new_message(where, user, text=text, caption=caption, entities=entities)
        if photo:
            message.photo = self.new_photo_sizes()
        if reply_to is not None:
            message.reply_to_message_id = message_ref(reply_to)[1]
            replied = where.message(message.reply_to_message_id)
            if thread is None and replied is not None:
                thread = replied.message_thread_id  # a reply stays in its message's topic
        if thread is not None:
            topic = where.topics.get(thread)
            if topic is None or topic.deleted:
                raise ValueError(f"chat {where.id} has no forum topic {thread}")
            message.message_thread_id = thread
        where.keep(message)
        data = self._message_api(where, message)
        if isinstance(forward_from, str):
            data["forward_origin"] = {
                "type": "hidden_user",
                "date": data["date"],
                "sender_user_name": forward_from,
            }
        elif forward_from is not None:
            data["forward_origin"] = {
                "type": "user",
                "date": data["date"],
                "sender_user": forward_from.to_api(),
            }
        if where.type == "private":
            if user.deactivated:
                return data
            user.started = True
            if user.blocked:
                # Writing to a blocked bot means pressing "Restart" first: it unblocks.
                user.unblock_bot()
        elif not self._group_delivers(where, message, entities):
            return data
        if where.type == "channel":
            self.updates.push("channel_post", data)
        else:
            self.updates.push("message", data)
        return data

    def receive_edit(self, user: SandboxUser, message: Any, text: str) -> dict[str, Any]:
        """Take a user's edit of their own message (a photo's caption); return the Message."""
        chat, found = self._find_message(message, user)
        if found.from_bot or found.sender_id != user.id:
            raise ValueError("a user can edit only the messages they sent")
        text = valid_text(text)
        found.history.append(
            {"text": found.text, "caption": found.caption, "entities": found.entities}
        )
        if found.photo is not None:
            found.caption = text
        else:
            found.text = text
        found.entities = autodetect_entities(text)
        found.edit_date = self.now()
        data = self._message_api(chat, found)
        if chat.type != "private" and not self._group_delivers(chat, found, found.entities):
            return data
        kind = "edited_channel_post" if chat.type == "channel" else "edited_message"
        self.updates.push(kind, data)
        return data

    def receive_press(self, user: SandboxUser, message: Any, button: str | int) -> str:
        """Take a press of an inline button (label or row-major index); return the query id."""
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
        self._queries[query_id] = _Query(user, self.clock.monotonic())
        self.updates.push(
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

    async def receive_inline_query(
        self,
        user: SandboxUser,
        query: str,
        offset: str,
        timeout: float,  # noqa: ASYNC109 - the public API names it so
    ) -> list[dict[str, Any]]:
        """Take an inline query; return the results the bot answers with."""
        query = valid_text(query)
        query_id = str(self.rng.getrandbits(63))
        self._queries[query_id] = _Query(user, self.clock.monotonic())
        future = self._answer_waiters.setdefault(
            query_id, asyncio.get_running_loop().create_future()
        )
        self.updates.push(
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

    def bot_status_changed(
        self, chat: SandboxChat, by: SandboxUser | None, old: str, new: str
    ) -> None:
        """Tell the bot its status in ``chat`` changed (a my_chat_member update)."""
        self.updates.push(
            "my_chat_member",
            {
                "chat": chat.to_api(),
                "from": by.to_api() if by is not None else self.bot_user,
                "date": self.now(),
                "old_chat_member": member_api(self.bot_user, old, chat.type),
                "new_chat_member": member_api(self.bot_user, new, chat.type),
            },
        )

    def _service_message(
        self, chat: SandboxChat, by: SandboxUser, fields: dict[str, Any]
    ) -> SandboxMessage:
        message = self.new_message(chat, by, service=fields)
        chat.keep(message)
        if chat.bot_status in ("member", "administrator", "creator"):
            self.updates.push("message", self._message_api(chat, message))
        return message

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

    # -- for the Bot API methods -----------------------------------------------------------

    def now(self) -> int:
        """Return the sandbox time as a Bot API date (whole Unix seconds)."""
        return int(self.clock.time())

    def new_message(
        self, chat: SandboxChat, by: SandboxUser | None, **content: Any
    ) -> SandboxMessage:
        """Build the next message in ``chat``, dated now: ``by`` a user, or the bot (None)."""
        return SandboxMessage(
            message_id=chat.new_message_id(),
            chat_id=chat.id,
            from_bot=by is None,
            sender_id=self.bot_id if by is None else by.id,
            date=self.now(),
            **content,
        )

    def rate_limit(self, chat: SandboxChat) -> None:
        """Count one message to ``chat`` against the limits; raise Telegram's 429 beyond them."""
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

    def deliver(self, chat: SandboxChat, message: SandboxMessage) -> dict[str, Any]:
        """Put a bot message in ``chat`` for those waiting for it; return the Message."""
        chat.keep(message)
        self._seq += 1
        chat.bot_event(message, self._seq)
        self.stats.messages_delivered += 1
        return self._message_api(chat, message)

    def announce_edit(self, chat: SandboxChat, message: SandboxMessage) -> dict[str, Any]:
        """Show an edited bot message to those waiting for it; return the Message."""
        self._seq += 1
        chat.bot_event(message, self._seq)
        self.stats.messages_edited += 1
        return self._message_api(chat, message)

    def new_photo_sizes(self) -> list[dict[str, Any]]:
        """Return the sizes of a new photo, each file id known to ``photo_sizes`` from now on."""
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

    def photo_sizes(self, file_id: str) -> list[dict[str, Any]] | None:
        """Return the sizes of the photo one of whose sizes is ``file_id`` (None if unknown)."""
        return self._files.get(file_id)

    def open_query(self, query_id: str) -> None:
        """Check a callback or inline query can still be answered; raise Telegram's 400 if not."""
        record = self._queries.get(query_id)
        if (
            record is None
            or record.answered
            or self.clock.monotonic() - record.created > self.callback_ttl
        ):
            raise bad(QUERY_INVALID)

    def answer_query(self, query_id: str, answer: CallbackAnswer | dict[str, Any]) -> None:
        """Mark a query answered and hand the answer to whoever waits for it."""
        self._queries[query_id].answered = True
        waiter = self._answer_waiters.pop(query_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(answer)

    def _message_api(
        self, chat: SandboxChat, message: SandboxMessage, *, nested: bool = False
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": chat.to_api(),
        }
        if message.message_thread_id is not None:
            data["message_thread_id"] = message.message_thread_id
            data["is_topic_message"] = True
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
        if message.photo is not None:
            data["photo"] = message.photo
        # A message's entities belong to its text, or to its caption when it has one.
        for key, value, entities_key in (
            ("text", message.text, "entities"),
            ("caption", message.caption, "caption_entities"),
        ):
            if value is not None:
                data[key] = value
                if message.entities:
                    data[entities_key] = message.entities
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
