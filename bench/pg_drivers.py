"""Choosing the PostgreSQL driver: asyncpg against psycopg 3 on the loads of B3 and B4.

Both drivers talk to one throw-away cluster (started here with the machine's initdb and
pg_ctl) holding the same tables: 200,000 published articles over 5,000 authors,
and 400,000 chats. Measured, with a pool of 4 connections as the bot's reader uses it:
- B4's shape: one reader query (an author's 10 newest articles, an index range scan)
  acquired from the pool, run and fetched; p50 and p99 over 3,000 calls, and 200 calls
  fetching 2,000 rows (search's window of newest matches).
- B3's shape: 300,000 delivery rows written in one transaction from the server's own
  SELECT (the fan-out, driver-neutral) and from Python (executemany, then COPY), as the
  outcomes of sends are.

psycopg is not a dependency of newsbot; `pip install 'psycopg[binary]' psycopg_pool` to
run this script (`python -m bench.pg_drivers`).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bench.common import Figure, log, parse_args, percentile, report
from bench.postgres import cluster

ARTICLES, AUTHORS, CHATS, FANOUT = 200_000, 5_000, 400_000, 300_000
CALLS, WIDE_CALLS, POOL = 3_000, 200, 4

SCHEMA = """
CREATE TABLE articles (
    id bigint PRIMARY KEY, author_id bigint NOT NULL, published_at double precision NOT NULL,
    status text NOT NULL, title text NOT NULL, lead text NOT NULL
);
CREATE INDEX articles_by_author ON articles (author_id, published_at DESC, id DESC)
    WHERE status = 'published';
CREATE INDEX articles_latest ON articles (published_at DESC, id DESC) WHERE status = 'published';
CREATE TABLE chats (id bigint PRIMARY KEY, status text NOT NULL);
CREATE TABLE deliveries (
    id bigserial PRIMARY KEY, article_id bigint NOT NULL, chat_id bigint NOT NULL,
    status text NOT NULL DEFAULT 'pending', next_attempt_at double precision NOT NULL,
    created_at double precision NOT NULL, UNIQUE (article_id, chat_id)
);
INSERT INTO articles
    SELECT n, n % 5000, 1700000000 + n * 60, 'published', 'Titre ' || n, repeat('chapeau ', 20)
    FROM generate_series(1, 200000) AS n;
INSERT INTO chats SELECT n, 'active' FROM generate_series(1, 400000) AS n;
ANALYZE;
"""
LISTING = (
    "SELECT id, title, lead, published_at FROM articles WHERE author_id = {} "
    "AND status = 'published' ORDER BY published_at DESC, id DESC LIMIT 10"
)
NEWEST = (
    "SELECT id, title, lead, published_at FROM articles WHERE status = 'published' "
    "AND published_at < {} ORDER BY published_at DESC, id DESC LIMIT 2000"
)
FANOUT_SQL = (
    "INSERT INTO deliveries (article_id, chat_id, next_attempt_at, created_at) "
    "SELECT {}, id, 0, 0 FROM chats WHERE id <= {}"
)


async def _timed(call: Callable[[], Awaitable[Any]], count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _before(rng: random.Random) -> float:
    return 1_700_000_000 + rng.randrange(10_000, ARTICLES) * 60


def _rows() -> list[tuple[int, int, float, float]]:
    return [(2, chat, 0.0, 0.0) for chat in range(1, FANOUT + 1)]


async def measure_asyncpg(url: str) -> dict[str, float]:
    import asyncpg

    pool = await asyncpg.create_pool(url, min_size=POOL, max_size=POOL)
    rng = random.Random(7)

    async def one() -> None:
        async with pool.acquire() as conn:
            await conn.fetch(LISTING.format("$1"), rng.randrange(AUTHORS))

    async def many() -> None:
        async with pool.acquire() as conn:
            await conn.fetch(NEWEST.format("$1"), _before(rng))

    await _timed(one, 100)  # warm-up
    narrow = await _timed(one, CALLS)
    wide = await _timed(many, WIDE_CALLS)
    result = {"p50": percentile(narrow, 50), "p99": percentile(narrow, 99)}
    result["wide_p50"] = percentile(wide, 50)
    async with pool.acquire() as conn:
        started = time.perf_counter()
        async with conn.transaction():
            await conn.execute(FANOUT_SQL.format(1, FANOUT))
        result["fanout"] = time.perf_counter() - started
        rows = _rows()
        started = time.perf_counter()
        async with conn.transaction():
            await conn.executemany(
                "INSERT INTO deliveries (article_id, chat_id, next_attempt_at, created_at) "
                "VALUES ($1, $2, $3, $4)",
                rows,
            )
        result["executemany"] = time.perf_counter() - started
        await conn.execute("DELETE FROM deliveries WHERE article_id = 2")
        started = time.perf_counter()
        async with conn.transaction():
            await conn.copy_records_to_table(
                "deliveries",
                records=rows,
                columns=["article_id", "chat_id", "next_attempt_at", "created_at"],
            )
        result["copy"] = time.perf_counter() - started
        await conn.execute("TRUNCATE deliveries")
    await pool.close()
    return result


async def measure_psycopg(url: str) -> dict[str, float]:
    from psycopg_pool import AsyncConnectionPool

    pool = AsyncConnectionPool(url, min_size=POOL, max_size=POOL, open=False)
    await pool.open(wait=True)
    rng = random.Random(7)

    async def one() -> None:
        async with pool.connection() as conn:
            cursor = await conn.execute(
                LISTING.format("%s"), (rng.randrange(AUTHORS),), prepare=True
            )
            await cursor.fetchall()

    async def many() -> None:
        async with pool.connection() as conn:
            cursor = await conn.execute(NEWEST.format("%s"), (_before(rng),), prepare=True)
            await cursor.fetchall()

    await _timed(one, 100)
    narrow = await _timed(one, CALLS)
    wide = await _timed(many, WIDE_CALLS)
    result = {"p50": percentile(narrow, 50), "p99": percentile(narrow, 99)}
    result["wide_p50"] = percentile(wide, 50)
    async with pool.connection() as conn:
        started = time.perf_counter()
        async with conn.transaction():
            await conn.execute(FANOUT_SQL.format(1, FANOUT))
        result["fanout"] = time.perf_counter() - started
        rows = _rows()
        started = time.perf_counter()
        async with conn.transaction(), conn.cursor() as cursor:
            await cursor.executemany(
                "INSERT INTO deliveries (article_id, chat_id, next_attempt_at, created_at) "
                "VALUES (%s, %s, %s, %s)",
                rows,
            )
        result["executemany"] = time.perf_counter() - started
        await conn.execute("DELETE FROM deliveries WHERE article_id = 2")
        started = time.perf_counter()
        async with conn.transaction(), conn.cursor() as cursor:
            columns = "deliveries (article_id, chat_id, next_attempt_at, created_at)"
            async with cursor.copy(f"COPY {columns} FROM STDIN") as copy:
                for row in rows:
                    await copy.write_row(row)
        result["copy"] = time.perf_counter() - started
        await conn.execute("TRUNCATE deliveries")
    await pool.close()
    return result


async def _prepare(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.execute(SCHEMA)
    finally:
        await conn.close()


def main() -> None:
    args = parse_args(__doc__ or "", runs=3)
    runs: dict[str, list[dict[str, float]]] = {"asyncpg": [], "psycopg": []}
    with cluster() as url:
        log("generating the tables")
        asyncio.run(_prepare(url))
        for run in range(args.runs):
            for name, measure in (("asyncpg", measure_asyncpg), ("psycopg", measure_psycopg)):
                log(f"run {run + 1}: {name}")
                runs[name].append(asyncio.run(measure(url)))
    figures = []
    for key, label, unit in (
        ("p50", "reader query (10 rows), p50", "ms"),
        ("p99", "reader query (10 rows), p99", "ms"),
        ("wide_p50", "2,000 rows fetched, p50", "ms"),
        ("fanout", "fan-out INSERT … SELECT, 300,000 rows", "s"),
        ("executemany", "300,000 rows by executemany", "s"),
        ("copy", "300,000 rows by COPY", "s"),
    ):
        for name in ("asyncpg", "psycopg"):
            values = sorted(r[key] for r in runs[name])
            value = values[len(values) // 2]
            shown = f"{value:.3f} ms" if unit == "ms" else f"{value:.2f} s"
            figures.append(Figure(f"{name}: {label}", shown))
    report("pg_drivers", "PostgreSQL drivers on B3/B4 loads (median of runs)", figures)


if __name__ == "__main__":
    main()
