"""Who receives an article: the one SELECT that queueing its alerts and counting its reach share."""

from __future__ import annotations

from typing import Literal

from db.watches import matching_watches_sql

__all__ = ["recipients_sql"]


def recipients_sql(
    topic_count: int,
    extra_count: int,
    *,
    by: Literal["id", "key"],
    author_count: int = 1,
    term_count: int = 0,
) -> str:
    """Return a SELECT of the active chats following a topic or an author, or named extra.

    Its parameters, in order: `topic_count` topics and `author_count` authors, as ids (`by="id"`, an
    article that is stored) or as folded keys (`by="key"`, a draft whose topics and author
    may not exist yet), then `extra_count` chat ids (the channel), then `term_count` terms of
    the article (`watches.article_terms`) for the keyword watches they match.

    Its rows are (id, thread_id): a chat, and the forum topic the alert goes to (0: none).
    Each pair comes once however many subscriptions and watches match it; a forum following
    Mali in one topic and Sport in another gets an article on both in each.
    Every branch is a lookup in a unique index and a range scan of a subscriptions index,
    or, for watches, one range of the watch_terms index per term (db/watches.py).
    """
    topics = ",".join("?" * topic_count)
    authors = ",".join("?" * author_count)
    if by == "key":
        topics = f"SELECT id FROM topics WHERE key IN ({topics})"
        authors = f"SELECT id FROM authors WHERE key IN ({authors})"
    # An empty list is no branch at all: PostgreSQL has no `IN ()`.
    branches = []
    if topic_count:
        branches.append(
            f"SELECT chat_id, thread_id FROM subscriptions WHERE topic_id IN ({topics})"
        )
    if author_count:
        branches.append(
            f"SELECT chat_id, thread_id FROM subscriptions WHERE author_id IN ({authors})"
        )
    if extra_count:
        extras = ", ".join(["(CAST(? AS BIGINT))"] * extra_count)
        branches.append(
            "SELECT column1 AS chat_id, CAST(0 AS BIGINT) AS thread_id "
            f"FROM (VALUES {extras}) AS extra"
        )
    if term_count:
        branches.append(
            "SELECT chat_id, thread_id FROM watches WHERE id IN "
            f"({matching_watches_sql(term_count)})"
        )
    union = "\n            UNION ".join(
        branches
        or ["SELECT CAST(NULL AS BIGINT) AS chat_id, CAST(0 AS BIGINT) AS thread_id WHERE false"]
    )
    return f"""
        SELECT f.chat_id AS id, f.thread_id FROM (
            {union}
        ) AS f
        JOIN chats AS c ON c.id = f.chat_id
        WHERE c.status = 'active'
    """
