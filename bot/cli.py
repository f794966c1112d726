"""The `newsbot` command: run, demo, chat, import."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot import __version__
from bot.config import ConfigError, load_settings
from bot.logs import setup_logging
from db import DatabaseTooNewError

__all__ = ["main"]


def _run(args: argparse.Namespace) -> int:
    from telegram import Update

    from bot.app import build_application

    settings = load_settings()
    token = settings.require_token()
    setup_logging(logging.DEBUG if args.verbose else logging.INFO, token)
    application = build_application(settings)
    # Retry getMe at start-up (about two minutes, backing off): one 502 from Telegram
    # must not stop a bot that a supervisor may not restart.
    application.run_polling(allowed_updates=Update.ALL_TYPES, bootstrap_retries=10)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from bot.demo import main_demo

    return main_demo()


def _chat(args: argparse.Namespace) -> int:
    from bot.demo import main_chat

    return main_chat(editor=args.editor)


def _import(args: argparse.Namespace) -> int:
    import asyncio

    from bot.feeds import FeedError
    from bot.i18n import t
    from bot.importer import run_import

    settings = load_settings()
    setup_logging(logging.WARNING)
    try:
        report = asyncio.run(run_import(settings, args.source, args.notify))
    except FeedError as error:
        reason = t("en", error.key, **error.params)
        print(f"newsbot: cannot import {args.source}: {reason}", file=sys.stderr)
        return 1
    print(f"{report.new} new, {report.updated} updated, {report.skipped} skipped")
    if report.alerted:
        print(f"{report.alerted} new article(s) queued alerts for subscribers")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsbot",
        description="A Telegram bot for a French-language news site.",
    )
    parser.add_argument("--version", action="version", version=f"newsbot {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = commands.add_parser(
        "run", help="run the bot (long polling), configured from the environment"
    )
    run.add_argument("-v", "--verbose", action="store_true", help="log debug details")
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
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
