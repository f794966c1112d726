"""The digests' SQL on both backends: holding alerts, one digest owed per chat, claims."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.digests import reschedule
from bot.publishing import Publisher
from db import Database, articles, chats, connect, digests
from db.models import ArticleDraft
from tests.postgres import postgres_url

BAMAKO = ZoneInfo("Africa/Bamako")
NIGHT = datetime(2026, 3, 2, 23, 30, tzinfo=BAMAKO).timestamp()  # 23:30 local
ALERTED, DIGEST, QUIET, QUIET_BY_DAY, TURNED_OFF = 2001, 2002, 2003, 2004, 2005


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, tmp_path: object) -> AsyncIterator[Database]:
    """A migrated database on each backend (PostgreSQL skipped where it is not installed)."""
    if request.param == "sqlite":
        database = await connect(f"{tmp_path}/newsbot.sqlite3")
    else:
        database = await connect(await postgres_url(request))
    yield database
    await database.close()


async def readers(db: Database) -> None:
    """Chats following Mali: alerted at once, by digest, quiet at night, quiet by day, and one
    that took digests and quiet hours and turned both off again."""
    async with db.transaction() as conn:
        mali = await articles.ensure_topic(conn, "mali", "Mali")
        for chat_id in (ALERTED, DIGEST, QUIET, QUIET_BY_DAY, TURNED_OFF):
            await chats.upsert_chat(conn, chat_id, "private", None, "fr", NIGHT)
            await chats.subscribe(conn, chat_id, NIGHT, topic_id=mali.id)
        await digests.set_digest_times(conn, DIGEST, (420, 1080), NIGHT)
        await digests.set_quiet_hours(conn, QUIET, (1320, 420), NIGHT)  # 22:00-07:00
        await digests.set_quiet_hours(conn, QUIET_BY_DAY, (780, 870), NIGHT)  # 13:00-14:30
        await digests.set_digest_times(conn, TURNED_OFF, (420,), NIGHT)
        await digests.set_quiet_hours(conn, TURNED_OFF, (1320, 420), NIGHT)
        await digests.set_digest_times(conn, TURNED_OFF, (), NIGHT)
        await digests.set_quiet_hours(conn, TURNED_OFF, None, NIGHT)
        for chat_id in (DIGEST, QUIET, QUIET_BY_DAY):
            await reschedule(conn, chat_id, BAMAKO, NIGHT)


async def publish(db: Database, key: str, title: str, now: float, *, urgent: bool = False) -> int:
    draft = ArticleDraft(
        title=title, lead="Le chapeau.", author="Awa KEITA", topics=("Mali",), urgent=urgent
    )
    result = await Publisher(db, clock=lambda: now).publish(draft, source_key=key, origin="editor")
    return result.article_id


async def alerted(db: Database) -> list[int]:
    rows = await db.reader.fetchall("SELECT chat_id FROM deliveries ORDER BY chat_id")
    return [int(row[0]) for row in rows]


async def test_only_chats_that_hold_alerts_have_them_held(db: Database) -> None:
    await readers(db)
    await publish(db, "a:1", "Gao : le pont rouvert", NIGHT)
    assert await alerted(db) == [ALERTED, QUIET_BY_DAY, TURNED_OFF]  # 23:30: quiet for QUIET
    assert [await digests.held_count(db.reader, c) for c in (DIGEST, QUIET)] == [1, 1]
    await publish(db, "a:2", "Kidal : un séisme ressenti", NIGHT + 60, urgent=True)
    assert await alerted(db) == sorted(
        [ALERTED, ALERTED, DIGEST, QUIET, QUIET_BY_DAY, QUIET_BY_DAY, TURNED_OFF, TURNED_OFF]
    )


async def test_one_digest_is_owed_at_a_time_and_claimed_once(db: Database) -> None:
    await readers(db)
    first = await publish(db, "b:1", "Kati : deux forages inaugurés", NIGHT)
    second = await publish(db, "b:2", "Sikasso : la foire rouvre", NIGHT + 60)
    seven = datetime(2026, 3, 3, 7, tzinfo=BAMAKO).timestamp()
    rows = await db.reader.fetchall(
        "SELECT chat_id, due_at FROM digests WHERE status = 'pending' ORDER BY chat_id"
    )
    assert [(int(r[0]), r[1]) for r in rows][:2] == [(DIGEST, seven), (QUIET, seven)]

    async with db.transaction() as conn:
        assert await digests.claim_due(conn, seven - 1, 10) == []
        claimed = await digests.claim_due(conn, seven, 10, lease_until=seven + 300)
    assert sorted(d.chat_id for d in claimed) == [DIGEST, QUIET]
    async with db.transaction() as conn:  # another instance looks at the same minute
        assert await digests.claim_due(conn, seven + 1, 10, lease_until=seven + 301) == []
        # A settings change meanwhile cannot owe a second digest: the one being sent stays.
        await reschedule(conn, DIGEST, BAMAKO, seven + 2)
    digest = next(d for d in claimed if d.chat_id == DIGEST)
    assert await digests.digest_articles(db.reader, digest.id) == [(0, second), (0, first)]

    later = await publish(db, "b:3", "Mopti : les pirogues repartent", seven + 5)
    async with db.transaction() as conn:
        await digests.finish(conn, digest.id, "sent", seven + 10, articles=2)
        assert await reschedule(conn, DIGEST, BAMAKO, seven + 10) == seven + 11 * 3600
    assert await digests.held_count(db.reader, DIGEST) == 1  # b:3, for the 18:00 digest
    owed = await db.reader.fetchall(
        "SELECT status, due_at FROM digests WHERE chat_id = ? AND status <> 'sent'", (DIGEST,)
    )
    assert [(r[0], r[1]) for r in owed] == [("pending", seven + 11 * 3600)]
    assert later > second
    async with db.transaction() as conn:  # a month on, the digest sent is forgotten
        assert await digests.forget_done(conn, seven + 31 * 86400) == 1
    assert await digests.next_due_at(db.reader) == seven + 300  # QUIET's, still being sent


async def test_a_dead_instances_digest_is_claimed_again_once_its_lease_ran_out(
    db: Database,
) -> None:
    await readers(db)
    await publish(db, "c:1", "Ségou : le festival sur le Niger", NIGHT)
    seven = datetime(2026, 3, 3, 7, tzinfo=BAMAKO).timestamp()
    async with db.transaction() as conn:
        [dead] = await digests.claim_due(conn, seven, 1, lease_until=seven + 300)
    async with db.transaction() as conn:  # still its lease: only the other chat's digest
        others = await digests.claim_due(conn, seven + 299, 10, lease_until=seven + 599)
    assert dead.id not in [d.id for d in others]
    async with db.transaction() as conn:
        again = await digests.claim_due(conn, seven + 301, 10, lease_until=seven + 601)
    assert dead.id in [d.id for d in again]
    assert await digests.digest_articles(db.reader, dead.id) != []


async def test_withdrawn_articles_leave_the_digest(db: Database) -> None:
    await readers(db)
    kept = await publish(db, "d:1", "Kayes : la route rouverte", NIGHT)
    gone = await publish(db, "d:2", "Nioro : une rumeur démentie", NIGHT + 1)
    await Publisher(db, clock=lambda: NIGHT + 2).withdraw(gone)
    seven = datetime(2026, 3, 3, 7, tzinfo=BAMAKO).timestamp()
    async with db.transaction() as conn:
        claimed = await digests.claim_due(conn, seven, 10)
    for digest in claimed:
        assert await digests.digest_articles(db.reader, digest.id) == [(0, kept)]
