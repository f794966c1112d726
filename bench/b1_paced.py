"""B1 — paced delivery at Telegram's limits.

The sandbox (own process) enforces Telegram's limits: 30 messages/s for the bot, about 1/s
per private chat, 20/min per group. One article goes to 1,500 private chats and 30 groups
while a reader sends /latest every 2 s. The bot runs in this process with the default
NEWSBOT_SEND_RATE (30). Targets: achieved rate ≥ 0.95 × allowed, no 429 at all, reader
reply p95 ≤ 1.5 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from bench.common import (
    Figure,
    SandboxProcess,
    add_chats_and_subscriptions,
    bot_answers,
    bot_settings,
    create_schema,
    in_process_bot,
    log,
    median_of,
    parse_args,
    percentile,
    report,
    scratch_dir,
    wait_until,
)
from db import deliveries
from db.models import ArticleDraft

PRIVATE, GROUPS = 1_500, 30
ALLOWED = 30.0  # Telegram's (and the sandbox's) limit per bot, messages per second
READER_EVERY = 2.0

DRAFT = ArticleDraft(
    title="#Mali : Commune de Kati : Deux forages inaugurés dans le quartier de Malibougou",
    lead="Les habitants de Malibougou ont désormais accès à l'eau potable grâce à deux "
    "forages financés par la commune et ses partenaires.",
    author="Awa KEITA",
    topics=("Mali",),
    url="https://example.ml/2024/06/01/kati-forages",
)


async def one_run(run: int) -> dict[str, float]:
    with scratch_dir() as tmp:
        async with SandboxProcess(rate_limits=True, seed=run, transcript_limit=5) as sandbox:
            users = await sandbox.add_users(PRIVATE + 1)
            reader, private = users[0], users[1:]
            groups = [await sandbox.add_group(f"Groupe {n}", [private[n]]) for n in range(GROUPS)]
            db_path = tmp / "b1.sqlite3"
            await create_schema(db_path)
            add_chats_and_subscriptions(db_path, private, groups)
            settings = bot_settings(sandbox.base_url, db_path, send_rate=ALLOWED)
            async with in_process_bot(settings) as app:
                data = app.bot_data
                mark = await bot_answers(sandbox, reader)
                await asyncio.sleep(1.5)  # the reader's chat window empties
                await sandbox.reset_stats()
                worker = data.worker
                assert worker is not None
                total = PRIVATE + GROUPS
                latencies: list[float] = []
                finished = asyncio.Event()

                async def read() -> None:
                    nonlocal mark
                    while not finished.is_set():
                        asked = time.perf_counter()
                        mark = await sandbox.ask(reader, "/latest", mark)
                        latencies.append(time.perf_counter() - asked)
                        pause = READER_EVERY - (time.perf_counter() - asked)
                        if pause > 0:
                            with contextlib.suppress(TimeoutError):
                                await asyncio.wait_for(finished.wait(), pause)

                log(f"B1 run {run}: publishing to {total} chats")
                started = time.perf_counter()
                result = await data.publisher.publish(DRAFT, source_key="b1", origin="editor")
                assert result.queued == total, result
                reading = asyncio.create_task(read())
                stats_ = worker.stats
                await wait_until(
                    lambda: stats_.sent + stats_.failed + stats_.cancelled >= total, 300, 0.01
                )
                ended = time.perf_counter()
                finished.set()
                await reading
                stats = await sandbox.stats()
                await wait_until(lambda: _done(data.db.reader, result.article_id), 10, 0.05)
                counts = await deliveries.delivery_counts(data.db.reader, result.article_id)
    elapsed = ended - started
    replies = stats["requests"].get("sendMessage", 0) - total  # the reader's, in the window
    achieved = (total + max(0, replies)) / elapsed
    log(f"B1 run {run}: {achieved:.2f}/s, {stats['too_many_requests']} × 429, "
        f"reader p95 {percentile(latencies, 95) * 1000:.0f} ms")  # fmt: skip
    return {
        "achieved": achieved,
        "alerts_rate": total / elapsed,
        "elapsed": elapsed,
        "too_many": float(stats["too_many_requests"]),
        "violations": float(stats["rate_limit_violations"]),
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "max": max(latencies),
        "samples": float(len(latencies)),
        "sent": float(counts.sent),
    }


async def _done(reader, article_id: int) -> bool:  # type: ignore[no-untyped-def]
    return (await deliveries.delivery_counts(reader, article_id)).done


async def main() -> int:
    args = parse_args(__doc__ or "", runs=3)
    runs = [await one_run(run) for run in range(1, args.runs + 1)]
    achieved = median_of(runs, "achieved")
    too_many = max(r["too_many"] for r in runs)
    p95 = median_of(runs, "p95")
    report(
        "b1_paced",
        f"B1 paced delivery: 1 article → {PRIVATE:,} private chats + {GROUPS} groups, "
        f"sandbox enforcing Telegram's limits (median of {len(runs)} runs)",
        [
            Figure(
                "achieved rate (alerts + reader replies) ÷ allowed 30/s",
                f"{achieved:.2f}/s = {achieved / ALLOWED:.3f} ×",
                "≥ 0.95 ×",
                achieved >= 0.95 * ALLOWED,
            ),
            Figure(
                "time to deliver all 1,530 alerts",
                f"{median_of(runs, 'elapsed'):.1f} s",
                f"≥ {(PRIVATE + GROUPS) / ALLOWED:.1f} s (the limit)",
            ),
            Figure("429 Too Many Requests (worst run)", f"{too_many:.0f}", "0", too_many == 0),
            Figure(
                "reader /latest reply p95 (p50)",
                f"{p95 * 1000:.0f} ms ({median_of(runs, 'p50') * 1000:.0f} ms)",
                "≤ 1,500 ms",
                p95 <= 1.5,
            ),
            Figure("reader reply, worst seen", f"{max(r['max'] for r in runs) * 1000:.0f} ms"),
            Figure(
                "alerts recorded sent",
                f"{min(r['sent'] for r in runs):.0f} / {PRIVATE + GROUPS}",
                "all",
                min(r["sent"] for r in runs) == PRIVATE + GROUPS,
            ),
        ],
        [
            "runs: "
            + "; ".join(
                f"{r['achieved']:.2f}/s, {r['too_many']:.0f}×429, p95 {r['p95'] * 1000:.0f} ms "
                f"({r['samples']:.0f} replies)"
                for r in runs
            ),
            "bot: in-process, NEWSBOT_SEND_RATE=30; sandbox: own process, limits on"
            " (30/s, 1/s burst 3 per private chat, 20/min per group)",
        ],
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
