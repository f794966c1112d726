"""Two real `newsbot run` processes on one PostgreSQL, behind a round-robin proxy.

Webhook mode, the sandbox (in this process) with Telegram's own limits, a small proxy in
front of the two bots as nginx would be (the next instance when one cannot be reached). A
broadcast to 1,000 chats; the instance sending it is SIGKILLed in the middle and nothing is
restarted: the other takes over, every chat gets its alert, a repeat only for a message in
flight at the kill, no 429 at all, and a reader's command meanwhile is answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp import web

from bot.app import build_application, running
from bot.config import Settings
from bot.publishing import Publisher
from bot.sandbox import Sandbox
from db import Database, articles, chats, connect
from db.models import ArticleDraft
from tests.conftest import BOT_TOKEN, EDITOR_ID, free_port
from tests.postgres import postgres_url
from tests.test_reliability_crash import ROOT, BotProcess, connections_to

CHATS = 1000
KILL_AT = 300  # alerts delivered when the sender is killed
TITLE = "#Mopti : La crue du Bani coupe la route de Djenné"
SENDING = "now sends the alerts"
EDITOR_TITLE = "#Tombouctou : Les manuscrits de Tombouctou numérisés à Bamako"
EDITOR_LEAD = "Plus de 20 000 pages ont été photographiées par l'équipe de l'Institut Ahmed Baba."  # bot/instances.py's line when an instance becomes the sender

# Real processes, killed: `pytest -m "not slow"` skips them.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/net/tcp").exists(), reason="reads sockets in /proc"),
]


class RoundRobin:
    """A reverse proxy that hands each request to the next backend, as nginx's upstream does,
    trying the other when one cannot be reached (`proxy_next_upstream error timeout`)."""

    def __init__(self, backends: list[str]):
        self.backends = backends
        self._next = itertools.cycle(backends)
        self._count = len(backends)
        self._pinned: str | None = None
        self.served: Counter[str] = Counter()
        self.port = free_port()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram"

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3))
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._forward)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    def pin(self, backend: str | None) -> None:
        """Send every request to `backend` (None: round-robin again)."""
        self._pinned = backend

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        for _ in range(self._count):
            backend = self._pinned or next(self._next)
            try:
                async with self._session.request(
                    request.method, backend + request.path_qs, data=body, headers=headers
                ) as answer:
                    self.served[backend] += 1
                    return web.Response(status=answer.status, body=await answer.read())
            except (aiohttp.ClientError, TimeoutError):
                continue
        return web.Response(status=502)


@dataclass(frozen=True)
class Kill:
    delivered: int  # messages the sandbox had accepted when the sender died
    in_flight: frozenset[int]  # chats whose answer the sender had not acknowledged


async def kill_counting_in_flight(bot: BotProcess, sandbox: Sandbox) -> Kill:
    """SIGKILL the bot, counting first the sends in flight (see test_reliability_crash)."""
    port = urlsplit(sandbox.base_url).port
    assert port is not None
    bot.process.send_signal(signal.SIGSTOP)
    delivered = -1
    while sandbox.stats.messages_delivered != delivered:  # until it accepts nothing more
        delivered = sandbox.stats.messages_delivered
        await asyncio.sleep(0.2)
    ports, _ = connections_to(bot.process.pid, port)
    bot.kill()
    answers = dict(sandbox.stats.unacknowledged)
    return Kill(delivered, frozenset(chat for p, (chat, _) in answers.items() if p in ports))


@pytest.fixture
async def shared_db(request: pytest.FixtureRequest) -> AsyncIterator[tuple[str, Database]]:
    url = await postgres_url(request)
    db = await connect(url)
    yield url, db
    await db.close()


def bot_env(url: str, sandbox: Sandbox, proxy: RoundRobin, port: int) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "NEWSBOT_"))},
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "TELEGRAM_API_URL": sandbox.base_url,
        "NEWSBOT_DB": url,
        "NEWSBOT_ADMINS": str(EDITOR_ID),
        "NEWSBOT_SEND_RATE": "30",
        "NEWSBOT_WEBHOOK_URL": proxy.url,
        "NEWSBOT_LISTEN": f"127.0.0.1:{port}",
    }


async def until(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not (condition() if callable(condition) else condition):
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.05)


@pytest.mark.limits(global_rate=30.0)
async def test_two_instances_one_killed_mid_broadcast_every_chat_alerted_once(
    sandbox: Sandbox, shared_db: tuple[str, Database], tmp_path: Path
) -> None:
    url, db = shared_db
    users = sandbox.add_users(CHATS)
    now = time.time()
    async with db.transaction() as conn:
        topic = await articles.ensure_topic(conn, "mopti", "Mopti")
        for user in users:
            await chats.upsert_chat(conn, user.id, "private", None, "fr", now)
            await chats.subscribe(conn, user.id, now, topic_id=topic.id)
    ports = [free_port(), free_port()]
    proxy = RoundRobin([f"http://127.0.0.1:{port}" for port in ports])
    await proxy.start()
    bots: list[BotProcess] = []
    try:
        for n, port in enumerate(ports):
            (tmp_path / f"bot{n}").mkdir()
            bots.append(
                BotProcess(bot_env(url, sandbox, proxy, port), tmp_path / f"bot{n}" / "stderr")
            )
        for bot in bots:
            await bot.wait_up(60)
        await until(lambda: any(SENDING in bot.output() for bot in bots), 10, "no sender")
        [sender] = [bot for bot in bots if SENDING in bot.output()]
        [survivor] = [bot for bot in bots if bot is not sender]

        # An editor's preview made on one instance is confirmed on the other.
        editor = sandbox.add_user("Mariam", "Coulibaly", "redaction", "fr", user_id=EDITOR_ID)
        first, second = proxy.backends
        proxy.pin(first)
        await editor.send(f"/publish\n{EDITOR_TITLE}\nPar Awa KEITA\n{EDITOR_LEAD}")
        alert, control = await sandbox.wait_for(editor.private_chat, count=2, timeout=20)
        assert "manuscrits" in alert.content
        proxy.pin(second)
        mark = editor.private_chat.mark()
        await sandbox.wait_for_answer(await editor.press(control, 0))  # the first confirms
        proxy.pin(None)
        [outcome] = await sandbox.wait_for(editor.private_chat, timeout=20, after=mark)
        assert outcome.message_id == control.message_id  # the preview's buttons, answered
        row = await db.reader.fetchone(
            "SELECT status FROM articles WHERE title LIKE ?", ("%manuscrits de Tombouctou%",)
        )
        assert row is not None and row[0] == "published"
        assert proxy.served[first] >= 1 and proxy.served[second] >= 1
        base = sandbox.stats.messages_delivered

        draft = ArticleDraft(
            title=TITLE,
            lead="Les eaux ont submergé la chaussée à Sofara ; les camions attendent.",
            author="Issa DEMBÉLÉ",
            topics=("Mopti",),
        )
        result = await Publisher(db).publish(draft, source_key="test:crue", origin="editor")
        assert result.queued == CHATS

        await until(
            lambda: sandbox.stats.messages_delivered >= base + KILL_AT, 60, "the broadcast stalled"
        )
        kill = await kill_counting_in_flight(sender, sandbox)

        # A reader asks something while one instance lies dead: the proxy finds the other.
        reader = sandbox.add_user("Fanta", "Traoré", language_code="fr")
        mark = reader.private_chat.mark()
        await reader.send("/start")
        [reply] = await sandbox.wait_for(reader.private_chat, timeout=20, after=mark)
        assert reply.from_bot and reply.content

        async def outstanding() -> int:
            row = await db.reader.fetchone(
                "SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending')"
            )
            assert row is not None
            return int(row[0])

        deadline = time.monotonic() + 120
        while await outstanding():
            assert time.monotonic() < deadline, "deliveries still outstanding"
            await asyncio.sleep(0.2)
        assert SENDING in survivor.output()  # it took over; nothing was restarted
        code, _ = await survivor.terminate()
        assert code == 0, survivor.output()
    finally:
        for bot in bots:
            if bot.process.poll() is None:
                bot.kill()
        await proxy.stop()

    received = {
        user.id: sum(1 for m in user.private_chat.bot_messages() if "crue du Bani" in m.content)
        for user in users
    }
    assert min(received.values()) == 1, "a chat never got its alert"
    repeats = sum(n - 1 for n in received.values())
    twice = {chat for chat, n in received.items() if n > 1}
    # Only a message Telegram had accepted, its answer unread, when the sender died comes twice.
    assert twice <= kill.in_flight
    assert repeats <= len(kill.in_flight)
    assert sandbox.stats.too_many_requests == 0
    assert sandbox.stats.retry_after_ignored == 0
    rows = await db.reader.fetchall(
        "SELECT status, count(*) FROM deliveries WHERE article_id = ? GROUP BY status",
        (result.article_id,),
    )
    assert {row[0]: row[1] for row in rows} == {"sent": CHATS}
    print(
        f"\nkilled after {kill.delivered - base} alerts, {len(kill.in_flight)} in flight; "
        f"repeats {repeats}; proxy {dict(proxy.served)}"
    )


@pytest.mark.limits(global_rate=30.0)
@pytest.mark.backends("postgresql")
async def test_a_sender_stopped_for_a_deploy_hands_over_at_once_and_nothing_repeats(
    sandbox: Sandbox, bot_settings: Settings
) -> None:
    """Two instances in this process; the sender stops cleanly (SIGTERM's path) mid-broadcast:
    its claims go back to the queue at once, the other sends on, each chat gets one alert."""
    db = await connect(bot_settings.db_path)
    users = sandbox.add_users(150)
    now = time.time()
    async with db.transaction() as conn:
        topic = await articles.ensure_topic(conn, "kayes", "Kayes")
        for user in users:
            await chats.upsert_chat(conn, user.id, "private", None, "fr", now)
            await chats.subscribe(conn, user.id, now, topic_id=topic.id)
    ports = [free_port(), free_port()]
    proxy = RoundRobin([f"http://127.0.0.1:{port}" for port in ports])
    await proxy.start()
    instances = [
        build_application(replace(bot_settings, webhook_url=proxy.url, listen=("127.0.0.1", port)))
        for port in ports
    ]
    stacks = [contextlib.AsyncExitStack(), contextlib.AsyncExitStack()]
    try:
        for stack, app in zip(stacks, instances, strict=True):
            await stack.enter_async_context(running(app))
        workers = [app.bot_data.worker for app in instances]
        draft = ArticleDraft(
            title="#Kayes : Le train Dakar-Bamako reprend du service",
            lead="Le premier convoi depuis cinq ans est arrivé en gare de Kayes.",
            author="Oumar TRAORÉ",
            topics=("Kayes",),
        )
        result = await Publisher(db).publish(draft, source_key="test:train", origin="editor")
        assert result.queued == 150
        await until(lambda: any(w and w.stats.sent >= 40 for w in workers), 30, "nobody sends")
        [sender] = [n for n, w in enumerate(workers) if w and w.stats.sent]
        stopped = workers[sender]
        assert stopped is not None
        await stacks[sender].aclose()  # as SIGTERM does: sends under way finish, then it stops

        # Nothing stays claimed by the stopped instance: the rest is pending for the other.
        row = await db.reader.fetchone(
            "SELECT count(*) FROM deliveries WHERE status = 'sending' AND claimed_by = ?",
            (stopped.instance,),
        )
        assert row is not None and row[0] == 0

        async def outstanding() -> int:
            row = await db.reader.fetchone(
                "SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending')"
            )
            assert row is not None
            return int(row[0])

        deadline = time.monotonic() + 60
        while await outstanding():
            assert time.monotonic() < deadline, "deliveries still outstanding"
            await asyncio.sleep(0.1)
        other = workers[1 - sender]
        assert other is not None and other.stats.sent + stopped.stats.sent == 150
    finally:
        for stack in stacks:
            await stack.aclose()
        await proxy.stop()
        await db.close()
    received = [
        sum(1 for m in user.private_chat.bot_messages() if "Dakar-Bamako" in m.content)
        for user in users
    ]
    assert Counter(received) == {1: 150}
    assert sandbox.stats.too_many_requests == 0
