"""Keyword watches in the database: matching as /search does, one alert per chat and topic,
the index query, and correctness against thousands of watches."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from db import Database, articles, chats, deliveries, watches
from db.articles import NewArticle, _variants
from db.recipients import recipients_sql

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC).timestamp()


async def _chat(database: Database, chat_id: int, kind: str = "private") -> None:
    async with database.transaction() as conn:
        await chats.upsert_chat(conn, chat_id, kind, None, "fr", NOW)


async def _watch(database: Database, chat_id: int, words: str, thread: int = 0) -> int:
    async with database.transaction() as conn:
        watch, _ = await watches.add_watch(
            conn, chat_id, words, watches.watch_terms(words), NOW, thread_id=thread
        )
    return watch.id


async def _publish(
    database: Database,
    key: str,
    title: str,
    lead: str,
    body: str = "",
    topics: tuple[str, ...] = (),
) -> tuple[int, int]:
    """Store an article and queue its alerts as publishing does; return (id, queued)."""
    async with database.transaction() as conn:
        author = await articles.ensure_author(conn, "awa keita", "Awa Keïta")
        topic_ids = [(await articles.ensure_topic(conn, t.lower(), t)).id for t in topics]
        article_id = await articles.insert_article(
            conn, NewArticle(key, title, lead, body, author.id, topic_ids, NOW, NOW, "editor")
        )
        queued = await deliveries.queue_article(
            conn,
            article_id,
            topic_ids,
            author.id,
            NOW,
            terms=watches.article_terms(title, lead, body),
        )
    return article_id, queued


async def _recipients(database: Database, article_id: int) -> list[tuple[int, int]]:
    async with database.reader.execute(
        "SELECT chat_id, thread_id FROM deliveries WHERE article_id = ? ORDER BY chat_id, thread_id",
        (article_id,),
    ) as cursor:
        return [(row[0], row[1]) for row in await cursor.fetchall()]


@pytest.mark.parametrize(
    ("watched", "title", "lead", "body", "alerted"),
    [
        ("Sécurité", "#Mali : la SECURITE renforcée à Gao", "Des patrouilles.", "", True),
        ("securite", "#Mali : la sécurité renforcée à Gao", "Des patrouilles.", "", True),
        ("élection", "#Mali : les élections reportées", "Le scrutin attendra.", "", True),
        ("élections", "#Mali : l’élection reportée", "Le scrutin attendra.", "", True),
        ("feux", "#Ségou : un feu ravage le marché", "Les pompiers.", "", True),
        ("élections Kayes", "#Mali : les élections reportées", "À Sikasso.", "", False),
        ("élections Kayes", "#Mali : les élections reportées", "Puis à Kayes.", "", True),
        (
            "barrage Sélingué",
            "#Énergie : coupures",
            "La SOMAGEP prévient.",
            "Le barrage de Sélingué est à sec, dit le directeur.",
            True,
        ),
        ("Côte d’Ivoire", "#Sport : la Côte d'Ivoire en finale", "Match à Abidjan.", "", True),
        ("coton", "#Économie : la cotonnade exportée", "Les ventes.", "", False),
        ("ONU", "#Mali : l’ONU s’en va", "La mission part.", "", True),
        ("ONU", "#Mali : les ONUs", "Typographie douteuse.", "", False),  # 3 letters: exact
    ],
    ids=[
        "case",
        "accents",
        "singular-finds-plural",
        "plural-finds-singular",
        "x-plural",
        "all-words-required",
        "all-words-found",
        "only-in-body",
        "elision-apostrophes",
        "no-prefix-match",
        "short-word",
        "short-word-exact",
    ],
)
async def test_a_watch_matches_an_article_as_search_would(
    database: Database, watched: str, title: str, lead: str, body: str, alerted: bool
) -> None:
    await _chat(database, 1)
    await _watch(database, 1, watched)
    article_id, queued = await _publish(database, "k", title, lead, body)
    assert queued == int(alerted)
    assert await _recipients(database, article_id) == ([(1, 0)] if alerted else [])


async def test_one_alert_per_chat_and_topic_however_many_follows_match(database: Database) -> None:
    await _chat(database, 1)
    await _chat(database, -100, "supergroup")
    async with database.transaction() as conn:
        mali = await articles.ensure_topic(conn, "mali", "Mali")
        await chats.subscribe(conn, 1, NOW, topic_id=mali.id)
        await chats.subscribe(conn, -100, NOW, topic_id=mali.id, thread_id=7)
    await _watch(database, 1, "barrage")
    await _watch(database, 1, "Sélingué barrage")
    await _watch(database, -100, "barrage", thread=7)  # same topic as its Mali: once there
    await _watch(database, -100, "Sélingué", thread=9)  # another topic of the forum: its own
    await _watch(database, 1, "Tombouctou")  # matches nothing
    article_id, queued = await _publish(
        database, "k", "#Mali : le barrage de Sélingué à sec", "Coupures à Bamako.", "", ("Mali",)
    )
    assert await _recipients(database, article_id) == [(-100, 7), (-100, 9), (1, 0)]
    assert queued == 3


async def test_watches_of_an_inactive_chat_alert_nobody(database: Database) -> None:
    await _chat(database, 1)
    await _watch(database, 1, "barrage")
    async with database.transaction() as conn:
        await chats.set_chat_status(conn, 1, "blocked", NOW)
    _, queued = await _publish(database, "k", "#Mali : le barrage", "Lead.")
    assert queued == 0


async def test_the_same_words_in_any_order_are_one_watch(database: Database) -> None:
    await _chat(database, 1)
    async with database.transaction() as conn:
        first, added = await watches.add_watch(
            conn, 1, "élections Mali", watches.watch_terms("élections Mali"), NOW
        )
        again, added_again = await watches.add_watch(
            conn, 1, "mali ELECTIONS", watches.watch_terms("mali ELECTIONS"), NOW
        )
    assert added and not added_again
    assert again.id == first.id and again.words == "élections Mali"
    assert await chats.follow_count(database.reader, 1) == 1


async def test_unwatching_cancels_only_the_alerts_nothing_else_matches(database: Database) -> None:
    await _chat(database, 1)
    barrage = await _watch(database, 1, "barrage")
    await _watch(database, 1, "coupures")
    only, _ = await _publish(database, "a", "#Mali : le barrage", "Rien d’autre.")
    both, _ = await _publish(database, "b", "#Mali : le barrage", "Des coupures.")
    async with database.transaction() as conn:
        assert await chats.unwatch(conn, 1, barrage)
        assert not await chats.unwatch(conn, 1, barrage)  # gone already
    async with database.reader.execute(
        "SELECT article_id, status FROM deliveries ORDER BY article_id"
    ) as cursor:
        statuses = {row[0]: row[1] for row in await cursor.fetchall()}
    assert statuses == {only: "cancelled", both: "pending"}
    async with database.reader.execute("SELECT count(*) FROM watch_terms") as cursor:
        assert (await cursor.fetchone())[0] == 1  # the removed watch's terms went with it


async def test_unwatch_of_another_chats_watch_changes_nothing(database: Database) -> None:
    await _chat(database, 1)
    await _chat(database, 2)
    theirs = await _watch(database, 2, "barrage")
    async with database.transaction() as conn:
        assert not await chats.unwatch(conn, 1, theirs)
    assert await watches.get_watch(database.reader, theirs) is not None


def test_watch_terms_drop_common_words_and_punctuation() -> None:
    assert watches.watch_terms("Les élections au Mali !") == ["election", "mali"]
    assert watches.watch_terms("de la, le... et ?!") == []
    assert watches.watch_terms("«\u202f»  --  '") == []
    assert watches.watch_terms("Mali mali MALI") == ["mali"]
    assert watches.shown_words("Les élections au Mali") == ["élections", "Mali"]
    assert watches.ignored_words("Les élections au Mali") == ["Les", "au"]


def test_article_terms_satisfy_exactly_the_words_search_would_match() -> None:
    vocabulary = [
        "election", "elections", "feu", "feux", "prix", "pri", "bus", "buss", "onu", "onus",
        "travaux", "travail", "mali", "malis", "gaz", "gazs", "pays", "pay",
    ]  # fmt: skip
    for token in vocabulary:
        satisfied = set(watches.article_terms(token))
        for word in vocabulary:
            assert (word in satisfied) == (token in _variants(word)), (token, word)


def test_a_long_article_is_matched_on_its_first_distinct_words() -> None:
    body = " ".join(f"mot{n}" for n in range(20_000))
    terms = watches.article_terms("Titre", "Chapeau", body)
    assert "titre" in terms and "mot0" in terms
    assert "mot19999" not in terms
    assert len(terms) <= 4 * watches.MAX_ARTICLE_TERMS


async def test_thousands_of_watches_match_as_a_word_by_word_check(database: Database) -> None:
    """The index query finds exactly the watches a plain check of every watch finds."""
    rng = random.Random(15)
    vocabulary = [f"mot{n}" for n in range(400)] + ["élection", "élections", "barrage"]
    chat_ids = list(range(1, 61))
    async with database.transaction() as conn:
        for chat_id in chat_ids:
            await chats.upsert_chat(conn, chat_id, "private", None, "fr", NOW)
        held: list[tuple[int, str]] = []
        for n in range(3_000):
            chat_id = chat_ids[n % len(chat_ids)]
            words = " ".join(rng.sample(vocabulary, rng.randint(1, 3)))
            terms = watches.watch_terms(words)
            watch, _ = await watches.add_watch(conn, chat_id, words, terms, NOW)
            held.append((chat_id, watch.key))
    for n in range(5):
        lead = " ".join(rng.sample(vocabulary, 60))
        article_id, queued = await _publish(database, f"k{n}", f"#Mali : numéro {n}", lead)
        satisfied = set(watches.article_terms(f"#Mali : numéro {n}", lead))
        expected = sorted(
            {(chat_id, 0) for chat_id, key in held if watches.matches(key, satisfied)}
        )
        assert await _recipients(database, article_id) == expected
        assert queued == len(expected) > 0


@pytest.mark.backends("sqlite")
async def test_matching_reads_the_terms_index_not_every_watch(database: Database) -> None:
    await _chat(database, 1)
    await _watch(database, 1, "barrage Sélingué")
    terms = watches.article_terms("#Mali : le barrage", "Lead.")
    sql = recipients_sql(0, 0, by="id", author_count=0, term_count=len(terms))
    async with database.reader.execute(f"EXPLAIN QUERY PLAN {sql}", terms) as cursor:
        steps = [row[3] for row in await cursor.fetchall()]
    assert any("watch_terms USING PRIMARY KEY (term=?)" in step for step in steps), steps
    assert not [s for s in steps if s.startswith("SCAN watch")], steps


async def test_a_drafts_reach_counts_the_chats_its_words_would_alert(database: Database) -> None:
    """The preview's "sent to N" counts the keyword watches its text matches, as publishing does."""
    from db import editorial

    for chat_id in (1, 2, 3):
        await _chat(database, chat_id)
    await _watch(database, 1, "barrage")
    await _watch(database, 2, "Sélingué coupures")  # only one of its words: not alerted
    async with database.transaction() as conn:
        mali = await articles.ensure_topic(conn, "mali", "Mali")
        await chats.subscribe(conn, 3, NOW, topic_id=mali.id)
    title, lead = "#Mali : le barrage de Sélingué", "À sec depuis mars."
    reach = await editorial.count_recipients(
        database.reader, ["mali"], "awa keita", terms=watches.article_terms(title, lead)
    )
    _, queued = await _publish(database, "k", title, lead, "", ("Mali",))
    assert reach == queued == 2
