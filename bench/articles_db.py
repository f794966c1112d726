"""The reading benchmarks' database: 1,000,000 articles, 5,000 authors, 500 topics.

Generated once with a fixed seed (plain sqlite3, one transaction, the schema's own triggers
filling the full-text index and the counters) and cached under bench/results/data/.
Shared by B4 (reading), B5 (commands) and B6 (memory).
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import random
import time
from pathlib import Path

from bench.common import DATA, NOW, bulk_connection, create_schema, log

ARTICLES, AUTHORS, TOPICS = 1_000_000, 5_000, 500
VERSION = 1
DB_FILE = DATA / f"articles_{ARTICLES}_v{VERSION}.sqlite3"
SPAN = 12 * 365 * 86400.0  # twelve years of articles, newest at NOW


def _words(text: str) -> list[str]:
    return text.split()


# Words a Malian daily uses, most frequent first; then generated ones for a long tail.
_NEWS_WORDS = _words("""
    le la les de des du un une et en à au aux pour sur dans par avec qui que est sont a ont
    Mali Bamako gouvernement ministre président sécurité transition élection population
    région Kayes Sikasso Ségou Mopti Tombouctou Gao Kidal Kati Koulikoro armée forces
    attaque projet développement économie coton or agriculture santé école éducation
    électricité eau route marché prix jeunes femmes football Aigles match CAN culture
    festival musique justice tribunal procès accord paix dialogue Russie France CEDEAO AES
    Niger Burkina Sénégal Guinée Côte d'Ivoire Algérie commune maire conseil assemblée
    budget milliards francs CFA banque investissement mine lithium pluie hivernage récolte
    riz mil inondation sécheresse hôpital médecins paludisme vaccination université
    étudiants grève syndicat enseignants salaires
""")
_SYLLABLES = _words("ba ko ma li se gu ka ti do ni fa ra mo su ke la di ou sa ne bo to fi ya ze mi")
_FIRST = _words("""
    Awa Moussa Aminata Oumar Fatoumata Boubacar Mariam Ibrahim Kadiatou Seydou Aïssata
    Mamadou Rokia Modibo Oumou Cheick Salif Hawa Adama Bintou
""")
_LAST = _words("""
    Keïta Traoré Coulibaly Diarra Touré Sangaré Konaté Sidibé Cissé Dembélé Maïga Doumbia
    Diallo Koné Sissoko Kanté Diakité Camara Bagayoko Haïdara
""")


def vocabulary(rng: random.Random, size: int = 8_000) -> list[str]:
    words = list(dict.fromkeys(_NEWS_WORDS))
    while len(words) < size:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in words:
            words.append(word)
    return words


def author_names() -> list[str]:
    names = [f"{first} {last.upper()}" for first, last in itertools.product(_FIRST, _LAST)]
    suffix = itertools.count(2)
    while len(names) < AUTHORS:  # more authors than name pairs: middle initials
        n = next(suffix)
        names += [f"{first} {chr(64 + n % 26 or 26)}. {last.upper()}"
                  for first, last in itertools.product(_FIRST, _LAST)]  # fmt: skip
    return names[:AUTHORS]


def topic_names() -> list[str]:
    base = _words("""
        Mali Sécurité Économie Politique Sport Culture Santé Éducation Société International
        Russie France CEDEAO AES Agriculture Justice Environnement Religion Médias Technologie
    """)
    return base + [f"Région{n}" for n in range(len(base), TOPICS)]


def generate(path: Path) -> None:
    from bot import site

    rng = random.Random(4)
    words = vocabulary(rng)
    weights = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(words))))
    total_weight = weights[-1]

    def text(count: int) -> str:
        return " ".join(
            words[bisect.bisect(weights, rng.random() * total_weight)] for _ in range(count)
        )

    authors = author_names()
    topics = topic_names()
    author_weights = list(itertools.accumulate(1.0 / (r + 1) ** 0.8 for r in range(AUTHORS)))
    topic_weights = list(itertools.accumulate(1.0 / (r + 1) for r in range(TOPICS)))

    conn = bulk_connection(path)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO authors (id, key, name) VALUES (?, ?, ?)",
        [(n + 1, site.fold(name), name) for n, name in enumerate(authors)],
    )
    conn.executemany(
        "INSERT INTO topics (id, key, name) VALUES (?, ?, ?)",
        [(n + 1, site.fold(name), name) for n, name in enumerate(topics)],
    )
    step = SPAN / ARTICLES
    batch: list[tuple[object, ...]] = []
    links: list[tuple[int, int, int, float]] = []
    for article_id in range(1, ARTICLES + 1):
        published = NOW - SPAN + article_id * step
        first = bisect.bisect(topic_weights, rng.random() * topic_weights[-1]) + 1
        chosen = [first]
        if rng.random() < 0.4:
            second = bisect.bisect(topic_weights, rng.random() * topic_weights[-1]) + 1
            if second != first:
                chosen.append(second)
        author = bisect.bisect(author_weights, rng.random() * author_weights[-1]) + 1
        title = "#" + "-".join(topics[t - 1] for t in chosen) + " : " + text(8).capitalize()
        batch.append(
            (article_id, f"import:{article_id}", f"https://example.ml/a/{article_id}", title,
             text(22).capitalize() + ".", text(40).capitalize() + ".", author, published,
             published, "published" if article_id % 200 else "withdrawn", "import", 0, "")
        )  # fmt: skip
        links += [(article_id, t, i, published) for i, t in enumerate(chosen)]
        if len(batch) == 20_000:
            _flush(conn, batch, links)
            batch, links = [], []
    _flush(conn, batch, links)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


def _flush(conn, batch, links) -> None:  # type: ignore[no-untyped-def]
    conn.executemany(
        "INSERT INTO articles (id, source_key, url, title, lead, body, author_id, published_at,"
        " updated_at, status, origin, urgent, content_hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        batch,
    )
    conn.executemany(
        "INSERT INTO article_topics (article_id, topic_id, position, published_at)"
        " VALUES (?, ?, ?, ?)",
        links,
    )


def ensure_database() -> Path:
    """Return the cached database, generating it the first time."""
    if DB_FILE.exists():
        return DB_FILE
    DATA.mkdir(parents=True, exist_ok=True)
    partial = DB_FILE.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    log(f"generating {ARTICLES:,} articles, {AUTHORS:,} authors, {TOPICS} topics (once)")
    started = time.perf_counter()
    asyncio.run(create_schema(partial))
    generate(partial)
    partial.rename(DB_FILE)
    log(f"generated in {time.perf_counter() - started:.0f} s")
    return DB_FILE


if __name__ == "__main__":
    print(ensure_database())
