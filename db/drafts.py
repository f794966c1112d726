"""The newsroom's work in progress: editors' drafts, and articles scheduled for later.

A draft is one editor's article in one chat, with the step her next message or press
answers; every instance reads it here, so any of them continues the flow. Taking a draft
(`take_draft`, `take_expired`) deletes it in the same statement: of two presses, two
instances or two sweepers, exactly one gets it.

A scheduled article is confirmed but not yet an article: `claim_due` hands each one to one
instance, which publishes it by its source key (so a retry after a crash changes nothing)
and then forgets it (`finish_scheduled`).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.connection import Connection, Row
from db.models import ArticleDraft

__all__ = [
    "Draft",
    "ScheduledArticle",
    "cancel_scheduled",
    "claim_due",
    "claim_scheduled",
    "delete_draft",
    "finish_scheduled",
    "get_draft",
    "list_scheduled",
    "next_due_at",
    "save_draft",
    "schedule_article",
    "set_preview_message",
    "take_draft",
    "take_expired",
    "take_withdrawal",
    "want_withdrawal",
]

_DRAFT_COLUMNS = (
    "editor_id", "chat_id", "token", "step", "lang", "source_key", "original_id",
    "original_hash", "guided", "title", "byline", "body", "photo", "link", "publish_at",
    "urgent", "duplicate_checked", "preview_message_id", "created_at", "updated_at",
    "expires_at",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Draft:
    """An article being prepared by one editor in one chat, as the guided steps hold it."""

    editor_id: int
    chat_id: int
    token: str
    step: str
    lang: str
    source_key: str
    original_id: int | None = None
    original_hash: str | None = None
    guided: bool = False
    title: str = ""  # the title line, hashtags included
    byline: str | None = None  # without its "Par"; None: signed by the newsroom
    body: str = ""  # the lead, then the other paragraphs
    photo: str | None = None  # a web address or a Telegram file_id
    link: str | None = None
    publish_at: float | None = None
    urgent: bool = False
    duplicate_checked: bool = False
    preview_message_id: int | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    expires_at: float = 0.0


def _draft(row: Row) -> Draft:
    values = {name: row[name] for name in _DRAFT_COLUMNS}
    for flag in ("guided", "urgent", "duplicate_checked"):
        values[flag] = bool(values[flag])
    return Draft(**values)


async def get_draft(conn: Connection, editor_id: int, chat_id: int, now: float) -> Draft | None:
    """Return the editor's live draft in this chat, if any (an expired one is gone)."""
    row = await conn.fetchone(
        "SELECT * FROM drafts WHERE editor_id = ? AND chat_id = ? AND expires_at > ?",
        (editor_id, chat_id, now),
    )
    return _draft(row) if row is not None else None


async def save_draft(conn: Connection, draft: Draft) -> None:
    """Store the draft, replacing the editor's previous one in that chat."""
    columns = ", ".join(_DRAFT_COLUMNS)
    marks = ", ".join("?" for _ in _DRAFT_COLUMNS)
    updates = ", ".join(
        f"{name} = excluded.{name}"
        for name in _DRAFT_COLUMNS
        if name not in ("editor_id", "chat_id")
    )
    values = [getattr(draft, name) for name in _DRAFT_COLUMNS]
    values = [int(value) if isinstance(value, bool) else value for value in values]
    await conn.execute(
        f"INSERT INTO drafts ({columns}) VALUES ({marks}) "
        f"ON CONFLICT (editor_id, chat_id) DO UPDATE SET {updates}",
        values,
    )


async def set_preview_message(
    conn: Connection, editor_id: int, chat_id: int, token: str, message_id: int
) -> None:
    """Remember the message holding the draft's buttons, if the draft is still there."""
    await conn.execute(
        "UPDATE drafts SET preview_message_id = ? "
        "WHERE editor_id = ? AND chat_id = ? AND token = ?",
        (message_id, editor_id, chat_id, token),
    )


async def take_draft(
    conn: Connection, editor_id: int, chat_id: int, token: str, now: float
) -> Draft | None:
    """Remove and return the live draft with this token: only one caller ever gets it."""
    row = await conn.fetchone(
        "DELETE FROM drafts WHERE editor_id = ? AND chat_id = ? AND token = ? AND expires_at > ? "
        "RETURNING *",
        (editor_id, chat_id, token, now),
    )
    return _draft(row) if row is not None else None


async def delete_draft(conn: Connection, editor_id: int, chat_id: int) -> Draft | None:
    """Remove and return the editor's draft in this chat, live or expired."""
    row = await conn.fetchone(
        "DELETE FROM drafts WHERE editor_id = ? AND chat_id = ? RETURNING *", (editor_id, chat_id)
    )
    return _draft(row) if row is not None else None


async def take_expired(conn: Connection, now: float) -> list[Draft]:
    """Remove and return the drafts left alone past their expiry."""
    rows = await conn.fetchall("DELETE FROM drafts WHERE expires_at <= ? RETURNING *", (now,))
    return [_draft(row) for row in rows]


# --- scheduled articles -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScheduledArticle:
    """A confirmed article waiting for its minute."""

    id: int
    source_key: str
    publish_at: float
    title: str
    draft: ArticleDraft
    editor_id: int
    chat_id: int
    lang: str
    created_at: float


def _encode(draft: ArticleDraft) -> str:
    values: dict[str, Any] = {}
    for item in dataclasses.fields(draft):
        value = getattr(draft, item.name)
        if isinstance(value, datetime):
            continue  # an editor's article is dated when it comes out
        values[item.name] = list(value) if isinstance(value, tuple) else value
    return json.dumps(values, ensure_ascii=False)


def _decode(text: str) -> ArticleDraft:
    known = {item.name for item in dataclasses.fields(ArticleDraft)}
    values: dict[str, Any] = {
        name: tuple(value) if isinstance(value, list) else value
        for name, value in json.loads(text).items()
        if name in known
    }
    return ArticleDraft(**values)


def _scheduled(row: Row) -> ScheduledArticle:
    return ScheduledArticle(
        row["id"], row["source_key"], row["publish_at"], row["title"], _decode(row["draft"]),
        row["editor_id"], row["chat_id"], row["lang"], row["created_at"],
    )  # fmt: skip


async def schedule_article(
    conn: Connection,
    draft: ArticleDraft,
    *,
    source_key: str,
    publish_at: float,
    editor_id: int,
    chat_id: int,
    lang: str,
    now: float,
) -> int | None:
    """Store an article to publish at `publish_at`; None if this source key waits already."""
    scheduled_id = await conn.fetchval(
        """
        INSERT INTO scheduled_articles
            (source_key, publish_at, title, draft, editor_id, chat_id, lang, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (source_key) DO NOTHING
        RETURNING id
        """,
        (source_key, publish_at, draft.title, _encode(draft), editor_id, chat_id, lang, now),
    )
    return int(scheduled_id) if scheduled_id is not None else None


async def list_scheduled(conn: Connection, limit: int = 50) -> list[ScheduledArticle]:
    """Return the articles waiting, the soonest first."""
    rows = await conn.fetchall(
        "SELECT * FROM scheduled_articles ORDER BY publish_at, id LIMIT ?", (limit,)
    )
    return [_scheduled(row) for row in rows]


async def next_due_at(conn: Connection) -> float | None:
    """Return when the next thing falls due: a scheduled article (or the end of its claim,
    when an instance holds it), or a draft's expiry; None when nothing waits."""
    due = await conn.fetchval(
        "SELECT min(CASE WHEN claimed_until > publish_at THEN claimed_until ELSE publish_at END) "
        "FROM scheduled_articles"
    )
    expiry = await conn.fetchval("SELECT min(expires_at) FROM drafts")
    moments = [float(moment) for moment in (due, expiry) if moment is not None]
    return min(moments, default=None)


async def claim_due(
    conn: Connection, now: float, lease_until: float, limit: int = 20
) -> list[ScheduledArticle]:
    """Claim the articles whose minute has come until `lease_until`; each goes to one caller.

    A claim held by another caller is skipped until its lease runs out (its instance died).
    """
    rows = await conn.fetchall(
        """
        UPDATE scheduled_articles SET claimed_until = ?
        WHERE id IN (
            SELECT id FROM scheduled_articles
            WHERE publish_at <= ? AND claimed_until <= ?
            ORDER BY publish_at, id LIMIT ?
        ) AND claimed_until <= ?
        RETURNING *
        """,
        (lease_until, now, now, limit, now),
    )
    return sorted((_scheduled(row) for row in rows), key=lambda item: (item.publish_at, item.id))


async def claim_scheduled(
    conn: Connection, scheduled_id: int, now: float, lease_until: float
) -> ScheduledArticle | None:
    """Claim one waiting article to publish it now; None if gone or being published."""
    row = await conn.fetchone(
        "UPDATE scheduled_articles SET claimed_until = ? WHERE id = ? AND claimed_until <= ? "
        "RETURNING *",
        (lease_until, scheduled_id, now),
    )
    return _scheduled(row) if row is not None else None


async def cancel_scheduled(
    conn: Connection, scheduled_id: int, now: float
) -> ScheduledArticle | None:
    """Remove and return a waiting article; None if gone or being published."""
    row = await conn.fetchone(
        "DELETE FROM scheduled_articles WHERE id = ? AND claimed_until <= ? RETURNING *",
        (scheduled_id, now),
    )
    return _scheduled(row) if row is not None else None


async def finish_scheduled(conn: Connection, scheduled_id: int) -> None:
    """Forget an article once it is published."""
    await conn.execute("DELETE FROM scheduled_articles WHERE id = ?", (scheduled_id,))


# --- withdrawals asked ----------------------------------------------------------------------

_WITHDRAWAL_LIFETIME = 24 * 3600.0  # an /unpublish neither confirmed nor called off lapses


async def want_withdrawal(
    conn: Connection, token: str, editor_id: int, article_id: int, now: float
) -> None:
    """Remember that an editor asked to withdraw an article (her buttons name the token)."""
    await conn.execute(
        "DELETE FROM pending_withdrawals WHERE created_at < ?", (now - _WITHDRAWAL_LIFETIME,)
    )
    await conn.execute(
        "INSERT INTO pending_withdrawals (token, editor_id, article_id, created_at) "
        "VALUES (?, ?, ?, ?)",
        (token, editor_id, article_id, now),
    )


async def take_withdrawal(conn: Connection, token: str, editor_id: int, now: float) -> int | None:
    """Forget a withdrawal asked; return its article (None: done, lapsed or never asked)."""
    article_id = await conn.fetchval(
        "DELETE FROM pending_withdrawals WHERE token = ? AND editor_id = ? AND created_at >= ? "
        "RETURNING article_id",
        (token, editor_id, now - _WITHDRAWAL_LIFETIME),
    )
    return int(article_id) if article_id is not None else None
