"""Several instances on one database: claims with leases, the feeds' claim, the shared
budget and the sender's election, on both backends (the election on PostgreSQL only)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.instances import Leadership, SharedPace
from bot.pacing import Pacer
from bot.publishing import Publisher
from db import Database, DatabaseUrl, articles, chats, connect, deliveries, instances
from db import feeds as feeds_db
from db.models import ArticleDraft

NOW = 1_717_200_000.0


async def queue_alerts(database: Database, count: int, topic: str = "Kati") -> list[int]:
    """Queue one article's alerts for `count` private chats; return the delivery ids."""
    async with database.transaction() as conn:
        found = await articles.ensure_topic(conn, topic.lower(), topic)
        for chat_id in range(1000, 1000 + count):
            await chats.upsert_chat(conn, chat_id, "private", None, "fr", NOW)
            await chats.subscribe(conn, chat_id, NOW, topic_id=found.id)
    draft = ArticleDraft(
        title=f"#{topic} : Deux forages inaugurés à Malibougou",
        lead="Les habitants ont désormais accès à l'eau potable.",
        author="Awa KEITA",
        topics=(topic,),
    )
    result = await Publisher(database, clock=lambda: NOW).publish(
        draft, source_key=f"test:{topic}", origin="editor"
    )
    assert result.queued == count
    rows = await database.reader.fetchall("SELECT id FROM deliveries ORDER BY id")
    return [int(row[0]) for row in rows]


async def claim(
    database: Database, instance: str, limit: int, lease: float, now: float = NOW
) -> list[int]:
    async with database.transaction() as conn:
        claimed = await deliveries.claim_due(
            conn, now, limit, claimed_by=instance, lease_until=now + lease
        )
    return sorted(d.id for d in claimed)


async def status_of(database: Database) -> dict[int, tuple[str, str | None]]:
    rows = await database.reader.fetchall("SELECT id, status, claimed_by FROM deliveries")
    return {int(row[0]): (row[1], row[2]) for row in rows}


async def test_a_claim_names_its_instance_and_only_expired_claims_of_others_return(
    database: Database,
) -> None:
    ids = await queue_alerts(database, 6)
    first = await claim(database, "alpha", 3, lease=15)
    second = await claim(database, "beta", 3, lease=60)
    assert not set(first) & set(second) and sorted(first + second) == ids
    rows = await database.reader.fetchall("SELECT claimed_by, lease_until FROM deliveries")
    assert {(row[0], row[1]) for row in rows} == {("alpha", NOW + 15), ("beta", NOW + 60)}

    # 20 s on: alpha's leases ran out, beta's hold. Alpha itself keeps its own.
    async with database.transaction() as conn:
        assert await deliveries.release_expired(conn, NOW + 20, keep="alpha") == 0
        assert await deliveries.release_expired(conn, NOW + 20, keep="beta") == 3
    statuses = await status_of(database)
    assert {i for i, (s, _) in statuses.items() if s == "pending"} == set(first)
    assert {i for i, (s, by) in statuses.items() if s == "sending" and by == "beta"} == set(second)


async def test_a_row_whose_outcome_was_written_is_never_sent_again_after_its_lease(
    database: Database,
) -> None:
    ids = await queue_alerts(database, 4)
    claimed = await claim(database, "alpha", 4, lease=15)
    assert claimed == ids
    # Alpha had written two outcomes (one per send, at Telegram's pace) when it died.
    async with database.transaction() as conn:
        await deliveries.mark_sent(conn, [(ids[0], 501, NOW + 1), (ids[1], 502, NOW + 2)])
    async with database.transaction() as conn:
        assert await deliveries.release_expired(conn, NOW + 30, keep="beta") == 2
    again = await claim(database, "beta", 10, lease=15, now=NOW + 30)
    assert again == ids[2:]
    statuses = await status_of(database)
    assert statuses[ids[0]] == ("sent", "alpha") and statuses[ids[1]] == ("sent", "alpha")


async def test_renewed_leases_hold_and_a_stop_releases_only_its_own_claims(
    database: Database,
) -> None:
    await queue_alerts(database, 4)
    alpha = await claim(database, "alpha", 2, lease=15)
    beta = await claim(database, "beta", 2, lease=15)
    async with database.transaction() as conn:
        assert await deliveries.renew_leases(conn, "alpha", NOW + 40) == 2
        assert await deliveries.release_expired(conn, NOW + 30, keep="gamma") == 2  # beta's
        assert await deliveries.release_in_flight(conn, claimed_by="alpha") == 2
    statuses = await status_of(database)
    assert all(statuses[i] == ("pending", None) for i in alpha + beta)


async def test_two_instances_claiming_at_once_never_take_the_same_delivery(
    database: Database, database_target: Path | DatabaseUrl
) -> None:
    ids = await queue_alerts(database, 300)
    # A second instance: its own connections to the same database.
    other = await connect(database_target)
    try:
        taken: dict[str, list[int]] = {"alpha": [], "beta": []}

        async def take(database: Database, name: str) -> None:
            while got := await claim(database, name, 7, lease=15):
                taken[name].extend(got)

        await asyncio.gather(take(database, "alpha"), take(other, "beta"))
    finally:
        await other.close()
    if database.dialect == "postgresql":  # one SQLite writer may well take them all
        assert taken["alpha"] and taken["beta"]
    assert sorted(taken["alpha"] + taken["beta"]) == ids  # each once, none left


async def test_a_due_feed_is_claimed_once_and_comes_back_after_its_lease(
    database: Database,
) -> None:
    async with database.transaction() as conn:
        for n in range(3):
            await feeds_db.insert_feed(conn, f"https://example.ml/rss/{n}", 5, NOW, NOW - n)
    async with database.transaction() as conn:
        first = await feeds_db.claim_due_feeds(conn, NOW, 2, NOW + 600)
        second = await feeds_db.claim_due_feeds(conn, NOW, 50, NOW + 600)
        third = await feeds_db.claim_due_feeds(conn, NOW + 1, 50, NOW + 601)
    assert len(first) == 2 and len(second) == 1 and third == []
    assert {feed.id for feed in first + second} == {1, 2, 3}
    assert all(feed.next_poll_at == NOW + 600 for feed in first + second)
    # A poll that never reported (its instance died) is due again once the lease is over.
    async with database.transaction() as conn:
        assert len(await feeds_db.claim_due_feeds(conn, NOW + 600, 50, NOW + 1200)) == 3


async def test_a_pause_reaches_every_instance_and_replies_reach_the_sender(
    database: Database,
) -> None:
    sender, other = Pacer(30.0), Pacer(30.0)
    is_sender = {id(sender): True, id(other): False}
    pace = {
        pacer: SharedPace(database, pacer, lambda p=pacer: is_sender[id(p)])
        for pacer in (sender, other)
    }
    # The other instance answered 15 readers and was told by Telegram to wait 10 s.
    other.foreground_sends = 15
    other.note_retry_after(None, 10.0)
    slot_before = max(sender._next_slot, time.monotonic())
    await pace[other].sync()
    await pace[sender].sync()
    assert sender.global_pause > time.monotonic() + 9.0  # the whole bot waits, here too
    # The sender counts those 15 replies against its own pace: half a second at 30/s.
    assert sender._next_slot - slot_before == pytest.approx(15 / 30, abs=0.05)
    row = await database.reader.fetchone("SELECT borrowed FROM send_pace")
    assert row is not None and row[0] == 0
    await pace[sender].sync()  # handed over once only
    assert sender._next_slot - slot_before == pytest.approx(15 / 30, abs=0.05)


def test_a_new_sender_counts_what_each_chat_got_before_the_hand_over() -> None:
    pacer = Pacer(30.0)
    now = time.monotonic()
    for at in (now - 2.0, now - 1.6, now - 1.2, now - 0.8, now - 0.4):
        pacer.note_sent(42, at)
    pacer.note_sent(-100777, now - 30.0)
    # Five messages in two seconds against a burst of 3 and about one a second: wait.
    assert pacer.chat_ready_at(42) > now + 0.5
    assert pacer.chat_ready_at(-100777) <= time.monotonic()  # a group has room left
    assert pacer.chat_ready_at(7) <= time.monotonic()  # never written to


@pytest.mark.backends("postgresql")  # one SQLite process sends alone: nobody to elect
async def test_one_instance_sends_and_another_takes_over_when_it_goes(
    database: Database, database_target: Path | DatabaseUrl
) -> None:
    ids = await queue_alerts(database, 5)
    chat_id = await database.reader.fetchval(
        "SELECT chat_id FROM deliveries WHERE id = ?", (ids[0],)
    )
    async with database.transaction() as conn:
        await deliveries.mark_sent(conn, [(ids[0], 11, time.time() - 0.5)])
    other_db = await connect(database_target)
    first = Leadership(database, Pacer(30.0))
    second_pacer = Pacer(30.0)
    second = Leadership(other_db, second_pacer)
    try:
        assert await first.lead()
        assert not await second.lead()
        assert await first.lead()  # still
        await first.close()  # as a SIGKILL would: the session ends
        assert await second.lead()
        # The new sender knows that chat had a message half a second ago.
        assert second_pacer._chats[chat_id].tokens < second_pacer.chat_limits.private_burst
        assert not await first.lead()
    finally:
        await first.close()
        await second.close()
        await other_db.close()


async def test_sync_pace_raises_the_shared_pause_and_never_lowers_it(database: Database) -> None:
    async with database.transaction() as conn:
        state = await instances.sync_pace(conn, paused_until=NOW + 10, replies=3, take=False)
        assert (state.paused_until, state.taken) == (NOW + 10, 0)
        state = await instances.sync_pace(conn, paused_until=NOW + 5, replies=2, take=True)
        assert (state.paused_until, state.taken) == (NOW + 10, 5)
        state = await instances.sync_pace(conn, paused_until=0.0, replies=0, take=True)
        assert (state.paused_until, state.taken) == (NOW + 10, 0)
