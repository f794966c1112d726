"""Opening the database: pragmas, migrations, and the one write path (`Database.transaction`)."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

import aiosqlite

__all__ = ["SCHEMA_VERSION", "Database", "DatabaseTooNewError", "connect"]

logger = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
BUSY_TIMEOUT_MS = 5000


class DatabaseTooNewError(RuntimeError):
    """The file was written by a newer newsbot than this one."""


def _migrations() -> list[tuple[int, str]]:
    found = []
    for entry in resources.files("db.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    return sorted(found)


SCHEMA_VERSION = max(version for version, _ in _migrations())


def _probe(path: str | Path) -> None:
    """Fail as sqlite3 does on a file that cannot be opened or is not a database."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA schema_version")  # reads the header
    finally:
        connection.close()


async def _open(path: str | Path) -> aiosqlite.Connection:
    # A file that cannot be opened fails here first, with plain sqlite3: aiosqlite, failing to
    # open it, stops its worker thread without waiting, and that thread may then answer an
    # event loop already closed, with a traceback on the way out.
    await asyncio.to_thread(_probe, path)
    # isolation_level=None: no implicit transactions; writers say BEGIN themselves.
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        await conn.close()  # an open connection's thread would keep the process from exiting
        raise
    return conn


async def _migrate(conn: aiosqlite.Connection) -> None:
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    current = row[0] if row else 0
    if current > SCHEMA_VERSION:
        raise DatabaseTooNewError(
            f"the database is at schema version {current}, newer than this newsbot "
            f"({SCHEMA_VERSION}): upgrade newsbot"
        )
    for version, script in _migrations():
        if version > current:
            logger.info("Applying database migration %04d", version)
            try:
                await conn.executescript(
                    f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;"
                )
            except BaseException:
                if conn.in_transaction:
                    await conn.execute("ROLLBACK")
                raise


class Database:
    """Two connections to one SQLite file in WAL mode.

    Readers use `reader` and never wait for a long write. Every write goes through
    `transaction()`, which serialises writers: on a shared connection a statement issued
    by one task while another task's transaction is open would silently join it.
    """

    def __init__(
        self, path: str | Path, reader: aiosqlite.Connection, writer: aiosqlite.Connection
    ):
        self.path = path
        self.reader = reader
        self.writer = writer
        self._write_lock = asyncio.Lock()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run the block in one immediate transaction on the writer connection."""
        async with self._write_lock:
            await self.writer.execute("BEGIN IMMEDIATE")
            try:
                yield self.writer
            except BaseException:
                await self.writer.execute("ROLLBACK")
                raise
            await self.writer.execute("COMMIT")

    async def close(self) -> None:
        """Close both connections."""
        await self.reader.close()
        await self.writer.close()


async def connect(path: str | Path) -> Database:
    """Open (creating if needed) and migrate the database at `path`."""
    writer = await _open(path)
    try:
        await writer.execute("PRAGMA journal_mode = WAL")
        await _migrate(writer)
        reader = await _open(path)
    except BaseException:
        await writer.close()
        raise
    return Database(path, reader, writer)
