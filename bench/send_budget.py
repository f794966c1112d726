"""Sharing Telegram's send budget between instances: a token-bucket row, or one elected sender.

Both on one throw-away PostgreSQL cluster (bench/postgres.py), asyncpg, two "instances"
(two connections, or two processes):

- Token bucket: one row that every send updates atomically (`UPDATE send_budget SET tokens
  = …, stamp = … RETURNING …`), taken as fast as two instances can, then at Telegram's pace:
  the round trip each send waits, the sends a second the row allows at most, and the
  database's CPU per thousand sends.
- Elected sender: `pg_try_advisory_lock` held by one process; no statement per send. What is
  measured is the hand-over: the holder is SIGKILLed, and the time until the other instance,
  trying every 50 ms as bot/instances.py does at most, holds the lock.

Run: `python -m bench.send_budget`. bot/instances.py says which was chosen and why.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

from bench.common import Figure, log, parse_args, percentile, report
from bench.postgres import cluster

LOCK = 6_385_778_311
TAKE = """
UPDATE send_budget SET
    tokens = LEAST(capacity, tokens + ($1 - stamp) * rate) - 1, stamp = $1
WHERE id = 1 AND LEAST(capacity, tokens + ($1 - stamp) * rate) >= 1
RETURNING tokens
"""
FLAT_OUT_SECONDS = 3.0
PACED_SENDS = 150  # at 30 a second


def _server_cpu(pid: int) -> float:
    """CPU seconds used so far by the server's processes (postmaster and its children)."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat[1]) == pid or int(entry.name) == pid:  # ppid or itself
            total += (int(stat[11]) + int(stat[12])) / ticks
    return total


async def token_bucket(url: str, postmaster: int) -> dict[str, float]:
    import asyncpg

    setup = await asyncpg.connect(url)
    await setup.execute(
        "DROP TABLE IF EXISTS send_budget; CREATE TABLE send_budget (id int PRIMARY KEY, "
        "tokens double precision, stamp double precision, capacity double precision, "
        "rate double precision)"
    )
    # A bucket far larger than the test takes: every take succeeds, the row is what is timed.
    await setup.execute("INSERT INTO send_budget VALUES (1, 1e9, $1, 1e9, 1e9)", time.time())
    instances = [await asyncpg.connect(url) for _ in range(2)]
    latencies: list[float] = []
    taken = 0

    async def flat_out(conn: asyncpg.Connection, until: float) -> None:
        nonlocal taken
        while time.monotonic() < until:
            started = time.perf_counter()
            await conn.fetchval(TAKE, time.time())
            latencies.append((time.perf_counter() - started) * 1000)
            taken += 1

    cpu_before = _server_cpu(postmaster)
    until = time.monotonic() + FLAT_OUT_SECONDS
    await asyncio.gather(*(flat_out(conn, until) for conn in instances))
    server_cpu = _server_cpu(postmaster) - cpu_before
    result = {
        "max_rate": taken / FLAT_OUT_SECONDS,
        "flat_p50": percentile(latencies, 50),
        "flat_p99": percentile(latencies, 99),
        "cpu_per_1000": server_cpu / taken * 1000,
    }
    paced: list[float] = []
    for n in range(PACED_SENDS):
        started = time.perf_counter()
        await instances[n % 2].fetchval(TAKE, time.time())
        paced.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(1 / 30)
    result["paced_p50"] = percentile(paced, 50)
    result["paced_p99"] = percentile(paced, 99)
    for conn in (*instances, setup):
        await conn.close()
    return result


HOLDER = """
import asyncio, sys, asyncpg
async def main():
    conn = await asyncpg.connect(sys.argv[1])
    assert await conn.fetchval("SELECT pg_try_advisory_lock($1)", int(sys.argv[2]))
    print("held", flush=True)
    await asyncio.sleep(3600)
asyncio.run(main())
"""


async def handover(url: str) -> float:
    """Return seconds from SIGKILL of the lock's holder to the other instance holding it."""
    import asyncpg

    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLDER, url, str(LOCK), stdout=asyncio.subprocess.PIPE
    )
    assert holder.stdout is not None
    assert (await holder.stdout.readline()).strip() == b"held"
    other = await asyncpg.connect(url)
    assert not await other.fetchval("SELECT pg_try_advisory_lock($1)", LOCK)
    killed = time.perf_counter()
    holder.send_signal(signal.SIGKILL)
    await holder.wait()
    held = False
    while not held:  # as a follower tries again, at most every 50 ms here
        held = await other.fetchval("SELECT pg_try_advisory_lock($1)", LOCK)
        await asyncio.sleep(0 if held else 0.05)
    took = time.perf_counter() - killed
    await other.close()
    return took


def _postmaster(url: str) -> int:
    import asyncpg

    async def ask() -> str:
        conn = await asyncpg.connect(url)
        try:
            return str(await conn.fetchval("SHOW data_directory"))
        finally:
            await conn.close()

    directory = asyncio.run(ask())
    return int(Path(directory, "postmaster.pid").read_text().split()[0])


def main() -> None:
    args = parse_args(__doc__ or "", runs=3)
    buckets: list[dict[str, float]] = []
    handovers: list[float] = []
    with cluster() as url:
        postmaster = _postmaster(url)
        for run in range(args.runs):
            log(f"run {run + 1}: token bucket, then hand-over")
            buckets.append(asyncio.run(token_bucket(url, postmaster)))
            handovers.append(asyncio.run(handover(url)))

    def median(key: str) -> float:
        values = sorted(run[key] for run in buckets)
        return values[len(values) // 2]

    figures = [
        Figure(
            "token bucket, 2 instances flat out: sends a second the row allows",
            f"{median('max_rate'):,.0f}/s",
        ),
        Figure(
            "token bucket, flat out: round trip per send, p50 / p99",
            f"{median('flat_p50'):.2f} / {median('flat_p99'):.2f} ms",
        ),
        Figure(
            "token bucket at 30/s: round trip per send, p50 / p99",
            f"{median('paced_p50'):.2f} / {median('paced_p99'):.2f} ms",
        ),
        Figure(
            "token bucket: database CPU per 1,000 sends",
            f"{median('cpu_per_1000') * 1000:.0f} ms",
        ),
        Figure("elected sender: statements per send", "0"),
        Figure(
            "elected sender: SIGKILL of the holder to the other holding the lock",
            f"{sorted(handovers)[len(handovers) // 2] * 1000:.0f} ms",
        ),
    ]
    report(
        "send_budget",
        "Sharing the send budget between instances (median of runs)",
        figures,
        notes=[
            "Every write transaction of the bot on PostgreSQL already takes a transaction "
            "advisory lock (db/postgres.py): a bucket row would wait in that same line.",
        ],
    )


if __name__ == "__main__":
    main()
