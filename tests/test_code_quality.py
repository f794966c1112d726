"""The code stays as STYLE.md asks: ruff-clean, formatted, mypy-clean, and layered as
pyproject.toml's import-linter contracts say."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["mypy", "--no-incremental"],
        [str(LINT_IMPORTS), "--no-cache"],
    ],
    ids=["ruff-check", "ruff-format", "mypy", "import-layers"],
)
def test_code_passes(command: list[str]) -> None:
    if command[0] != str(LINT_IMPORTS):
        command = [sys.executable, "-m", *command]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr


# --- the layering contract is not vacuous ------------------------------------------------

SHARED_HANDLERS = {"access", "article_views", "language", "menu", "newsroom", "views"}
"""Modules of handlers/ that features share; every other one is a feature."""
_NOT_SOURCE = shutil.ignore_patterns("__pycache__")


def _contracts() -> dict[str, dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {contract["id"]: contract for contract in config["tool"]["importlinter"]["contracts"]}


def test_every_feature_module_is_held_to_independence() -> None:
    modules = {path.stem for path in (ROOT / "handlers").glob("*.py")} - {"__init__"}
    independent = _contracts()["features-independent"]["modules"]
    assert isinstance(independent, list)
    assert sorted(f"handlers.{name}" for name in modules - SHARED_HANDLERS) == independent


@pytest.mark.parametrize(
    ("path", "imported", "contract"),
    [
        ("db/models.py", "bot.formatting", "db-is-the-bottom"),
        ("bot/formatting.py", "handlers.access", "bot-below-handlers"),
        ("handlers/access.py", "bot.app", "one-composition-root"),
        ("handlers/inline.py", "handlers.search", "features-independent"),
        ("bot/feeds/addresses.py", "bot.feeds.polling", "feeds-layers"),
    ],
    ids=[
        "db-imports-bot",
        "bot-imports-handlers",
        "handler-imports-root",
        "feature-imports-feature",
        "feeds-module-imports-a-later-one",
    ],
)
def test_the_layering_contract_catches_a_breach(
    tmp_path: Path, path: str, imported: str, contract: str
) -> None:
    """Copy the tree, add one forbidden import (under TYPE_CHECKING: those count too), and
    check that its contract is broken by that very import."""
    for package in ("bot", "handlers", "db"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=_NOT_SOURCE)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    target = tmp_path / path
    code = target.read_text(encoding="utf-8")
    target.write_text(f"{code}\nimport typing\n\nif typing.TYPE_CHECKING:\n    import {imported}\n")
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--contract", contract],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "COLUMNS": "200"},  # one import per line, however long
    )
    assert result.returncode == 1, result.stdout + result.stderr
    importer = path.removesuffix(".py").replace("/", ".")
    assert re.search(
        rf"{re.escape(importer)} -> {re.escape(imported)} \(l\.\d+\)", result.stdout
    ), result.stdout
