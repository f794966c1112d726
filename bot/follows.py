"""How much a chat may follow, checked inside the transaction that adds a follow.

One cap covers everything a chat follows: `db.chats.follow_count` counts it (subscriptions to
topics and authors today; keyword watches will count there too), so a chat's list always
fits a few pages and fan-out stays bounded per chat.

A topic no article carries yet ("/subscribe <a new word>") is a row created on a reader's
word alone. Such topics are capped twice: each chat may follow only a few at a time, and
there are at most MAX_UNUSED_TOPICS of them in all; when that bound is reached, those nobody
follows any more are deleted to make room, so subscribing and unsubscribing in a loop cannot
grow the table, and only many chats each holding their few can fill it.
"""

from __future__ import annotations

from bot.errors import LimitError
from db import Connection, articles, chats

__all__ = [
    "MAX_FOLLOWS",
    "MAX_NEW_TOPICS",
    "MAX_UNUSED_TOPICS",
    "check_added",
    "check_new_topic",
]

MAX_FOLLOWS = 100
"""Subscriptions (and, later, keyword watches) one chat may hold."""
MAX_NEW_TOPICS = 10
"""Topics no article carries yet that one chat may follow at a time."""
MAX_UNUSED_TOPICS = 1_000
"""Topic rows no article has carried, in all chats together."""


async def check_added(conn: Connection, chat_id: int) -> None:
    """Raise LimitError if the follow just added took the chat past MAX_FOLLOWS.

    Checked after the insert, in its transaction: raising rolls the insert back, and a
    follow that already existed, which adds nothing, is never refused.
    """
    if await chats.follow_count(conn, chat_id) > MAX_FOLLOWS:
        raise LimitError("sub.too_many", limit=MAX_FOLLOWS)


async def check_new_topic(conn: Connection, chat_id: int) -> None:
    """Raise LimitError unless the chat may create one more topic no article carries."""
    if await chats.follow_count(conn, chat_id) >= MAX_FOLLOWS:
        raise LimitError("sub.too_many", limit=MAX_FOLLOWS)
    if await chats.new_topic_follows(conn, chat_id) >= MAX_NEW_TOPICS:
        raise LimitError("sub.too_many_new", limit=MAX_NEW_TOPICS)
    if await articles.count_unused_topics(conn) < MAX_UNUSED_TOPICS:
        return
    await articles.prune_unused_topics(conn)
    if await articles.count_unused_topics(conn) >= MAX_UNUSED_TOPICS:
        raise LimitError("sub.new_topics_full")
