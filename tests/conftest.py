"""Shared fixtures: a clean environment for every test, a real database per test (a SQLite
file, or a PostgreSQL database), and the bot running against the sandbox."""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from bot.app import build_application, running
from bot.config import Secret, Settings
from bot.context import NewsbotApplication
from bot.pacing import ChatLimits
from bot.publishing import Publisher
from bot.samples import load_samples
from bot.sandbox import RateLimits, Sandbox, SandboxChat, SandboxMessage, SandboxUser
from db import Database, DatabaseUrl, connect
from tests import postgres

_OUR_VARIABLES = ("TELEGRAM_", "NEWSBOT_")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Keep settings from leaking between tests, and out of the developer's own .env."""
    for name in list(os.environ):
        if name.startswith(_OUR_VARIABLES):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    yield


# --- the database, on each backend --------------------------------------------------------
# Every test that touches the database runs on SQLite and on PostgreSQL (`[sqlite]`,
# `[postgresql]` in its name), end-to-end tests (the `bot` fixture) included, unless it is
# about one backend (@pytest.mark.backends("sqlite")). PostgreSQL cases skip, saying why,
# where it is not installed (tests/postgres.py starts a throw-away server where it is).

BACKENDS = ("sqlite", "postgresql")
# NEWSBOT_TEST_E2E_BACKENDS=sqlite runs the end-to-end tests on SQLite only: a quicker loop.
E2E_BACKENDS = tuple(
    name.strip()
    for name in os.environ.get("NEWSBOT_TEST_E2E_BACKENDS", ",".join(BACKENDS)).split(",")
    if name.strip() in BACKENDS
) or ("sqlite",)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("backends")
    if marker is not None:
        names = marker.args
    elif "bot_settings" in metafunc.fixturenames:
        names = E2E_BACKENDS
    else:
        names = BACKENDS
    metafunc.parametrize("backend", names, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The backend this test runs on: "sqlite" or "postgresql"."""
    if request.param == "postgresql":
        postgres.server()  # skips the test, saying why, where PostgreSQL is not installed
    return str(request.param)


@pytest.fixture
async def database_target(backend: str, tmp_path: Path) -> AsyncIterator[Path | DatabaseUrl]:
    """Where the test's database lives: a file under tmp_path, or a fresh PostgreSQL database."""
    if backend == "sqlite":
        yield tmp_path / "newsbot.sqlite3"
        return
    url = await postgres.server().fresh_database()
    yield url
    await postgres.server().drop(url)


@pytest.fixture
async def database(database_target: Path | DatabaseUrl) -> AsyncIterator[Database]:
    """A migrated database: a real SQLite file under tmp_path, or a PostgreSQL database."""
    db = await connect(database_target)
    yield db
    await db.close()


# --- end to end: the real bot against the sandbox on loopback ---------------------------

BOT_TOKEN = "7000000001:AAH-sandbox-token-for-tests-only_0123"
BOT_USERNAME = "newsbot_test_bot"
EDITOR_ID = 5_000_000_001


@dataclass
class Harness:
    """The running bot, its sandbox and the people in it."""

    sandbox: Sandbox
    app: NewsbotApplication
    editor: SandboxUser

    @property
    def db(self) -> Database:
        return self.app.bot_data.db

    @property
    def publisher(self) -> Publisher:
        return self.app.bot_data.publisher

    async def ask(
        self,
        user: SandboxUser,
        text: str,
        count: int = 1,
        timeout: float = 5.0,
        chat: SandboxChat | None = None,
    ) -> list[SandboxMessage]:
        """Send `text` as `user` and return the bot's next `count` messages in that chat."""
        where = chat or user.private_chat
        mark = where.mark()
        await user.send(text, chat=chat)
        return await self.sandbox.wait_for(where, timeout=timeout, count=count, after=mark)


# Telegram's limits, but ten times as much per chat: a conversation test makes several
# exchanges in one chat, and real pacing (about one message a second) would make the suite
# crawl. Tests of pacing itself ask for Telegram's own with @pytest.mark.limits(...).
QUICK_LIMITS = RateLimits(private_per_second=10, private_burst=10, group_per_minute=600)
QUICK_CHAT_LIMITS = ChatLimits(
    private_burst=10, private_per_second=9.5, group_burst=10, group_per_minute=570
)


@dataclass(frozen=True)
class Limits:
    """The limits a test runs under: the sandbox's, and the bot's own pacing to match.

    The bot's NEWSBOT_SEND_RATE is the sandbox's ``global_per_second``; ``chat`` None is
    the bot's production pacing, made for Telegram's own per-chat limits.
    """

    sandbox: RateLimits
    chat: ChatLimits | None
    seed: int


def telegram_limits(*, global_rate: float = 30.0, seed: int = 7) -> Limits:
    """Return Telegram's own limits, with the bot-wide rate set to ``global_rate``."""
    return Limits(RateLimits(global_per_second=global_rate), None, seed)


@pytest.fixture
def limits(request: pytest.FixtureRequest) -> Limits:
    """Quick per-chat limits, or Telegram's own under ``@pytest.mark.limits(global_rate=…)``."""
    marker = request.node.get_closest_marker("limits")
    if marker is None:
        return Limits(replace(QUICK_LIMITS), QUICK_CHAT_LIMITS, seed=7)
    return telegram_limits(*marker.args, **marker.kwargs)


@pytest.fixture
def chat_limits(limits: Limits) -> ChatLimits | None:
    """The bot's per-chat pacing, matching the sandbox's limits."""
    return limits.chat


@pytest.fixture
async def sandbox(limits: Limits) -> AsyncIterator[Sandbox]:
    """A local Telegram with rate limits on."""
    async with Sandbox(
        token=BOT_TOKEN, bot_username=BOT_USERNAME, seed=limits.seed, limits=limits.sandbox
    ) as server:
        yield server


@pytest.fixture
async def bot_database(backend: str, tmp_path: Path) -> AsyncIterator[Path | DatabaseUrl]:
    """The bot's database: a file under tmp_path, or a fresh PostgreSQL database."""
    if backend == "sqlite":
        yield tmp_path / "bot.sqlite3"
        return
    url = await postgres.server().fresh_database()
    yield url
    await postgres.server().drop(url)


@pytest.fixture
def bot_settings(sandbox: Sandbox, limits: Limits, bot_database: Path | DatabaseUrl) -> Settings:
    """The bot's settings: the sandbox's URL, one editor, its own database."""
    return Settings(
        token=Secret(BOT_TOKEN),
        api_url=sandbox.base_url,
        db_path=bot_database,
        admins=frozenset({EDITOR_ID}),
        send_rate=limits.sandbox.global_per_second,
        feeds_private=True,  # the tests' feed servers run on loopback
    )


@pytest.fixture
async def bot(
    sandbox: Sandbox, bot_settings: Settings, chat_limits: ChatLimits | None
) -> AsyncIterator[Harness]:
    """The real Application, long polling the sandbox, with the sample articles loaded."""
    editor = sandbox.add_user("Mariam", "Coulibaly", "redaction", "fr", user_id=EDITOR_ID)
    application = build_application(bot_settings, chat_limits=chat_limits)
    async with running(application, poll_timeout=1):
        await load_samples(application.bot_data.publisher)
        yield Harness(sandbox, application, editor)


def free_port() -> int:
    """Return a loopback TCP port nobody listens on (for the bot's own HTTP server)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def webhook_settings(bot_settings: Settings) -> Settings:
    """The bot's settings in webhook mode: its HTTP server on a free loopback port."""
    port = free_port()
    return replace(
        bot_settings,
        webhook_url=f"http://127.0.0.1:{port}/telegram",
        listen=("127.0.0.1", port),
    )


@pytest.fixture
async def webhook_bot(
    sandbox: Sandbox, webhook_settings: Settings, chat_limits: ChatLimits | None
) -> AsyncIterator[Harness]:
    """The real Application taking updates by webhook from the sandbox, samples loaded."""
    editor = sandbox.add_user("Mariam", "Coulibaly", "redaction", "fr", user_id=EDITOR_ID)
    application = build_application(webhook_settings, chat_limits=chat_limits)
    async with running(application):
        await load_samples(application.bot_data.publisher)
        yield Harness(sandbox, application, editor)
