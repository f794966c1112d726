"""B8 — keyword fan-out: one article published against 100,000 /watch subscriptions.

5,000 chats hold 20 watches each (1 to 3 words, drawn Zipf-like from a 20,000-word
vocabulary less its 100 commonest words, so popular words are watched most), and 1,000 of
them also follow the topic Mali. Each run publishes one new ~700-word article (its words
drawn the same way) through Publisher.publish, in process: the commit time is the whole
publishing transaction (the article's terms, the recipients SELECT with its watch branch,
every delivery queued).
Measured first with no watch at all, then with the 100,000: what watches cost when unused,
and what they cost at scale. The matching query alone, and its plan, are read too.
Target: the commit ≤ 0.5 s. `--backend postgresql` runs it on a throw-away server.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.common import NOW, Figure, log, parse_args, report, scratch_dir

CHATS = 5_000
WATCHES_PER_CHAT = 20
WATCHES = CHATS * WATCHES_PER_CHAT
TOPIC_FOLLOWERS = 1_000
VOCABULARY = 20_000
ARTICLE_WORDS = 700

_SYLLABLES = [
    "ba", "ma", "ko", "li", "sé", "gou", "di", "ra", "to", "ni", "ka", "yes", "sa", "fa", "la",
    "do", "mo", "ré", "né", "bou", "ti", "ga", "lo", "fi", "ké", "sou", "dia", "mé", "ta", "za",
]  # fmt: skip


def _vocabulary(rng: random.Random) -> list[str]:
    words: dict[str, None] = {}
    while len(words) < VOCABULARY:
        words.setdefault("".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4))))
    return list(words)


_CUMULATIVE: dict[int, list[float]] = {}
WATCH_SKIP = 100
"""The commonest words of the vocabulary nobody watches alone (they are in every article)."""


def _zipf(rng: random.Random, vocabulary: list[str], count: int) -> list[str]:
    """Draw words by rank, the n-th with weight 1/n (word frequencies in text)."""
    cumulative = _CUMULATIVE.get(len(vocabulary))
    if cumulative is None:
        total, cumulative = 0.0, []
        for rank in range(len(vocabulary)):
            total += 1.0 / (rank + 1)
            cumulative.append(total)
        _CUMULATIVE[len(vocabulary)] = cumulative
    return rng.choices(vocabulary, cum_weights=cumulative, k=count)


def _article(rng: random.Random, vocabulary: list[str], n: int) -> tuple[str, str, str]:
    words = _zipf(rng, vocabulary, ARTICLE_WORDS)
    title = f"#Mali : {' '.join(words[:8])} ({n})"
    lead = " ".join(words[8:60]) + "."
    body = " ".join(words[60:]) + "."
    return title, lead, body


async def _publish_runs(
    publisher: object, rng: random.Random, vocabulary: list[str], runs: int, tag: str
) -> tuple[list[float], list[int]]:
    from bot.publishing import Publisher
    from db.models import ArticleDraft

    assert isinstance(publisher, Publisher)
    times, queued = [], []
    for n in range(runs):
        title, lead, body = _article(rng, vocabulary, n)
        draft = ArticleDraft(
            title=title, author="Awa Keïta", topics=("Mali",), lead=lead, body=body
        )
        started = time.perf_counter()
        result = await publisher.publish(draft, source_key=f"b8:{tag}:{n}", origin="editor")
        times.append(time.perf_counter() - started)
        queued.append(result.queued)
    return times, queued


async def _matching(
    database: object, rng: random.Random, vocabulary: list[str], runs: int
) -> tuple[float, int, int, str]:
    """Time the watch matching SELECT alone; return (median s, matches, terms, plan line)."""
    from db import Database, watches

    assert isinstance(database, Database)
    timings, found, terms = [], 0, []
    for n in range(runs):
        terms = watches.article_terms(*_article(rng, vocabulary, 1000 + n))
        sql = watches.matching_watches_sql(len(terms))
        started = time.perf_counter()
        rows = await database.reader.fetchall(sql, terms)
        timings.append(time.perf_counter() - started)
        found = len(rows)
    if database.dialect == "postgresql":
        plan_rows = await database.reader.fetchall(f"EXPLAIN {sql}", terms)
        plan = " / ".join(str(row[0]).strip() for row in plan_rows if "watch_terms" in str(row[0]))
    else:
        plan_rows = await database.reader.fetchall(f"EXPLAIN QUERY PLAN {sql}", terms)
        plan = " / ".join(str(row[3]) for row in plan_rows if "watch_terms" in str(row[3]))
    return statistics.median(timings), found, len(terms), plan


async def _bench(target: str | Path, runs: int) -> list[Figure]:
    from bot.publishing import Publisher
    from db import connect

    rng = random.Random(8)
    vocabulary = _vocabulary(rng)
    database = await connect(target)
    try:
        publisher = Publisher(database)
        log("chats and subscriptions, no watch yet")
        await _fill_chats_only(database)
        bare, bare_queued = await _publish_runs(
            publisher, random.Random(1), vocabulary, runs, "bare"
        )
        log(f"{WATCHES:,} watches")
        await _fill_watches(database, rng, vocabulary)
        watched, watched_queued = await _publish_runs(
            publisher, random.Random(1), vocabulary, runs, "watched"
        )
        query, matches, terms, plan = await _matching(database, random.Random(2), vocabulary, runs)
    finally:
        await database.close()
    commit = statistics.median(watched)
    return [
        Figure(
            f"publish against {WATCHES:,} watches: commit",
            f"{commit * 1000:.0f} ms",
            "≤ 500 ms",
            commit <= 0.5,
        ),
        Figure(
            "deliveries queued (1,000 by topic, the rest by keyword, one per chat)",
            f"{statistics.median(watched_queued):,.0f} of {CHATS:,} chats",
        ),
        Figure("publish with no watch: commit", f"{statistics.median(bare) * 1000:.0f} ms"),
        Figure(
            "deliveries queued with no watch (topic only)", f"{statistics.median(bare_queued):,.0f}"
        ),
        Figure(
            "matching query alone (SELECT of the matching watches)",
            f"{query * 1000:.1f} ms, {matches:,} watches from {terms:,} terms",
        ),
        _plan_figure(plan),
    ]


def _plan_figure(plan: str) -> Figure:
    if plan.startswith("SEARCH") or "SCAN" in plan:
        return Figure("plan: the watch_terms index", plan, "an index", "USING PRIMARY KEY" in plan)
    # PostgreSQL prices its plan: when an article's terms reach a fifth of the index's rows it
    # reads the table in one pass instead (a few milliseconds for 200,000 rows), and probes
    # the index for fewer terms. Either way it is one query, whatever the number of watches.
    return Figure("plan: the planner's choice for watch_terms", plan or "(not found)")


async def _fill_chats_only(database: object) -> None:
    from db import Database, articles, chats

    assert isinstance(database, Database)
    async with database.transaction() as conn:
        for chat_id in range(1, CHATS + 1):
            await chats.upsert_chat(conn, chat_id, "private", None, "fr", NOW)
        mali = await articles.ensure_topic(conn, "mali", "Mali")
        for chat_id in range(1, TOPIC_FOLLOWERS + 1):
            await chats.subscribe(conn, chat_id, NOW, topic_id=mali.id)


async def _fill_watches(database: object, rng: random.Random, vocabulary: list[str]) -> None:
    from db import Database, watches

    assert isinstance(database, Database)
    rows, terms = [], []
    watch_id = 0
    watched = vocabulary[WATCH_SKIP:]
    for chat_id in range(1, CHATS + 1):
        for _ in range(WATCHES_PER_CHAT):
            words = " ".join(_zipf(rng, watched, rng.choice((1, 1, 2, 2, 3))))
            held = sorted(set(watches.watch_terms(words)))
            watch_id += 1
            # The key is made unique per row: a chat drawing the same words twice keeps both.
            key = f"{watches.watch_key(held)} {watch_id}"
            rows.append((watch_id, chat_id, 0, key, words, len(held), NOW))
            terms.extend((term, watch_id, len(held)) for term in held)
    async with database.transaction() as conn:
        await conn.executemany(
            "INSERT INTO watches (id, chat_id, thread_id, key, words, term_count, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        await conn.executemany(
            "INSERT INTO watch_terms (term, watch_id, term_count) VALUES (?, ?, ?)", terms
        )
    if database.dialect == "postgresql":
        # What autovacuum does after a bulk load: without statistics the planner guesses.
        async with database.transaction() as conn:
            await conn.execute("ANALYZE watches")
            await conn.execute("ANALYZE watch_terms")


@contextmanager
def _target(backend: str) -> Iterator[str | Path]:
    if backend == "postgresql":
        from bench.postgres import cluster

        with cluster() as url:
            yield url
        return
    with scratch_dir() as folder:
        yield folder / "b8.sqlite3"


def main() -> None:
    args = parse_args(__doc__ or "", runs=5)
    with _target(args.backend) as target:
        figures = asyncio.run(_bench(target, args.runs))
    name = "b8_watches" if args.backend == "sqlite" else "b8_watches_postgresql"
    title = f"B8 keyword fan-out, {args.backend} (median of {args.runs} runs)"
    notes = [
        f"{CHATS:,} chats × {WATCHES_PER_CHAT} watches of 1-3 words from a {VOCABULARY:,}-word "
        f"vocabulary (Zipf, its {WATCH_SKIP} commonest words never watched), "
        f"a {ARTICLE_WORDS}-word article per run",
        "commit: Publisher.publish end to end (terms, recipients SELECT, deliveries INSERT)",
    ]
    report(name, title, figures, notes)


if __name__ == "__main__":
    main()
