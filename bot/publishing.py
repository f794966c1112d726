"""The single way an article enters, changes or leaves: store it and queue what readers are owed.

Editors, feeds and imports all come through `Publisher`. Each call is one transaction: an
article accepted is stored with every alert it owes already in the outbox, so a crash a
millisecond later loses nothing; the delivery worker is only woken afterwards.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from bot import site
from bot.schedule import local_minute
from db import Connection, Database, articles, audit, deliveries, digests, watches
from db.articles import NewArticle
from db.models import ArticleDraft, Origin, to_ts

__all__ = [
    "URGENT_PRIORITY",
    "AuditNote",
    "PublishResult",
    "Publisher",
    "content_hash",
    "store_authors",
    "tidy_author_names",
]

URGENT_PRIORITY = 1


@dataclass(frozen=True, slots=True)
class PublishResult:
    article_id: int
    created: bool  # False: an article with this source key existed
    changed: bool  # False: it existed with the same content, nothing was done
    queued: int  # alerts queued for subscribers
    followups: int  # sent alerts (or on their way) to edit or delete
    conflict: bool = False  # a correction refused: the article changed since the editor saw it


@dataclass(frozen=True, slots=True)
class AuditNote:
    """Who asked for a change: written to the audit log in the same transaction as it."""

    user_id: int
    action: str
    detail: str = ""


async def _record(
    conn: Connection, note: AuditNote | None, result: PublishResult, now: float
) -> None:
    if note is not None and result.changed:
        await audit.audit(
            conn, note.user_id, note.action, now, article_id=result.article_id, detail=note.detail
        )


def content_hash(draft: ArticleDraft) -> str:
    """Return a fingerprint of what readers see, to tell a changed item from a repeat."""
    parts = [
        draft.title, draft.lead, draft.body, site.fold(draft.author),
        *sorted(site.fold(topic) for topic in draft.topics),
        draft.url or "", draft.image_url or "",
    ]  # fmt: skip
    if draft.coauthors:  # appended only then, so single-author fingerprints never change
        parts += [site.fold(name) for name in draft.coauthors]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


async def store_authors(conn: Connection, names: Sequence[str]) -> list[int]:
    """Return the ids of these authors, each created or renamed to the site's display form.

    One author per person whatever the spelling of the day: the folded key finds her, and
    her name becomes the nicest spelling seen (accents kept), written "Prénom Nom".
    """
    ids: list[int] = []
    for written in names:
        shown = site.display_name(written)
        author = await articles.ensure_author(conn, site.fold(shown), shown)
        nicer = site.display_name(site.nicest_name(author.name, shown))
        if nicer != author.name:
            await articles.rename_author(conn, author.id, nicer)
        if author.id not in ids:
            ids.append(author.id)
    return ids


async def tidy_author_names(db: Database) -> int:
    """Give every stored author the site's display form ("Seydou KONÉ" -> "Seydou Koné").

    Run at start-up: names stored before the display form existed are rewritten once; after
    that nothing differs and nothing is written. Return how many were renamed.
    """
    names = await articles.author_names(db.reader)
    shown = {author_id: site.display_name(name) for author_id, name in names}
    renamed = [
        (author_id, shown[author_id]) for author_id, name in names if shown[author_id] != name
    ]
    if renamed:
        async with db.transaction() as conn:
            for author_id, name in renamed:
                await articles.rename_author(conn, author_id, name)
    return len(renamed)


class Publisher:
    """Publish, revise and withdraw articles; wake the delivery worker when work is queued."""

    def __init__(
        self,
        db: Database,
        on_queued: Callable[[], None] = lambda: None,
        clock: Callable[[], float] = time.time,
        extra_chat_ids: Callable[[], Sequence[int]] = tuple,
        timezone: str = "Africa/Bamako",
    ):
        self.db = db
        self._on_queued = on_queued
        self._clock = clock
        self._extra_chat_ids = extra_chat_ids  # the newsroom's channel, when there is one
        self._zone = ZoneInfo(timezone)  # the readers' quiet hours are in local time

    async def _new_article(
        self, conn: Connection, draft: ArticleDraft, source_key: str, origin: Origin
    ) -> NewArticle:
        author_ids = await store_authors(conn, draft.authors)
        topic_ids: list[int] = []
        for name in draft.topics:
            topic = await articles.ensure_topic(conn, site.fold(name), name)
            if topic.id not in topic_ids:
                topic_ids.append(topic.id)
        now = self._clock()
        published = to_ts(draft.published_at) if draft.published_at else now
        updated = to_ts(draft.updated_at) if draft.updated_at else published
        return NewArticle(
            source_key=source_key,
            title=draft.title,
            lead=draft.lead,
            body=draft.body,
            author_id=author_ids[0],
            coauthor_ids=author_ids[1:],
            topic_ids=topic_ids,
            published_at=min(published, now),  # a feed's future date is clamped to now
            updated_at=min(max(updated, published), now),
            origin=origin,
            url=draft.url,
            image_url=draft.image_url,
            urgent=draft.urgent,
            content_hash=content_hash(draft),
        )

    async def publish(
        self,
        draft: ArticleDraft,
        *,
        source_key: str,
        origin: Origin,
        notify: bool = True,
        note: AuditNote | None = None,
    ) -> PublishResult:
        """Store an article (or update the one with this source key) and queue its alerts.

        With `notify=False` (a feed's backlog, an import) the article is stored silently.
        A repeat with the same content changes nothing; a changed repeat updates the article
        and owes an edit to every chat that already got its alert.
        """
        async with self.db.transaction() as conn:
            new = await self._new_article(conn, draft, source_key, origin)
            existing = await articles.get_article_by_source(conn, source_key)
            if existing is not None:
                if existing.content_hash == new.content_hash:
                    return PublishResult(existing.id, False, False, 0, 0)
                revised = _keep_identity(new, existing.published_at.timestamp(), self._clock())
                await articles.update_article(conn, existing.id, revised)
                followups = await deliveries.queue_followups(conn, existing.id, self._clock())
                result = PublishResult(existing.id, False, True, 0, followups)
            else:
                article_id = await articles.insert_article(conn, new)
                queued = 0
                if notify:
                    queued = await deliveries.queue_article(
                        conn,
                        article_id,
                        new.topic_ids,
                        new.author_id,
                        self._clock(),
                        priority=URGENT_PRIORITY if draft.urgent else 0,
                        extra_chat_ids=self._extra_chat_ids(),
                        coauthor_ids=new.coauthor_ids,
                        terms=watches.article_terms(new.title, new.lead, new.body),
                    )
                if notify and not draft.urgent:
                    # Last, once every alert is queued: chats taking digests, or in their
                    # quiet hours, get the article in their next digest instead.
                    now = self._clock()
                    await digests.hold_article(conn, article_id, local_minute(now, self._zone), now)
                result = PublishResult(article_id, True, True, queued, 0)
            await _record(conn, note, result, self._clock())
        if result.queued or result.followups:
            self._on_queued()
        return result

    async def revise(
        self,
        article_id: int,
        draft: ArticleDraft,
        *,
        note: AuditNote | None = None,
        seen: str | None = None,
    ) -> PublishResult:
        """Replace a published article's content and owe an edit to every alert already sent.

        `seen` is the content hash of the version the editor corrected: if the article has
        changed since (another editor's correction), nothing is written and the result says
        `conflict`, so that no one's correction silently replaces another's.
        """
        async with self.db.transaction() as conn:
            existing = await articles.get_article(conn, article_id)
            if existing is None:
                return PublishResult(article_id, False, False, 0, 0)
            if seen is not None and existing.content_hash != seen:
                return PublishResult(article_id, False, False, 0, 0, conflict=True)
            new = await self._new_article(conn, draft, existing.source_key, existing.origin)
            if existing.content_hash == new.content_hash:
                return PublishResult(article_id, False, False, 0, 0)
            revised = _keep_identity(new, existing.published_at.timestamp(), self._clock())
            await articles.update_article(conn, article_id, revised)
            followups = await deliveries.queue_followups(conn, article_id, self._clock())
            result = PublishResult(article_id, False, True, 0, followups)
            await _record(conn, note, result, self._clock())
        if followups:
            self._on_queued()
        return result

    async def withdraw(self, article_id: int, *, note: AuditNote | None = None) -> PublishResult:
        """Withdraw an article: hidden everywhere, pending alerts cancelled, sent ones removed."""
        async with self.db.transaction() as conn:
            now = self._clock()
            if not await articles.set_article_status(conn, article_id, "withdrawn", now):
                return PublishResult(article_id, False, False, 0, 0)
            followups = await deliveries.queue_followups(conn, article_id, now)
            result = PublishResult(article_id, False, True, 0, followups)
            await _record(conn, note, result, now)
        if followups:
            self._on_queued()
        return result


def _keep_identity(new: NewArticle, published_at: float, now: float) -> NewArticle:
    """A correction keeps the original publication time and is stamped updated now."""
    return replace(new, published_at=published_at, updated_at=max(now, published_at))
