"""Articles, authors and topics: storing, reading, listing and searching."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from db.connection import Connection, Row
from db.models import Article, Author, Origin, Page, Topic, from_ts
from db.text import fold

__all__ = [
    "SEARCH_MAX_WORDS",
    "Cursor",
    "NewArticle",
    "SearchHit",
    "article_cursor",
    "articles_by_author",
    "articles_by_topic",
    "author_candidates",
    "author_names",
    "count_unused_topics",
    "ensure_author",
    "ensure_topic",
    "find_authors",
    "find_topics",
    "get_article",
    "get_article_by_source",
    "get_author",
    "get_author_by_key",
    "get_topic",
    "get_topic_by_key",
    "insert_article",
    "latest_articles",
    "list_authors",
    "list_topics",
    "newer_articles",
    "newer_articles_by_author",
    "newer_articles_by_topic",
    "prune_unused_topics",
    "related_articles",
    "rename_author",
    "search_articles",
    "search_query",
    "search_words",
    "set_article_status",
    "topic_candidates",
    "update_article",
]

Cursor = tuple[float, int]
"""Keyset pagination position: (published_at, id) of the last article shown."""

SNIPPET_START, SNIPPET_END = "\x02", "\x03"

_ARTICLE_COLUMNS = """
    a.id, a.source_key, a.url, a.title, a.lead, a.body, a.image_url, a.published_at,
    a.updated_at, a.status, a.origin, a.urgent, a.content_hash,
    au.id AS author_id, au.key AS author_key, au.name AS author_name,
    au.article_count AS author_count
"""


@dataclass(frozen=True, slots=True)
class NewArticle:
    """What `insert_article` and `update_article` store."""

    source_key: str
    title: str
    lead: str
    body: str
    author_id: int  # the first author
    topic_ids: Sequence[int]
    published_at: float
    updated_at: float
    origin: Origin
    url: str | None = None
    image_url: str | None = None
    urgent: bool = False
    content_hash: str = ""
    coauthor_ids: Sequence[int] = ()  # the other authors, in byline order


@dataclass(frozen=True, slots=True)
class SearchHit:
    article: Article
    snippet: str
    """Plain text with SNIPPET_START/SNIPPET_END around matched words; escape before use."""


# --- authors and topics -----------------------------------------------------------------
# The two tables have the same shape (id, key, name, article_count); each public function
# below names its table and row type, and the SQL is shared.

_Table = Literal["authors", "topics"]


def _author(row: Row) -> Author:
    return Author(row["id"], row["key"], row["name"], row["article_count"])


def _topic(row: Row) -> Topic:
    return Topic(row["id"], row["key"], row["name"], row["article_count"])


async def _ensure(conn: Connection, table: _Table, key: str, name: str) -> Row:
    await conn.execute(
        f"INSERT INTO {table} (key, name) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", (key, name)
    )
    row = await _get(conn, table, "key", key)
    assert row is not None
    return row


async def _get(
    conn: Connection, table: _Table, column: Literal["id", "key"], value: object
) -> Row | None:
    async with conn.execute(f"SELECT * FROM {table} WHERE {column} = ?", (value,)) as cursor:
        return await cursor.fetchone()


async def ensure_author(conn: Connection, key: str, name: str) -> Author:
    """Return the author with this folded key, creating it with `name` if new."""
    return _author(await _ensure(conn, "authors", key, name))


async def ensure_topic(conn: Connection, key: str, name: str) -> Topic:
    """Return the topic with this folded key, creating it with `name` if new."""
    return _topic(await _ensure(conn, "topics", key, name))


async def rename_author(conn: Connection, author_id: int, name: str) -> None:
    """Change an author's display name."""
    await conn.execute("UPDATE authors SET name = ? WHERE id = ?", (name, author_id))


async def author_names(conn: Connection) -> list[tuple[int, str]]:
    """Return every author's id and display name (a few thousand rows: for a one-time tidy)."""
    async with conn.execute("SELECT id, name FROM authors ORDER BY id") as cursor:
        return [(row[0], row[1]) for row in await cursor.fetchall()]


async def get_author(conn: Connection, author_id: int) -> Author | None:
    """Return one author by id."""
    row = await _get(conn, "authors", "id", author_id)
    return _author(row) if row else None


async def get_topic(conn: Connection, topic_id: int) -> Topic | None:
    """Return one topic by id."""
    row = await _get(conn, "topics", "id", topic_id)
    return _topic(row) if row else None


async def get_author_by_key(conn: Connection, key: str) -> Author | None:
    """Return one author by folded key."""
    row = await _get(conn, "authors", "key", key)
    return _author(row) if row else None


async def get_topic_by_key(conn: Connection, key: str) -> Topic | None:
    """Return one topic by folded key."""
    row = await _get(conn, "topics", "key", key)
    return _topic(row) if row else None


async def _candidates(conn: Connection, table: _Table, folded: str, limit: int) -> list[Row]:
    # Bounded index range scans: the names starting with the first letter of each word typed
    # (typos rarely hit it, and a surname typed first still finds the full name through the
    # first name's letter), and the busiest names. A misspelling is matched among these only.
    letters = sorted({word[0] for word in folded.split()})[:6]
    ranges = [
        f"SELECT * FROM (SELECT * FROM {table} WHERE article_count > 0 AND key >= ? AND key < ? "
        f"ORDER BY key LIMIT ?) AS letter_{i}"
        for i in range(len(letters))
    ]
    busiest = (
        f"SELECT * FROM (SELECT * FROM {table} WHERE article_count > 0 "
        "ORDER BY article_count DESC, key LIMIT ?) AS busiest"
    )
    params: list[object] = []
    for letter in letters:
        params += [letter, letter + "\U0010ffff", limit]
    async with conn.execute(" UNION ".join([*ranges, busiest]), (*params, limit)) as cursor:
        return list(await cursor.fetchall())


async def author_candidates(conn: Connection, folded: str, limit: int = 100) -> list[Author]:
    """Return a bounded set of published authors to look for a misspelt `folded` name in."""
    return [_author(row) for row in await _candidates(conn, "authors", folded, limit)]


async def topic_candidates(conn: Connection, folded: str, limit: int = 100) -> list[Topic]:
    """Return a bounded set of topics with articles to look for a misspelt `folded` name in."""
    return [_topic(row) for row in await _candidates(conn, "topics", folded, limit)]


def _like_pattern(folded: str) -> str:
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def _find(conn: Connection, table: _Table, folded: str, limit: int) -> list[Row]:
    async with conn.execute(
        f"""
        SELECT * FROM {table}
        WHERE key LIKE ? ESCAPE '\\'
        ORDER BY key = ? DESC, key LIKE ? ESCAPE '\\' DESC, article_count DESC, key
        LIMIT ?
        """,
        (_like_pattern(folded), folded, _like_pattern(folded)[1:], limit),
    ) as cursor:
        return list(await cursor.fetchall())


async def find_authors(conn: Connection, folded: str, limit: int = 10) -> list[Author]:
    """Return authors whose folded name is, starts with or contains `folded`, best first."""
    return [_author(row) for row in await _find(conn, "authors", folded, limit)]


async def find_topics(conn: Connection, folded: str, limit: int = 10) -> list[Topic]:
    """Return topics whose folded name is, starts with or contains `folded`, best first."""
    return [_topic(row) for row in await _find(conn, "topics", folded, limit)]


# A topic no article has ever carried exists only because a reader subscribed to a word.
_UNUSED_TOPIC = """
    topics.article_count = 0
    AND NOT EXISTS (SELECT 1 FROM article_topics AS at WHERE at.topic_id = topics.id)
"""


async def count_unused_topics(conn: Connection) -> int:
    """Return how many topics no article, published or not, has ever carried."""
    async with conn.execute(f"SELECT count(*) FROM topics WHERE {_UNUSED_TOPIC}") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def prune_unused_topics(conn: Connection) -> int:
    """Delete the topics no article has carried and no chat follows; return how many."""
    cursor = await conn.execute(
        f"""
        DELETE FROM topics WHERE {_UNUSED_TOPIC}
          AND NOT EXISTS (SELECT 1 FROM subscriptions AS s WHERE s.topic_id = topics.id)
        """
    )
    return cursor.rowcount


async def _list(conn: Connection, table: _Table, limit: int, offset: int) -> tuple[list[Row], bool]:
    async with conn.execute(
        f"""
        SELECT * FROM {table} WHERE article_count > 0
        ORDER BY article_count DESC, key LIMIT ? OFFSET ?
        """,
        (limit + 1, offset),
    ) as cursor:
        rows = list(await cursor.fetchall())
    return rows[:limit], len(rows) > limit


async def list_authors(conn: Connection, limit: int, offset: int = 0) -> Page[Author]:
    """Return authors who have published, most prolific first."""
    rows, more = await _list(conn, "authors", limit, offset)
    return Page([_author(row) for row in rows], more)


async def list_topics(conn: Connection, limit: int, offset: int = 0) -> Page[Topic]:
    """Return topics that carry articles, busiest first."""
    rows, more = await _list(conn, "topics", limit, offset)
    return Page([_topic(row) for row in rows], more)


# --- reading articles -------------------------------------------------------------------


async def _hydrate(conn: Connection, rows: Sequence[Row]) -> list[Article]:
    """Attach topics (one query for all rows) and build Article objects."""
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    topics: dict[int, list[Topic]] = {article_id: [] for article_id in ids}
    placeholders = ",".join("?" * len(ids))
    async with conn.execute(
        f"""
        SELECT at.article_id, t.id, t.key, t.name, t.article_count
        FROM article_topics AS at JOIN topics AS t ON t.id = at.topic_id
        WHERE at.article_id IN ({placeholders})
        ORDER BY at.article_id, at.position
        """,
        ids,
    ) as cursor:
        async for row in cursor:
            topics[row["article_id"]].append(_topic(row))
    coauthors: dict[int, list[Author]] = {article_id: [] for article_id in ids}
    async with conn.execute(
        f"""
        SELECT aa.article_id, au.id, au.key, au.name, au.article_count
        FROM article_authors AS aa JOIN authors AS au ON au.id = aa.author_id
        WHERE aa.article_id IN ({placeholders}) AND aa.position > 0
        ORDER BY aa.article_id, aa.position
        """,
        ids,
    ) as cursor:
        async for row in cursor:
            coauthors[row["article_id"]].append(_author(row))
    return [
        Article(
            id=row["id"],
            source_key=row["source_key"],
            title=row["title"],
            lead=row["lead"],
            body=row["body"],
            author=Author(
                row["author_id"], row["author_key"], row["author_name"], row["author_count"]
            ),
            topics=tuple(topics[row["id"]]),
            published_at=from_ts(row["published_at"]),
            updated_at=from_ts(row["updated_at"]),
            status=row["status"],
            origin=row["origin"],
            url=row["url"],
            image_url=row["image_url"],
            urgent=bool(row["urgent"]),
            content_hash=row["content_hash"],
            coauthors=tuple(coauthors[row["id"]]),
        )
        for row in rows
    ]


# Each listing walks its own index, in keyset order: articles_latest,
# article_authors_by_author (each author of a co-signed article), article_topics_by_topic.
# `_keyset_page` writes the one query all six pages share.
_Listing = Literal["latest", "author", "topic"]
_LISTINGS: dict[_Listing, tuple[str, str, tuple[str, str]]] = {
    # listing: (rows, scope, keyset columns)
    "latest": ("articles AS a", "", ("a.published_at", "a.id")),
    "author": (
        "article_authors AS aa JOIN articles AS a ON a.id = aa.article_id",
        "aa.author_id = ? AND",
        ("aa.published_at", "aa.article_id"),
    ),
    "topic": (
        "article_topics AS at JOIN articles AS a ON a.id = at.article_id",
        "at.topic_id = ? AND",
        ("at.published_at", "at.article_id"),
    ),
}
_NO_CURSOR: Cursor = (float("inf"), 0)


async def _keyset_page(
    conn: Connection,
    listing: _Listing,
    scope: tuple[int, ...],
    limit: int,
    cursor: Cursor,
    *,
    newer: bool = False,
) -> Page[Article]:
    """Return the `limit` published articles of a listing next to `cursor`, newest first.

    Older pages walk the index down from the cursor. Newer ones walk it up and are read
    backwards, and then `has_more` says whether still newer articles exist.
    """
    rows_from, scope_sql, (moment, row_id) = _LISTINGS[listing]
    beyond, direction = (">", "") if newer else ("<", " DESC")
    sql = f"""
        SELECT {_ARTICLE_COLUMNS} FROM {rows_from}
        JOIN authors AS au ON au.id = a.author_id
        WHERE {scope_sql} a.status = 'published' AND ({moment}, {row_id}) {beyond} (?, ?)
        ORDER BY {moment}{direction}, {row_id}{direction} LIMIT ?
    """
    async with conn.execute(sql, (*scope, *cursor, limit + 1)) as result:
        rows = list(await result.fetchall())
    shown = rows[:limit][::-1] if newer else rows[:limit]
    return Page(await _hydrate(conn, shown), len(rows) > limit)


async def get_article(
    conn: Connection, article_id: int, *, include_withdrawn: bool = False
) -> Article | None:
    """Return one article; withdrawn ones only when asked."""
    async with conn.execute(
        f"""
        SELECT {_ARTICLE_COLUMNS} FROM articles AS a JOIN authors AS au ON au.id = a.author_id
        WHERE a.id = ? AND (a.status = 'published' OR ?)
        """,
        (article_id, include_withdrawn),
    ) as cursor:
        row = await cursor.fetchone()
    articles = await _hydrate(conn, [row] if row else [])
    return articles[0] if articles else None


async def article_cursor(conn: Connection, article_id: int) -> Cursor | None:
    """Return the exact keyset position of an article, whatever its status."""
    # Exact as stored: a datetime round trip keeps only microseconds, and a cursor off by
    # a fraction would show the article it stands for again, or skip one.
    async with conn.execute(
        "SELECT published_at, id FROM articles WHERE id = ?", (article_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return (row[0], row[1]) if row else None


async def get_article_by_source(conn: Connection, source_key: str) -> Article | None:
    """Return the article stored under a source key (feed guid, editor id), whatever its status."""
    async with conn.execute(
        f"""
        SELECT {_ARTICLE_COLUMNS} FROM articles AS a JOIN authors AS au ON au.id = a.author_id
        WHERE a.source_key = ?
        """,
        (source_key,),
    ) as cursor:
        row = await cursor.fetchone()
    articles = await _hydrate(conn, [row] if row else [])
    return articles[0] if articles else None


async def latest_articles(
    conn: Connection, limit: int, before: Cursor | None = None
) -> Page[Article]:
    """Return the newest published articles, older than `before` when given."""
    return await _keyset_page(conn, "latest", (), limit, before or _NO_CURSOR)


async def articles_by_author(
    conn: Connection, author_id: int, limit: int, before: Cursor | None = None
) -> Page[Article]:
    """Return an author's published articles, newest first."""
    return await _keyset_page(conn, "author", (author_id,), limit, before or _NO_CURSOR)


async def articles_by_topic(
    conn: Connection, topic_id: int, limit: int, before: Cursor | None = None
) -> Page[Article]:
    """Return a topic's published articles, newest first."""
    return await _keyset_page(conn, "topic", (topic_id,), limit, before or _NO_CURSOR)


async def newer_articles(conn: Connection, limit: int, after: Cursor) -> Page[Article]:
    """Return the `limit` published articles just newer than `after`, newest first."""
    return await _keyset_page(conn, "latest", (), limit, after, newer=True)


async def newer_articles_by_author(
    conn: Connection, author_id: int, limit: int, after: Cursor
) -> Page[Article]:
    """Return an author's `limit` published articles just newer than `after`, newest first."""
    return await _keyset_page(conn, "author", (author_id,), limit, after, newer=True)


async def newer_articles_by_topic(
    conn: Connection, topic_id: int, limit: int, after: Cursor
) -> Page[Article]:
    """Return a topic's `limit` published articles just newer than `after`, newest first."""
    return await _keyset_page(conn, "topic", (topic_id,), limit, after, newer=True)


async def related_articles(conn: Connection, article: Article, limit: int = 3) -> list[Article]:
    """Return the newest other articles sharing a topic, then the author's own."""
    found: dict[int, Article] = {}
    for topic in article.topics:
        page = await articles_by_topic(conn, topic.id, limit + 1)
        found.update((a.id, a) for a in page.items)
    if len(found) <= limit:
        page = await articles_by_author(conn, article.author.id, limit + 1)
        found.update((a.id, a) for a in page.items)
    found.pop(article.id, None)
    newest = sorted(found.values(), key=lambda a: (a.published_at, a.id), reverse=True)
    return newest[:limit]


_WORD = re.compile(r"\w+", re.UNICODE)
SEARCH_MAX_WORDS = 12
"""The words of a search that count; more would not change the results."""


def search_words(text: str) -> list[str]:
    """Return the words a search is made of, in lower case, as FTS5 will see them."""
    return _WORD.findall(text.lower())[:SEARCH_MAX_WORDS]


def _variants(word: str) -> tuple[str, ...]:
    """Return a word and its singular or plural: French plurals mostly add an s or an x."""
    if len(word) <= 3:
        return (word,)
    if word[-1] in "sxSX":
        return (word, word[:-1])
    return (word, word + "s")


def _ligature_spellings(forms: tuple[str, ...]) -> list[str]:
    """Add each form spelt with and without œ and æ: FTS5 keeps the ligatures as letters,
    while readers type them split (PostgreSQL's unaccent splits them on both sides)."""
    spelt = dict.fromkeys(forms)
    for form in forms:
        for split, joined in (("oe", "œ"), ("ae", "æ")):
            spelt[form.replace(split, joined)] = None
            spelt[form.replace(joined, split)] = None
    return list(spelt)


def search_query(text: str) -> str | None:
    """Turn free text into a safe FTS5 query: every word (or its plural) required.

    Each word is quoted, so quotes, `*`, `-`, OR, NEAR and parentheses typed by a reader
    are plain words here and no input can be an FTS5 syntax error.
    """
    words = search_words(text)
    if not words:
        return None
    groups = []
    for word in words:
        forms = " OR ".join(f'"{form}"' for form in _ligature_spellings(_variants(word)))
        groups.append(f"({forms})")
    return " AND ".join(groups)


# A passage cut after one of these would read as broken off ("… pour la…"): the cut moves
# back before them.
_WEAK_ENDINGS = frozenset(
    {
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "d",
        "dans",
        "de",
        "des",
        "du",
        "en",
        "et",
        "l",
        "la",
        "le",
        "les",
        "leur",
        "leurs",
        "mais",
        "ou",
        "par",
        "pour",
        "qu",
        "que",
        "qui",
        "sa",
        "sans",
        "ses",
        "son",
        "sur",
        "un",
        "une",
        "the",
        "of",
        "and",
        "to",
        "in",
        "for",
        "on",
        "with",
        "by",
    }
)


def _cut(tokens: list[str], start: int, words: int) -> str:
    """Return `words` tokens from `start`, ended on a word that closes a phrase, with "…"
    where the text goes on."""
    end = min(len(tokens), start + words)
    if end < len(tokens):
        while end - start > words // 2 and (
            fold(tokens[end - 1].rstrip(",;:–—-")) in _WEAK_ENDINGS
            or tokens[end - 1].endswith(("’", "'"))
        ):
            end -= 1
    shown = " ".join(tokens[start:end])
    if end < len(tokens):
        shown = shown.rstrip(",;:–—- ") + "…"
    return ("…" if start > 0 else "") + shown


def _snippet(article: Article, text: str, words: int = 18) -> str:
    """Return a passage of the article around the first words searched, marked for display.

    Never from the title: the result shows it already. A title-only match shows the lead.
    """
    wanted = {fold(form) for word in search_words(text) for form in _variants(word)}

    def found(token: str) -> bool:
        return any(fold(word) in wanted for word in _WORD.findall(token))

    def mark(match: re.Match[str]) -> str:
        word = match.group(0)
        return f"{SNIPPET_START}{word}{SNIPPET_END}" if fold(word) in wanted else word

    for field in (article.lead, article.body):
        tokens = field.split()
        first = next((i for i, token in enumerate(tokens) if found(token)), None)
        if first is None:
            continue
        start = max(0, first - words // 3)
        return _cut([_WORD.sub(mark, token) for token in tokens], start, words)
    return _cut(article.lead.split(), 0, words)


SEARCH_WINDOW = 2000
"""Relevance is ranked among this many newest matches: news ages, and ranking every match
of a common word in a million articles would take far longer than a reader should wait."""


async def search_articles(
    conn: Connection, text: str, limit: int, offset: int = 0
) -> Page[SearchHit]:
    """Return published articles matching `text`, by relevance then recency."""
    search = _search_postgres if conn.dialect == "postgresql" else _search_sqlite
    rows = await search(conn, text, limit, offset)
    if rows is None:
        return Page([], False)
    found = await _hydrate(conn, rows[:limit])
    # Snippets are cut here, for the page shown only: a snippet computed by the database
    # would be for every match ranked.
    hits = [SearchHit(article, _snippet(article, text)) for article in found]
    return Page(hits, len(rows) > limit)


async def _search_sqlite(conn: Connection, text: str, limit: int, offset: int) -> list[Row] | None:
    query = search_query(text)
    if query is None:
        return None
    # FTS5 walks a word's matches in rowid order cheaply: find where the newest window starts.
    async with conn.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid DESC "
        "LIMIT 1 OFFSET ?",
        (query, SEARCH_WINDOW - 1),
    ) as cursor:
        row = await cursor.fetchone()
    floor = row[0] if row else 0
    async with conn.execute(
        f"""
        SELECT {_ARTICLE_COLUMNS} FROM articles_fts
        JOIN articles AS a ON a.id = articles_fts.rowid
        JOIN authors AS au ON au.id = a.author_id
        WHERE articles_fts MATCH ? AND articles_fts.rowid >= ? AND a.status = 'published'
        ORDER BY articles_fts.rank, a.published_at DESC
        LIMIT ? OFFSET ?
        """,
        (query, floor, limit + 1, offset),
    ) as cursor:
        return list(await cursor.fetchall())


def _tsquery(text: str) -> tuple[str, list[str]] | None:
    """Return PostgreSQL's form of `search_query`: SQL building a tsquery, and its words.

    Each form goes through newsbot_search_text, the folding the articles' vectors were made
    with, and phraseto_tsquery, which reads any text as plain words: no input is tsquery
    syntax. Forms are ORed (||), words ANDed (&&), as FTS5's query does.
    """
    words = search_words(text)
    if not words:
        return None
    groups: list[str] = []
    params: list[str] = []
    for word in words:
        forms = _variants(word)
        either = " || ".join("phraseto_tsquery('simple', newsbot_search_text(?))" for _ in forms)
        groups.append(f"({either})")
        params += forms
    return "(" + " && ".join(groups) + ")", params


async def _search_postgres(
    conn: Connection, text: str, limit: int, offset: int
) -> list[Row] | None:
    built = _tsquery(text)
    if built is None:
        return None
    query, words = built
    # The window of the newest matches comes from the GIN index (articles_search; the query
    # is written out where it is used, so the planner can read its words) and is ranked by
    # ts_rank, the stand-in for FTS5's bm25; ties go to the newest.
    return await conn.fetchall(
        f"""
        WITH newest AS (
            SELECT a.id FROM articles AS a
            WHERE a.search @@ {query} AND a.status = 'published'
            ORDER BY a.id DESC LIMIT ?
        )
        SELECT {_ARTICLE_COLUMNS} FROM newest
        JOIN articles AS a ON a.id = newest.id
        JOIN authors AS au ON au.id = a.author_id
        ORDER BY ts_rank(a.search, {query}) DESC, a.published_at DESC, a.id DESC
        LIMIT ? OFFSET ?
        """,
        (*words, SEARCH_WINDOW, *words, limit + 1, offset),
    )


# --- writing articles -------------------------------------------------------------------


async def _set_topics(
    conn: Connection, article_id: int, topic_ids: Iterable[int], published_at: float
) -> None:
    await conn.execute("DELETE FROM article_topics WHERE article_id = ?", (article_id,))
    await conn.executemany(
        "INSERT INTO article_topics (article_id, topic_id, position, published_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [(article_id, topic_id, i, published_at) for i, topic_id in enumerate(topic_ids)],
    )


async def _set_authors(
    conn: Connection, article_id: int, author_ids: Sequence[int], published_at: float
) -> None:
    # Rewritten whole, as topics are: the count triggers see each author leave and come back.
    await conn.execute("DELETE FROM article_authors WHERE article_id = ?", (article_id,))
    unique = list(dict.fromkeys(author_ids))
    await conn.executemany(
        "INSERT INTO article_authors (article_id, author_id, position, published_at) "
        "VALUES (?, ?, ?, ?)",
        [(article_id, author_id, i, published_at) for i, author_id in enumerate(unique)],
    )


async def insert_article(conn: Connection, new: NewArticle) -> int:
    """Store a new article with its topics; return its id. Call inside a transaction."""
    row = await conn.fetchone(
        """
        INSERT INTO articles (source_key, url, title, lead, body, image_url, author_id,
                              published_at, updated_at, origin, urgent, content_hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        RETURNING id
        """,
        (
            new.source_key, new.url, new.title, new.lead, new.body, new.image_url,
            new.author_id, new.published_at, new.updated_at, new.origin, int(new.urgent),
            new.content_hash,
        ),
    )  # fmt: skip
    article_id = int(row[0]) if row else 0
    await _set_topics(conn, article_id, new.topic_ids, new.published_at)
    await _set_authors(conn, article_id, (new.author_id, *new.coauthor_ids), new.published_at)
    return article_id


async def update_article(conn: Connection, article_id: int, new: NewArticle) -> None:
    """Replace an article's content (not its source key or origin). Call inside a transaction."""
    await conn.execute(
        """
        UPDATE articles SET url = ?, title = ?, lead = ?, body = ?, image_url = ?, author_id = ?,
               published_at = ?, updated_at = ?, urgent = ?, content_hash = ?
        WHERE id = ?
        """,
        (
            new.url, new.title, new.lead, new.body, new.image_url, new.author_id,
            new.published_at, new.updated_at, int(new.urgent), new.content_hash, article_id,
        ),
    )  # fmt: skip
    await _set_topics(conn, article_id, new.topic_ids, new.published_at)
    await _set_authors(conn, article_id, (new.author_id, *new.coauthor_ids), new.published_at)


async def set_article_status(
    conn: Connection, article_id: int, status: str, updated_at: float
) -> bool:
    """Publish or withdraw an article; return whether it changed."""
    cursor = await conn.execute(
        "UPDATE articles SET status = ?, updated_at = ? WHERE id = ? AND status <> ?",
        (status, updated_at, article_id, status),
    )
    return cursor.rowcount > 0
