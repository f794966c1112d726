"""PostgreSQL through asyncpg: the one module that knows the driver.

Statements keep their `?` parameters; `to_dollar` rewrites them to `$1, $2, …` once per
statement text. Reads go to the pool (each on a connection of its own); every write
transaction takes one pooled connection. Writers are serialised, as on SQLite: within the
process by a lock, between instances by a transaction-level advisory lock, so the outbox's
"whichever of two writers comes last sees the other" holds on several instances too.
Migrations run under an advisory lock of their own: two instances starting at the same
moment migrate once.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from db.connection import (
    SCHEMA_VERSION,
    Database,
    DatabaseOpenError,
    DatabaseUrl,
    Dialect,
    Params,
    Row,
    RowCount,
    Statement,
    migrations,
    too_new,
)

__all__ = [
    "BUSY_ERRORS",
    "UNAVAILABLE_ERRORS",
    "PostgresConnection",
    "PostgresDatabase",
    "PostgresSession",
    "connect",
    "to_dollar",
]

logger = logging.getLogger(__name__)

# pg_advisory_xact_lock keys: "newsbot" and its two uses, fixed so every instance agrees.
_MIGRATION_LOCK = 0x6E657773_0001
_WRITE_LOCK = 0x6E657773_0002
CONNECT_TIMEOUT = 10.0
POOL_SIZE = 10

UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.InvalidAuthorizationSpecificationError,
    asyncpg.InvalidCatalogNameError,
)
"""What a server that is down, refuses or forgets us raises: 'the database is unavailable'."""

BUSY_ERRORS: tuple[type[BaseException], ...] = (
    *UNAVAILABLE_ERRORS,
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
    asyncpg.LockNotAvailableError,
    asyncpg.QueryCanceledError,
)
"""What a statement may fail with for a moment, changing nothing: worth trying again later."""

# A `?` outside string literals, quoted identifiers and comments is a parameter.
_TOKENS = re.compile(r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|/\*.*?\*/|\?""", re.DOTALL)


@functools.lru_cache(maxsize=4096)
def to_dollar(sql: str) -> str:
    """Rewrite `?` parameters to PostgreSQL's `$1, $2, …`, leaving literals alone."""
    count = 0

    def number(match: re.Match[str]) -> str:
        nonlocal count
        if match.group(0) != "?":
            return match.group(0)
        count += 1
        return f"${count}"

    return _TOKENS.sub(number, sql)


def _rowcount(status: str) -> int:
    # "INSERT 0 5", "UPDATE 3", "DELETE 0", "SELECT 2"; a DDL status has no count.
    last = status.rpartition(" ")[2]
    return int(last) if last.isdigit() else -1


class PostgresConnection:
    """A pool (reads) or one connection (a transaction) behind the neutral methods."""

    def __init__(self, target: asyncpg.Pool | asyncpg.Connection):
        self.raw = target

    @property
    def dialect(self) -> Dialect:
        return "postgresql"

    def execute(self, sql: str, params: Params = ()) -> Statement:
        return Statement(lambda: self._run(sql, params), lambda: self.fetchall(sql, params))

    async def _run(self, sql: str, params: Params) -> RowCount:
        status = await self.raw.execute(to_dollar(sql), *params)
        return RowCount(_rowcount(status))

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        batch = [tuple(row) for row in rows]
        if batch:
            await self.raw.executemany(to_dollar(sql), batch)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return cast(list[Row], await self.raw.fetch(to_dollar(sql), *params))

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        return cast(Row | None, await self.raw.fetchrow(to_dollar(sql), *params))

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        return await self.raw.fetchval(to_dollar(sql), *params)


class PostgresSession(PostgresConnection):
    """One connection outside the pool (see `PostgresDatabase.session`)."""

    async def close(self) -> None:
        """End the session; whatever it held (advisory locks) is released with it."""
        await self.raw.close(timeout=CONNECT_TIMEOUT)


class PostgresDatabase(Database):
    """A pool of connections to one PostgreSQL database."""

    dialect: Dialect = "postgresql"

    def __init__(self, url: DatabaseUrl, pool: asyncpg.Pool):
        self.url = url
        self.pool = pool
        self.reader: PostgresConnection = PostgresConnection(pool)
        self._write_lock = asyncio.Lock()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresConnection]:
        """Run the block in one transaction on a pooled connection, one writer at a time."""
        async with self._write_lock, self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _WRITE_LOCK)
            yield PostgresConnection(conn)

    async def session(self) -> PostgresSession:
        """Open a connection of its own, outside the pool, for state that lives with a
        session (bot/instances.py's sender lock); close it to end the session."""
        try:
            raw = await asyncpg.connect(self.url.url, timeout=CONNECT_TIMEOUT)
        except UNAVAILABLE_ERRORS as error:
            raise DatabaseOpenError(
                f"cannot reach PostgreSQL at {self.url}: {_one_line(error)}"
            ) from None
        return PostgresSession(raw)

    async def ping(self) -> None:
        await self.pool.fetchval("SELECT 1", timeout=CONNECT_TIMEOUT)

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self.pool.close(), CONNECT_TIMEOUT)
        except TimeoutError:
            self.pool.terminate()


async def _migrate(conn: asyncpg.Connection) -> None:
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
        await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)")
        current = await conn.fetchval("SELECT max(version) FROM schema_version") or 0
        if current > SCHEMA_VERSION:
            raise too_new(current)
        applied = current
        for version, script in migrations("postgresql"):
            if version > current:
                logger.info("Applying database migration %04d", version)
                await conn.execute(script)
                applied = version
        if applied != current:
            await conn.execute("DELETE FROM schema_version")
            await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", applied)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


async def connect(url: DatabaseUrl) -> PostgresDatabase:
    """Open a pool on the database at `url` and migrate it."""
    try:
        pool = await asyncpg.create_pool(
            url.url,
            min_size=1,
            max_size=POOL_SIZE,
            timeout=CONNECT_TIMEOUT,
            statement_cache_size=512,
        )
    except UNAVAILABLE_ERRORS as error:
        raise DatabaseOpenError(f"cannot reach PostgreSQL at {url}: {_one_line(error)}") from None
    try:
        async with pool.acquire() as conn:
            await _migrate(conn)
    except asyncpg.PostgresError as error:
        pool.terminate()
        raise DatabaseOpenError(
            f"cannot prepare the database at {url}: {_one_line(error)}"
        ) from None
    except BaseException:
        pool.terminate()
        raise
    return PostgresDatabase(url, pool)


def database_url(url: DatabaseUrl, name: str) -> DatabaseUrl:
    """Return the URL of another database on the same server, as the same user."""
    parts = urlsplit(url.url)
    return DatabaseUrl(urlunsplit(parts._replace(path=f"/{name}")))


async def create_database(
    url: DatabaseUrl, name: str, *, template: str | None = None
) -> DatabaseUrl:
    """Create database `name` on the server of `url` (a copy of `template`); return its URL.

    For the test suite and the benchmarks: each gets a fresh database cheaply.
    """
    conn = await asyncpg.connect(url.url, timeout=CONNECT_TIMEOUT)
    try:
        copy = f" TEMPLATE {_identifier(template)}" if template else ""
        await conn.execute(f"CREATE DATABASE {_identifier(name)}{copy}")
    finally:
        await conn.close()
    return database_url(url, name)


async def drop_database(url: DatabaseUrl, name: str) -> None:
    """Drop database `name` on the server of `url`, closing its sessions, if it exists."""
    conn = await asyncpg.connect(url.url, timeout=CONNECT_TIMEOUT)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {_identifier(name)} WITH (FORCE)")
    finally:
        await conn.close()


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
