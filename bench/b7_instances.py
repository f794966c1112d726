"""B7 — two instances on PostgreSQL: one budget in all, and readers served by both.

A throw-away PostgreSQL cluster, the sandbox in its own process, two `newsbot run` in webhook
mode behind a small round-robin proxy (as nginx is in docker-compose.yml), each its own
process. Two phases per run:

1. Broadcast, Telegram's limits on (30/s for the bot, 1/s per private chat): one article to
   1,500 private chats while a reader sends /latest every 2 s through the proxy (answered by
   either instance). Achieved rate (alerts + replies) ÷ allowed 30/s, target ≥ 0.95; 429s,
   target 0. Only the elected instance sends alerts; the other's replies are counted against
   its pace through the database (bot/instances.py).
2. Commands, limits off and NEWSBOT_SEND_RATE=1000 (as B5): 100 users send 10 /latest and
   /author each at once, through the proxy to both instances, then to one only (the other
   idle); commands answered per second, two ÷ one, and the CPU each bot used. The machine
   has 2 cores for the sandbox, PostgreSQL, both bots and this driver: the ratio is what
   they leave, as measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web

from bench.common import BotProcess as _BotProcess
from bench.common import (
    Figure,
    SandboxProcess,
    bot_answers,
    bot_env,
    cpu_seconds,
    log,
    median_of,
    parse_args,
    report,
    scratch_dir,
    wait_until,
)
from bench.postgres import cluster
from bot.publishing import Publisher
from bot.samples import load_samples
from db import Database, articles, chats, connect, deliveries
from db.models import ArticleDraft

PRIVATE = 1_500
IDLE_SECONDS = 5.0
ALLOWED = 30.0
READER_EVERY = 2.0
USERS, PER_USER = 100, 10
SENDERS = 32

DRAFT = ArticleDraft(
    title="#Ségou : Le barrage de Markala rouvre ses vannes après les travaux",
    lead="L'Office du Niger annonce la reprise de l'irrigation pour la campagne de contre-saison.",
    author="Awa KEITA",
    topics=("Ségou",),
)


class Proxy:
    """Round-robin over the bots' webhook servers, the next one when one cannot be reached."""

    def __init__(self, port: int):
        self.port = port
        self.backends: list[str] = []
        self._cycle: itertools.cycle[str] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None

    def route_to(self, backends: list[str]) -> None:
        self.backends = backends
        self._cycle = itertools.cycle(backends)

    async def __aenter__(self) -> Proxy:
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=256), timeout=aiohttp.ClientTimeout(total=5)
        )
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None and self._cycle is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        for _ in self.backends:
            backend = next(self._cycle)
            try:
                async with self._session.post(
                    backend + request.path_qs, data=body, headers=headers
                ) as answer:
                    return web.Response(status=answer.status, body=await answer.read())
            except (aiohttp.ClientError, TimeoutError):
                continue
        return web.Response(status=502)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def two_bots(
    url: str, sandbox: SandboxProcess, proxy: Proxy, send_rate: float, cwd: Any, probe: int
) -> AsyncIterator[list[_BotProcess]]:
    """Start two instances; yield once each has answered `probe`, the proxy on both."""
    ports = [_free_port(), _free_port()]
    backends = [f"http://127.0.0.1:{port}" for port in ports]
    async with contextlib.AsyncExitStack() as stack:
        bots = []
        for port in ports:
            env = bot_env(sandbox.base_url, url, send_rate=send_rate)
            env["NEWSBOT_WEBHOOK_URL"] = f"http://127.0.0.1:{proxy.port}/telegram"
            env["NEWSBOT_LISTEN"] = f"127.0.0.1:{port}"
            bots.append(await stack.enter_async_context(_BotProcess(env, cwd)))
        for backend in backends:
            proxy.route_to([backend])
            await bot_answers(sandbox, probe, within=60)
        proxy.route_to(backends)
        await asyncio.sleep(2.0)  # start-up's last calls (menus, descriptions) are over
        yield bots


async def subscribe_all(db: Database, ids: list[int]) -> None:
    now = time.time()
    async with db.transaction() as conn:
        topic = await articles.ensure_topic(conn, "segou", "Ségou")
        for chat_id in ids:
            await chats.upsert_chat(conn, chat_id, "private", None, "fr", now)
            await chats.subscribe(conn, chat_id, now, topic_id=topic.id)


async def broadcast(
    db: Database, sandbox: SandboxProcess, bots: list[_BotProcess], reader: int, run: int
) -> dict[str, float]:
    mark = await bot_answers(sandbox, reader)
    await asyncio.sleep(1.5)  # the reader's chat window empties
    await sandbox.reset_stats()
    cpu = [cpu_seconds(bot.pid) for bot in bots]
    latencies: list[float] = []
    finished = asyncio.Event()

    async def read() -> None:
        nonlocal mark
        while not finished.is_set():
            asked = time.perf_counter()
            mark = await sandbox.ask(reader, "/latest", mark, within=30)
            latencies.append(time.perf_counter() - asked)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(finished.wait(), READER_EVERY)

    started = time.perf_counter()
    result = await Publisher(db).publish(DRAFT, source_key=f"b7:{run}", origin="editor")
    assert result.queued == PRIVATE, result
    reading = asyncio.create_task(read())

    async def done() -> bool:
        return (await deliveries.delivery_counts(db.reader, result.article_id)).done

    assert await wait_until(done, 300, 0.05)
    elapsed = time.perf_counter() - started
    finished.set()
    await reading
    stats = await sandbox.stats()
    used = [cpu_seconds(bot.pid) - before for bot, before in zip(bots, cpu, strict=True)]
    replies = stats["requests"].get("sendMessage", 0) - PRIVATE
    achieved = (PRIVATE + max(0, replies)) / elapsed
    log(f"B7 run {run}: {achieved:.2f}/s, {stats['too_many_requests']} × 429, CPU {used}")
    return {
        "achieved": achieved,
        "too_many": float(stats["too_many_requests"]),
        "replies": float(max(0, replies)),
        "cpu_busy": max(used) / elapsed,
        "cpu_idle": min(used) / elapsed,
    }


async def commands(
    sandbox: SandboxProcess, bots: list[_BotProcess], users: list[int], rng: random.Random
) -> tuple[float, list[float]]:
    """Send PER_USER commands from each user at once; return answered/s and each bot's CPU s."""
    authors = ["Awa Keïta", "Issa Dembélé", "Mariam Coulibaly", "Oumar Traoré"]
    load = [
        (user, "/latest" if k % 2 == 0 else f"/author {rng.choice(authors)}")
        for k in range(PER_USER)
        for user in users
    ]
    base = (await sandbox.stats())["messages_delivered"]
    cpu = [cpu_seconds(bot.pid) for bot in bots]
    queue = iter(load)

    async def sender() -> None:
        for user, text in queue:
            await sandbox.send(user, text)

    started = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(SENDERS)))

    async def answered() -> bool:
        return (await sandbox.stats())["messages_delivered"] - base >= len(load)

    assert await wait_until(answered, 180, 0.02)
    elapsed = time.perf_counter() - started
    return len(load) / elapsed, [cpu_seconds(b.pid) - c for b, c in zip(bots, cpu, strict=True)]


async def one_run(run: int, url: str) -> dict[str, float]:
    rng = random.Random(70 + run)
    db = await connect(url)
    try:
        with scratch_dir() as tmp:
            async with (
                SandboxProcess(rate_limits=True, seed=run, transcript_limit=5) as sandbox,
                Proxy(_free_port()) as proxy,
            ):
                await sandbox.control("POST", "/limits", {"global_per_second": ALLOWED})
                ids = await sandbox.add_users(PRIVATE + 1 + 3 * USERS)
                reader, private = ids[0], ids[1 : PRIVATE + 1]
                users = ids[PRIVATE + 1 :]
                warm, both_users, one_users = users[:USERS], users[USERS:-USERS], users[-USERS:]
                await subscribe_all(db, private)
                async with two_bots(url, sandbox, proxy, ALLOWED, tmp, reader) as bots:
                    result = await broadcast(db, sandbox, bots, reader, run)
                await sandbox.control("POST", "/limits", {"enabled": False})
                async with two_bots(url, sandbox, proxy, 1000.0, tmp, reader) as bots:
                    cpu = [cpu_seconds(bot.pid) for bot in bots]
                    await asyncio.sleep(IDLE_SECONDS)
                    idle = [
                        (cpu_seconds(bot.pid) - before) / IDLE_SECONDS
                        for bot, before in zip(bots, cpu, strict=True)
                    ]
                    # Not measured: each instance's caches and prepared statements warm up.
                    await commands(sandbox, bots, warm, rng)
                    two_rate, two_cpu = await commands(sandbox, bots, both_users, rng)
                    backends = proxy.backends
                    proxy.route_to(backends[:1])
                    one_rate, one_cpu = await commands(sandbox, bots, one_users, rng)
                    proxy.route_to(backends)
    finally:
        await db.close()
    result.update(
        two_rate=two_rate,
        one_rate=one_rate,
        ratio=two_rate / one_rate,
        two_cpu_a=two_cpu[0] * 1000 / (USERS * PER_USER),
        two_cpu_b=two_cpu[1] * 1000 / (USERS * PER_USER),
        one_cpu=one_cpu[0] * 1000 / (USERS * PER_USER),
        idle_cpu=max(idle),
    )
    log(f"B7 run {run}: commands {two_rate:.0f}/s on two, {one_rate:.0f}/s on one")
    return result


async def prepare(url: str) -> None:
    db = await connect(url)
    try:
        await load_samples(Publisher(db))
    finally:
        await db.close()


async def main() -> int:
    args = parse_args(__doc__ or "", runs=3)
    runs = []
    with cluster() as url:
        await prepare(url)
        for run in range(1, args.runs + 1):
            runs.append(await one_run(run, url))
    achieved = median_of(runs, "achieved")
    too_many = max(r["too_many"] for r in runs)
    report(
        "b7_instances",
        f"B7 two instances on PostgreSQL behind a round-robin proxy (median of {len(runs)} runs)",
        [
            Figure(
                f"broadcast to {PRIVATE} chats, limits on: (alerts + replies) ÷ allowed 30/s",
                f"{achieved:.2f}/s = {achieved / ALLOWED:.3f} ×",
                "≥ 0.95 ×",
                achieved >= 0.95 * ALLOWED,
            ),
            Figure("429 Too Many Requests (worst run)", f"{too_many:.0f}", "0", too_many == 0),
            Figure(
                "bot CPU during the broadcast: sender, other (share of a core)",
                f"{median_of(runs, 'cpu_busy') * 100:.1f} %, "
                f"{median_of(runs, 'cpu_idle') * 100:.1f} %",
            ),
            Figure(
                f"commands answered per second, {USERS} users × {PER_USER}: two instances ÷ one",
                f"{median_of(runs, 'two_rate'):.0f}/s ÷ {median_of(runs, 'one_rate'):.0f}/s "
                f"= {median_of(runs, 'ratio'):.2f} ×",
                "as measured (2 cores)",
            ),
            Figure(
                "bot CPU per command: two instances (each), one instance",
                f"{median_of(runs, 'two_cpu_a'):.2f} + {median_of(runs, 'two_cpu_b'):.2f} ms, "
                f"{median_of(runs, 'one_cpu'):.2f} ms",
            ),
        ],
        [
            f"an idle instance uses {median_of(runs, 'idle_cpu') * 100:.1f} % of a core "
            "(its timers: the outbox, the shared budget, the sender's election, feeds, digests)",
            "runs: "
            + "; ".join(
                f"{r['achieved']:.2f}/s, {r['too_many']:.0f}×429, {r['replies']:.0f} replies, "
                f"commands {r['two_rate']:.0f}/{r['one_rate']:.0f}/s"
                for r in runs
            ),
            "2 cores shared by the sandbox, PostgreSQL (fsync off), both bots and the driver",
        ],
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
