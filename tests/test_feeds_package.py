"""The feeds package: one job per module, each importing only the modules listed before it.

The order itself is the import-linter contract `feeds-layers` (tests/test_code_quality.py
runs it); these tests keep the contract, the docstring and the files in step."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import bot.feeds
from bot.feeds import worker

PACKAGE = Path(bot.feeds.__file__).parent
ROOT = Path(__file__).resolve().parents[1]


def _order() -> list[str]:
    """Return the package's modules in the order its docstring lists them."""
    return re.findall(r"^- `(\w+)`:", bot.feeds.__doc__ or "", re.MULTILINE)


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    [contract] = [
        c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "feeds-layers"
    ]
    return [name.removeprefix("bot.feeds.") for name in contract["layers"]]


def test_every_module_is_listed_and_layered_in_that_order() -> None:
    modules = sorted(path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__")
    assert sorted(_order()) == modules
    # import-linter's layers go from the top down: the docstring's list read backwards.
    assert _layers() == _order()[::-1]


def test_the_package_exports_what_its_modules_define() -> None:
    for name in bot.feeds.__all__:
        value = getattr(bot.feeds, name)
        home = getattr(value, "__module__", "bot.feeds")
        assert home == "bot.errors" or home.startswith("bot.feeds"), name


def test_the_parse_worker_runs_functions_at_stable_paths() -> None:
    # Spawn starts a fresh interpreter that imports the target and the parse function by
    # their qualified names: both must be reachable there, not defined in a closure.
    assert worker._serve_parses.__module__ == "bot.feeds.worker"
    default = worker.ParseWorker()._parse
    assert (default.__module__, default.__qualname__) == ("bot.feeds.parsing", "parse_feed")
