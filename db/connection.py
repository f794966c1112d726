"""Opening the database: one neutral connection type over SQLite and PostgreSQL.

Every `db/*.py` function takes a `Connection` and writes its SQL once, with `?` parameters;
the PostgreSQL side (db/postgres.py, the only module that knows the driver) rewrites them to
`$n`. A few statements truly differ between the two (search, the outbox claim): they ask
`conn.dialect`. `Database` is what the bot holds: `reader` for reads, `transaction()` the one
write path, `ping()` for health checks, `close()`.

SQLite (db/sqlite.py) is a file path: two connections in WAL mode, writers serialised.
PostgreSQL is a `postgresql://` URL: a pool, each read on a connection of its own.
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
from abc import ABC, abstractmethod
from collections.abc import (
    AsyncIterator,
    Callable,
    Coroutine,
    Generator,
    Iterable,
    Iterator,
    Sequence,
)
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, Literal, Protocol
from urllib.parse import parse_qs, quote, urlsplit

__all__ = [
    "ALL",
    "SCHEMA_VERSION",
    "Connection",
    "Database",
    "DatabaseOpenError",
    "DatabaseTooNewError",
    "DatabaseUrl",
    "Dialect",
    "Row",
    "RowCount",
    "Statement",
    "connect",
    "is_busy",
    "migrations",
]

Dialect = Literal["sqlite", "postgresql"]

ALL = 1 << 62
"""A LIMIT that keeps every row, on both backends (PostgreSQL refuses SQLite's -1)."""

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class DatabaseTooNewError(RuntimeError):
    """The database was written by a newer newsbot than this one."""


class DatabaseOpenError(RuntimeError):
    """The database cannot be opened or reached; the message is one line, without secrets."""


class Row(Protocol):
    """A result row, by column name (`row["id"]`) or position: sqlite3.Row, asyncpg.Record."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...


class RowCount(int):
    """How many rows a statement changed; `.rowcount` and `.lastrowid` as a cursor has them.

    Code written for aiosqlite's cursor (`cursor = await conn.execute(…); cursor.rowcount`)
    keeps working. `lastrowid` is SQLite's only: new SQL says `RETURNING id`.
    """

    lastrowid: int | None

    def __new__(cls, count: int, lastrowid: int | None = None) -> RowCount:
        value = super().__new__(cls, count)
        value.lastrowid = lastrowid
        return value

    @property
    def rowcount(self) -> int:
        return int(self)


class _Rows:
    """Fetched rows read the way an aiosqlite cursor is read."""

    def __init__(self, rows: list[Row]):
        self._rows = rows
        self._next = 0
        self.rowcount = len(rows)

    async def fetchone(self) -> Row | None:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    async def fetchall(self) -> list[Row]:
        rest, self._next = self._rows[self._next :], len(self._rows)
        return rest

    def __aiter__(self) -> AsyncIterator[Row]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Row]:
        while (row := await self.fetchone()) is not None:
            yield row


class Statement:
    """What `Connection.execute` returns: await it for the row count, or read its rows.

    `await conn.execute(sql, params)` runs it and gives a `RowCount`;
    `async with conn.execute(sql, params) as cursor:` gives its rows to `fetchone`,
    `fetchall` or `async for` (the aiosqlite shape; new code calls `fetchall` directly).
    """

    __slots__ = ("_rows", "_run")

    def __init__(
        self,
        run: Callable[[], Coroutine[Any, Any, RowCount]],
        rows: Callable[[], Coroutine[Any, Any, list[Row]]],
    ):
        self._run = run
        self._rows = rows

    def __await__(self) -> Generator[Any, None, RowCount]:
        return self._run().__await__()

    async def __aenter__(self) -> _Rows:
        return _Rows(await self._rows())

    async def __aexit__(self, *exc: object) -> None:
        return None


Params = Sequence[Any]


class Connection(Protocol):
    """A connection, or a pool of them, that `db/*.py` functions run their SQL on."""

    @property
    def dialect(self) -> Dialect: ...

    def execute(self, sql: str, params: Params = ()) -> Statement:
        """Run one statement; await it for the number of rows it changed."""
        ...

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement once per parameter row."""

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """Return every row of a query."""
        ...

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        """Return the first row of a query, or None."""
        ...

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        """Return the first column of the first row, or None."""


class Database(ABC):
    """An open database: `reader` for reads, `transaction()` for every write."""

    dialect: Dialect
    reader: Connection

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Connection]:
        """Run the block in one write transaction, committed at its end, rolled back on error."""

    @abstractmethod
    async def ping(self) -> None:
        """Raise when the database does not answer."""

    @abstractmethod
    async def close(self) -> None:
        """Close every connection."""


@dataclass(frozen=True, repr=False)
class DatabaseUrl:
    """A `postgresql://` URL; it prints itself without its password."""

    url: str = field(repr=False)

    @classmethod
    def parse(cls, text: str) -> DatabaseUrl:
        """Check a PostgreSQL URL; raise ValueError saying what is wrong, never the password."""
        parts = urlsplit(text.strip())
        shown = _without_password(text.strip())
        if parts.scheme not in ("postgresql", "postgres"):
            raise ValueError(f"{shown!r} is not a postgresql:// URL")
        try:
            port = parts.port
        except ValueError:
            port = -1
        if port is not None and not 0 < port < 65536:
            raise ValueError(f"{shown!r} has no valid port")
        query = parse_qs(parts.query)
        if not (parts.hostname or query.get("host")):
            raise ValueError(
                f"{shown!r} names no host (postgresql://user:password@host:5432/dbname)"
            )
        if not (parts.path.strip("/") or query.get("dbname")):
            raise ValueError(
                f"{shown!r} names no database (postgresql://user:password@host:5432/dbname)"
            )
        return cls(text.strip())

    def __str__(self) -> str:
        return _without_password(self.url)

    def __repr__(self) -> str:
        return f"DatabaseUrl({str(self)!r})"


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = quote(parts.username or "", safe="")
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{user}:***@{host}").geturl()


def is_busy(error: BaseException) -> bool:
    """Tell whether a database error is for the moment only (locked, busy, unreachable):
    nothing was changed, and the same request may succeed a little later."""
    if isinstance(error, sqlite3.OperationalError):
        return True
    postgres = sys.modules.get("db.postgres")  # loaded once a PostgreSQL URL was opened
    return postgres is not None and isinstance(error, postgres.BUSY_ERRORS)


def is_postgres_url(target: object) -> bool:
    """Tell whether a NEWSBOT_DB value names PostgreSQL rather than a SQLite file."""
    return isinstance(target, DatabaseUrl) or (
        isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))
    )


def migrations(dialect: Dialect = "sqlite") -> list[tuple[int, str]]:
    """Return the (version, script) pairs of a backend, in order."""
    folder: Traversable = resources.files("db.migrations")
    if dialect == "postgresql":
        folder = folder / "postgresql"
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    return sorted(found)


SCHEMA_VERSION = max(version for version, _ in migrations())


def too_new(current: int) -> DatabaseTooNewError:
    return DatabaseTooNewError(
        f"the database is at schema version {current}, newer than this newsbot "
        f"({SCHEMA_VERSION}): upgrade newsbot"
    )


async def connect(target: str | os.PathLike[str] | DatabaseUrl) -> Database:
    """Open (creating if needed) and migrate the database: a SQLite path or a PostgreSQL URL."""
    if is_postgres_url(target):
        from db import postgres

        url = target if isinstance(target, DatabaseUrl) else DatabaseUrl.parse(str(target))
        return await postgres.connect(url)
    assert not isinstance(target, DatabaseUrl)
    from db import sqlite

    return await sqlite.connect(target)
