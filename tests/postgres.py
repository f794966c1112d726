"""A throw-away PostgreSQL cluster for the tests that need one, started once per session."""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

_cluster: str | None = None
_numbers = itertools.count(1)


def _binaries() -> Path | None:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def _start() -> str:
    binaries = _binaries()
    if binaries is None:
        pytest.skip("PostgreSQL is not installed (no initdb): the PostgreSQL half is skipped")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    folder = Path(tempfile.mkdtemp(prefix="newsbot-test-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"
    quiet = {"check": True, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    subprocess.run(
        [*as_user, binaries / "initdb", "-D", data, "-U", "test", "-A", "trust"], **quiet
    )
    options = f"-p {port} -k {folder} -c fsync=off -c listen_addresses=127.0.0.1"
    pg_ctl = [*as_user, binaries / "pg_ctl", "-D", data, "-w", "-l", folder / "log"]
    subprocess.run([*pg_ctl, "-o", options, "start"], **quiet)

    def stop() -> None:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], **quiet)
        shutil.rmtree(folder, ignore_errors=True)

    atexit.register(stop)
    return f"postgresql://test@127.0.0.1:{port}"


async def postgres_url(request: pytest.FixtureRequest, *, reuse: bool = False) -> str:
    """Return the URL of a new, empty database for this test (`reuse`: the one made last)."""
    import asyncpg

    global _cluster
    if _cluster is None:
        _cluster = _start()
    if reuse:
        return str(request.node.stash[_KEY])
    name = f"test_{next(_numbers)}"
    admin = await asyncpg.connect(f"{_cluster}/postgres")
    try:
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    url = f"{_cluster}/{name}"
    request.node.stash[_KEY] = url
    return url


_KEY = pytest.StashKey[str]()
