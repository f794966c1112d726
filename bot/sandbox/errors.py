"""The Bot API error answer every part of the sandbox raises."""

from __future__ import annotations

from typing import Any

__all__ = ["QUERY_INVALID", "SandboxApiError", "bad"]

QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"


class SandboxApiError(Exception):
    """A Bot API error answer: HTTP status ``code``, ``description`` and ``parameters``."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.parameters = parameters


def bad(description: str, parameters: dict[str, Any] | None = None) -> SandboxApiError:
    """Return a 400 Bad Request error."""
    return SandboxApiError(400, description, parameters)
