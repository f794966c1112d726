"""B5 — commands: 200 users send 2,000 /latest and /author commands at once.

On B4's database (1,000,000 articles), the sandbox (limits off) and `newsbot run`
(NEWSBOT_SEND_RATE=1000) each in their own process. Every user sends 10 commands, all
injected as fast as the sandbox takes them; the figure is commands answered per second,
from the first command sent to the last reply delivered. Target: ≥ 200/s.

The bot still spaces its replies in one private chat as Telegram asks (3 in any 3.1 s),
so 10 replies to one user take at least ~7.2 s: that caps this load at ~277/s whatever
the bot's speed, and the table says how close to that ceiling the bot came.
"""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

from bench import articles_db
from bench.common import (
    Figure,
    copy_database,
    cpu_seconds,
    log,
    median_of,
    parse_args,
    report,
    sandbox_and_bot_process,
    scratch_dir,
    wait_until,
)
from bot.pacing import ChatLimits

USERS, PER_USER = 200, 10
COMMANDS = USERS * PER_USER
SENDERS = 32  # concurrent /control/send calls


def ceiling() -> float:
    """Commands/s allowed by the per-chat bucket for this load (the bot's own pacing)."""
    limits = ChatLimits()
    # Each user's first replies go at once (the burst), the rest at the steady rate.
    seconds = max(0, PER_USER - limits.private_burst) / limits.private_per_second
    return COMMANDS / seconds if seconds else float("inf")


async def one_run(run: int, db_path: Path) -> dict[str, float]:
    rng = random.Random(50 + run)
    authors = articles_db.author_names()[:500]
    async with sandbox_and_bot_process(db_path) as (sandbox, bot, _):
        users = await sandbox.add_users(USERS)
        commands = [
            (user, "/latest" if k % 2 == 0 else f"/author {rng.choice(authors)}")
            for k in range(PER_USER)
            for user in users
        ]
        await sandbox.reset_stats()
        cpu = cpu_seconds(bot.pid)
        queue = iter(commands)

        async def sender() -> None:
            for user, text in queue:
                await sandbox.send(user, text)

        started = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(SENDERS)))
        injected = time.perf_counter() - started

        async def answered() -> bool:
            return (await sandbox.stats())["messages_delivered"] >= COMMANDS

        ok = await wait_until(answered, 120, 0.02)
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(bot.pid) - cpu
        stats = await sandbox.stats()
    assert ok, stats
    result = {
        "rate": COMMANDS / elapsed,
        "injected": COMMANDS / injected,
        "cpu_ms": cpu * 1000 / COMMANDS,
        "errors": float(sum(v for k, v in stats["responses"].items() if k != "200")),
    }
    log(f"B5 run {run}: {result}")
    return result


async def main() -> int:
    args = parse_args(__doc__ or "", runs=3)
    with scratch_dir() as tmp:
        # One copy per script: the bot records its chats in the database it is given.
        source = copy_database(articles_db.ensure_database(), tmp)
        runs = [await one_run(run, source) for run in range(1, args.runs + 1)]
    rate = median_of(runs, "rate")
    report(
        "b5_commands",
        f"B5 commands: {USERS} users send {COMMANDS:,} /latest and /author commands at once "
        f"(median of {len(runs)} runs)",
        [
            Figure("commands answered per second", f"{rate:.0f}/s", "≥ 200/s", rate >= 200),
            Figure(
                "ceiling set by per-chat pacing (10 replies per chat)",
                f"{ceiling():.0f}/s ({rate / ceiling():.2f} × reached)",
            ),
            Figure("bot CPU per command", f"{median_of(runs, 'cpu_ms'):.2f} ms"),
            Figure("commands injected per second (driver)", f"{median_of(runs, 'injected'):.0f}/s"),
            Figure(
                "error responses",
                f"{max(r['errors'] for r in runs):.0f}",
                "0",
                max(r["errors"] for r in runs) == 0,
            ),
        ],
        ["runs: " + "; ".join(f"{r['rate']:.0f}/s" for r in runs)],
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
