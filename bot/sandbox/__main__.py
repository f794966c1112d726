"""Run the sandbox as its own process: ``python -m bot.sandbox --port 8081``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from bot.sandbox.server import Sandbox


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot.sandbox",
        description="A local Telegram Bot API emulator with a JSON control surface at /control.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--token", default="123456:TEST-token")
    parser.add_argument("--bot-username", default="newsbot_test_bot")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-rate-limits", action="store_true")
    parser.add_argument("--lenient-html", action="store_true", help="accept what Telegram accepts")
    parser.add_argument("--transcript-limit", type=int, default=None, help="messages kept per chat")
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace) -> None:
    sandbox = Sandbox(
        token=args.token,
        bot_username=args.bot_username,
        rate_limits=not args.no_rate_limits,
        seed=args.seed,
        strict_html=not args.lenient_html,
        transcript_limit=args.transcript_limit,
    )
    base_url = await sandbox.start(args.host, args.port)
    # The first line is the contract with scripts that start us: the base URL alone.
    print(base_url, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await sandbox.stop()


def main(argv: list[str] | None = None) -> None:
    """Start a sandbox server and serve until interrupted."""
    asyncio.run(_serve(_parse_args(argv)))


if __name__ == "__main__":
    main()
