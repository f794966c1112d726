"""Matching keys: the one `fold` that names, topics and searched words are compared by.

It lives in db because the database stores its keys (authors.key, topics.key) and db
imports nothing of bot; `bot.site` re-exports it for the rest of the bot.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "is_invisible"]

# Hyphens, dashes, apostrophes and underscores separate words in names and topics the same
# way a space does: "Jean-Marie" matches "Jean Marie", "d’Ivoire" matches "d'Ivoire".
_FOLD_SEPARATORS_RE = re.compile(r"[\s\-\u2010-\u2015\u2212'\u2018\u2019\u02bc`_]+")
# NFKD leaves these ligatures whole; French writers use them and readers type them split.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})


def is_invisible(char: str) -> bool:
    """Tell whether a character is a control or format character that is not whitespace."""
    return unicodedata.category(char) in ("Cc", "Cf") and not char.isspace()


def fold(text: str) -> str:
    """Return the matching key of a name, topic or word: no accents, no case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(
        char
        for char in decomposed
        if unicodedata.category(char)[0] != "M" and not is_invisible(char)
    )
    folded = kept.casefold().translate(_LIGATURES)
    return _FOLD_SEPARATORS_RE.sub(" ", folded).strip()
