"""The `newsbot` command: run, demo, chat, import."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sqlite3
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bot import __version__
from bot.config import ConfigError, Settings, load_settings
from bot.logs import setup_logging
from db import DatabaseOpenError, DatabaseTooNewError

if TYPE_CHECKING:
    from bot.context import NewsbotApplication

__all__ = ["main"]

logger = logging.getLogger(__name__)

_STARTUP_WAIT = 120.0  # seconds of trying to reach Telegram before giving up


def _run(args: argparse.Namespace) -> int:
    # Until _serve takes the signals over, a stop request ends the process at once, quietly:
    # nothing is open yet (python-telegram-bot and the settings are still loading).
    signal.signal(signal.SIGTERM, _stop_before_start)

    from bot.app import build_application

    settings = load_settings()
    token = settings.require_token()
    setup_logging(logging.DEBUG if args.verbose else logging.INFO, token)
    # python-telegram-bot logs its start-up retries with a traceback before raising; the one
    # line below says the same, without it.
    logging.getLogger("telegram.ext").addFilter(_drop_bootstrap_failures)
    application = build_application(settings)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(_serve(application, args.startup_wait))
    except (ConfigError, DatabaseTooNewError):
        raise
    except Exception as error:
        # Everything goes through the redaction: python-telegram-bot puts the token in the
        # text of InvalidToken, and a transport error may quote a URL.
        problem = _startup_problem(error, settings).replace(token, "<token>")
        print(f"newsbot: {problem}", file=sys.stderr)
        return 1
    finally:
        if not loop.is_closed():
            loop.close()
    return 0


async def _serve(application: NewsbotApplication, startup_wait: float) -> None:
    """Run the bot until SIGTERM or SIGINT; each start-up failure comes out as an exception.

    The first signal stops the bot in order, at any point (also while it waits for Telegram
    at start-up): sends under way finish and are recorded, every connection and database
    thread is closed. A second one ends the process at once.
    """
    from bot.app import running

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def on_signal() -> None:
        stop.set()
        for sig in _STOP_SIGNALS:
            loop.remove_signal_handler(sig)

    for sig in _STOP_SIGNALS:
        loop.add_signal_handler(sig, on_signal)
    try:
        await _reach_telegram(application, startup_wait, stop)
        if stop.is_set():
            return
        async with running(application):
            await stop.wait()
    finally:
        for sig in _STOP_SIGNALS:
            loop.remove_signal_handler(sig)


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _stop_before_start(signum: int, frame: object) -> None:
    raise SystemExit(0)


async def _reach_telegram(
    application: NewsbotApplication, wait: float, stop: asyncio.Event
) -> None:
    """Initialize the bot (getMe), trying again for `wait` seconds while Telegram is unreachable.

    One 502 or a network still coming up must not stop a bot that no supervisor restarts.
    The first failure is one warning line, the tries after it debug lines, success one info
    line; a stop signal ends the wait.
    """
    from telegram.error import BadRequest, NetworkError, RetryAfter

    deadline = time.monotonic() + wait
    pause = 1.0
    failures = 0
    try:
        while True:
            try:
                await application.initialize()
                if failures:
                    logger.info("Telegram answers again, after %d failed tries", failures)
                return
            except BadRequest:
                raise
            except (NetworkError, RetryAfter) as error:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise
                pause = min(pause, left)
                failures += 1
                logger.log(
                    logging.WARNING if failures == 1 else logging.DEBUG,
                    "Telegram is unreachable (%s); trying again for up to %.0f s",
                    _one_line(error),
                    left,
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), pause)
                if stop.is_set():
                    await application.bot.shutdown()  # as below: getMe never succeeded
                    return
                pause = min(30.0, pause * 1.5)
    except BaseException:
        # The bot opened its HTTP sessions before getMe failed; Application.shutdown() would
        # skip them, the application never having initialized.
        await application.bot.shutdown()
        raise


def _startup_problem(error: Exception, settings: Settings) -> str:
    """Return one line saying why the bot could not start."""
    from telegram.error import BadRequest, InvalidToken, NetworkError

    if isinstance(error, InvalidToken):
        return (
            "Telegram refused the token in TELEGRAM_BOT_TOKEN: check it with @BotFather "
            "(and TELEGRAM_API_URL, if you set it)"
        )
    if isinstance(error, BadRequest) and "webhook" in error.message.lower():
        return (
            f"Telegram refused the webhook NEWSBOT_WEBHOOK_URL={settings.webhook_url}: "
            f"{_one_line(error)}"
        )
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        parts = urlsplit(settings.api_url)
        return f"cannot reach Telegram at {parts.scheme}://{parts.netloc}: {_one_line(error)}"
    if isinstance(error, OSError) and str(error).startswith("cannot listen on"):
        return f"{_one_line(error)}; set NEWSBOT_LISTEN to a free host:port"
    if isinstance(error, DatabaseOpenError):
        return str(error)
    if isinstance(error, sqlite3.Error):
        return (
            f"cannot open the database {settings.db_path}: {_one_line(error)}; "
            "check NEWSBOT_DB (its folder must exist and be writable)"
        )
    return f"could not start: {type(error).__name__}: {_one_line(error)}"


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def _drop_bootstrap_failures(record: logging.LogRecord) -> bool:
    """Drop python-telegram-bot's "Network Retry Loop (Bootstrap ...)" tracebacks."""
    return not (
        record.levelno >= logging.ERROR
        and isinstance(record.msg, str)
        and record.msg.startswith("Network Retry Loop (Bootstrap")
    )


def _demo(args: argparse.Namespace) -> int:
    from bot.demo import main_demo

    return main_demo()


def _chat(args: argparse.Namespace) -> int:
    from bot.demo import main_chat

    return main_chat(editor=args.editor)


def _import(args: argparse.Namespace) -> int:
    import asyncio

    from bot.errors import FeedError
    from bot.i18n import plural, t
    from bot.importer import describe_report, run_import

    settings = load_settings()
    setup_logging(logging.WARNING)
    try:
        report = asyncio.run(run_import(settings, args.source, args.notify, since=args.since))
    except FeedError as error:
        reason = t("en", error.key, **error.params)
        print(f"newsbot: cannot import {args.source}: {reason}", file=sys.stderr)
        return 1
    print(describe_report(report, "en"))
    if report.undated:
        print(plural("en", "feeds.count.undated", report.undated))
    if report.malformed:
        print(t("en", "feeds.malformed"), file=sys.stderr)
    if report.alerted:
        print(plural("en", "import.alerted", report.alerted))
    if report.stale:
        print(plural("en", "feeds.count.stale", report.stale))
    return 0


def _since(value: str) -> datetime:
    """Read --since: an ISO 8601 date or time (UTC unless it names its zone)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {value!r} (write 2024-03-01)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsbot",
        description="A Telegram bot for a French-language news site.",
    )
    parser.add_argument("--version", action="version", version=f"newsbot {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = commands.add_parser(
        "run",
        help="run the bot (long polling, or a webhook with NEWSBOT_WEBHOOK_URL), "
        "configured from the environment",
    )
    run.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    run.add_argument(
        "--startup-wait",
        type=float,
        default=_STARTUP_WAIT,
        metavar="SECONDS",
        help=f"keep trying to reach Telegram at start-up this long (default {_STARTUP_WAIT:.0f})",
    )
    run.set_defaults(handler=_run)

    demo = commands.add_parser(
        "demo", help="play a short conversation with the bot on a local Telegram (no token)"
    )
    demo.set_defaults(handler=_demo)

    chat = commands.add_parser(
        "chat", help="talk to the bot yourself on a local Telegram (no token)"
    )
    chat.add_argument("--editor", action="store_true", help="be an editor rather than a reader")
    chat.set_defaults(handler=_chat)

    backfill = commands.add_parser(
        "import", help="import articles once from a feed URL, an RSS/Atom file or JSON Lines"
    )
    backfill.add_argument("source", metavar="SOURCE", help="feed URL, feed file or .jsonl file")
    backfill.add_argument(
        "--notify",
        action="store_true",
        help="alert subscribers of new articles published in the last 48 hours",
    )
    backfill.add_argument(
        "--since",
        type=_since,
        metavar="DATE",
        help="skip articles published before DATE (ISO 8601), counted as too old",
    )
    backfill.set_defaults(handler=_import)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the chosen command; return the exit code."""
    args = _parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except ConfigError as error:
        print(f"newsbot: configuration error: {error}", file=sys.stderr)
        return 2
    except DatabaseTooNewError as error:
        print(f"newsbot: {error}", file=sys.stderr)
        return 2
    except DatabaseOpenError as error:  # `newsbot import` with the server down
        print(f"newsbot: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
