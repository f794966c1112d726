"""Who receives an article: the one SELECT that queueing its alerts and counting its reach share."""

from __future__ import annotations

from typing import Literal

__all__ = ["recipients_sql"]


def recipients_sql(
    topic_count: int, extra_count: int, *, by: Literal["id", "key"], author_count: int = 1
) -> str:
    """Return a SELECT of the active chats following a topic or an author, or named extra.

    Its parameters, in order: `topic_count` topics and `author_count` authors, as ids (`by="id"`, an
    article that is stored) or as folded keys (`by="key"`, a draft whose topics and author
    may not exist yet), then `extra_count` chat ids (the channel). Each chat comes once.
    Every branch is a lookup in a unique index and a range scan of a subscriptions index.
    """
    topics = ",".join("?" * topic_count)
    authors = ",".join("?" * author_count)
    if by == "key":
        topics = f"SELECT id FROM topics WHERE key IN ({topics})"
        authors = f"SELECT id FROM authors WHERE key IN ({authors})"
    # An empty list is no branch at all: PostgreSQL has no `IN ()`.
    branches = []
    if topic_count:
        branches.append(f"SELECT chat_id FROM subscriptions WHERE topic_id IN ({topics})")
    if author_count:
        branches.append(f"SELECT chat_id FROM subscriptions WHERE author_id IN ({authors})")
    if extra_count:
        extras = ", ".join(["(CAST(? AS BIGINT))"] * extra_count)
        branches.append(f"SELECT column1 FROM (VALUES {extras}) AS extra")
    union = "\n            UNION ".join(branches or ["SELECT NULL WHERE false"])
    return f"""
        SELECT c.id FROM chats AS c
        WHERE c.status = 'active' AND c.id IN (
            {union}
        )
    """
