"""Rows as dataclasses. Times are aware UTC datetimes; the database stores Unix seconds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Generic, Literal, TypeVar

__all__ = [
    "Article",
    "ArticleDraft",
    "Author",
    "Chat",
    "ChatStatus",
    "ChatType",
    "Delivery",
    "DeliveryAction",
    "DeliveryStatus",
    "Digest",
    "Feed",
    "Origin",
    "Page",
    "ReaderSettings",
    "Subscription",
    "Topic",
    "Watch",
    "from_ts",
    "to_ts",
]

T = TypeVar("T")

ChatType = Literal["private", "group", "supergroup", "channel"]
ChatStatus = Literal["active", "blocked", "left"]
Origin = Literal["editor", "feed", "import"]
DeliveryStatus = Literal["pending", "sending", "sent", "failed", "cancelled"]
DeliveryAction = Literal["send", "edit", "delete"]


def to_ts(moment: datetime) -> float:
    """Return Unix seconds for an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: times must carry a time zone")
    return moment.timestamp()


def from_ts(seconds: float) -> datetime:
    """Return the aware UTC datetime of Unix seconds."""
    return datetime.fromtimestamp(seconds, UTC)


@dataclass(frozen=True, slots=True)
class _Named:
    """A row of `authors` or `topics`: one name, its folded key, how many articles carry it."""

    id: int
    key: str
    name: str
    article_count: int = 0


@dataclass(frozen=True, slots=True)
class Author(_Named):
    """Who signs articles (never equal to a topic of the same fields)."""


@dataclass(frozen=True, slots=True)
class Topic(_Named):
    """What articles are about (never equal to an author of the same fields)."""


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    """An article before it is stored: what an editor, a feed or an import provides."""

    title: str
    lead: str
    body: str = ""
    author: str = "La rédaction"  # the first author
    topics: tuple[str, ...] = ()
    url: str | None = None
    image_url: str | None = None
    published_at: datetime | None = None  # None: now
    updated_at: datetime | None = None
    urgent: bool = False
    coauthors: tuple[str, ...] = ()  # who co-signs it, after `author`, in byline order

    @property
    def authors(self) -> tuple[str, ...]:
        """Return every author, in byline order."""
        return (self.author, *self.coauthors)


@dataclass(frozen=True, slots=True)
class Article:
    id: int
    source_key: str
    title: str
    lead: str
    body: str
    author: Author
    topics: tuple[Topic, ...]
    published_at: datetime
    updated_at: datetime
    status: Literal["published", "withdrawn"] = "published"
    origin: Origin = "editor"
    url: str | None = None
    image_url: str | None = None
    urgent: bool = False
    content_hash: str = ""
    coauthors: tuple[Author, ...] = ()  # who co-signs it, after `author`, in byline order

    @property
    def authors(self) -> tuple[Author, ...]:
        """Return every author, in byline order."""
        return (self.author, *self.coauthors)

    @property
    def was_updated(self) -> bool:
        return self.updated_at > self.published_at


@dataclass(frozen=True, slots=True)
class Chat:
    id: int
    type: ChatType
    title: str | None
    language: str
    status: ChatStatus
    language_chosen: bool = False
    """The language was chosen with /language: it no longer follows the user's Telegram."""


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    chat_id: int
    topic: Topic | None
    author: Author | None
    thread_id: int = 0  # the forum topic it was made in; 0: none

    @property
    def target(self) -> Topic | Author:
        target = self.topic or self.author
        assert target is not None  # the schema's CHECK makes it exactly one of the two
        return target

    @property
    def label(self) -> str:
        return f"#{self.topic.name}" if self.topic is not None else self.target.name


@dataclass(frozen=True, slots=True)
class Watch:
    """A keyword alert: the chat (in a forum, the topic) is alerted by articles holding all
    of `key`'s terms; `words` is what the reader typed."""

    id: int
    chat_id: int
    thread_id: int
    key: str
    words: str

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(self.key.split())


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    article_id: int
    chat_id: int
    status: DeliveryStatus
    action: DeliveryAction
    priority: int
    attempts: int
    next_attempt_at: float
    created_at: float
    sent_at: float | None
    message_id: int | None
    last_error: str | None
    revision: int = 1  # the article's revision when claimed: the one its alert shows
    thread_id: int = 0  # the forum topic it goes to (message_thread_id); 0: none


@dataclass(frozen=True, slots=True)
class ReaderSettings:
    """When a chat takes its news: digest times and quiet hours, in minutes after local
    midnight (NEWSBOT_TIMEZONE); none of them set is a chat alerted at once."""

    chat_id: int
    digest_times: tuple[int, ...] = ()
    quiet_from: int | None = None
    quiet_until: int | None = None

    @property
    def quiet(self) -> tuple[int, int] | None:
        if self.quiet_from is None or self.quiet_until is None:
            return None
        return self.quiet_from, self.quiet_until


@dataclass(frozen=True, slots=True)
class Digest:
    """One digest message owed to a chat (possibly sent as several parts)."""

    id: int
    chat_id: int
    due_at: float
    status: DeliveryStatus
    attempts: int
    next_attempt_at: float
    parts_sent: int
    message_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Feed:
    id: int
    url: str
    title: str | None
    interval_minutes: int
    etag: str | None
    last_modified: str | None
    next_poll_at: float
    last_success_at: float | None
    last_polled_at: float | None
    consecutive_failures: int
    last_error: str | None
    enabled: bool
    added_at: float
    added_by: int | None
    last_counts: str | None = None  # JSON: what the last read found and did (bot.feeds)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing and whether more follow."""

    items: list[T] = field(default_factory=list)
    has_more: bool = False
