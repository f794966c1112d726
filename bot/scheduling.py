"""The newsroom's clock: scheduled articles come out at their minute, idle drafts expire.

One small service, started in post_init and stopped in post_stop like the delivery worker.
It sleeps until the next thing due (a scheduled article, a draft's expiry), never longer
than `_LOOK` seconds, as another instance may have added something; `wake()` makes it look
at once. Both jobs are safe with several instances: a scheduled article is claimed by one
(db/drafts.py `claim_due`) and published by its source key, so a retry after a crash
changes nothing; an expired draft is deleted by the one statement that returns it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from telegram.error import BadRequest, TelegramError
from telegram.ext import ExtBot

from bot.i18n import plural, t
from bot.pacing import PacerArgs
from bot.publishing import AuditNote, Publisher, PublishResult
from db import Database, drafts

__all__ = ["Scheduler", "scheduled_label"]

logger = logging.getLogger(__name__)

_LOOK = 30.0  # seconds between two looks when nothing is known to fall due sooner
_LEASE = 120.0  # seconds a claimed article is this instance's to publish
_RETRY = 5.0  # seconds before trying again after a failure


class Scheduler:
    """Publishes scheduled articles when due and sweeps expired drafts; `clock` is settable."""

    def __init__(
        self,
        db: Database,
        publisher: Publisher,
        bot: ExtBot[PacerArgs],
        *,
        timezone: str,
        clock: Callable[[], float] = time.time,
    ):
        self.db = db
        self.publisher = publisher
        self.bot = bot
        self.timezone = timezone
        self.clock = clock
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start looking; what fell due while the bot was stopped comes out at once."""
        self._task = asyncio.create_task(self._run(), name="newsroom-scheduler")

    async def stop(self) -> None:
        """Stop looking (an article being published finishes first)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def wake(self) -> None:
        """Look now: a draft or a scheduled article was just saved."""
        self._wake.set()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.run_once()
                wait = await self._until_next()
            except asyncio.CancelledError:
                raise
            except Exception:
                # The clock must outlive any single failure (a locked database, a bug).
                logger.exception("Newsroom scheduler hiccup; carrying on")
                wait = _RETRY
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(0.05, wait))

    async def run_once(self) -> None:
        """Publish what is due and expire what is idle, as of `clock()`."""
        while await self._publish_due():
            pass
        await self._expire_drafts()

    async def _until_next(self) -> float:
        soonest = await drafts.next_due_at(self.db.reader)
        return _LOOK if soonest is None else min(_LOOK, soonest - self.clock())

    async def _publish_due(self) -> int:
        now = self.clock()
        async with self.db.transaction() as conn:
            due = await drafts.claim_due(conn, now, now + _LEASE)
        for item in due:
            await self.publish(item)
        return len(due)

    async def publish(
        self, item: drafts.ScheduledArticle, user_id: int | None = None
    ) -> PublishResult:
        """Publish a claimed scheduled article and forget it; by the clock (no `user_id`),
        tell its editor."""
        note = AuditNote(user_id or item.editor_id, "publish", f"[scheduled] {item.title}")
        result = await self.publisher.publish(
            item.draft, source_key=item.source_key, origin="editor", notify=True, note=note
        )
        async with self.db.transaction() as conn:
            await drafts.finish_scheduled(conn, item.id)
        logger.info("Scheduled article %s published as %s", item.id, result.article_id)
        if user_id is None:  # published by the clock: the editor is not watching
            text = plural(item.lang, "editor.scheduled_out", result.queued, id=result.article_id)
            with contextlib.suppress(TelegramError):
                await self.bot.send_message(item.chat_id, text)
        return result

    async def _expire_drafts(self) -> None:
        async with self.db.transaction() as conn:
            expired = await drafts.take_expired(conn, self.clock())
        for draft in expired:
            minutes = max(1, round((draft.expires_at - draft.updated_at) / 60))
            try:
                if draft.preview_message_id is not None:
                    with contextlib.suppress(BadRequest):  # deleted by the editor meanwhile
                        await self.bot.edit_message_reply_markup(
                            draft.chat_id, draft.preview_message_id, reply_markup=None
                        )
                await self.bot.send_message(
                    draft.chat_id, t(draft.lang, "editor.expired", minutes=minutes)
                )
            except TelegramError as error:
                logger.info("Could not tell %s their draft expired: %s", draft.chat_id, error)


_SCHEDULE_FORMATS = {
    "fr": ("EEEE d MMMM 'à' HH:mm", "EEEE d MMMM y 'à' HH:mm"),
    "en": ("EEEE d MMMM 'at' HH:mm", "EEEE d MMMM y 'at' HH:mm"),
}


def scheduled_label(moment: float, lang: str, tz: str, now: float) -> str:
    """Return a publication time as the editor reads it: "mardi 2 décembre à 07:00" (the
    year only when it is not this one)."""
    zone = ZoneInfo(tz)
    local = datetime.fromtimestamp(moment, zone)
    this_year, other_year = _SCHEDULE_FORMATS.get(lang, _SCHEDULE_FORMATS["fr"])
    same = local.year == datetime.fromtimestamp(now, zone).year
    return format_datetime(local, this_year if same else other_year, locale=lang)
