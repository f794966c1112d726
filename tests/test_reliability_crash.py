"""Crash recovery: `python -m bot run` killed mid-broadcast, restarted on the same database.

The sandbox and the bot each run in their own process, as in production; the test process
sets up the database, publishes through a Publisher on the same SQLite file (WAL lets both
processes write) and drives the sandbox through its /control JSON surface.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest

from bot.config import Settings
from bot.publishing import Publisher
from db import Database, articles, chats, connect
from db.models import ArticleDraft

TOKEN = "7000000002:AAF-crash-test-secret_part-0123456789"
SECRET = TOKEN.split(":", 1)[1]
EDITOR = 5_000_000_009
RATE = 300  # the bot's NEWSBOT_SEND_RATE; the sandbox's global limit is raised above it
CHATS = 2000
SEED = 20240229
PACE = 30  # Telegram's own pace, messages a second: the bot's rate in the pace test
PACE_CHATS = 240
PACE_KILLS = 5
ROOT = Path(__file__).resolve().parent.parent

# Real processes, killed and restarted: the slowest tests; `pytest -m "not slow"` skips them.
pytestmark = pytest.mark.slow


@dataclass
class SandboxProcess:
    process: subprocess.Popen[str]
    base_url: str

    @property
    def control(self) -> str:
        return self.base_url.removesuffix("/bot") + "/control"


@pytest.fixture(scope="module")
def sandbox_process() -> Iterator[SandboxProcess]:
    """A sandbox in its own process, Telegram's per-chat limits on, the global one raised."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.sandbox", "--port", "0", "--token", TOKEN, "--seed", "5"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    base_url = process.stdout.readline().strip()
    assert base_url.startswith("http://"), base_url
    try:
        yield SandboxProcess(process, base_url)
    finally:
        process.terminate()
        process.wait(10)
        process.stdout.close()


class Control:
    """The sandbox's /control surface."""

    def __init__(self, session: aiohttp.ClientSession, url: str):
        self.session = session
        self.url = url

    async def call(self, path: str, body: dict[str, Any] | None = None) -> Any:
        if body is None:
            request = self.session.get(self.url + path)
        else:
            request = self.session.post(self.url + path, json=body)
        async with request as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def stats(self) -> dict[str, Any]:
        return await self.call("/stats")

    async def received(self, chat_id: int, title: str) -> int:
        """Return how many bot messages in the chat carry `title`."""
        data = await self.call(f"/transcript/{chat_id}")
        return sum(1 for m in data["messages"] if m["from_bot"] and title in (m["content"] or ""))

    async def received_many(self, chat_ids: list[int], title: str) -> dict[int, int]:
        counts: dict[int, int] = {}
        for start in range(0, len(chat_ids), 100):
            part = chat_ids[start : start + 100]
            found = await asyncio.gather(*(self.received(c, title) for c in part))
            counts.update(zip(part, found, strict=True))
        return counts


@pytest.fixture
async def control(sandbox_process: SandboxProcess) -> AsyncIterator[Control]:
    async with aiohttp.ClientSession() as session:
        ctl = Control(session, sandbox_process.control)
        await ctl.call("/faults", {"clear": True})
        await ctl.call("/limits", {"global_per_second": RATE * 1.5})
        yield ctl


class BotProcess:
    """`python -m bot run` in a child process, its stderr kept in a file."""

    def __init__(self, env: dict[str, str], log: Path, *args: str):
        self.log = log
        self._offset = log.stat().st_size if log.exists() else 0
        with log.open("a") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run", *args],
                cwd=log.parent,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )

    def output(self) -> str:
        with self.log.open() as f:
            f.seek(self._offset)
            return f.read()

    async def wait_up(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while "newsbot is up" not in self.output():
            assert self.process.poll() is None, self.output()
            assert time.monotonic() < deadline, self.output()
            await asyncio.sleep(0.05)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    async def terminate(self, timeout: float = 15.0) -> tuple[int, float]:
        """Send SIGTERM; return the exit code and the seconds it took to exit."""
        began = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        while self.process.poll() is None:
            if time.monotonic() - began > timeout:
                self.process.kill()
                raise AssertionError("the bot did not stop after SIGTERM")
            await asyncio.sleep(0.02)
        return self.process.returncode, time.monotonic() - began


@dataclass
class Newsroom:
    db: Database
    publisher: Publisher
    env: dict[str, str]
    log: Path
    bots: list[BotProcess] = field(default_factory=list)

    def start_bot(self, *args: str) -> BotProcess:
        bot = BotProcess(self.env, self.log, *args)
        self.bots.append(bot)
        return bot

    async def outstanding(self) -> int:
        async with self.db.reader.execute(
            "SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending')"
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0])

    async def drained(self, timeout: float = 40.0) -> None:
        deadline = time.monotonic() + timeout
        while await self.outstanding():
            assert time.monotonic() < deadline, "deliveries still outstanding"
            await asyncio.sleep(0.1)

    async def in_flight(self) -> int:
        """Return how many deliveries are marked as being sent."""
        async with self.db.reader.execute(
            "SELECT count(*) FROM deliveries WHERE status = 'sending'"
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0])

    async def statuses(self, article_id: int) -> dict[int, str]:
        async with self.db.reader.execute(
            "SELECT chat_id, status FROM deliveries WHERE article_id = ?", (article_id,)
        ) as cursor:
            return {chat_id: status for chat_id, status in await cursor.fetchall()}


@pytest.fixture
async def newsroom(sandbox_process: SandboxProcess, tmp_path: Path) -> AsyncIterator[Newsroom]:
    """A database the bot will use, and the environment to start it with."""
    db = await connect(tmp_path / "newsbot.sqlite3")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "NEWSBOT_"))},
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": sandbox_process.base_url,
        "NEWSBOT_DB": str(tmp_path / "newsbot.sqlite3"),
        "NEWSBOT_ADMINS": str(EDITOR),
        "NEWSBOT_SEND_RATE": str(RATE),
    }
    room = Newsroom(db, Publisher(db), env, tmp_path / "bot.stderr")
    try:
        yield room
    finally:
        for bot in room.bots:
            if bot.process.poll() is None:
                bot.kill()
        await db.close()
        # Whatever happened, in every run: the token never reached a log line.
        if room.log.exists():
            assert SECRET not in room.log.read_text()


async def subscribers(control: Control, db: Database, count: int, topic: str) -> list[int]:
    """Create `count` sandbox users and record them in the database as following `topic`."""
    ids: list[int] = (await control.call("/users", {"count": count}))["ids"]
    now = time.time()
    async with db.transaction() as conn:
        found = await articles.ensure_topic(conn, topic.lower(), topic)
        for chat_id in ids:
            await chats.upsert_chat(conn, chat_id, "private", None, "fr", now)
            await chats.subscribe(conn, chat_id, now, topic_id=found.id)
    return ids


def draft(title: str, topic: str) -> ArticleDraft:
    return ArticleDraft(
        title=title, lead=f"Chapeau : {title}.", author="Awa Keïta", topics=(topic,)
    )


async def delivered_at_least(control: Control, count: int, timeout: float = 40.0) -> int:
    deadline = time.monotonic() + timeout
    while (delivered := (await control.stats())["messages_delivered"]) < count:
        assert time.monotonic() < deadline, f"only {delivered} messages delivered"
        await asyncio.sleep(0.01)
    return delivered


@dataclass(frozen=True)
class Kill:
    """The sends in flight when the bot was killed, as the sandbox and the bot's sockets show."""

    delivered: int  # messages the sandbox had accepted, in all
    in_flight: frozenset[int]  # chats whose answer the bot had not acknowledged by asking again
    unread: frozenset[int]  # of those, chats whose answer still lay unread in the bot's socket


def connections_to(pid: int, server_port: int) -> tuple[set[int], set[int]]:
    """Return the local ports of a process's TCP connections to `server_port`, and those of
    them holding bytes the process has not read (Linux: /proc/<pid>/net/tcp, IPv4)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target.removeprefix("socket:[").removesuffix("]"))
    ports, unread = set(), set()
    with open(f"/proc/{pid}/net/tcp", encoding="ascii") as table:
        next(table)
        for line in table:
            fields = line.split()
            local, remote, queues, inode = fields[1], fields[2], fields[4], fields[9]
            if inode in inodes and int(remote.rpartition(":")[2], 16) == server_port:
                port = int(local.rpartition(":")[2], 16)
                ports.add(port)
                if int(queues.partition(":")[2], 16):
                    unread.add(port)
    return ports, unread


async def kill_counting_in_flight(bot: BotProcess, control: Control, server_port: int) -> Kill:
    """SIGKILL the bot, counting first the sends in flight at that moment.

    SIGSTOP freezes it where the kill would have found it: it reads nothing more. The sandbox
    finishes the requests it already had, their answers landing unread in the bot's sockets as
    they would after a kill. A send is in flight when the sandbox accepted it and the bot had
    not asked again on that connection (which it does only once it has read the answer);
    unread when its answer is still in the bot's socket.
    """
    bot.process.send_signal(signal.SIGSTOP)
    delivered = -1
    while True:  # until the sandbox has nothing more from the bot to accept
        await asyncio.sleep(0.2)
        stats = await control.stats()
        if stats["messages_delivered"] == delivered:
            break
        delivered = stats["messages_delivered"]
    ports, unread = connections_to(bot.process.pid, server_port)
    bot.kill()
    answers = {int(port): a["chat_id"] for port, a in stats["unacknowledged"].items()}
    return Kill(
        delivered,
        frozenset(chat for port, chat in answers.items() if port in ports),
        frozenset(chat for port, chat in answers.items() if port in unread),
    )


@pytest.mark.skipif(not Path("/proc/self/net/tcp").exists(), reason="reads sockets in /proc")
async def test_sigkill_mid_broadcast_three_times_loses_no_alert(
    control: Control, newsroom: Newsroom, sandbox_process: SandboxProcess
) -> None:
    """Two articles for 2,000 chats each; the bot is SIGKILLed at three seeded moments.

    At 300 messages a second outcomes are written a batch of `concurrency` at a time: a kill
    repeats at most the sends in flight and the batch filling (two, while one is written).
    """
    batch = Settings(send_rate=RATE).concurrency
    server_port = urlsplit(sandbox_process.base_url).port
    assert server_port is not None
    ids = await subscribers(control, newsroom.db, CHATS, "Crash")
    titles = ("Coupure générale à Bamako", "Reprise du trafic sur le fleuve")
    base = (await control.stats())["messages_delivered"]
    total = 2 * CHATS
    kill_points = sorted(random.Random(SEED).sample(range(total // 20, total * 19 // 20), 3))

    # The first article waits in the outbox before the bot starts; the second is published
    # from this process while the bot is busy with the first (two writers, one WAL file).
    first = await newsroom.publisher.publish(
        draft(titles[0], "Crash"), source_key="crash:1", origin="editor"
    )
    assert first.queued == CHATS
    article_ids = [first.article_id]
    in_flight: dict[int, set[int]] = {}  # article -> chats delivered but not marked 'sent'
    owed = 0  # messages delivered beyond those recorded sent: the repeats so far
    report: list[tuple[int, int, int, int, int]] = []
    for point in kill_points:
        bot = newsroom.start_bot()
        await bot.wait_up()
        if len(article_ids) == 1:
            await delivered_at_least(control, base + min(300, point - 1))
            second = await newsroom.publisher.publish(
                draft(titles[1], "Crash"), source_key="crash:2", origin="editor"
            )
            assert second.queued == CHATS
            article_ids.append(second.article_id)
        await delivered_at_least(control, base + point)
        kill = await kill_counting_in_flight(bot, control, server_port)
        delivered = kill.delivered - base
        recorded = 0
        for article_id, title in zip(article_ids, titles, strict=False):
            statuses = await newsroom.statuses(article_id)
            assert set(statuses.values()) <= {"pending", "sending", "sent"}, statuses
            recorded += Counter(statuses.values())["sent"]
            maybe = [c for c, s in statuses.items() if s == "sending"]
            received = await control.received_many(maybe, title)
            caught = {c for c, n in received.items() if n}
            in_flight.setdefault(article_id, set()).update(caught)
        repeats = delivered - recorded - owed  # what this kill will send again
        owed += repeats
        report.append((point, delivered, len(kill.in_flight), len(kill.unread), repeats))
        assert repeats <= len(kill.in_flight) + 2 * batch, report

    bot = newsroom.start_bot()
    await bot.wait_up()
    assert "Resuming" in bot.output()  # start() put the 'sending' rows back in the queue
    await newsroom.drained()
    code, _ = await bot.terminate()
    assert code == 0

    duplicates = 0
    for article_id, title in zip(article_ids, titles, strict=True):
        received = await control.received_many(ids, title)
        assert min(received.values()) == 1, "a chat never got its alert"
        twice = {c for c, n in received.items() if n > 1}
        assert max(received.values()) <= 2
        # Only a message Telegram had accepted when the bot died may come twice.
        assert twice <= in_flight[article_id]
        duplicates += len(twice)
        statuses = await newsroom.statuses(article_id)
        assert Counter(statuses.values()) == {"sent": CHATS}
    stats = await control.stats()
    assert stats["messages_delivered"] - base == total + duplicates
    assert duplicates == owed  # every repeat was counted at its kill
    assert stats["retry_after_ignored"] == 0
    print(f"\nkills (point, delivered, in flight, unread, repeats): {report}; repeats {owed}")


@pytest.mark.skipif(not Path("/proc/self/net/tcp").exists(), reason="reads sockets in /proc")
async def test_sigkill_at_telegrams_pace_repeats_only_what_was_in_flight(
    control: Control, newsroom: Newsroom, sandbox_process: SandboxProcess
) -> None:
    """240 chats at 30 messages a second, the bot SIGKILLed at five seeded moments.

    Each outcome is written before the bot sends on, so a kill repeats only sends in flight:
    accepted by Telegram, their answer not yet acknowledged by the bot; at this pace, two at most.
    """
    await control.call("/limits", {"global_per_second": PACE * 1.5})
    newsroom.env["NEWSBOT_SEND_RATE"] = str(PACE)
    server_port = urlsplit(sandbox_process.base_url).port
    assert server_port is not None
    ids = await subscribers(control, newsroom.db, PACE_CHATS, "Rythme")
    title = "Grève des transporteurs à Sikasso"
    base = (await control.stats())["messages_delivered"]
    step = PACE_CHATS // (PACE_KILLS + 1)
    rng = random.Random(SEED)
    kill_points = [step * k + rng.randrange(step // 2) for k in range(1, PACE_KILLS + 1)]
    published = await newsroom.publisher.publish(
        draft(title, "Rythme"), source_key="pace:1", origin="editor"
    )
    assert published.queued == PACE_CHATS

    owed = 0  # messages delivered beyond those recorded sent: the repeats so far
    report: list[tuple[int, int, int, int]] = []
    for point in kill_points:
        bot = newsroom.start_bot()
        await bot.wait_up()
        await delivered_at_least(control, base + point)
        kill = await kill_counting_in_flight(bot, control, server_port)
        statuses = await newsroom.statuses(published.article_id)
        recorded = Counter(statuses.values())["sent"]
        repeats = kill.delivered - base - recorded - owed  # what this kill will send again
        owed += repeats
        report.append((point, len(kill.in_flight), len(kill.unread), repeats))
        # An answer the bot never read cannot have been written down: it goes again.
        assert all(statuses[chat] == "sending" for chat in kill.unread), (report, statuses)
        assert kill.unread <= kill.in_flight
        assert repeats <= len(kill.in_flight), report
        assert repeats <= 2, report

    bot = newsroom.start_bot()
    await bot.wait_up()
    await newsroom.drained()
    code, _ = await bot.terminate()
    assert code == 0
    received = await control.received_many(ids, title)
    assert min(received.values()) == 1, "a chat never got its alert"
    assert sum(n - 1 for n in received.values()) == owed  # every repeat was counted at a kill
    statuses = await newsroom.statuses(published.article_id)
    assert Counter(statuses.values()) == {"sent": PACE_CHATS}
    assert (await control.stats())["retry_after_ignored"] == 0
    print(f"\nkills at {PACE}/s (point, in flight, unread, repeats): {report}; repeats {owed}")


async def test_sigterm_mid_broadcast_stops_quickly_and_loses_nothing(
    control: Control, newsroom: Newsroom
) -> None:
    ids = await subscribers(control, newsroom.db, CHATS, "Arret")
    title = "Session extraordinaire de l’Assemblée"
    base = (await control.stats())["messages_delivered"]
    result = await newsroom.publisher.publish(
        draft(title, "Arret"), source_key="term:1", origin="editor"
    )
    bot = newsroom.start_bot()
    await bot.wait_up()
    await delivered_at_least(control, base + CHATS // 3)
    code, seconds = await bot.terminate()
    assert code == 0, bot.output()
    assert seconds < 6.0
    await asyncio.sleep(0.2)
    delivered = (await control.stats())["messages_delivered"] - base
    statuses = await newsroom.statuses(result.article_id)
    assert "sending" not in statuses.values()  # a clean stop leaves nothing in flight
    assert Counter(statuses.values())["sent"] == delivered  # every sent message is recorded
    assert delivered < CHATS

    bot = newsroom.start_bot()
    await bot.wait_up()
    await newsroom.drained()
    code, _ = await bot.terminate()
    assert code == 0
    received = await control.received_many(ids, title)
    assert Counter(received.values()) == {1: CHATS}
    print(f"\nSIGTERM after {delivered} of {CHATS}: stopped in {seconds:.2f} s, no duplicate")


async def test_sigterm_twenty_times_idle_sending_or_starting_always_exits_cleanly(
    control: Control, newsroom: Newsroom
) -> None:
    """SIGTERM at any moment: while starting, idle, or mid-broadcast; never a hang, a
    traceback or an unclosed session, and nothing left in flight."""
    ids = await subscribers(control, newsroom.db, 300, "Signal")
    rng = random.Random(SEED)
    moments: Counter[str] = Counter()
    for round_ in range(20):
        moment = ("starting", "idle", "sending")[round_ % 3]
        moments[moment] += 1
        if moment == "sending":
            await newsroom.publisher.publish(
                draft(f"Signal {round_}", "Signal"), source_key=f"sig:{round_}", origin="editor"
            )
        bot = newsroom.start_bot()
        if moment == "starting":
            await asyncio.sleep(rng.uniform(0.3, 1.2))  # loading, reaching Telegram, the db
        else:
            await bot.wait_up()
            await asyncio.sleep(rng.uniform(0.0, 0.3))
        code, seconds = await bot.terminate()
        output = bot.output()
        assert code == 0, output
        assert seconds < 6.0, (moment, seconds)
        assert "Traceback" not in output and "Unclosed" not in output, output
        assert await newsroom.in_flight() == 0, moment  # a clean stop leaves none
    bot = newsroom.start_bot()
    await bot.wait_up()
    await newsroom.drained()
    assert (await bot.terminate())[0] == 0
    received = await control.received_many(ids, "Signal")
    assert set(received.values()) == {moments["sending"]}  # each broadcast once, none lost
    print(f"\n20 SIGTERMs ({dict(moments)}): every exit clean")


async def test_token_never_logged_even_when_telegram_fails(
    control: Control, newsroom: Newsroom
) -> None:
    """Verbose logging, 5xx on every method including getUpdates: no line has the token."""
    ids = await subscribers(control, newsroom.db, 50, "Jeton")
    await control.call(
        "/faults",
        {"error_rate": 0.5, "methods": ["getupdates", "sendmessage", "getme", "setmycommands"]},
    )
    await newsroom.publisher.publish(draft("Jeton", "Jeton"), source_key="tok", origin="editor")
    bot = newsroom.start_bot("--verbose")
    await bot.wait_up()
    await asyncio.sleep(2.0)
    await control.call("/faults", {"clear": True})
    await newsroom.drained()
    await control.call("/send", {"user_id": ids[0], "text": "/start"})
    await asyncio.sleep(0.5)
    code, _ = await bot.terminate()
    assert code == 0
    output = bot.output()
    assert "500" in output or "502" in output or "NetworkError" in output  # errors were logged
    assert "DEBUG" in output
    assert SECRET not in output and TOKEN not in output
