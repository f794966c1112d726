"""Data access: aiosqlite, one small async function per query, rows as dataclasses.

Modules: `connection` (opening, migrations, transactions), `articles`, `chats`,
`deliveries` (the outbox), `feeds`, `audit`; `models` holds the dataclasses.
"""

from db.connection import SCHEMA_VERSION, Database, DatabaseTooNewError, connect

__all__ = ["SCHEMA_VERSION", "Database", "DatabaseTooNewError", "connect"]
