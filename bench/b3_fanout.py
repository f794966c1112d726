"""B3 — fan-out: 1,000,000 subscriptions; one article matching 300,000 chats.

The database is generated once (fixed seed, plain sqlite3, one transaction) and cached
under bench/results/data/; each run publishes on a fresh copy, in a child process that
loads the bot (bot.app, handlers) and publishes through Publisher.publish, so its peak
RSS is that of a bot process doing the fan-out. Targets: the commit with every delivery
queued ≤ 3 s; peak RSS ≤ 200 MB.

The brief's 200,000 chats cannot receive 300,000 alerts, so the million subscriptions are
spread over 400,000 chats: the article's two topics and its author match 360,000
subscriptions, which the fan-out's UNION folds into 300,000 distinct chats.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.common import (
    DATA,
    NOW,
    ROOT,
    Figure,
    bulk_connection,
    create_schema,
    log,
    median_of,
    parse_args,
    report,
    rss_mb,
    scratch_dir,
)
from bench.pg_data import loaded_database
from bench.postgres import cluster
from db.connection import DatabaseUrl
from db.postgres import create_database, drop_database

CHATS = 400_000
GROUPS = 4_000  # the last ones are groups
SUBSCRIPTIONS = 1_000_000
TOPICS, AUTHORS = 500, 5_000
MATCHED_CHATS = 300_000
VERSION = 1
DB_FILE = DATA / f"b3_fanout_v{VERSION}.sqlite3"


def generate(path: Path) -> None:
    """Build the subscriptions database (deterministic)."""
    rng = random.Random(3)
    conn = bulk_connection(path)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO topics (id, key, name) VALUES (?, ?, ?)",
        [(1, "mali", "Mali"), (2, "securite", "Sécurité")]
        + [(t, f"sujet {t}", f"Sujet{t}") for t in range(3, TOPICS + 1)],
    )
    conn.executemany(
        "INSERT INTO authors (id, key, name) VALUES (?, ?, ?)",
        [(1, "awa keita", "Awa KEITA")]
        + [(a, f"auteur {a}", f"Auteur {a}") for a in range(2, AUTHORS + 1)],
    )

    def chat_id(n: int) -> int:
        return -(4_200_000_000 + n) if n >= CHATS - GROUPS else 6_100_000_000 + n

    conn.executemany(
        "INSERT INTO chats (id, type, title, language, status, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, 'active', ?, ?)",
        (
            (
                chat_id(n),
                "group" if n >= CHATS - GROUPS else "private",
                f"Groupe {n}" if n >= CHATS - GROUPS else None,
                "en" if n % 10 == 0 else "fr",
                NOW,
                NOW,
            )
            for n in range(CHATS)
        ),
    )
    # What the article matches: topic 1 → chats 0..199,999; topic 2 → 150,000..279,999;
    # author 1 → 270,000..299,999. Overlaps are folded by the UNION: 300,000 chats.
    matched: list[tuple[int, int | None, int | None]] = []
    matched += [(chat_id(n), 1, None) for n in range(0, 200_000)]
    matched += [(chat_id(n), 2, None) for n in range(150_000, 280_000)]
    matched += [(chat_id(n), None, 1) for n in range(270_000, 300_000)]
    seen = {(c, t, a) for c, t, a in matched}
    rest: list[tuple[int, int | None, int | None]] = []
    while len(matched) + len(rest) < SUBSCRIPTIONS:
        n = rng.randrange(CHATS)
        if rng.random() < 0.7:
            sub: tuple[int, int | None, int | None] = (
                chat_id(n), rng.randrange(3, TOPICS + 1), None
            )  # fmt: skip
        else:
            sub = (chat_id(n), None, rng.randrange(2, AUTHORS + 1))
        if sub not in seen:
            seen.add(sub)
            rest.append(sub)
    rows = matched + rest
    rng.shuffle(rows)
    conn.executemany(
        "INSERT INTO subscriptions (chat_id, topic_id, author_id, created_at) VALUES (?, ?, ?, ?)",
        ((c, t, a, NOW) for c, t, a in rows),
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


def ensure_database() -> Path:
    if DB_FILE.exists():
        return DB_FILE
    DATA.mkdir(parents=True, exist_ok=True)
    partial = DB_FILE.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    log(f"B3: generating {SUBSCRIPTIONS:,} subscriptions over {CHATS:,} chats (once)")
    started = time.perf_counter()
    asyncio.run(create_schema(partial))
    generate(partial)
    partial.rename(DB_FILE)
    log(f"B3: generated in {time.perf_counter() - started:.1f} s")
    return DB_FILE


# --- the child: a bot process publishing -----------------------------------------------


class _RolledBack(Exception):
    """Ends a transaction whose changes are not kept."""


async def child(db_path: Path | str) -> None:
    import bot.app  # noqa: F401 - the whole bot is loaded, as in a running bot
    from bot.publishing import Publisher
    from db import connect, deliveries
    from db.models import ArticleDraft

    database = await connect(db_path)
    publisher = Publisher(database)
    draft = ArticleDraft(
        title="#Mali-Sécurité : Le gouvernement annonce un nouveau dispositif à Bamako",
        lead="Le ministre de la Sécurité a présenté un plan de patrouilles renforcées.",
        author="Awa KEITA",
        topics=("Mali", "Sécurité"),
    )
    started = time.perf_counter()
    result = await publisher.publish(draft, source_key="b3", origin="editor")
    elapsed = time.perf_counter() - started
    counts = await deliveries.delivery_counts(database.reader, result.article_id)
    # The worker's two outbox queries, with 300,000 pending: when is the next one due, and
    # claim a batch (rolled back, so every run sees the same outbox).
    timings: dict[str, list[float]] = {"next_due": [], "claim": []}
    for _ in range(20):
        started = time.perf_counter()
        await deliveries.next_due_at(database.reader)
        timings["next_due"].append(time.perf_counter() - started)
        started = time.perf_counter()
        with contextlib.suppress(_RolledBack):
            async with database.transaction() as conn:
                await deliveries.claim_due(conn, time.time(), 1000)
                raise _RolledBack
        timings["claim"].append(time.perf_counter() - started)
    await database.close()
    rss, peak = rss_mb()
    print(json.dumps({"seconds": elapsed, "queued": result.queued,
                      "pending": counts.pending, "rss": rss, "peak": peak,
                      "next_due_ms": statistics.median(timings["next_due"]) * 1000,
                      "claim_ms": statistics.median(timings["claim"]) * 1000}))  # fmt: skip


def one_run(run: int, source: Path | str) -> dict[str, float]:
    """Publish on a fresh copy of `source`: a file, or a PostgreSQL database's URL."""
    with scratch_dir() as tmp:
        if isinstance(source, Path):
            target = str(tmp / "b3.sqlite3")
            shutil.copyfile(source, target)
        else:
            url = DatabaseUrl(source)
            template = urlsplit(source).path.lstrip("/")
            name = f"b3_run{run}"
            target = asyncio.run(create_database(url, name, template=template)).url
        output = subprocess.run(
            [sys.executable, "-m", "bench.b3_fanout", "--child", target],
            check=True, capture_output=True, text=True, cwd=ROOT,
        )  # fmt: skip
        if isinstance(source, str):
            asyncio.run(drop_database(url, name))
    result = json.loads(output.stdout.strip().splitlines()[-1])
    log(f"B3 run {run}: {result}")
    return {key: float(value) for key, value in result.items()}


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        target = sys.argv[2]
        asyncio.run(child(target if target.startswith("postgres") else Path(target)))
        return 0
    args = parse_args(__doc__ or "", runs=3)
    source = ensure_database()
    if args.backend == "sqlite":
        runs = [one_run(run, source) for run in range(1, args.runs + 1)]
    else:
        with cluster() as server, scratch_dir() as tmp:
            loaded = asyncio.run(loaded_database(source, server, "b3", tmp))
            runs = [one_run(run, loaded) for run in range(1, args.runs + 1)]
    seconds = median_of(runs, "seconds")
    peak = median_of(runs, "peak")
    queued = min(r["pending"] for r in runs)
    on = "" if args.backend == "sqlite" else " on PostgreSQL"
    report(
        "b3_fanout" if args.backend == "sqlite" else "b3_fanout_postgresql",
        f"B3 fan-out{on}: {SUBSCRIPTIONS:,} subscriptions over {CHATS:,} chats, one article "
        f"matching {MATCHED_CHATS:,} chats (median of {len(runs)} runs)",
        [
            Figure(
                "publish: commit with every delivery queued",
                f"{seconds:.2f} s",
                "≤ 3 s",
                seconds <= 3.0,
            ),
            Figure(
                "deliveries queued (pending after commit)",
                f"{queued:,.0f}",
                f"{MATCHED_CHATS:,}",
                queued == MATCHED_CHATS,
            ),
            Figure("fan-out rate", f"{MATCHED_CHATS / seconds:,.0f} deliveries/s"),
            Figure(
                "worker's next_due_at, 300,000 pending",
                f"{median_of(runs, 'next_due_ms'):.1f} ms",
            ),
            Figure(
                "worker's claim_due(1,000), 300,000 pending",
                f"{median_of(runs, 'claim_ms'):.1f} ms",
            ),
            Figure(
                "peak RSS of the publishing bot process", f"{peak:.0f} MB", "≤ 200 MB", peak <= 200
            ),
        ],
        [
            "runs: " + "; ".join(f"{r['seconds']:.2f} s, peak {r['peak']:.0f} MB" for r in runs),
            "each run on a fresh copy of the generated database, in a child process that"
            " imports the whole bot; "
            + (
                "SQLite settings as the bot's (WAL, synchronous=NORMAL)"
                if args.backend == "sqlite"
                else "PostgreSQL 15, a server of the benchmark's own, default settings (fsync on)"
            ),
        ],
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
