"""A throw-away PostgreSQL server for the suite: started once per process (per xdist worker).

Where PostgreSQL's binaries are (`NEWSBOT_TEST_PG_BIN`, `initdb` on PATH, or Debian's
/usr/lib/postgresql/*/bin), `start_cluster` runs initdb into a temporary folder and starts
the server on a free loopback port (and a unix socket there), with fsync off, stopped and
removed when the process ends. As root, initdb and the server run as the `postgres` user
(or `nobody`), as PostgreSQL requires. `NEWSBOT_TEST_POSTGRES=postgresql://…` names an
existing server instead: its user must be allowed to create databases. Both variables are
read when this module is imported: the suite's autouse fixture clears NEWSBOT_* for tests.

Each test gets a database of its own, copied from a migrated template (CREATE DATABASE …
TEMPLATE: about 45 ms, against 60 ms to migrate an empty one).
"""

from __future__ import annotations

import asyncio
import atexit
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from db import DatabaseUrl, connect
from db.postgres import create_database, database_url, drop_database

__all__ = [
    "PostgresServer",
    "find_binaries",
    "postgres_url",
    "server",
    "start_cluster",
    "unavailable_reason",
]

TEMPLATE = f"newsbot_template_{os.getpid()}"  # one per process: xdist workers may share a server
_ADMIN_DB = "postgres"
_ENVIRON = {
    name: os.environ[name]
    for name in ("NEWSBOT_TEST_POSTGRES", "NEWSBOT_TEST_PG_BIN")
    if os.environ.get(name)
}


def find_binaries() -> Path | None:
    """Return the folder holding initdb and pg_ctl, or None."""
    candidates = []
    if configured := _ENVIRON.get("NEWSBOT_TEST_PG_BIN"):
        candidates.append(Path(configured))
    if on_path := shutil.which("initdb"):
        candidates.append(Path(on_path).parent)
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += versions
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def unavailable_reason() -> str | None:
    """Say why the PostgreSQL tests cannot run here, or None when they can."""
    if _ENVIRON.get("NEWSBOT_TEST_POSTGRES") or find_binaries() is not None:
        return None
    return (
        "no PostgreSQL here: install it (apt-get install postgresql postgresql-contrib), "
        "set NEWSBOT_TEST_PG_BIN to its bin folder, or NEWSBOT_TEST_POSTGRES to a server URL"
    )


@dataclass
class PostgresServer:
    """A server the suite may create and drop databases on."""

    admin: DatabaseUrl
    folder: Path | None = None  # a cluster we started, stopped and removed by `stop`
    binaries: Path | None = None
    owner: str | None = None
    _names: itertools.count[int] = field(default_factory=itertools.count)
    _template_ready: bool = False

    async def fresh_database(self) -> DatabaseUrl:
        """Create a migrated database no other test uses; return its URL."""
        if not self._template_ready:
            await drop_database(self.admin, TEMPLATE)
            template = await create_database(self.admin, TEMPLATE)
            db = await connect(template)
            await db.close()
            self._template_ready = True
        name = f"newsbot_test_{os.getpid()}_{next(self._names)}"
        return await create_database(self.admin, name, template=TEMPLATE)

    async def drop(self, url: DatabaseUrl) -> None:
        """Drop a database `fresh_database` made."""
        name = url.url.split("?", 1)[0].rsplit("/", 1)[1]
        await drop_database(self.admin, name)

    def url(self, name: str) -> DatabaseUrl:
        return database_url(self.admin, name)

    def stop(self) -> None:
        """Stop the cluster this suite started, and remove it (on a server of its own, drop
        the template)."""
        if self.folder is None or self.binaries is None:
            if self._template_ready:
                asyncio.run(drop_database(self.admin, TEMPLATE))
            return
        _run(
            [str(self.binaries / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate",
             "-w", "stop"],
            self.owner,
            check=False,
        )  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)


def _run(command: list[str], owner: str | None, *, check: bool = True) -> None:
    program = Path(command[0]).name
    if owner is not None:
        command = ["runuser", "-u", owner, "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, cwd="/", timeout=60)
    if check and done.returncode != 0:
        said = " ".join((done.stderr or done.stdout).split())[-500:]
        raise RuntimeError(f"{program} failed: {said}")


def _unprivileged_user() -> str:
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root, and neither a postgres nor a nobody user exists")


def start_cluster() -> PostgresServer:
    """Return the configured server, or initdb and start a throw-away one."""
    if configured := _ENVIRON.get("NEWSBOT_TEST_POSTGRES"):
        return PostgresServer(DatabaseUrl.parse(configured))
    binaries = find_binaries()
    if binaries is None:
        raise RuntimeError(unavailable_reason())
    # Outside pytest's temporary folders: those are private to the user running the suite,
    # and as root the server runs as another user.
    folder = Path(tempfile.mkdtemp(prefix="newsbot-pg-"))
    owner = None
    if os.geteuid() == 0:
        owner = _unprivileged_user()
        entry = pwd.getpwnam(owner)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    data = folder / "data"
    try:
        initdb = [str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--no-sync"]  # fmt: skip
        try:
            _run([*initdb, "--locale=C.UTF-8"], owner)
        except RuntimeError:  # a system without the C.UTF-8 locale
            shutil.rmtree(data, ignore_errors=True)
            _run([*initdb, "--locale=C"], owner)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        options = (
            f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='{folder}' "
            "-c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
            "-c shared_buffers=64MB"
        )
        _run(
            [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"),
             "-o", options, "-w", "-t", "60", "start"],
            owner,
        )  # fmt: skip
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    admin = DatabaseUrl(f"postgresql://postgres@127.0.0.1:{port}/{_ADMIN_DB}")
    return PostgresServer(admin, folder, binaries, owner)


_server: PostgresServer | None = None


def server() -> PostgresServer:
    """Return this process's server, started at the first call; skip the test without one."""
    global _server
    if _server is None:
        reason = unavailable_reason()
        if reason is not None:
            pytest.skip(reason)
        _server = start_cluster()
        atexit.register(_server.stop)
    return _server


_LAST = pytest.StashKey[DatabaseUrl]()


async def postgres_url(request: pytest.FixtureRequest, *, reuse: bool = False) -> str:
    """Return the URL of a new migrated database for this test (`reuse`: the one made last).

    It is dropped when the process ends with its cluster; tests that use the `database`
    fixture get theirs dropped as soon as they end.
    """
    if reuse:
        return request.node.stash[_LAST].url
    url = await server().fresh_database()
    request.node.stash[_LAST] = url
    return url.url
