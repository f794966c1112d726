"""PostgreSQL beside SQLite: migrations, the neutral connection, search folding, query plans,
the NEWSBOT_DB URL and start-up when the server is not there."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from bot.config import ConfigError, load_settings
from bot.sandbox import Sandbox
from db import (
    SCHEMA_VERSION,
    Connection,
    Database,
    DatabaseOpenError,
    DatabaseTooNewError,
    DatabaseUrl,
    Row,
    articles,
    chats,
    connect,
    deliveries,
    editorial,
    is_busy,
)
from db.articles import NewArticle
from db.connection import Statement, migrations
from db.postgres import create_database, drop_database, to_dollar
from tests import postgres
from tests.conftest import BOT_TOKEN

ROOT = Path(__file__).resolve().parent.parent
NOW = 1_764_000_000.0
PASSWORD = "s3cret-Pa55"


# --- the neutral connection, on both backends ---------------------------------------------


def test_both_backends_have_the_same_migrations() -> None:
    sqlite = [version for version, _ in migrations("sqlite")]
    assert sqlite == [version for version, _ in migrations("postgresql")]
    assert sqlite[-1] == SCHEMA_VERSION


def test_question_marks_become_numbered_parameters_outside_literals() -> None:
    sql = "SELECT '?', \"a?\" FROM t -- why?\nWHERE a = ? AND b = 'it''s ?' AND c IN (?, ?)"
    assert to_dollar(sql) == (
        "SELECT '?', \"a?\" FROM t -- why?\nWHERE a = $1 AND b = 'it''s ?' AND c IN ($2, $3)"
    )


async def test_rows_read_by_name_and_position_and_counts_come_back(database: Database) -> None:
    async with database.transaction() as conn:
        changed = await conn.execute(
            "INSERT INTO authors (key, name) VALUES (?, ?), (?, ?)",
            ("awa keita", "Awa Keïta", "issa dembele", "Issa Dembélé"),
        )
        assert changed == 2 and changed.rowcount == 2
        renamed = await conn.execute("UPDATE authors SET name = name WHERE key LIKE 'a%'")
        assert renamed == 1
    row = await database.reader.fetchone(
        "SELECT id, key FROM authors WHERE key = ?", ("awa keita",)
    )
    assert row is not None and row["key"] == row[1] == "awa keita"
    assert await database.reader.fetchval("SELECT count(*) FROM authors") == 2
    assert await database.reader.fetchone("SELECT id FROM authors WHERE key = ?", ("x",)) is None
    # aiosqlite's shape still reads.
    async with database.reader.execute("SELECT key FROM authors ORDER BY key") as cursor:
        assert [tuple(row) for row in await cursor.fetchall()] == [
            ("awa keita",),
            ("issa dembele",),
        ]
    await database.ping()


async def test_a_failed_transaction_leaves_nothing(database: Database) -> None:
    with pytest.raises(RuntimeError):
        async with database.transaction() as conn:
            await conn.execute("INSERT INTO authors (key, name) VALUES (?, ?)", ("k", "K"))
            raise RuntimeError("boom")
    assert await database.reader.fetchval("SELECT count(*) FROM authors") == 0


async def _article(db: Database, key: str, title: str, lead: str, body: str = "") -> int:
    async with db.transaction() as conn:
        author = await articles.ensure_author(conn, "awa keita", "Awa KEÏTA")
        return await articles.insert_article(
            conn,
            NewArticle(key, title, lead, body, author.id, (), NOW, NOW, "editor"),
        )


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("SECURITE", True),  # accents and case
        ("sécurités", True),  # a plural of the singular written
        ("état", True),  # after an apostrophe (l’état)
        ("major", True),  # a hyphen separates words
        ("oeuvre", True),  # œ is oe
        ("bonjour", True),  # between « guillemets » and narrow no-break spaces
        ("2026", True),
        ("securite bamako", True),  # every word required…
        ("securite tombouctou", False),  # …or nothing
        ("etat-major", True),
        ("sec", False),  # words, not prefixes
    ],
)
async def test_search_folds_and_splits_alike_on_both_backends(
    database: Database, typed: str, found: bool
) -> None:
    await _article(
        database,
        "s1",
        "Sécurité : l’état-major réunit ses chefs à Bamako",
        "Il a dit «\u202fBonjour\u202f» devant l’ŒUVRE exposée, en 2026.",
    )
    await _article(database, "s2", "Récolte du coton", "Les champs de Koutiala sont prêts.")
    hits = (await articles.search_articles(database.reader, typed, 10)).items
    assert [hit.article.source_key for hit in hits] == (["s1"] if found else [])


async def test_search_input_is_never_query_syntax(database: Database) -> None:
    await _article(database, "s1", "Le marché de Sikasso", "Les prix baissent.")
    for typed in ("'", "marché & | ! ( ) :* <-> \\", '"marché" OR NOT', "marché's", "ʼ'’"):
        page = await articles.search_articles(database.reader, typed, 10)
        assert [hit.article.source_key for hit in page.items] in ([], ["s1"]), typed


@pytest.mark.backends("postgresql")  # SQLite's busy errors: tests/test_reliability.py
async def test_a_database_gone_for_a_moment_is_a_busy_error(database_target: object) -> None:
    db = await connect(database_target)  # type: ignore[arg-type]
    await db.close()  # from here on, whatever is asked fails without changing anything
    with pytest.raises(Exception) as raised:
        await db.reader.fetchval("SELECT count(*) FROM authors")
    assert is_busy(raised.value)
    assert not is_busy(ValueError("a bug of ours"))


# --- PostgreSQL only ----------------------------------------------------------------------


@pytest.fixture
def server() -> postgres.PostgresServer:
    """The suite's PostgreSQL server (the test skips, saying why, without one)."""
    return postgres.server()


async def test_two_instances_starting_at_once_migrate_once(
    server: postgres.PostgresServer,
) -> None:
    name = "newsbot_race"
    url = await create_database(server.admin, name)  # empty: nothing migrated yet
    try:
        first, second = await asyncio.gather(connect(url), connect(url))
        assert await first.reader.fetchall("SELECT version FROM schema_version") == [
            (SCHEMA_VERSION,)
        ]
        assert await second.reader.fetchval("SELECT count(*) FROM authors") == 0
        await first.close()
        await second.close()
        again = await connect(url)  # nothing to do, nothing breaks
        await again.close()
    finally:
        await drop_database(server.admin, name)


async def test_a_newer_postgres_database_is_refused(server: postgres.PostgresServer) -> None:
    url = await server.fresh_database()
    try:
        db = await connect(url)
        async with db.transaction() as conn:
            await conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
        await db.close()
        with pytest.raises(DatabaseTooNewError, match="newer"):
            await connect(url)
    finally:
        await server.drop(url)


async def test_a_server_that_is_not_there_is_one_line_without_the_password() -> None:
    url = DatabaseUrl(f"postgresql://newsbot:{PASSWORD}@127.0.0.1:{_closed_port()}/newsbot")
    with pytest.raises(DatabaseOpenError) as raised:
        await connect(url)
    message = str(raised.value)
    assert "cannot reach PostgreSQL" in message and "\n" not in message
    assert PASSWORD not in message and "newsbot:***@127.0.0.1" in message


def test_a_postgresql_url_is_a_database_and_prints_without_its_password() -> None:
    url = f"postgresql://newsbot:{PASSWORD}@db.internal:5432/newsbot"
    settings = load_settings({"NEWSBOT_DB": url}, env_file=None)
    assert isinstance(settings.db_path, DatabaseUrl) and settings.db_path.url == url
    assert PASSWORD not in str(settings.db_path) and PASSWORD not in repr(settings)
    assert str(settings.db_path) == "postgresql://newsbot:***@db.internal:5432/newsbot"
    assert repr(settings.db_path) == f"DatabaseUrl({str(settings.db_path)!r})"
    sockets = load_settings({"NEWSBOT_DB": "postgres:///newsbot?host=/run/pg"}, env_file=None)
    assert isinstance(sockets.db_path, DatabaseUrl)
    assert load_settings({"NEWSBOT_DB": "data/x.sqlite3"}, env_file=None).db_path == Path(
        "data/x.sqlite3"
    )


@pytest.mark.parametrize(
    "value",
    [
        f"postgresql://newsbot:{PASSWORD}@db.internal:99999/newsbot",
        f"postgresql://newsbot:{PASSWORD}@/newsbot",
        f"postgresql://newsbot:{PASSWORD}@db.internal:5432",
        f"mysql://newsbot:{PASSWORD}@db.internal/newsbot",
    ],
)
def test_a_malformed_database_url_is_a_configuration_error_without_the_password(
    value: str,
) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({"NEWSBOT_DB": value}, env_file=None)
    assert "NEWSBOT_DB" in str(raised.value) and PASSWORD not in str(raised.value)


async def _newsbot_run(tmp_path: Path, **env: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--startup-wait", "2",
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(process.communicate(), 90)
    assert process.returncode is not None
    return process.returncode, stdout.decode() + stderr.decode()


async def test_newsbot_run_with_postgresql_down_says_so_in_one_line(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    code, output = await _newsbot_run(
        tmp_path,
        TELEGRAM_BOT_TOKEN=BOT_TOKEN,
        TELEGRAM_API_URL=sandbox.base_url,
        NEWSBOT_DB=f"postgresql://newsbot:{PASSWORD}@127.0.0.1:{_closed_port()}/newsbot",
    )
    assert code == 1
    [line] = output.strip().splitlines()
    assert "cannot reach PostgreSQL" in line and PASSWORD not in line
    assert "Traceback" not in output and "Unclosed" not in output


async def test_newsbot_import_with_postgresql_down_says_so_in_one_line(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "import", str(ROOT / "tests/feeds_fixtures/articles.jsonl"),
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "NEWSBOT_DB": f"postgresql://newsbot:{PASSWORD}@127.0.0.1:{_closed_port()}/newsbot",
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(process.communicate(), 90)
    output = stdout.decode() + stderr.decode()
    assert process.returncode == 1
    [line] = output.strip().splitlines()
    assert "cannot reach PostgreSQL" in line and PASSWORD not in line


async def test_newsbot_run_with_a_malformed_url_exits_2_before_anything(tmp_path: Path) -> None:
    code, output = await _newsbot_run(
        tmp_path,
        TELEGRAM_BOT_TOKEN=BOT_TOKEN,
        TELEGRAM_API_URL="http://127.0.0.1:9/bot",
        NEWSBOT_DB=f"postgresql://newsbot:{PASSWORD}@db.internal:0/newsbot",
    )
    assert code == 2
    [line] = output.strip().splitlines()
    assert "NEWSBOT_DB" in line and PASSWORD not in line


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- every reader query on an index, with a few thousand rows -----------------------------


class _Recorder:
    """A Connection that notes every statement it runs."""

    def __init__(self, inner: Connection):
        self.inner = inner
        self.statements: list[tuple[str, tuple[Any, ...]]] = []

    @property
    def dialect(self) -> Any:
        return self.inner.dialect

    def execute(self, sql: str, params: Any = ()) -> Statement:
        self.statements.append((sql, tuple(params)))
        return self.inner.execute(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Any]) -> None:
        await self.inner.executemany(sql, rows)

    async def fetchall(self, sql: str, params: Any = ()) -> list[Row]:
        self.statements.append((sql, tuple(params)))
        return await self.inner.fetchall(sql, params)

    async def fetchone(self, sql: str, params: Any = ()) -> Row | None:
        self.statements.append((sql, tuple(params)))
        return await self.inner.fetchone(sql, params)

    async def fetchval(self, sql: str, params: Any = ()) -> Any:
        self.statements.append((sql, tuple(params)))
        return await self.inner.fetchval(sql, params)


_SEED = """
INSERT INTO authors (key, name) SELECT 'auteur ' || i, 'Auteur ' || i FROM generate_series(1, 3000) AS i;
INSERT INTO topics (key, name) SELECT 'theme ' || i, 'Thème ' || i FROM generate_series(1, 2000) AS i;
INSERT INTO articles (source_key, title, lead, body, author_id, published_at, updated_at, origin)
SELECT 'seed:' || i,
       'Titre ' || i || CASE WHEN i % 997 = 0 THEN ' : la sécheresse menace' ELSE '' END,
       'Le chapeau de l''article ' || i || ', à Bamako.', 'Un corps de texte.',
       1 + i % 3000, 1700000000 + i * 60, 1700000000 + i * 60,
       'import'
FROM generate_series(1, 6000) AS i;
UPDATE articles SET status = 'withdrawn' WHERE id % 50 = 0;
INSERT INTO article_topics (article_id, topic_id, position, published_at)
SELECT id, 1 + id % 2000, 0, published_at FROM articles;
INSERT INTO article_authors (article_id, author_id, position, published_at)
SELECT id, author_id, 0, published_at FROM articles;
INSERT INTO chats (id, type, language, created_at, updated_at)
SELECT i, 'private', 'fr', 1700000000, 1700000000 FROM generate_series(1, 4000) AS i;
INSERT INTO subscriptions (chat_id, topic_id, created_at)
SELECT i, 1 + i % 2000, 1700000000 FROM generate_series(1, 4000) AS i;
INSERT INTO subscriptions (chat_id, author_id, created_at)
SELECT i, 1 + i % 3000, 1700000000 FROM generate_series(1, 4000) AS i;
INSERT INTO deliveries (article_id, chat_id, status, next_attempt_at, created_at)
SELECT 1 + i % 6000, i, CASE WHEN i % 10 = 0 THEN 'pending' ELSE 'sent' END,
       1700000000 + i, 1700000000 + i
FROM generate_series(1, 4000) AS i;
ANALYZE;
"""


def _nodes(plan: dict[str, Any]) -> Iterable[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


@pytest.mark.backends("postgresql")
async def test_reader_queries_walk_indexes_on_postgresql(database: Database) -> None:
    async with database.transaction() as conn:
        await conn.execute(_SEED)
    reader = _Recorder(database.reader)
    anchor = await articles.article_cursor(reader, 3000)
    assert anchor is not None
    calls = {
        "latest": lambda: articles.latest_articles(reader, 5, anchor),
        "by author": lambda: articles.articles_by_author(reader, 7, 5, anchor),
        "by topic": lambda: articles.articles_by_topic(reader, 7, 5, anchor),
        "newer": lambda: articles.newer_articles(reader, 5, anchor),
        "newer by author": lambda: articles.newer_articles_by_author(reader, 7, 5, anchor),
        "newer by topic": lambda: articles.newer_articles_by_topic(reader, 7, 5, anchor),
        "one article": lambda: articles.get_article(reader, 1234),
        "by source": lambda: articles.get_article_by_source(reader, "seed:77"),
        "author by key": lambda: articles.get_author_by_key(reader, "auteur 12"),
        "author candidates": lambda: articles.author_candidates(reader, "auteru 12"),
        "topic candidates": lambda: articles.topic_candidates(reader, "tehme 3"),
        "authors": lambda: articles.list_authors(reader, 10),
        "topics": lambda: articles.list_topics(reader, 10),
        "search, rare word": lambda: articles.search_articles(reader, "sécheresses", 5),
        "search, common word": lambda: articles.search_articles(reader, "bamako chapeau", 5),
        "subscriptions": lambda: chats.chat_subscriptions(reader, 42),
        "reach": lambda: editorial.count_recipients(reader, ["theme 3"], "auteur 5", [-100]),
        "next due": lambda: deliveries.next_due_at(reader),
    }
    for name, call in calls.items():
        reader.statements.clear()
        await call()
        selects = [(sql, params) for sql, params in reader.statements if "SELECT" in sql]
        assert selects, name
        for sql, params in selects:
            # With a few thousand rows a table scan may well be cheapest; with sequential
            # scans priced out, one still in the plan means no index can serve that step.
            async with database.transaction() as conn:
                await conn.execute("SET LOCAL enable_seqscan = off")
                raw = await conn.fetchval(f"EXPLAIN (FORMAT JSON) {sql}", params)
            nodes = list(_nodes(json.loads(raw)[0]["Plan"]))
            scanned = [n.get("Relation Name") for n in nodes if n["Node Type"] == "Seq Scan"]
            assert not scanned, (name, sql, scanned)
            indexes = {n["Index Name"] for n in nodes if "Index Name" in n}
            assert indexes, (name, sql)
            if "@@" in sql:
                assert "articles_search" in indexes or name.endswith("common word"), indexes
