"""The feeds package: one job per module, each importing only the modules before it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import bot.feeds
from bot.feeds import worker

PACKAGE = Path(bot.feeds.__file__).parent


def _order() -> list[str]:
    """Return the package's modules in the order its docstring lists them."""
    return re.findall(r"^- `(\w+)`:", bot.feeds.__doc__ or "", re.MULTILINE)


def _feeds_imports(module: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bot.feeds."):
            found.add((node.module or "").removeprefix("bot.feeds."))
        elif isinstance(node, ast.Import):
            found |= {
                alias.name.removeprefix("bot.feeds.")
                for alias in node.names
                if alias.name.startswith("bot.feeds.")
            }
    return found


def test_every_module_is_listed_and_imports_only_those_before_it() -> None:
    order = _order()
    assert sorted(order) == sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")
    for position, module in enumerate(order):
        assert _feeds_imports(module) <= set(order[:position]), module


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
