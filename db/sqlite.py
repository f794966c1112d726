"""SQLite through aiosqlite: pragmas, migrations (PRAGMA user_version), serialised writers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

import aiosqlite

from db.connection import (
    SCHEMA_VERSION,
    Database,
    Dialect,
    Params,
    Row,
    RowCount,
    Statement,
    migrations,
    too_new,
)

__all__ = ["BUSY_TIMEOUT_MS", "SqliteConnection", "SqliteDatabase", "connect"]

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000


class SqliteConnection:
    """One aiosqlite connection behind the neutral `Connection` methods."""

    def __init__(self, raw: aiosqlite.Connection):
        self.raw = raw

    @property
    def dialect(self) -> Dialect:
        return "sqlite"

    @property
    def in_transaction(self) -> bool:
        return self.raw.in_transaction

    def execute(self, sql: str, params: Params = ()) -> Statement:
        return Statement(lambda: self._run(sql, params), lambda: self.fetchall(sql, params))

    async def _run(self, sql: str, params: Params) -> RowCount:
        cursor = await self.raw.execute(sql, params)
        try:
            return RowCount(cursor.rowcount, cursor.lastrowid)
        finally:
            await cursor.close()

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self.raw.executemany(sql, rows)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        async with self.raw.execute(sql, params) as cursor:
            return cast(list[Row], list(await cursor.fetchall()))

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        async with self.raw.execute(sql, params) as cursor:
            return cast(Row | None, await cursor.fetchone())

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return row[0] if row is not None else None

    async def close(self) -> None:
        await self.raw.close()


def _probe(path: str | os.PathLike[str]) -> None:
    """Fail as sqlite3 does on a file that cannot be opened or is not a database."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA schema_version")  # reads the header
    finally:
        connection.close()


async def _open(path: str | os.PathLike[str]) -> SqliteConnection:
    # A file that cannot be opened fails here first, with plain sqlite3: aiosqlite, failing to
    # open it, stops its worker thread without waiting, and that thread may then answer an
    # event loop already closed, with a traceback on the way out.
    await asyncio.to_thread(_probe, path)
    # isolation_level=None: no implicit transactions; writers say BEGIN themselves.
    conn = await aiosqlite.connect(os.fspath(path), isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        await conn.close()  # an open connection's thread would keep the process from exiting
        raise
    return SqliteConnection(conn)


async def _migrate(conn: aiosqlite.Connection) -> None:
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    current = row[0] if row else 0
    if current > SCHEMA_VERSION:
        raise too_new(current)
    for version, script in migrations("sqlite"):
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


class SqliteDatabase(Database):
    """Two connections to one SQLite file in WAL mode.

    Readers use `reader` and never wait for a long write. Every write goes through
    `transaction()`, which serialises writers: on a shared connection a statement issued
    by one task while another task's transaction is open would silently join it.
    """

    dialect: Dialect = "sqlite"

    def __init__(
        self, path: str | os.PathLike[str], reader: SqliteConnection, writer: SqliteConnection
    ):
        self.path = path
        self.reader: SqliteConnection = reader
        self.writer = writer
        self._write_lock = asyncio.Lock()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqliteConnection]:
        """Run the block in one immediate transaction on the writer connection."""
        async with self._write_lock:
            if self.writer.raw.in_transaction:
                # Left open by a caller cancelled while its BEGIN ran in aiosqlite's thread
                # (a stop during start-up): nobody's work, and it would refuse this BEGIN.
                with contextlib.suppress(sqlite3.OperationalError):
                    await self.writer.raw.execute("ROLLBACK")
            await self.writer.raw.execute("BEGIN IMMEDIATE")
            try:
                yield self.writer
            except BaseException:
                await self.writer.raw.execute("ROLLBACK")
                raise
            await self.writer.raw.execute("COMMIT")

    async def ping(self) -> None:
        await self.reader.fetchval("SELECT 1")

    async def close(self) -> None:
        await self.reader.close()
        await self.writer.close()


async def connect(path: str | os.PathLike[str]) -> SqliteDatabase:
    """Open (creating if needed) and migrate the database file at `path`."""
    writer = await _open(path)
    try:
        await writer.raw.execute("PRAGMA journal_mode = WAL")
        await _migrate(writer.raw)
        reader = await _open(path)
    except BaseException:
        await writer.close()
        raise
    return SqliteDatabase(Path(path), reader, writer)
