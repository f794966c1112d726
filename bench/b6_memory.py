"""B6 — memory: `newsbot run` idle on B3's and on B4's database.

The bot runs in its own process against the sandbox (own process); it answers a few
commands (so its caches and SQLite's page caches are warm), then idles for a few seconds;
its resident set (VmRSS) is read from /proc. Target: ≤ 120 MB.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bench import articles_db, b3_fanout
from bench.common import (
    Figure,
    copy_database,
    log,
    median_of,
    parse_args,
    report,
    rss_mb,
    sandbox_and_bot_process,
    scratch_dir,
)

IDLE_SECONDS = 5.0
COMMANDS = ("/latest", "/author Awa KEITA", "/topics", "/search sécurité Bamako", "/authors")


async def idle_rss(db_path: Path) -> tuple[float, float]:
    async with sandbox_and_bot_process(db_path) as (sandbox, bot, [user]):
        mark = await sandbox.mark(user)
        for _ in range(3):
            for command in COMMANDS:
                mark = await sandbox.ask(user, command, mark)
        await asyncio.sleep(IDLE_SECONDS)
        return rss_mb(bot.pid)


async def main() -> int:
    args = parse_args(__doc__ or "", runs=3)
    sources = {
        "B3's (1,000,000 subscriptions)": b3_fanout.ensure_database(),
        "B4's (1,000,000 articles)": articles_db.ensure_database(),
    }
    figures = []
    notes = []
    for name, source in sources.items():
        runs = []
        with scratch_dir() as tmp:
            db_path = copy_database(source, tmp)  # the bot records its chats in it
            for run in range(1, args.runs + 1):
                rss, peak = await idle_rss(db_path)
                log(f"B6 {name} run {run}: RSS {rss:.0f} MB, peak {peak:.0f} MB")
                runs.append({"rss": rss, "peak": peak})
        rss = median_of(runs, "rss")
        figures.append(Figure(f"idle RSS, {name} database", f"{rss:.0f} MB", "≤ 120 MB",
                              rss <= 120))  # fmt: skip
        figures.append(Figure(f"peak RSS so far, {name}", f"{median_of(runs, 'peak'):.0f} MB"))
        notes.append(f"{name}: " + ", ".join(f"{r['rss']:.0f} MB" for r in runs))
    report(
        "b6_memory",
        f"B6 memory: `newsbot run` idle (median of {args.runs} runs)",
        figures,
        [*notes, f"after {len(COMMANDS) * 3} commands, then {IDLE_SECONDS:.0f} s idle"],
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
