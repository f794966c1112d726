"""Simulated people, chats and messages of the sandbox."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = [
    "CallbackAnswer",
    "ForumTopic",
    "Host",
    "SandboxChat",
    "SandboxMessage",
    "SandboxUser",
    "member_api",
    "message_ref",
]

Buttons = list[list[tuple[str, str | None]]]


class Host(Protocol):
    """What people and chats ask of the sandbox they live in (``Sandbox`` is the one).

    Each ``receive_*`` method is Telegram's side of something a person does: it keeps what
    happened and queues the update the bot gets, if the bot may see it.
    """

    transcript_limit: int | None

    @property
    def position(self) -> int:
        """Return how many bot messages and edits happened so far (a chat's mark)."""
        ...

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
        """Take a user's message (private chat when ``chat`` is None; in a forum, in topic
        ``thread``); return the Message."""
        ...

    def receive_edit(self, user: SandboxUser, message: Any, text: str) -> dict[str, Any]:
        """Take a user's edit of their own message; return the edited Message."""
        ...

    def receive_press(self, user: SandboxUser, message: Any, button: str | int) -> str:
        """Take a press of an inline button; return the callback query id."""
        ...

    async def receive_inline_query(
        self,
        user: SandboxUser,
        query: str,
        offset: str,
        timeout: float,  # noqa: ASYNC109 - the public API names it so
    ) -> list[dict[str, Any]]:
        """Take an inline query; return the results the bot answers with."""
        ...

    def bot_status_changed(
        self, chat: SandboxChat, by: SandboxUser | None, old: str, new: str
    ) -> None:
        """Tell the bot its status in ``chat`` changed (a my_chat_member update)."""
        ...


@dataclass
class CallbackAnswer:
    """What the bot answered to a callback query."""

    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int


@dataclass
class SandboxMessage:
    """One message of a chat transcript, as the sandbox keeps it."""

    message_id: int
    chat_id: int
    from_bot: bool
    sender_id: int
    date: int
    text: str | None = None
    caption: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    photo: list[dict[str, Any]] | None = None
    reply_markup: dict[str, Any] | None = None
    reply_to_message_id: int | None = None
    edit_date: int | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False
    service: dict[str, Any] | None = None
    source: str | None = None  # the text as the bot sent it (HTML), for debugging
    message_thread_id: int | None = None  # the forum topic it is in (None: General, no forum)
    disable_notification: bool = False  # sent without sound (the bot's messages)

    @property
    def content(self) -> str:
        """Return the text or the caption ('' for neither)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def edited(self) -> int:
        """Return how many times the message was edited."""
        return len(self.history)

    @property
    def buttons(self) -> Buttons:
        """Return the inline keyboard as rows of (label, callback_data or url)."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [
            [
                (
                    button.get("text", ""),
                    button.get("callback_data", button.get("url")),
                )
                for button in row
            ]
            for row in rows
        ]

    def labels(self) -> list[str]:
        """Return the inline button labels in row-major order."""
        return [label for row in self.buttons for label, _ in row]


@dataclass
class ForumTopic:
    """A topic of a forum supergroup; its id is the message_thread_id of what is posted in it."""

    thread_id: int
    name: str
    closed: bool = False
    deleted: bool = False


class SandboxChat:
    """A private chat, group, supergroup or channel the bot can talk to."""

    def __init__(
        self,
        sandbox: Host,
        chat_id: int,
        chat_type: str,
        *,
        title: str | None = None,
        username: str | None = None,
        user: SandboxUser | None = None,
        transcript_limit: int | None = None,
    ) -> None:
        self.sandbox = sandbox
        self.id = chat_id
        self.type = chat_type
        self.title = title
        self.username = username
        self.user = user
        self.deleted = False
        self.migrated_to: int | None = None
        self.migrated_from: int | None = None
        # user id -> "creator" | "administrator" | "member" | "left" | "kicked"
        self.members: dict[int, str] = {}
        self.bot_status = "member"
        self.last_action: str | None = None
        self.is_forum = False
        self.topics: dict[int, ForumTopic] = {}  # forum topics by thread id
        self._messages: dict[int, SandboxMessage] = {}
        self._limit = transcript_limit
        self._next_id = 1
        self._events: deque[tuple[int, SandboxMessage]] = deque(maxlen=transcript_limit or 10_000)
        self._waiters: list[_Waiter] = []

    def __repr__(self) -> str:
        return f"SandboxChat(id={self.id}, type={self.type!r}, title={self.title!r})"

    @property
    def transcript(self) -> list[SandboxMessage]:
        """Return every kept message, oldest first (deleted ones flagged)."""
        return list(self._messages.values())

    def bot_messages(self, include_deleted: bool = False) -> list[SandboxMessage]:
        """Return the bot's messages, oldest first."""
        return [
            m for m in self._messages.values() if m.from_bot and (include_deleted or not m.deleted)
        ]

    def texts(self) -> list[str]:
        """Return the text or caption of the bot's live messages."""
        return [m.content for m in self.bot_messages()]

    def message(self, message_id: int) -> SandboxMessage | None:
        """Return a kept message by id."""
        return self._messages.get(message_id)

    def mark(self) -> int:
        """Return a position: ``wait_for(after=mark)`` sees only bot events after it."""
        return self.sandbox.position

    def to_api(self) -> dict[str, Any]:
        """Return the Bot API Chat object."""
        if self.type == "private" and self.user is not None:
            return self.user.chat_api()
        data: dict[str, Any] = {"id": self.id, "type": self.type, "title": self.title}
        if self.username:
            data["username"] = self.username
        if self.is_forum:
            data["is_forum"] = True
        return data

    def in_topic(self, thread_id: int | None) -> list[SandboxMessage]:
        """Return the bot's live messages in one forum topic (None: the General topic)."""
        return [m for m in self.bot_messages() if m.message_thread_id == thread_id]

    def new_message_id(self) -> int:
        """Return the id the chat's next message gets."""
        message_id = self._next_id
        self._next_id += 1
        return message_id

    def keep(self, message: SandboxMessage) -> None:
        """Add a message to the transcript (the oldest goes past ``transcript_limit``)."""
        self._messages[message.message_id] = message
        if self._limit is not None and len(self._messages) > self._limit:
            # Evict the oldest message: dicts keep insertion order.
            del self._messages[next(iter(self._messages))]

    def bot_event(self, message: SandboxMessage, seq: int) -> None:
        """Show a bot message or edit, at position ``seq``, to those waiting for one."""
        self._events.append((seq, message))
        if self._waiters:
            for waiter in list(self._waiters):
                waiter.offer(message)
                if waiter.future.done():
                    self._waiters.remove(waiter)

    async def wait(
        self,
        predicate: Callable[[SandboxMessage], bool] | None,
        timeout: float,  # noqa: ASYNC109 - the public API names it so
        count: int,
        after: int | None,
    ) -> list[SandboxMessage]:
        """Wait for ``count`` bot messages or edits (see ``Sandbox.wait_for``)."""
        loop = asyncio.get_running_loop()
        waiter = _Waiter(predicate, count, loop.create_future())
        if after is not None:
            for seq, message in self._events:
                if seq > after:
                    waiter.offer(message)
        if not waiter.future.done():
            self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(asyncio.shield(waiter.future), timeout)
        except TimeoutError:
            got = ", ".join(repr(m.content[:60]) for m in waiter.found) or "nothing"
            raise TimeoutError(
                f"chat {self.id}: expected {count} bot message(s) within {timeout}s, got {got}"
            ) from None
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)


class _Waiter:
    __slots__ = ("count", "found", "future", "predicate")

    def __init__(
        self,
        predicate: Callable[[SandboxMessage], bool] | None,
        count: int,
        future: asyncio.Future[list[SandboxMessage]],
    ) -> None:
        self.predicate = predicate
        self.count = count
        self.future = future
        self.found: list[SandboxMessage] = []

    def offer(self, message: SandboxMessage) -> None:
        if self.future.done() or (self.predicate is not None and not self.predicate(message)):
            return
        self.found.append(message)
        if len(self.found) >= self.count:
            self.future.set_result(list(self.found))


class SandboxUser:
    """A simulated Telegram user who talks to the bot."""

    def __init__(
        self,
        sandbox: Host,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "fr",
        started: bool = True,
    ) -> None:
        self.sandbox = sandbox
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.started = started
        self.blocked = False
        self.deactivated = False
        self.private_chat = SandboxChat(
            sandbox,
            user_id,
            "private",
            user=self,
            transcript_limit=sandbox.transcript_limit,
        )

    def __repr__(self) -> str:
        return f"SandboxUser(id={self.id}, first_name={self.first_name!r})"

    def to_api(self) -> dict[str, Any]:
        """Return the Bot API User object."""
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def chat_api(self) -> dict[str, Any]:
        """Return the Bot API Chat object of the private chat."""
        data: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data

    async def send(
        self,
        text: str,
        chat: SandboxChat | int | None = None,
        *,
        reply_to: Any = None,
        thread: int | None = None,
    ) -> dict[str, Any]:
        """Send ``text`` to the bot (private chat by default; in a forum, in topic ``thread``);
        return the Message object."""
        return self.sandbox.receive_message(self, chat, text=text, reply_to=reply_to, thread=thread)

    async def forward(self, text: str, origin: SandboxUser | str) -> dict[str, Any]:
        """Forward to the bot a message `origin` wrote: a user, or the name of one who hides
        her account in forwards (Telegram then gives only that name)."""
        return self.sandbox.receive_message(self, None, text=text, forward_from=origin)

    async def start(self, payload: str = "") -> dict[str, Any]:
        """Send /start (with an optional deep-link payload)."""
        return await self.send(f"/start {payload}".strip())

    async def send_photo(
        self, chat: SandboxChat | int | None = None, caption: str | None = None
    ) -> dict[str, Any]:
        """Send a photo to the bot; return the Message object."""
        return self.sandbox.receive_message(self, chat, caption=caption, photo=True)

    async def edit(self, message: Any, text: str) -> dict[str, Any]:
        """Edit a message this user sent (a photo's caption); return the edited Message."""
        return self.sandbox.receive_edit(self, message, text)

    async def press(self, message: Any, button: str | int) -> str:
        """Press an inline button by label or row-major index; return the callback query id."""
        return self.sandbox.receive_press(self, message, button)

    async def inline_query(
        self,
        query: str,
        *,
        offset: str = "",
        timeout: float = 5.0,  # noqa: ASYNC109 - the public API names it so
    ) -> list[dict[str, Any]]:
        """Type an inline query; return the results the bot answers with."""
        return await self.sandbox.receive_inline_query(self, query, offset, timeout)

    def block_bot(self) -> None:
        """Block the bot: sends fail with 403 and the bot gets my_chat_member "kicked"."""
        if not self.blocked:
            self.blocked = True
            self.sandbox.bot_status_changed(self.private_chat, self, "member", "kicked")

    def unblock_bot(self) -> None:
        """Unblock the bot (my_chat_member "member")."""
        if self.blocked:
            self.blocked = False
            self.started = True
            self.sandbox.bot_status_changed(self.private_chat, self, "kicked", "member")

    def deactivate(self) -> None:
        """Delete the account: sends fail with 403 "user is deactivated"."""
        self.deactivated = True


def message_ref(message: Any) -> tuple[int | None, int]:
    """Return (chat id or None, message id) of a SandboxMessage, Message dict or PTB Message."""
    if isinstance(message, SandboxMessage):
        return message.chat_id, message.message_id
    if isinstance(message, Mapping):
        chat = message.get("chat") or {}
        return chat.get("id"), int(message["message_id"])
    if isinstance(message, int):
        return None, message
    chat_id = getattr(message, "chat_id", None)
    return chat_id, int(message.message_id)


def member_api(user: dict[str, Any], status: str, chat_type: str) -> dict[str, Any]:
    """Return the Bot API ChatMember object of ``user`` with ``status`` in a chat."""
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
