"""The editors' kit: tokens for pending actions, editor buttons, article numbers in commands,
and the progress message that follows what an action owes readers until it is done.

Shared, importable by any feature (a feature never imports another feature): /publish and
/edit (handlers/publish.py) and /unpublish (handlers/editor.py) build their buttons, read
their arguments and follow their deliveries the same way. Counts are written with
`bot.i18n.plural`.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from telegram import InlineKeyboardButton
from telegram.error import BadRequest, TelegramError

from bot.buttons import EditorButton
from bot.i18n import t
from db import deliveries
from db.deliveries import DeliveryCounts

if TYPE_CHECKING:
    from bot.context import Context

__all__ = [
    "PROGRESS_INTERVAL",
    "Followed",
    "article_id_argument",
    "editor_button",
    "follow_delivery",
    "new_token",
]

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL = 3.0  # seconds between two refreshes of a progress message
PROGRESS_MAX_SECONDS = 6 * 3600.0  # a delivery still going after this is left to /stats

Followed = Literal["publish", "correct", "withdraw"]
"""What a progress message follows: an article's alerts, their corrections, their removal."""

_ARTICLE_ID = re.compile(r"[0-9]{1,18}")  # SQLite integers; str.isdigit also takes "²"


def new_token() -> str:
    """Return a short random token naming a pending action in its buttons' data."""
    return secrets.token_urlsafe(6)


def editor_button(lang: str, key: str, action: str, token: str) -> InlineKeyboardButton:
    """Return a button labelled with catalogue `key` that presses `EditorButton(action, token)`."""
    return InlineKeyboardButton(t(lang, key), callback_data=EditorButton(action, token).pack())


def article_id_argument(args: list[str] | None) -> int | None:
    """Return the article number given after a command, if it is one."""
    if not args or not _ARTICLE_ID.fullmatch(args[0]):
        return None
    return int(args[0])


# --- delivery progress ------------------------------------------------------------------


@dataclass
class _Progress:
    chat_id: int
    message_id: int
    article_id: int
    lang: str
    kind: Followed
    shown: str
    started: float = field(default_factory=time.monotonic)


def _progress_text(kind: Followed, lang: str, counts: DeliveryCounts, done: bool) -> str:
    failed = counts.failed + counts.cancelled
    pending = counts.pending + counts.sending
    if kind == "publish":
        if done:
            return t(lang, "editor.progress_done", sent=counts.sent, failed=failed)
        return t(lang, "editor.progress", sent=counts.sent, pending=pending, failed=failed)
    # A follow-up's own failures cannot be told from the first sends': only what is left.
    if done:
        return t(lang, f"editor.progress_{kind}_done")
    return t(lang, f"editor.progress_{kind}", pending=pending)


async def follow_delivery(
    context: Context, chat_id: int, article_id: int, lang: str, kind: Followed = "publish"
) -> None:
    """Say how far what an article owes readers has got, and edit that message until done."""
    counts = await deliveries.delivery_counts(context.bot_data.db.reader, article_id)
    text = _progress_text(kind, lang, counts, counts.done)
    message = await context.bot.send_message(chat_id, text)
    if counts.done or context.job_queue is None:
        return
    context.job_queue.run_repeating(
        refresh_progress,
        interval=PROGRESS_INTERVAL,
        first=PROGRESS_INTERVAL,
        data=_Progress(chat_id, message.message_id, article_id, lang, kind, text),
        name=f"progress:{article_id}",
    )


async def refresh_progress(context: Context) -> None:
    """Edit the progress message with the latest counts; stop once the delivery is done."""
    job = context.job
    assert job is not None and isinstance(job.data, _Progress)
    progress = job.data
    counts = await deliveries.delivery_counts(context.bot_data.db.reader, progress.article_id)
    done = counts.done or time.monotonic() - progress.started > PROGRESS_MAX_SECONDS
    text = _progress_text(progress.kind, progress.lang, counts, done)
    # Telegram refuses an edit that changes nothing (400 "message is not modified").
    if text != progress.shown:
        try:
            await context.bot.edit_message_text(text, progress.chat_id, progress.message_id)
            progress.shown = text
        except BadRequest as error:
            logger.info("Progress message %s left as is: %s", progress.message_id, error.message)
            done = True  # deleted by the editor: nobody is watching any more
        except TelegramError as error:
            logger.warning("Progress update failed, retrying later: %s", error)
    if done:
        job.schedule_removal()
