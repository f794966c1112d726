"""A throw-away PostgreSQL server for the benchmarks, started with the machine's own
initdb and pg_ctl (Debian's postgresql package) on loopback, durable as by default."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["cluster"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin() -> Path:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    if not found:
        raise SystemExit("PostgreSQL's initdb was not found: install postgresql")
    return Path(found).resolve().parent


@contextmanager
def cluster() -> Iterator[str]:
    """Start a throw-away PostgreSQL server; yield its URL."""
    binaries, port = _pg_bin(), _free_port()
    folder = Path(tempfile.mkdtemp(prefix="newsbot-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"
    run = dict(check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*as_user, binaries / "initdb", "-D", data, "-U", "bench", "-A", "trust"], **run)
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
    pg_ctl = [*as_user, binaries / "pg_ctl", "-D", data, "-w", "-l", folder / "log"]
    subprocess.run([*pg_ctl, "-o", options, "start"], **run)
    try:
        yield f"postgresql://bench@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], **run)
        shutil.rmtree(folder, ignore_errors=True)
