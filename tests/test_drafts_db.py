"""The newsroom's work in progress in the database (db/drafts.py), on SQLite and PostgreSQL:
each draft and each scheduled article goes to exactly one taker."""

from __future__ import annotations

import asyncio

from db import Database, drafts
from db.drafts import Draft
from db.models import ArticleDraft

NOW = 1_800_000_000.0
EDITOR, CHAT = 5_000_000_001, 5_000_000_001

STORY = ArticleDraft(
    title="Le pont de Kayes rouvre à la circulation",
    lead="Fermé depuis la crue d’août, le pont a rouvert ce matin.",
    body="Les camions attendront la fin des essais de charge.",
    author="Awa Keïta",
    coauthors=("Issa Dembélé",),
    topics=("Mali", "Transports"),
    url="https://www.journal-exemple.ml/articles/pont-kayes",
)


def draft(**changes: object) -> Draft:
    base = Draft(
        EDITOR, CHAT, "tok-1", "preview", "fr", "editor:1", title="#Mali : Un titre",
        body="Un chapeau.", created_at=NOW, updated_at=NOW, expires_at=NOW + 900,
    )  # fmt: skip
    return Draft(**{**{name: getattr(base, name) for name in base.__slots__}, **changes})


async def test_a_draft_is_read_back_as_saved_and_replaced_by_the_next(database: Database) -> None:
    async with database.transaction() as conn:
        await drafts.save_draft(conn, draft(photo="AgACAgQ", publish_at=NOW + 3600, urgent=True))
    stored = await drafts.get_draft(database.reader, EDITOR, CHAT, NOW)
    assert stored == draft(photo="AgACAgQ", publish_at=NOW + 3600, urgent=True)

    async with database.transaction() as conn:
        await drafts.save_draft(conn, draft(token="tok-2", step="title", title=""))
    stored = await drafts.get_draft(database.reader, EDITOR, CHAT, NOW)
    assert stored is not None and (stored.token, stored.step, stored.photo) == (
        "tok-2",
        "title",
        None,
    )
    assert await drafts.get_draft(database.reader, EDITOR, CHAT + 1, NOW) is None


async def test_a_draft_is_taken_once_and_not_with_a_stale_token(database: Database) -> None:
    async with database.transaction() as conn:
        await drafts.save_draft(conn, draft())
    async with database.transaction() as conn:
        assert await drafts.take_draft(conn, EDITOR, CHAT, "forged", NOW) is None
        assert await drafts.take_draft(conn, EDITOR, CHAT, "tok-1", NOW) is not None
        assert await drafts.take_draft(conn, EDITOR, CHAT, "tok-1", NOW) is None


async def test_an_expired_draft_is_unseen_and_swept_once(database: Database) -> None:
    async with database.transaction() as conn:
        await drafts.save_draft(conn, draft())
    later = NOW + 901
    assert await drafts.get_draft(database.reader, EDITOR, CHAT, later) is None
    async with database.transaction() as conn:
        assert await drafts.take_draft(conn, EDITOR, CHAT, "tok-1", later) is None
        [swept] = await drafts.take_expired(conn, later)
        assert await drafts.take_expired(conn, later) == []
    assert swept.token == "tok-1"


async def schedule(database: Database, key: str, at: float) -> int:
    async with database.transaction() as conn:
        scheduled_id = await drafts.schedule_article(
            conn, STORY, source_key=key, publish_at=at, editor_id=EDITOR, chat_id=CHAT,
            lang="fr", now=NOW,
        )  # fmt: skip
    assert scheduled_id is not None
    return scheduled_id


async def test_a_scheduled_article_keeps_every_field(database: Database) -> None:
    await schedule(database, "editor:a", NOW + 60)
    [item] = await drafts.list_scheduled(database.reader)
    assert item.draft == STORY and item.title == STORY.title
    async with database.transaction() as conn:
        again = await drafts.schedule_article(
            conn, STORY, source_key="editor:a", publish_at=NOW, editor_id=EDITOR, chat_id=CHAT,
            lang="fr", now=NOW,
        )  # fmt: skip
    assert again is None  # the same confirmation twice waits once


async def test_due_articles_go_to_one_claimer_and_back_after_its_lease(database: Database) -> None:
    soon = await schedule(database, "editor:soon", NOW + 60)
    await schedule(database, "editor:later", NOW + 7200)

    async def claim(at: float) -> list[int]:
        async with database.transaction() as conn:
            return [item.id for item in await drafts.claim_due(conn, at, at + 120)]

    assert await claim(NOW + 59) == []
    first, second = await asyncio.gather(claim(NOW + 60), claim(NOW + 60))
    assert sorted([first, second]) == [[], [soon]]
    assert await claim(NOW + 100) == []  # claimed, its lease running
    assert await claim(NOW + 181) == [soon]  # that instance died: taken again
    async with database.transaction() as conn:
        await drafts.finish_scheduled(conn, soon)
    assert [item.title for item in await drafts.list_scheduled(database.reader)] == [STORY.title]


async def test_an_article_being_published_cannot_be_cancelled(database: Database) -> None:
    waiting = await schedule(database, "editor:x", NOW + 3600)
    async with database.transaction() as conn:
        assert await drafts.claim_scheduled(conn, waiting, NOW, NOW + 120) is not None
        assert await drafts.claim_scheduled(conn, waiting, NOW, NOW + 120) is None
        assert await drafts.cancel_scheduled(conn, waiting, NOW) is None
        cancelled = await drafts.cancel_scheduled(conn, waiting, NOW + 121)
    assert cancelled is not None and cancelled.draft == STORY
    assert await drafts.list_scheduled(database.reader) == []


async def test_a_withdrawal_asked_is_confirmed_once_by_its_editor(database: Database) -> None:
    async with database.transaction() as conn:
        await drafts.want_withdrawal(conn, "tok-w", EDITOR, 42, NOW)
    async with database.transaction() as conn:
        assert await drafts.take_withdrawal(conn, "tok-w", EDITOR + 1, NOW) is None
        assert await drafts.take_withdrawal(conn, "tok-w", EDITOR, NOW) == 42
        assert await drafts.take_withdrawal(conn, "tok-w", EDITOR, NOW) is None
        await drafts.want_withdrawal(conn, "tok-old", EDITOR, 7, NOW)
        assert await drafts.take_withdrawal(conn, "tok-old", EDITOR, NOW + 2 * 86400) is None


async def test_the_next_moment_due_skips_what_another_instance_holds(database: Database) -> None:
    assert await drafts.next_due_at(database.reader) is None
    waiting = await schedule(database, "editor:y", NOW + 60)
    async with database.transaction() as conn:
        await drafts.save_draft(conn, draft(expires_at=NOW + 900))
    assert await drafts.next_due_at(database.reader) == NOW + 60
    async with database.transaction() as conn:
        await drafts.claim_scheduled(conn, waiting, NOW + 60, NOW + 180)
    assert await drafts.next_due_at(database.reader) == NOW + 180  # its lease, not a busy loop
