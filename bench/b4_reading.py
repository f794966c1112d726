"""B4 — reading at scale: 1,000,000 articles, 5,000 authors, 500 topics.

First the queries behind each reader command, timed through the bot's own reader
connection (aiosqlite, as the handlers run them), with deterministic random authors and
topics; then whole commands through the sandbox: a user sends /latest or /author and the
round trip ends when the reply is in the chat (sandbox and `newsbot run` in their own
processes). Targets: p99 of /latest, /author, /topics queries ≤ 5 ms; /search p99 ≤ 50 ms;
command round trip p50 ≤ 30 ms.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench import articles_db
from bench.common import (
    Figure,
    copy_database,
    log,
    median_of,
    parse_args,
    percentile,
    report,
    sandbox_and_bot_process,
    scratch_dir,
)
from bench.pg_data import loaded_database
from bench.postgres import cluster
from bot import site
from db import articles, chats, connect

SAMPLES = 300
WARMUP = 20
SEARCHES = ("sécurité Bamako", "grève enseignants", "coton")
SEARCH_SAMPLES = 20  # a search on common words takes ~0.3 s today: fewer samples
ROUND_TRIPS = 100  # per command, each from a user of its own (no per-chat pacing)


async def time_queries(db_path: Path | str) -> dict[str, list[float]]:
    rng = random.Random(44)
    authors = articles_db.author_names()
    topics = articles_db.topic_names()
    database = await connect(db_path)
    reader = database.reader
    chat_id = 6_100_000_000  # a reader with no subscriptions

    async def latest() -> None:
        await articles.latest_articles(reader, 5)

    async def latest_topic() -> None:
        topic = await articles.get_topic_by_key(reader, site.fold(rng.choice(topics[:100])))
        assert topic is not None
        await articles.get_topic(reader, topic.id)
        await articles.articles_by_topic(reader, topic.id, 5)
        await chats.chat_subscriptions(reader, chat_id)

    async def author() -> None:
        found = await articles.get_author_by_key(reader, site.fold(rng.choice(authors)))
        assert found is not None
        await articles.get_author(reader, found.id)
        await articles.articles_by_author(reader, found.id, 5)
        await chats.chat_subscriptions(reader, chat_id)

    async def topic_list() -> None:
        await articles.list_topics(reader, 10, 0)
        await chats.chat_subscriptions(reader, chat_id)

    def search(words: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            await articles.search_articles(reader, words, 5)

        return run

    kinds: dict[str, Callable[[], Awaitable[None]]] = {
        "/latest": latest,
        "/latest <topic>": latest_topic,
        "/author <name>": author,
        "/topics": topic_list,
    }
    kinds |= {f"/search {words}": search(words) for words in SEARCHES}
    timings: dict[str, list[float]] = {}
    try:
        for name, query in kinds.items():
            searching = name.startswith("/search")
            for _ in range(3 if searching else WARMUP):
                await query()
            samples = []
            for _ in range(SEARCH_SAMPLES if searching else SAMPLES):
                started = time.perf_counter()
                await query()
                samples.append(time.perf_counter() - started)
            timings[name] = samples
    finally:
        await database.close()
    return timings


async def round_trips(db: Path | str, workdir: Path) -> dict[str, list[float]]:
    rng = random.Random(45)
    authors = articles_db.author_names()[:500]
    async with sandbox_and_bot_process(db, cwd=workdir) as (sandbox, _bot, _):
        users = await sandbox.add_users(2 * ROUND_TRIPS)
        results: dict[str, list[float]] = {"/latest": [], "/author <name>": []}
        for n, user in enumerate(users):
            command = "/latest" if n % 2 == 0 else f"/author {rng.choice(authors)}"
            started = time.perf_counter()
            await sandbox.ask(user, command, after=0)
            results["/latest" if n % 2 == 0 else "/author <name>"].append(
                time.perf_counter() - started
            )
    return results


async def one_run(run: int, db: Path | str, workdir: Path) -> dict[str, float]:
    queries = await time_queries(db)
    trips = await round_trips(db, workdir)
    result: dict[str, float] = {}
    for name, samples in queries.items():
        result[f"q50 {name}"] = percentile(samples, 50) * 1000
        result[f"q99 {name}"] = percentile(samples, 99) * 1000
    every_trip = [t for samples in trips.values() for t in samples]
    for name, samples in [*trips.items(), ("all", every_trip)]:
        result[f"rt50 {name}"] = percentile(samples, 50) * 1000
        result[f"rt95 {name}"] = percentile(samples, 95) * 1000
    log(f"B4 run {run}: " + ", ".join(f"{k} {v:.2f}" for k, v in result.items()))
    return result


async def main() -> int:
    args = parse_args(__doc__ or "", runs=3)
    with scratch_dir() as tmp:
        # One copy per script: the bot records its chats in the database it is given.
        source = copy_database(articles_db.ensure_database(), tmp)
        if args.backend == "sqlite":
            runs = [await one_run(run, source, tmp) for run in range(1, args.runs + 1)]
        else:
            with cluster() as server:
                url = await loaded_database(source, server, "b4", tmp)
                runs = [await one_run(run, url, tmp) for run in range(1, args.runs + 1)]
    figures = []
    for name in ("/latest", "/latest <topic>", "/author <name>", "/topics"):
        p99 = median_of(runs, f"q99 {name}")
        figures.append(
            Figure(
                f"queries behind {name}: p99 (p50)",
                f"{p99:.2f} ms ({median_of(runs, f'q50 {name}'):.2f} ms)",
                "≤ 5 ms",
                p99 <= 5,
            )
        )
    for words in SEARCHES:
        p99 = median_of(runs, f"q99 /search {words}")
        figures.append(
            Figure(
                f"/search {words}: p99 (p50)",
                f"{p99:.1f} ms ({median_of(runs, f'q50 /search {words}'):.1f} ms)",
                "≤ 50 ms",
                p99 <= 50,
            )
        )
    for name in ("/latest", "/author <name>", "all"):
        p50 = median_of(runs, f"rt50 {name}")
        figures.append(
            Figure(
                f"round trip through the sandbox, {name}: p50 (p95)",
                f"{p50:.1f} ms ({median_of(runs, f'rt95 {name}'):.1f} ms)",
                "≤ 30 ms" if name == "all" else "",
                p50 <= 30 if name == "all" else None,
            )
        )
    backend = "" if args.backend == "sqlite" else " on PostgreSQL"
    report(
        "b4_reading" if args.backend == "sqlite" else "b4_reading_postgresql",
        f"B4 reading at scale{backend}: {articles_db.ARTICLES:,} articles, {articles_db.AUTHORS:,} "
        f"authors, {articles_db.TOPICS} topics (median of {len(runs)} runs)",
        figures,
        [
            f"queries: {SAMPLES} timed calls each ({SEARCH_SAMPLES} for searches) after warm-up,"
            f" through the handlers' reader ({args.backend})"
            "; each row is every query one command makes",
            f"round trips: {ROUND_TRIPS} per command, each from a new user, sequential;"
            " sandbox (limits off) and `newsbot run` (NEWSBOT_SEND_RATE=1000) in their own"
            " processes; the time includes the two /control HTTP calls",
        ],
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
