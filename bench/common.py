"""Shared helpers for the benchmarks: the sandbox in its own process, the bot under test,
deterministic data, RSS, percentiles and the results table.

Every benchmark prints a markdown table (figure | value | target | ok) built from the
median of several runs, and saves it under bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import inspect
import json
import math
import os
import shutil
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

# The product's handlers are not what is measured; their start-up warnings are noise here.
warnings.filterwarnings("ignore", module="telegram")
warnings.filterwarnings("ignore", message=".*per_message.*")

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DATA = RESULTS / "data"  # cached generated databases (gitignored with bench/results/)
TOKEN = "123456789:BENCH-token_abcdefghijklmnopqrstuvwxyz"
NOW = 1_717_200_000.0  # a fixed "now" for generated data (2024-06-01)

__all__ = [
    "DATA",
    "NOW",
    "RESULTS",
    "ROOT",
    "TOKEN",
    "BotProcess",
    "Figure",
    "SandboxProcess",
    "bot_env",
    "bot_settings",
    "bulk_connection",
    "cpu_seconds",
    "create_schema",
    "median_of",
    "parse_args",
    "percentile",
    "report",
    "reset_peak_rss",
    "rss_mb",
    "scratch_dir",
]


# --- numbers ----------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Return the p-th percentile (0-100) of `values`, interpolated between ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100.0
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median_of(runs: Sequence[dict[str, float]], key: str) -> float:
    """Return the median of one metric over several runs."""
    return statistics.median(run[key] for run in runs)


def rss_mb(pid: int | str = "self") -> tuple[float, float]:
    """Return (current RSS, peak RSS) of a process in MB, from /proc/<pid>/status."""
    values = {"VmRSS": 0.0, "VmHWM": 0.0}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in values:
                values[name] = int(rest.split()[0]) / 1024.0
    return values["VmRSS"], values["VmHWM"]


def cpu_seconds(pid: int | str = "self") -> float:
    """Return the CPU time (user + system) a process has used, in seconds."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reset_peak_rss() -> None:
    """Reset this process's peak RSS (VmHWM) to its current RSS (Linux clear_refs 5)."""
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w", encoding="ascii") as f:
        f.write("5")


# --- the results table ------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One row of a results table."""

    figure: str
    value: str
    target: str = ""
    ok: bool | None = None  # None: informative only


def report(name: str, title: str, figures: Iterable[Figure], notes: Sequence[str] = ()) -> bool:
    """Print the table, save it to bench/results/<name>.md; return whether every target met."""
    rows = list(figures)
    lines = [
        f"### {title}",
        "",
        "| figure | value | target | ok |",
        "| --- | --- | --- | --- |",
    ]
    for row in rows:
        mark = "" if row.ok is None else ("yes" if row.ok else "**NO**")
        lines.append(f"| {row.figure} | {row.value} | {row.target} | {mark} |")
    if notes:
        lines.append("")
        lines.extend(f"- {note}" for note in notes)
    text = "\n".join(lines) + "\n"
    print(text, flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.md").write_text(text, encoding="utf-8")
    return all(row.ok is not False for row in rows)


def parse_args(description: str, runs: int = 3) -> argparse.Namespace:
    """Parse the common options: --runs, --backend."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=runs, help="repetitions; medians are quoted")
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="the database (PostgreSQL: a throw-away server started for the run)",
    )
    return parser.parse_args()


def log(message: str) -> None:
    """Progress on stderr, so stdout stays the table."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- files ------------------------------------------------------------------------------


@contextlib.contextmanager
def scratch_dir(prefix: str = "newsbot-bench-") -> Any:
    """A temporary directory, removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


async def create_schema(path: Path) -> None:
    """Create the bot's database with its exact schema (db.connect migrates it), empty."""
    from db import connect

    database = await connect(path)
    await database.close()


def bulk_connection(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection for fast generation (one transaction, no fsync)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("PRAGMA cache_size = -200000")
    return conn


def add_chats_and_subscriptions(
    path: Path,
    private_ids: Sequence[int],
    group_ids: Sequence[int],
    topic: str = "Mali",
    author: str = "Awa KEITA",
) -> None:
    """Record chats in the bot's database, each following `topic` (author is created too)."""
    from bot import site

    conn = bulk_connection(path)
    conn.execute("BEGIN")
    conn.execute("INSERT INTO topics (id, key, name) VALUES (1, ?, ?)", (site.fold(topic), topic))
    conn.execute(
        "INSERT INTO authors (id, key, name) VALUES (1, ?, ?)", (site.fold(author), author)
    )
    conn.executemany(
        "INSERT INTO chats (id, type, title, language, status, created_at, updated_at) "
        "VALUES (?, ?, ?, 'fr', 'active', ?, ?)",
        [(cid, "private", None, NOW, NOW) for cid in private_ids]
        + [(gid, "group", f"Groupe {n}", NOW, NOW) for n, gid in enumerate(group_ids)],
    )
    conn.executemany(
        "INSERT INTO subscriptions (chat_id, topic_id, created_at) VALUES (?, 1, ?)",
        [(cid, NOW) for cid in [*private_ids, *group_ids]],
    )
    conn.execute("COMMIT")
    conn.close()


# --- the sandbox, in its own process ----------------------------------------------------


class SandboxProcess:
    """`python -m bot.sandbox` in a subprocess, driven through its /control JSON surface."""

    def __init__(
        self, *, rate_limits: bool = True, seed: int = 0, transcript_limit: int | None = 20
    ):
        self.rate_limits = rate_limits
        self.seed = seed
        self.transcript_limit = transcript_limit
        self.process: asyncio.subprocess.Process | None = None
        self.base_url = ""
        self.control_url = ""
        self._session: aiohttp.ClientSession | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def __aenter__(self) -> SandboxProcess:
        args = [
            sys.executable, "-m", "bot.sandbox", "--port", "0", "--token", TOKEN,
            "--seed", str(self.seed),
        ]  # fmt: skip
        if not self.rate_limits:
            args.append("--no-rate-limits")
        if self.transcript_limit is not None:
            args += ["--transcript-limit", str(self.transcript_limit)]
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.process = await asyncio.create_subprocess_exec(
            *args, stdout=asyncio.subprocess.PIPE, env=env, cwd=str(ROOT)
        )
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), 30)
        self.base_url = line.decode().strip()
        if not self.base_url.startswith("http"):
            raise RuntimeError(f"the sandbox did not start: {line!r}")
        self.control_url = self.base_url.removesuffix("/bot") + "/control"
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=256),
            timeout=aiohttp.ClientTimeout(total=120),
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()

    async def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Call /control<path> and return its JSON answer."""
        assert self._session is not None
        async with self._session.request(
            method, self.control_url + path, json=body if body is not None else None
        ) as response:
            if response.status >= 400:
                raise RuntimeError(f"{method} /control{path}: {response.status} "
                                   f"{await response.text()}")  # fmt: skip
            return await response.json()

    async def add_users(self, count: int) -> list[int]:
        """Create `count` users who have started the bot; return their ids (= chat ids)."""
        ids: list[int] = []
        while len(ids) < count:
            chunk = min(5000, count - len(ids))
            ids += (await self.control("POST", "/users", {"count": chunk}))["ids"]
        return ids

    async def add_group(self, title: str, members: Sequence[int]) -> int:
        """Create a group (the bot is a member); return its id."""
        created = await self.control(
            "POST", "/groups", {"title": title, "admins": list(members[:1]),
                                "members": list(members[1:])}
        )  # fmt: skip
        return int(created["id"])

    async def send(self, user_id: int, text: str, chat_id: int | None = None) -> dict[str, Any]:
        """A user sends a message (to the bot in private, or in `chat_id`)."""
        body: dict[str, Any] = {"user_id": user_id, "text": text}
        if chat_id is not None:
            body["chat_id"] = chat_id
        return (await self.control("POST", "/send", body))["message"]

    async def wait(
        self, chat_id: int, *, after: int | None = None, count: int = 1, within: float = 10.0
    ) -> list[dict[str, Any]]:
        """Wait for the bot's next message(s) in a chat (after the sandbox-wide mark `after`).

        Raises RuntimeError when nothing came `within` seconds.
        """
        body: dict[str, Any] = {"chat_id": chat_id, "count": count, "timeout": within}
        if after is not None:
            body["after"] = after
        return (await self.control("POST", "/wait", body))["messages"]

    async def ask(self, user_id: int, text: str, after: int, within: float = 10.0) -> int:
        """A user sends `text` to the bot and waits for its reply; return the new mark."""
        await self.send(user_id, text)
        body = {"chat_id": user_id, "count": 1, "timeout": within, "after": after}
        return int((await self.control("POST", "/wait", body))["mark"])

    async def mark(self, chat_id: int) -> int:
        """Return the sandbox's current event mark (for `wait(after=...)`)."""
        body = {"chat_id": chat_id, "count": 1, "timeout": 5, "after": 0}
        return int((await self.control("POST", "/wait", body))["mark"])

    async def stats(self) -> dict[str, Any]:
        return await self.control("GET", "/stats")

    async def reset_stats(self) -> dict[str, Any]:
        return await self.control("POST", "/stats/reset")


# --- the bot under test -----------------------------------------------------------------


def bot_settings(
    base_url: str, db_path: Path, *, send_rate: float = 30.0, paid_broadcast: bool = False
) -> Any:
    """Settings for the bot under test, running in this process."""
    from bot.config import Secret, Settings

    return Settings(
        token=Secret(TOKEN),
        api_url=base_url,
        db_path=db_path,
        send_rate=send_rate,
        paid_broadcast=paid_broadcast,
    )


def bot_env(
    base_url: str, db_path: Path | str, *, send_rate: float = 30.0, paid_broadcast: bool = False
) -> dict[str, str]:
    """Environment of `newsbot run` for the bot under test, in its own process."""
    return dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=base_url,
        NEWSBOT_DB=str(db_path),
        NEWSBOT_SEND_RATE=str(send_rate),
        NEWSBOT_PAID_BROADCAST="yes" if paid_broadcast else "no",
    )


@dataclass
class BotProcess:
    """`newsbot run` (python -m bot run) in its own process."""

    env: dict[str, str]
    cwd: Path
    process: asyncio.subprocess.Process | None = field(default=None, init=False)

    async def __aenter__(self) -> BotProcess:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            env=self.env, cwd=str(self.cwd),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def __aexit__(self, *exc: object) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


async def wait_until(condition: Callable[[], Any], within: float, interval: float = 0.05) -> bool:
    """Poll an async condition until it is true or the time is up; return whether it was."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return True
        await asyncio.sleep(interval)
    return False


async def bot_answers(sandbox: SandboxProcess, user_id: int, within: float = 30.0) -> int:
    """Send /start until the bot answers (it is up and polling); return the sandbox mark
    to wait for this chat's next reply after."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        await sandbox.send(user_id, "/start")
        try:
            await sandbox.wait(user_id, after=0, within=2.0)
        except RuntimeError:
            continue
        return await sandbox.mark(user_id)
    raise RuntimeError("the bot did not answer /start")


@contextlib.asynccontextmanager
async def in_process_bot(settings: Any) -> AsyncIterator[Any]:
    """The bot (build_application + running) inside this process and its event loop."""
    from bot.app import build_application, running

    application = build_application(settings)
    async with running(application, poll_timeout=10) as app:
        yield app


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


@contextlib.asynccontextmanager
async def sandbox_and_bot_process(
    db_path: Path | str,
    *,
    rate_limits: bool = False,
    send_rate: float = 1000.0,
    cwd: Path | None = None,
) -> AsyncIterator[tuple[SandboxProcess, BotProcess, list[int]]]:
    """A sandbox and `newsbot run` on `db_path` (a file, or a PostgreSQL URL with `cwd`),
    each in its own process, the bot answering.

    Yields (sandbox, bot process, [a user id that has talked to the bot]).
    """
    async with SandboxProcess(rate_limits=rate_limits, transcript_limit=20) as sandbox:
        [probe] = await sandbox.add_users(1)
        env = bot_env(sandbox.base_url, db_path, send_rate=send_rate)
        async with BotProcess(env, cwd or Path(db_path).parent) as bot:
            await bot_answers(sandbox, probe, within=60)
            yield sandbox, bot, [probe]


def copy_database(source: Path, target_dir: Path) -> Path:
    """Copy a cached database (and nothing of a WAL: the cache is checkpointed)."""
    target = target_dir / source.name
    shutil.copyfile(source, target)
    return target
