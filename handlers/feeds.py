"""/feeds, /addfeed, /removefeed: the editors' view of the site's RSS/Atom feeds.

Only chief editors get here: each handler is registered wrapped in `handlers.access.ChiefOnly`.
The work (fetching, importing the backlog, auditing) is done by `bot.feeds.FeedPoller`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar

from babel.dates import format_timedelta
from telegram import Update
from telegram.ext import CommandHandler

from bot.errors import FeedError, UsageError
from bot.feeds import (
    DEFAULT_INTERVAL_MINUTES,
    MAX_INTERVAL_MINUTES,
    check_feed_url,
    describe_counts,
    describe_error,
    describe_tally,
    feed_label,
)
from bot.formatting import escape, split_html
from bot.i18n import plural, t
from db import feeds as feeds_db
from db.models import Feed
from handlers.access import ChiefOnly, reply_language
from handlers.menu import command_names

if TYPE_CHECKING:
    from telegram import Message

    from bot.context import Context, NewsbotApplication
    from bot.feeds import FeedPoller

__all__ = ["parse_addfeed_args", "parse_feed_id", "register", "render_feed_list"]

_Args = TypeVar("_Args")

_SOON = 30.0  # seconds: a poll closer than this is shown as "any moment"


def parse_addfeed_args(args: Sequence[str]) -> tuple[str, int]:
    """Return the URL and interval of `/addfeed <url> [minutes]`, or raise UsageError."""
    if not args or len(args) > 2:
        raise UsageError("feeds.usage_add")
    url = args[0].strip("<>")
    try:
        url = check_feed_url(url)
    except FeedError:
        raise UsageError("feeds.usage_add") from None
    minutes = DEFAULT_INTERVAL_MINUTES
    if len(args) == 2:
        raw = args[1].lower().removesuffix("min")
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_INTERVAL_MINUTES:
            raise UsageError("feeds.bad_interval", max=MAX_INTERVAL_MINUTES)
        minutes = int(raw)
    return url, minutes


def parse_feed_id(args: Sequence[str]) -> int:
    """Return the feed number of `/removefeed <id>` ("3", "#3", "n°3"), or raise UsageError."""
    raw = args[0].lower().lstrip("#").removeprefix("n°").strip() if len(args) == 1 else ""
    if not raw.isdigit() or len(raw) > 12:
        raise UsageError("feeds.usage_remove")
    return int(raw)


def _relative(moment: float | None, now: float, lang: str) -> str:
    """Return "il y a 3 minutes" / "dans 5 minutes" in `lang`, or "jamais"."""
    if moment is None:
        return t(lang, "feeds.never")
    return format_timedelta(timedelta(seconds=moment - now), add_direction=True, locale=lang)


def _next_poll(feed: Feed, now: float, lang: str) -> str:
    # A due feed waits for the next tick of the poller: "in 0 seconds" would be a lie.
    if feed.next_poll_at - now < _SOON:
        return t(lang, "feeds.soon")
    return _relative(feed.next_poll_at, now, lang)


def _state(feed: Feed, now: float, lang: str) -> str:
    state = _health(feed, now, lang)
    if counts := describe_counts(feed.last_counts, lang):
        state = f"{state}\n{t(lang, 'feeds.last_read', read=counts)}"
    return state


def _health(feed: Feed, now: float, lang: str) -> str:
    next_poll = _next_poll(feed, now, lang)
    if feed.consecutive_failures:
        return t(
            lang,
            "feeds.state_failing",
            failures=plural(lang, "feeds.failures", feed.consecutive_failures),
            last_success=_relative(feed.last_success_at, now, lang),
            next_poll=next_poll,
            error=escape(describe_error(feed.last_error, lang)),
        )
    if feed.last_success_at is None:
        return t(lang, "feeds.state_new", next_poll=next_poll)
    return t(
        lang,
        "feeds.state_ok",
        last_success=_relative(feed.last_success_at, now, lang),
        next_poll=next_poll,
    )


def render_feed_list(feeds: Sequence[Feed], lang: str, now: float) -> str:
    """Return the /feeds reply: each feed with its state, as Telegram HTML."""
    if not feeds:
        return t(lang, "feeds.none")
    entries = [
        t(
            lang,
            "feeds.entry",
            id=feed.id,
            feed=escape(feed_label(feed)),
            url=escape(feed.url),
            minutes=feed.interval_minutes,
            state=_state(feed, now, lang),
        )
        for feed in feeds
    ]
    return "\n\n".join([t(lang, "feeds.list_title", count=len(feeds)), *entries])


async def show_feeds(update: Update, context: Context) -> None:
    """List the feeds with their state: last success, next poll, failures, last error."""
    assert update.effective_message is not None
    lang = reply_language(update)
    feeds = await feeds_db.list_feeds(context.bot_data.db.reader)
    for part in split_html(render_feed_list(feeds, lang, time.time())):
        await update.effective_message.reply_text(part)


async def _args_and_poller(
    message: Message, context: Context, lang: str, parse: Callable[[Sequence[str]], _Args]
) -> tuple[_Args, FeedPoller] | None:
    """Return a feed command's arguments and the poller; None once the usage or that feeds
    are unavailable is said."""
    try:
        args = parse(context.args or ())
    except UsageError as usage:
        await message.reply_text(t(lang, usage.key, **usage.params))
        return None
    poller = context.bot_data.feeds
    if poller is None:
        await message.reply_text(t(lang, "feeds.unavailable"))
        return None
    return args, poller


async def add_feed(update: Update, context: Context) -> None:
    """Fetch a feed once, follow it if it reads, and say what it held."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    lang = reply_language(update)
    if (ready := await _args_and_poller(message, context, lang, parse_addfeed_args)) is None:
        return
    (url, minutes), poller = ready
    # Fetching may take a few seconds: say so at once, then replace it with the outcome.
    status = await message.reply_text(t(lang, "feeds.fetching"))
    try:
        report = await poller.add_feed(url, minutes, added_by=user.id)
    except FeedError as error:
        reason = escape(t(lang, error.key, **error.params))
        await status.edit_text(t(lang, "feeds.add_failed", error=reason))
        return
    except Exception:
        # A bug of ours: the "⏳" message must not stay; the error handler logs the rest.
        reason = escape(t(lang, "feeds.error.internal"))
        await status.edit_text(t(lang, "feeds.add_failed", error=reason))
        raise
    feed = report.feed
    if not report.created:
        text = t(lang, "feeds.already", id=feed.id, feed=escape(feed_label(feed)))
    else:
        text = t(
            lang,
            "feeds.added",
            id=feed.id,
            feed=escape(feed_label(feed)),
            found=plural(lang, "feeds.found", report.found),
            counts=describe_tally(report.tally, lang),
            warning=f" {t(lang, 'feeds.malformed')}" if report.malformed else "",
            minutes=feed.interval_minutes,
        )
    await status.edit_text(text)


async def remove_feed(update: Update, context: Context) -> None:
    """Stop following a feed; its articles stay."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    lang = reply_language(update)
    if (ready := await _args_and_poller(message, context, lang, parse_feed_id)) is None:
        return
    feed_id, poller = ready
    feed = await poller.remove_feed(feed_id, removed_by=user.id)
    if feed is None:
        await message.reply_text(t(lang, "feeds.not_found", id=feed_id))
        return
    await message.reply_text(t(lang, "feeds.removed", id=feed.id, feed=escape(feed_label(feed))))


def register(application: NewsbotApplication) -> None:
    application.add_handler(CommandHandler(command_names("feeds"), ChiefOnly(show_feeds)))
    application.add_handler(CommandHandler(command_names("addfeed"), ChiefOnly(add_feed)))
    application.add_handler(CommandHandler(command_names("removefeed"), ChiefOnly(remove_feed)))
