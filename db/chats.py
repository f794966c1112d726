"""Chats the bot talks to, and their subscriptions."""

from __future__ import annotations

from collections.abc import Iterable

from db.connection import ALL, Connection, Row
from db.deliveries import cancel_unfollowed
from db.models import Author, Chat, ChatStatus, ChatType, Page, Subscription, Topic
from db.watches import remove_watch

__all__ = [
    "chat_subscriptions",
    "chats_by_ids",
    "choose_language",
    "chosen_language",
    "drop_thread",
    "follow_count",
    "get_chat",
    "listed_article",
    "migrate_chat",
    "new_topic_follows",
    "remember_list",
    "set_chat_status",
    "subscribe",
    "subscriptions_page",
    "unsubscribe",
    "unsubscribe_all",
    "unwatch",
    "upsert_chat",
]


def _chat(row: Row) -> Chat:
    return Chat(
        row["id"],
        row["type"],
        row["title"],
        row["language"],
        row["status"],
        language_chosen=bool(row["language_chosen"]),
    )


async def upsert_chat(
    conn: Connection,
    chat_id: int,
    chat_type: ChatType | str,  # as Telegram names it; the schema checks the value
    title: str | None,
    language: str,
    now: float,
    *,
    status: ChatStatus | None = "active",
) -> None:
    """Record a chat, or refresh its title and language; `status=None` keeps the current one.

    A private chat's language follows its user's Telegram language, until one is chosen with
    /language (`choose_language`); a group keeps the one it was first recorded with (whoever
    added the bot) or chose, not that of whoever spoke last.
    """
    await conn.execute(
        """
        INSERT INTO chats (id, type, title, language, status, created_at, updated_at)
        VALUES (?, ?, ?, ?, COALESCE(?, 'active'), ?, ?)
        ON CONFLICT (id) DO UPDATE SET
            type = excluded.type, title = excluded.title,
            language = CASE WHEN excluded.type = 'private' AND chats.language_chosen = 0
                            THEN excluded.language ELSE chats.language END,
            status = COALESCE(?, chats.status), updated_at = excluded.updated_at
        """,
        (chat_id, chat_type, title, language, status, now, now, status),
    )


async def choose_language(conn: Connection, chat_id: int, language: str, now: float) -> bool:
    """Set the chat's language for good (replies, alerts, digests); return whether it changed."""
    cursor = await conn.execute(
        """
        UPDATE chats SET language = ?, language_chosen = 1, updated_at = ?
        WHERE id = ? AND (language <> ? OR language_chosen = 0)
        """,
        (language, now, chat_id, language),
    )
    return cursor.rowcount > 0


async def chosen_language(conn: Connection, chat_id: int) -> str | None:
    """Return the language the chat chose with /language; None when it chose none."""
    async with conn.execute(
        "SELECT language FROM chats WHERE id = ? AND language_chosen = 1", (chat_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return str(row[0]) if row else None


async def remember_list(
    conn: Connection, chat_id: int, first_number: int, article_ids: Iterable[int]
) -> None:
    """Keep the numbered list the chat was just shown (replacing the one before)."""
    listed = f"{first_number}:{','.join(str(article_id) for article_id in article_ids)}"
    await conn.execute(
        "UPDATE chats SET last_list = ? WHERE id = ? AND last_list <> ?",
        (listed, chat_id, listed),
    )


async def listed_article(conn: Connection, chat_id: int, number: int) -> int | None:
    """Return the id of the article numbered `number` in the chat's last list, or None."""
    async with conn.execute("SELECT last_list FROM chats WHERE id = ?", (chat_id,)) as cursor:
        row = await cursor.fetchone()
    first, _, ids = str(row[0]).partition(":") if row else ("", "", "")
    if not first.isdigit() or not ids:
        return None
    listed = ids.split(",")
    position = number - int(first)
    return int(listed[position]) if 0 <= position < len(listed) else None


async def get_chat(conn: Connection, chat_id: int) -> Chat | None:
    """Return one chat."""
    async with conn.execute("SELECT * FROM chats WHERE id = ?", (chat_id,)) as cursor:
        row = await cursor.fetchone()
    return _chat(row) if row else None


async def chats_by_ids(conn: Connection, chat_ids: Iterable[int]) -> dict[int, Chat]:
    """Return the chats with these ids, by id."""
    ids = list(set(chat_ids))
    if not ids:
        return {}
    async with conn.execute(
        f"SELECT * FROM chats WHERE id IN ({','.join('?' * len(ids))})", ids
    ) as cursor:
        return {row["id"]: _chat(row) for row in await cursor.fetchall()}


async def set_chat_status(conn: Connection, chat_id: int, status: ChatStatus, now: float) -> bool:
    """Mark a chat active, blocked or left; return whether it changed."""
    cursor = await conn.execute(
        "UPDATE chats SET status = ?, updated_at = ? WHERE id = ? AND status <> ?",
        (status, now, chat_id, status),
    )
    return cursor.rowcount > 0


async def migrate_chat(conn: Connection, old_id: int, new_id: int, now: float) -> None:
    """Move a group to its supergroup id; subscriptions and deliveries follow (ON UPDATE CASCADE).

    If the supergroup was already recorded (it spoke to the bot first), the old group's
    subscriptions are merged into it and the old chat is dropped.
    """
    async with conn.execute("SELECT 1 FROM chats WHERE id = ?", (new_id,)) as cursor:
        exists = await cursor.fetchone() is not None
    if not exists:
        await conn.execute(
            "UPDATE chats SET id = ?, type = 'supergroup', updated_at = ? WHERE id = ?",
            (new_id, now, old_id),
        )
        return
    # What the supergroup has already stays; the old group's duplicates of it go with the
    # old chat (ON DELETE CASCADE).
    await conn.execute(
        """
        UPDATE subscriptions AS old SET chat_id = ? WHERE old.chat_id = ? AND NOT EXISTS (
            SELECT 1 FROM subscriptions AS s WHERE s.chat_id = ?
              AND (s.topic_id = old.topic_id OR s.author_id = old.author_id)
        )
        """,
        (new_id, old_id, new_id),
    )
    await conn.execute(
        """
        UPDATE deliveries AS old SET chat_id = ? WHERE old.chat_id = ? AND NOT EXISTS (
            SELECT 1 FROM deliveries AS d WHERE d.chat_id = ? AND d.article_id = old.article_id
        )
        """,
        (new_id, old_id, new_id),
    )
    await conn.execute("DELETE FROM chats WHERE id = ?", (old_id,))


async def subscribe(
    conn: Connection,
    chat_id: int,
    now: float,
    *,
    topic_id: int | None = None,
    author_id: int | None = None,
    thread_id: int = 0,
) -> bool:
    """Subscribe a chat (in a forum, one of its topics) to a topic or an author; return False
    if it already was."""
    cursor = await conn.execute(
        "INSERT INTO subscriptions (chat_id, topic_id, author_id, created_at, thread_id) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (chat_id, topic_id, author_id, now, thread_id),
    )
    return cursor.rowcount > 0


async def unsubscribe(
    conn: Connection,
    chat_id: int,
    *,
    topic_id: int | None = None,
    author_id: int | None = None,
    thread_id: int = 0,
) -> bool:
    """Remove one subscription (of one forum topic); return whether there was one.

    Alerts still waiting for the chat that nothing else it follows matches are cancelled.
    """
    cursor = await conn.execute(
        "DELETE FROM subscriptions WHERE chat_id = ? AND thread_id = ? "
        "AND (topic_id = ? OR author_id = ?)",
        (chat_id, thread_id, topic_id, author_id),
    )
    if cursor.rowcount == 0:
        return False
    await cancel_unfollowed(conn, chat_id)
    return True


async def unsubscribe_all(conn: Connection, chat_id: int, *, thread_id: int = 0) -> int:
    """Remove every subscription and watch of a chat (of one forum topic), and cancel its
    alerts still waiting; return how many there were."""
    cursor = await conn.execute(
        "DELETE FROM subscriptions WHERE chat_id = ? AND thread_id = ?", (chat_id, thread_id)
    )
    removed = cursor.rowcount
    await conn.execute(
        "DELETE FROM watch_terms WHERE watch_id IN "
        "(SELECT id FROM watches WHERE chat_id = ? AND thread_id = ?)",
        (chat_id, thread_id),
    )
    cursor = await conn.execute(
        "DELETE FROM watches WHERE chat_id = ? AND thread_id = ?", (chat_id, thread_id)
    )
    removed += cursor.rowcount
    if removed:
        await cancel_unfollowed(conn, chat_id)
    return removed


async def unwatch(conn: Connection, chat_id: int, watch_id: int) -> bool:
    """Remove one of a chat's keyword watches; return whether there was one.

    Alerts still waiting for the chat that nothing else it follows matches are cancelled.
    """
    if not await remove_watch(conn, chat_id, watch_id):
        return False
    await cancel_unfollowed(conn, chat_id)
    return True


async def drop_thread(conn: Connection, chat_id: int, thread_id: int) -> int:
    """Forget a deleted forum topic: its subscriptions and watches go, and the alerts still
    owed to it are cancelled; return how many subscriptions and watches there were."""
    cursor = await conn.execute(
        "DELETE FROM subscriptions WHERE chat_id = ? AND thread_id = ?", (chat_id, thread_id)
    )
    removed = cursor.rowcount
    await conn.execute(
        "DELETE FROM watch_terms WHERE watch_id IN "
        "(SELECT id FROM watches WHERE chat_id = ? AND thread_id = ?)",
        (chat_id, thread_id),
    )
    cursor = await conn.execute(
        "DELETE FROM watches WHERE chat_id = ? AND thread_id = ?", (chat_id, thread_id)
    )
    await conn.execute(
        """
        UPDATE deliveries SET status = 'cancelled', last_error = 'forum topic deleted'
        WHERE chat_id = ? AND thread_id = ? AND status = 'pending'
        """,
        (chat_id, thread_id),
    )
    return removed + cursor.rowcount


async def chat_subscriptions(
    conn: Connection, chat_id: int, *, thread_id: int = 0
) -> list[Subscription]:
    """Return a chat's subscriptions (in a forum, one topic's), topics first, each
    alphabetically."""
    return await _subscriptions(conn, chat_id, thread_id, ALL, 0)


async def subscriptions_page(
    conn: Connection, chat_id: int, limit: int, offset: int = 0, *, thread_id: int = 0
) -> Page[Subscription]:
    """Return one page of a chat's subscriptions, in the order of `chat_subscriptions`."""
    found = await _subscriptions(conn, chat_id, thread_id, limit + 1, offset)
    return Page(found[:limit], len(found) > limit)


async def follow_count(conn: Connection, chat_id: int, *, thread_id: int | None = None) -> int:
    """Return how many things a chat follows, subscriptions and keyword watches together:
    in all its forum topics, the number its cap applies to; or in one (`thread_id`)."""
    where = "chat_id = ?" if thread_id is None else "chat_id = ? AND thread_id = ?"
    params = (chat_id,) if thread_id is None else (chat_id, thread_id)
    async with conn.execute(
        f"""
        SELECT (SELECT count(*) FROM subscriptions WHERE {where})
             + (SELECT count(*) FROM watches WHERE {where})
        """,
        (*params, *params),
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def new_topic_follows(conn: Connection, chat_id: int) -> int:
    """Return how many topics no article carries yet the chat follows."""
    async with conn.execute(
        """
        SELECT count(*) FROM subscriptions AS s JOIN topics AS t ON t.id = s.topic_id
        WHERE s.chat_id = ? AND t.article_count = 0
        """,
        (chat_id,),
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def _subscriptions(
    conn: Connection, chat_id: int, thread_id: int, limit: int, offset: int
) -> list[Subscription]:
    async with conn.execute(
        """
        SELECT s.id, s.chat_id, s.thread_id,
               t.id AS topic_id, t.key AS topic_key, t.name AS topic_name,
               t.article_count AS topic_count,
               au.id AS author_id, au.key AS author_key, au.name AS author_name,
               au.article_count AS author_count
        FROM subscriptions AS s
        LEFT JOIN topics AS t ON t.id = s.topic_id
        LEFT JOIN authors AS au ON au.id = s.author_id
        WHERE s.chat_id = ? AND s.thread_id = ?
        ORDER BY s.topic_id IS NULL, COALESCE(t.key, au.key), s.id
        LIMIT ? OFFSET ?
        """,
        (chat_id, thread_id, limit, offset),
    ) as cursor:
        rows = await cursor.fetchall()
    return [
        Subscription(
            row["id"],
            row["chat_id"],
            Topic(row["topic_id"], row["topic_key"], row["topic_name"], row["topic_count"])
            if row["topic_id"] is not None
            else None,
            Author(row["author_id"], row["author_key"], row["author_name"], row["author_count"])
            if row["author_id"] is not None
            else None,
            row["thread_id"],
        )
        for row in rows
    ]
