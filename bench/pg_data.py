"""The benchmarks' generated SQLite databases, copied into PostgreSQL for B3 and B4 there.

The SQLite file is first migrated by the bot's own `connect`, so both sides are at the
same schema version; then every table the two share is copied with COPY, triggers off (the
counters are copied, not counted again), and what the triggers would have kept is set once
for all: the search vectors, the identity sequences, the planner's statistics.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import asyncpg

from bench.common import log
from db import connect
from db.connection import DatabaseUrl
from db.postgres import create_database

__all__ = ["load", "loaded_database"]

_CASTS = {"double precision": float, "real": float, "bigint": int, "integer": int}


async def load(source: Path, url: str, scratch: Path) -> None:
    """Copy the SQLite database `source` into the empty PostgreSQL database at `url`."""
    migrated = scratch / "migrated.sqlite3"
    shutil.copyfile(source, migrated)
    await (await connect(migrated)).close()
    await (await connect(DatabaseUrl(url))).close()
    lite = sqlite3.connect(migrated)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("SET session_replication_role = replica")
        columns: dict[str, dict[str, str]] = {}
        for table, column, kind in await conn.fetch(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public' AND is_generated = 'NEVER'"
        ):
            columns.setdefault(table, {})[column] = kind
        tables = [
            name
            for (name,) in lite.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if name in columns and name != "schema_version"
        ]
        # Rows the migrations seed on both sides (send_pace, say) come from the SQLite copy.
        await conn.execute(f"TRUNCATE {', '.join(tables)}")
        for table in tables:
            lite_columns = [row[1] for row in lite.execute(f"PRAGMA table_info({table})")]
            shared = [c for c in lite_columns if c in columns[table]]
            casts = [_CASTS.get(columns[table][c]) for c in shared]
            cursor = lite.execute(f"SELECT {', '.join(shared)} FROM {table}")
            while batch := cursor.fetchmany(50_000):
                records = [
                    tuple(
                        v if v is None or cast is None else cast(v)
                        for v, cast in zip(row, casts, strict=True)
                    )
                    for row in batch
                ]
                await conn.copy_records_to_table(table, records=records, columns=shared)
            if "id" in shared:
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
        await conn.execute("SET session_replication_role = DEFAULT")
        await conn.execute("UPDATE articles SET search = newsbot_search_vector(title, lead, body)")
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
        lite.close()


async def loaded_database(source: Path, server: str, name: str, scratch: Path) -> str:
    """Create database `name` on `server`, fill it from `source`; return its URL."""
    url = (await create_database(DatabaseUrl(server), name)).url
    log(f"copying {source.name} into PostgreSQL (not measured)")
    await load(source, url, scratch)
    return url
