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
    application.run_polling(allowed_updates=Update.ALL_TYPES)
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
