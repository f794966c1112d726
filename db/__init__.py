"""Data access: one small async function per query, rows as dataclasses, SQLite or PostgreSQL.

Modules: `connection` (the neutral `Connection` and `Database`, opening, migrations),
`sqlite` and `postgres` (the two backends; only `postgres` knows its driver), `articles`,
`chats`, `deliveries` (the outbox), `feeds`, `audit`; `models` holds the dataclasses.
"""

from db.connection import (
    SCHEMA_VERSION,
    Connection,
    Database,
    DatabaseOpenError,
    DatabaseTooNewError,
    DatabaseUrl,
    Row,
    connect,
    is_busy,
)

__all__ = [
    "SCHEMA_VERSION",
    "Connection",
    "Database",
    "DatabaseOpenError",
    "DatabaseTooNewError",
    "DatabaseUrl",
    "Row",
    "connect",
    "is_busy",
]
