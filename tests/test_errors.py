"""One error tree: every public error class is exported from bot.errors and drawn in its docstring."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator

import bot
import db
import handlers
from bot import errors

# The sandbox emulates Telegram: its errors are the Bot API's answers, not the bot's.
_NOT_THE_BOTS = ("bot.sandbox", "bot.__main__")
_BRANCH = re.compile(r"^(?P<indent>[ │]*)[├└]── (?P<name>\w+)")


def _module_names() -> Iterator[str]:
    for package in (bot, handlers, db):
        yield package.__name__
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if not info.name.startswith(_NOT_THE_BOTS):
                yield info.name


def _public_errors() -> dict[str, type[BaseException]]:
    """Return every public exception class defined in the bot's modules, by qualified name."""
    found = {}
    for name in _module_names():
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == name
                and not attribute.startswith("_")
            ):
                found[f"{name}.{attribute}"] = value
    return found


def _drawn_parents() -> dict[str, str]:
    """Return each class of the docstring's tree with the class it is drawn under."""
    doc = errors.__doc__ or ""
    tree = doc.split("The tree::", 1)[1].split("\n\n")[1]
    lines = tree.splitlines()
    root = lines[0].strip()
    parents: dict[str, str] = {}
    stack: list[tuple[int, str]] = [(-1, root)]
    for line in lines[1:]:
        match = _BRANCH.match(line)
        if match is None:
            continue  # a description carried on to the next line
        depth = len(match["indent"])
        while stack[-1][0] >= depth:
            stack.pop()
        parents[match["name"]] = stack[-1][1]
        stack.append((depth, match["name"]))
    return parents


def test_every_public_error_is_exported_from_bot_errors() -> None:
    found = _public_errors()
    assert "bot.errors.FeedError" in found and "db.connection.DatabaseTooNewError" in found
    for qualified, error in found.items():
        assert getattr(errors, error.__name__, None) is error, qualified
        assert error.__name__ in errors.__all__, qualified


def test_the_docstring_draws_every_error_under_its_parent() -> None:
    parents = _drawn_parents()
    assert set(parents) == set(errors.__all__)
    for name, drawn_parent in parents.items():
        error = getattr(errors, name)
        nearest = next(
            base.__name__
            for base in error.__mro__[1:]
            if base.__name__ in parents or base.__name__ == "Exception"
        )
        assert drawn_parent == nearest, name
