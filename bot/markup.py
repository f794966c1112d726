"""Telegram HTML text: the one `escape`, below everything that builds messages.

`bot.formatting` re-exports it; `bot.errors`, which formatting depends on, imports it here.
"""

from __future__ import annotations

__all__ = ["escape"]


def escape(text: str) -> str:
    """Return `text` safe as Telegram HTML text or double-quoted attribute value."""
    # Only & < > and " need it. The apostrophe stays literal: html.escape's &#x27; is valid
    # for Telegram, but French text is full of apostrophes and nothing requires escaping them.
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
