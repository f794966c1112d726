"""Keyword alerts (/watch): the watched terms, and matching a new article against all of them.

Words match as /search matches them (db/articles.py): without case or accents (`fold`),
singular and plural alike (`_variants`: "élection" finds "élections" and back), every word
required. Common words ("le", "de", "the") are dropped from a watch: required, they would
match nearly everything.

Matching scales with the article, not with the watches: `watch_terms` indexes every watched
term, and `matching_watches_sql` looks up the article's distinct terms in it (each with the
forms of watched words it satisfies, `article_terms`), keeping the watches whose every term
was found. 100,000 watches cost one query of a few thousand index lookups (bench/b8_watches.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from db.articles import _variants
from db.connection import ALL, Connection, Row
from db.models import Page, Watch
from db.text import fold

__all__ = [
    "MAX_ARTICLE_TERMS",
    "MAX_TERM_CHARS",
    "MAX_WATCH_CHARS",
    "MAX_WATCH_TERMS",
    "STOP_WORDS",
    "add_watch",
    "article_terms",
    "chat_watches",
    "drop_thread_watches",
    "get_watch",
    "ignored_words",
    "matches",
    "matching_watches_sql",
    "remove_watch",
    "shown_words",
    "watch_count",
    "watch_key",
    "watch_terms",
    "watches_page",
]

MAX_WATCH_TERMS = 5
"""Words one watch may require: more would match almost nothing."""
MAX_WATCH_CHARS = 100
"""Characters a watch may be typed with."""
MAX_TERM_CHARS = 40
"""Letters of the longest word watched (and of the longest article word looked up)."""
MAX_ARTICLE_TERMS = 5_000
"""Distinct words of an article matched against the watches: with their forms (at most four
each) they stay under both databases' limits on a query's parameters (SQLite 32,766,
PostgreSQL 65,535). A news article has a few hundred; only a book-length text is cut."""

# Words too common to be required: French and English articles, pronouns, prepositions and
# conjunctions, and the letters left by elisions ("d'Ivoire" reads "d", "ivoire").
_STOP_WORDS_TEXT = """
    a au aux avec c ce ces cet cette d dans de des du elle elles en est et il ils j je l la
    le les leur leurs lui m ma mais me mes n ne nos notre nous on ou par pas pour qu que qui
    s sa se ses son sont sur t ta te tes toi ton tu un une vos votre vous y
    an and are as at be by for from in is it its of on or the to with
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def watch_terms(text: str) -> list[str]:
    """Return the terms a watch typed as `text` requires: folded, without common words, once."""
    terms: list[str] = []
    for word in _words(text):
        term = _singular(word)
        if word not in STOP_WORDS and term not in terms:
            terms.append(term)
    return terms


def _singular(word: str) -> str:
    """Return the singular of a plural in s when both match the same words ("barrages" and
    "barrage" find each other and nothing else), so that the two are one watch."""
    single = word[:-1]
    if word.endswith("s") and len(single) > 3 and set(_variants(single)) == set(_variants(word)):
        return single
    return word


def shown_words(text: str) -> list[str]:
    """Return the words of `text` a watch requires, as the reader typed them (accents kept)."""
    return _typed_words(text, common=False)


def ignored_words(text: str) -> list[str]:
    """Return the common words of `text` a watch leaves out, as the reader typed them."""
    return _typed_words(text, common=True)


def _typed_words(text: str, *, common: bool) -> list[str]:
    seen: set[str] = set()
    found: list[str] = []
    for word in _WORD.findall(unicodedata.normalize("NFC", text)):
        key = fold(word)
        if key and (key in STOP_WORDS) == common and key not in seen:
            seen.add(key)
            found.append(word)
    return found


def watch_key(terms: Iterable[str]) -> str:
    """Return the key a watch of these terms is stored under (the same whatever their order)."""
    return " ".join(sorted(set(terms)))


def _satisfied(token: str) -> set[str]:
    """Return the watched words an article word `token` satisfies.

    A watched word w matches the token t when t is one of w's forms (`_variants(w)`): t itself,
    or, for a word of four letters or more, t with an s or an x more (w a plural, t its
    singular) or t without its final s (w a singular, t its plural). Those candidates are
    checked against `_variants` itself, so the two directions cannot disagree.
    """
    candidates = {token, token + "s", token + "x"}
    if len(token) > 1:
        candidates.add(token[:-1])
    return {word for word in candidates if token in _variants(word)}


def article_terms(*fields: str) -> list[str]:
    """Return the terms an article with these fields (title, lead, body) satisfies, sorted.

    Its distinct words, the first MAX_ARTICLE_TERMS of them, each with the forms of watched
    words it matches: the list `matching_watches_sql` looks up.
    """
    seen: dict[str, None] = {}
    for text in fields:
        for word in _words(text):
            if len(word) <= MAX_TERM_CHARS and word not in STOP_WORDS:
                seen.setdefault(word)
        if len(seen) >= MAX_ARTICLE_TERMS:
            break
    terms: set[str] = set()
    for word in list(seen)[:MAX_ARTICLE_TERMS]:
        terms |= _satisfied(word)
    return sorted(terms)


def matches(key: str, terms: set[str]) -> bool:
    """Tell whether a watch's key is matched by an article's `article_terms`."""
    return all(term in terms for term in key.split())


def matching_watches_sql(term_count: int) -> str:
    """Return a SELECT of the ids of the watches all of whose terms are among `term_count`
    parameters (an article's `article_terms`).

    One range of the watch_terms primary key per term; the watches that do not match are
    never visited, and a watch is kept when its rows found number its term_count.
    """
    terms = ",".join("?" * term_count)
    return f"""
        SELECT watch_id FROM watch_terms WHERE term IN ({terms})
        GROUP BY watch_id, term_count HAVING count(*) = term_count
    """


def _watch(row: Row) -> Watch:
    return Watch(row["id"], row["chat_id"], row["thread_id"], row["key"], row["words"])


async def add_watch(
    conn: Connection,
    chat_id: int,
    words: str,
    terms: list[str],
    now: float,
    *,
    thread_id: int = 0,
) -> tuple[Watch, bool]:
    """Store a watch of `terms` (typed as `words`); return it and whether it is new.

    A watch of the same terms in the same chat and topic is the one returned, unchanged.
    Call inside a transaction (the follow cap is checked after it, in the same one).
    """
    key = watch_key(terms)
    existing = await _watch_by_key(conn, chat_id, thread_id, key)
    if existing is not None:
        return existing, False
    async with conn.execute(
        """
        INSERT INTO watches (chat_id, thread_id, key, words, term_count, created_at)
        VALUES (?, ?, ?, ?, ?, ?) RETURNING id
        """,
        (chat_id, thread_id, key, words, len(key.split()), now),
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    watch_id = int(row[0])
    await conn.executemany(
        "INSERT INTO watch_terms (term, watch_id, term_count) VALUES (?, ?, ?)",
        [(term, watch_id, len(key.split())) for term in key.split()],
    )
    return Watch(watch_id, chat_id, thread_id, key, words), True


async def _watch_by_key(conn: Connection, chat_id: int, thread_id: int, key: str) -> Watch | None:
    async with conn.execute(
        "SELECT * FROM watches WHERE chat_id = ? AND thread_id = ? AND key = ?",
        (chat_id, thread_id, key),
    ) as cursor:
        row = await cursor.fetchone()
    return _watch(row) if row else None


async def get_watch(conn: Connection, watch_id: int) -> Watch | None:
    """Return one watch by id."""
    async with conn.execute("SELECT * FROM watches WHERE id = ?", (watch_id,)) as cursor:
        row = await cursor.fetchone()
    return _watch(row) if row else None


async def remove_watch(conn: Connection, chat_id: int, watch_id: int) -> bool:
    """Remove one of a chat's watches (its terms go with it); return whether there was one.

    Alerts still waiting for the chat that nothing else it follows matches are cancelled by
    the caller (`chats.unwatch`), which knows the rest of what the chat follows.
    """
    await conn.execute("DELETE FROM watch_terms WHERE watch_id = ?", (watch_id,))
    cursor = await conn.execute(
        "DELETE FROM watches WHERE id = ? AND chat_id = ?", (watch_id, chat_id)
    )
    return cursor.rowcount > 0


async def drop_thread_watches(conn: Connection, chat_id: int, thread_id: int) -> int:
    """Remove every watch of one forum topic (the topic was deleted); return how many."""
    await conn.execute(
        """
        DELETE FROM watch_terms WHERE watch_id IN (
            SELECT id FROM watches WHERE chat_id = ? AND thread_id = ?
        )
        """,
        (chat_id, thread_id),
    )
    cursor = await conn.execute(
        "DELETE FROM watches WHERE chat_id = ? AND thread_id = ?", (chat_id, thread_id)
    )
    return cursor.rowcount


async def chat_watches(conn: Connection, chat_id: int, thread_id: int | None = 0) -> list[Watch]:
    """Return the watches of a chat's topic (`thread_id=None`: of every topic), by words."""
    return await _watches(conn, chat_id, thread_id, ALL, 0)


async def watches_page(
    conn: Connection, chat_id: int, thread_id: int, limit: int, offset: int = 0
) -> Page[Watch]:
    """Return one page of a chat topic's watches, in the order of `chat_watches`."""
    found = await _watches(conn, chat_id, thread_id, limit + 1, offset)
    return Page(found[:limit], len(found) > limit)


async def watch_count(conn: Connection, chat_id: int, thread_id: int | None) -> int:
    """Return how many watches a chat has in one topic (`thread_id=None`: in all)."""
    where, params = _scope(chat_id, thread_id)
    async with conn.execute(f"SELECT count(*) FROM watches WHERE {where}", params) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


def _scope(chat_id: int, thread_id: int | None) -> tuple[str, tuple[int, ...]]:
    if thread_id is None:
        return "chat_id = ?", (chat_id,)
    return "chat_id = ? AND thread_id = ?", (chat_id, thread_id)


async def _watches(
    conn: Connection, chat_id: int, thread_id: int | None, limit: int, offset: int
) -> list[Watch]:
    where, params = _scope(chat_id, thread_id)
    async with conn.execute(
        f"SELECT * FROM watches WHERE {where} ORDER BY key, id LIMIT ? OFFSET ?",
        (*params, limit, offset),
    ) as cursor:
        return [_watch(row) for row in await cursor.fetchall()]
