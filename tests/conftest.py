"""Shared fixtures: a clean environment for every test and a real SQLite file per test."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from db import Database, connect

_OUR_VARIABLES = ("TELEGRAM_", "NEWSBOT_")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Keep settings from leaking between tests, and out of the developer's own .env."""
    for name in list(os.environ):
        if name.startswith(_OUR_VARIABLES):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    yield


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated database in a real file under tmp_path."""
    db = await connect(tmp_path / "newsbot.sqlite3")
    yield db
    await db.close()
