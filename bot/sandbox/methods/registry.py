"""The table of Bot API methods: each area module registers its handlers here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.sandbox.server import Sandbox

__all__ = ["Handler", "Method", "find", "implemented_methods", "method"]

Handler = Callable[["Sandbox", dict[str, Any]], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Method:
    """A Bot API method: its name, the parameters the spec requires, its handler."""

    name: str
    required: tuple[str, ...]
    handler: Handler


_METHODS: dict[str, Method] = {}


def method(name: str, *required: str) -> Callable[[Handler], Handler]:
    """Register a Bot API method handler with the parameters the spec makes required."""

    def register(func: Handler) -> Handler:
        _METHODS[name.lower()] = Method(name, required, func)
        return func

    return register


def find(name: str) -> Method | None:
    """Return the method called ``name`` (any case, as Telegram accepts), or None."""
    return _METHODS.get(name.lower())


def implemented_methods() -> dict[str, tuple[str, ...]]:
    """Return the implemented Bot API methods and their required parameters."""
    return {entry.name: entry.required for entry in _METHODS.values()}
