"""Reader settings: digests, quiet hours and /settings, the real bot against the sandbox.

The bot runs on a clock the test sets (`Clock`): it starts at a chosen moment in
Africa/Bamako (UTC+0) and flows with real time from there, so the outbox's pacing still
works while the test jumps to a digest's minute.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import formatting, schedule
from bot.app import build_application, running
from bot.config import Settings
from bot.digests import render_digest
from bot.i18n import t
from bot.pacing import ChatLimits
from bot.sandbox import Sandbox, SandboxMessage, SandboxUser
from db import Database, chats, digests
from db.models import Article, ArticleDraft, Author, Topic
from tests.conftest import BOT_USERNAME, EDITOR_ID, Harness
from tests.reading_helpers import press
from tests.test_alerts import follow

BAMAKO = ZoneInfo("Africa/Bamako")


class Clock:
    """Wall time the test moves: set to a moment, it flows with real time from there."""

    def __init__(self, start: datetime):
        self.set(start)

    def set(self, moment: datetime) -> None:
        self._offset = moment.timestamp() - time.time()

    def __call__(self) -> float:
        return time.time() + self._offset


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """Return a moment of March 2026 in Bamako (Monday the 2nd is day 2)."""
    return datetime(2026, 3, day, hour, minute, tzinfo=BAMAKO)


@pytest.fixture
def clock() -> Clock:
    return Clock(at(2, 6, 30))


async def _run(
    sandbox: Sandbox, settings: Settings, limits: ChatLimits | None, clock: Clock
) -> AsyncIterator[Harness]:
    editor = sandbox.users.get(EDITOR_ID) or sandbox.add_user(
        "Mariam", "Coulibaly", "redaction", "fr", user_id=EDITOR_ID
    )
    application = build_application(settings, chat_limits=limits)
    application.bot_data.clock = clock
    async with running(application, poll_timeout=1):
        yield Harness(sandbox, application, editor)


@pytest.fixture
async def bot(
    sandbox: Sandbox, bot_settings: Settings, chat_limits: ChatLimits | None, clock: Clock
) -> AsyncIterator[Harness]:
    """The real bot on the test's clock, with no articles yet."""
    async for harness in _run(sandbox, bot_settings, chat_limits, clock):
        yield harness


def story(title: str, *, topic: str = "Mali", urgent: bool = False) -> ArticleDraft:
    return ArticleDraft(
        title=title,
        lead=f"Le chapeau de « {title} », tel que la rédaction l’a écrit ce matin.",
        author="Awa Keïta",
        topics=(topic,),
        urgent=urgent,
    )


async def publish(bot: Harness, key: str, title: str, **options: object) -> int:
    result = await bot.publisher.publish(story(title, **options), source_key=key, origin="editor")  # type: ignore[arg-type]
    return result.article_id


async def reader_following_mali(bot: Harness, name: str = "Awa") -> SandboxUser:
    reader = bot.sandbox.add_user(name, language_code="fr")
    await follow(bot.db, reader.private_chat, topic="Mali")
    return reader


async def digest_time(bot: Harness, clock: Clock, moment: datetime) -> None:
    """Move the clock to `moment` and let the digest worker look at once."""
    clock.set(moment)
    worker = bot.app.bot_data.digests
    assert worker is not None
    worker.wake()


async def owed(db: Database, chat_id: int) -> list[tuple[str, float]]:
    """Return the chat's digests still owed: (status, due at)."""
    async with db.reader.execute(
        "SELECT status, due_at FROM digests WHERE chat_id = ? AND status IN ('pending', 'sending')",
        (chat_id,),
    ) as cursor:
        return [(row[0], row[1]) for row in await cursor.fetchall()]


async def next_owed_after(db: Database, chat_id: int, moment: datetime) -> None:
    """Wait until the chat's digest due at `moment` is done and the next one owed."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        rows = await owed(db, chat_id)
        if rows and all(status == "pending" and due > moment.timestamp() for status, due in rows):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the digest due at {moment} was not done: {await owed(db, chat_id)}")


async def nothing_owed(db: Database, chat_id: int) -> None:
    """Wait until the chat is owed no digest at all (its last one's outcome is written)."""
    deadline = time.monotonic() + 10
    while await owed(db, chat_id):
        assert time.monotonic() < deadline, await owed(db, chat_id)
        await asyncio.sleep(0.02)


async def held(db: Database, chat_id: int) -> int:
    return await digests.held_count(db.reader, chat_id)


async def alerts_queued(db: Database, chat_id: int) -> int:
    async with db.reader.execute(
        "SELECT count(*) FROM deliveries WHERE chat_id = ?", (chat_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0])


def titles_in(message: SandboxMessage, candidates: list[str]) -> list[str]:
    """Return the candidate titles found in the message, in the order it shows them."""
    found = [(message.content.find(title), title) for title in candidates]
    return [title for position, title in sorted(found) if position >= 0]


# --- digests -----------------------------------------------------------------------------


async def test_digest_at_its_minute_lists_what_matched_newest_first(
    bot: Harness, clock: Clock
) -> None:
    reader = await reader_following_mali(bot)
    chat = reader.private_chat
    [answer] = await bot.ask(reader, "/digest 7h")
    assert "07:00" in answer.content
    settings = await digests.get_settings(bot.db.reader, chat.id)
    assert settings.digest_times == (420,)
    assert await owed(bot.db, chat.id) == [("pending", at(2, 7).timestamp())]

    titles = [
        "Kati : deux forages inaugurés",
        "Sikasso : la foire du coton rouvre",
        "Mopti : les pirogues reprennent le fleuve",
    ]
    for minute, title in enumerate(titles, start=31):
        clock.set(at(2, 6, minute))
        await publish(bot, f"d:{minute}", title)
    assert await held(bot.db, chat.id) == 3
    assert await alerts_queued(bot.db, chat.id) == 0  # nothing goes out before 07:00

    mark = chat.mark()
    await digest_time(bot, clock, at(2, 7))
    [digest] = await bot.sandbox.wait_for(chat, after=mark)
    assert chat.bot_messages()[-1] is digest and len(chat.bot_messages()) == 2  # reply + digest
    assert "La sélection de 07:00" in digest.content and "3\u00a0articles" in digest.content
    assert titles_in(digest, titles) == list(reversed(titles))
    links = [e["url"] for e in digest.entities if e["type"] == "text_link"]
    assert len(links) == 3
    assert all(re.fullmatch(rf"https://t\.me/{BOT_USERNAME}\?start=article-\d+", u) for u in links)
    assert not digest.disable_notification  # asked for at that time: it rings

    await next_owed_after(bot.db, chat.id, at(2, 7))
    assert await owed(bot.db, chat.id) == [("pending", at(3, 7).timestamp())]
    assert await held(bot.db, chat.id) == 0
    async with bot.db.reader.execute(
        "SELECT article_count FROM digests WHERE chat_id = ? AND status = 'sent'", (chat.id,)
    ) as cursor:
        assert [row[0] for row in await cursor.fetchall()] == [3]


async def test_nothing_is_sent_when_nothing_matched(bot: Harness, clock: Clock) -> None:
    reader = await reader_following_mali(bot)
    chat = reader.private_chat
    await bot.ask(reader, "/digest 7:00, 18:00")
    await publish(bot, "sport:1", "Football : les Aigles qualifiés", topic="Sport")  # not followed
    before = len(chat.bot_messages(include_deleted=True))
    await digest_time(bot, clock, at(2, 7))
    await next_owed_after(bot.db, chat.id, at(2, 7))  # written after it would have been sent
    assert len(chat.bot_messages(include_deleted=True)) == before
    assert await owed(bot.db, chat.id) == [("pending", at(2, 18).timestamp())]
    async with bot.db.reader.execute(
        "SELECT count(*) FROM digests WHERE chat_id = ? AND status = 'sent'", (chat.id,)
    ) as cursor:
        assert (await cursor.fetchone())[0] == 0  # an empty digest leaves no trace


async def test_an_urgent_article_alerts_at_once_in_digest_mode(bot: Harness, clock: Clock) -> None:
    reader = await reader_following_mali(bot)
    chat = reader.private_chat
    await bot.ask(reader, "/digest 18h")
    mark = chat.mark()
    await publish(bot, "u:1", "Bamako : un incendie au grand marché", urgent=True)
    [alert] = await bot.sandbox.wait_for(chat, after=mark)
    assert "ALERTE" in alert.content and "incendie" in alert.content
    assert not alert.disable_notification  # urgent, and no quiet hours
    assert await held(bot.db, chat.id) == 0


async def test_a_digest_shows_corrections_and_leaves_withdrawn_articles_out(
    bot: Harness, clock: Clock
) -> None:
    reader = await reader_following_mali(bot)
    chat = reader.private_chat
    await bot.ask(reader, "/digest 7h")
    corrected = await publish(bot, "c:1", "Kayes : la route nationale coupée")
    withdrawn = await publish(bot, "c:2", "Ségou : une rumeur démentie")
    kept = await publish(bot, "c:3", "Koulikoro : la rentrée scolaire fixée")
    await bot.publisher.revise(corrected, story("Kayes : la route nationale rouverte"))
    await bot.publisher.withdraw(withdrawn)

    mark = chat.mark()
    await digest_time(bot, clock, at(2, 7))
    [digest] = await bot.sandbox.wait_for(chat, after=mark)
    assert "la route nationale rouverte" in digest.content
    assert "coupée" not in digest.content
    assert "rumeur" not in digest.content
    assert "Koulikoro" in digest.content and "2\u00a0articles" in digest.content
    assert kept > corrected


async def test_a_restart_at_the_digest_minute_sends_the_digest_once(
    sandbox: Sandbox,
    bot_settings: Settings,
    chat_limits: ChatLimits | None,
    clock: Clock,
    backend: str,
) -> None:
    lease = 300.0  # as a worker sharing PostgreSQL with other instances claims
    async for first in _run(sandbox, bot_settings, chat_limits, clock):
        reader = await reader_following_mali(first)
        chat = reader.private_chat
        await first.ask(reader, "/digest 7h")
        await publish(first, "r:1", "Kita : le barrage livré en avance")
        await publish(first, "r:2", "Nioro : la saison des pluies commence")
        # At the minute, the instance claims the digest and dies before sending it.
        worker = first.app.bot_data.digests
        assert worker is not None
        await worker.stop()
        first.app.bot_data.digests = None
        clock.set(at(2, 7))
        async with first.db.transaction() as conn:
            [claimed] = await digests.claim_due(conn, clock(), 10, lease_until=clock() + lease)
        assert claimed.chat_id == chat.id
        mark = chat.mark()

    clock.set(at(2, 7) + timedelta(seconds=20))
    async for second in _run(sandbox, bot_settings, chat_limits, clock):
        if backend == "postgresql":
            # Other instances may be alive: the dead one's claim is taken once its lease ran
            # out (one process on SQLite takes it back at start).
            await digest_time(second, clock, at(2, 7) + timedelta(seconds=lease + 1))
        [digest] = await sandbox.wait_for(chat, after=mark)
        assert "La sélection de 07:00" in digest.content
        assert "Kita" in digest.content and "Nioro" in digest.content
        await next_owed_after(second.db, chat.id, at(2, 7))

    async for third in _run(sandbox, bot_settings, chat_limits, clock):  # restarted again
        async with third.db.transaction() as conn:
            assert await digests.claim_due(conn, clock(), 10) == []  # nothing more is owed
        assert await owed(third.db, chat.id) == [("pending", at(3, 7).timestamp())]
    digests_seen = [m for m in chat.bot_messages() if "La sélection" in m.content]
    assert len(digests_seen) == 1


async def test_a_long_digest_is_split_between_articles(bot: Harness, clock: Clock) -> None:
    reader = await reader_following_mali(bot)
    chat = reader.private_chat
    await bot.ask(reader, "/digest 7h")
    titles = [f"Région n°\u00a0{n} : le bilan de la campagne agricole" for n in range(1, 41)]
    for n, title in enumerate(titles):
        clock.set(at(2, 6, 31) + timedelta(seconds=n))
        await publish(bot, f"long:{n}", title)
    mark = chat.mark()
    await digest_time(bot, clock, at(2, 7))
    await next_owed_after(bot.db, chat.id, at(2, 7))
    first, _ = await bot.sandbox.wait_for(chat, after=mark, count=2)
    parts = [m for m in chat.bot_messages() if m.message_id >= first.message_id]
    assert len(parts) >= 2
    assert all(len(part.content) <= formatting.MAX_TEXT for part in parts)
    text = "\n".join(part.content for part in parts)
    newest_first = [f"Région n°\u00a0{n} :" for n in range(40, 0, -1)]
    positions = [text.find(title + " ") for title in newest_first]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    for part in parts:  # every part starts with a whole article (or the header)
        assert part.content.startswith(("🗞", "Région"))
        links = [e for e in part.entities if e["type"] == "text_link"]
        assert links and all(e["url"].startswith("https://t.me/") for e in links)


def test_a_long_digest_never_cuts_a_tag() -> None:
    author = Author(1, "awa keita", "Awa Keïta")
    topic = Topic(1, "mali", "Mali")
    moment = at(2, 6)
    found = [
        Article(
            n,
            f"k{n}",
            f"Titre <{n}> & « guillemets » : une longue affaire " * 3,
            "Chapeau " * 40,
            "",
            author,
            (topic,),
            moment,
            moment,
        )
        for n in range(1, 61)
    ]
    parts = render_digest(
        found, "fr", BAMAKO, kind="digest", at=at(2, 7).timestamp(),
        link=lambda a: f"https://t.me/bot?start=article-{a.id}",
    )  # fmt: skip
    assert len(parts) > 2
    for part in parts:
        assert formatting.visible_length(part) <= formatting.MAX_TEXT
        assert formatting.entity_count(part) <= formatting.MAX_ENTITIES
        assert part.count("<a ") == part.count("</a>") and part.count("<b>") == part.count("</b>")
    assert sum(part.count("<a ") for part in parts) == 60


# --- quiet hours ----------------------------------------------------------------------------


async def test_quiet_hours_across_midnight_hold_alerts_until_they_end(
    bot: Harness, clock: Clock
) -> None:
    reader = await reader_following_mali(bot)
    chat = reader.private_chat
    clock.set(at(2, 21, 50))
    [answer] = await bot.ask(reader, "/quiet 22:00-07:00")
    assert "22:00" in answer.content and "07:00" in answer.content
    assert (await digests.get_settings(bot.db.reader, chat.id)).quiet == (1320, 420)

    mark = chat.mark()
    await publish(bot, "q:0", "Bamako : la séance du soir au Parlement")  # before the window
    [evening] = await bot.sandbox.wait_for(chat, after=mark)
    assert "Parlement" in evening.content

    clock.set(at(2, 23, 10))
    await publish(bot, "q:1", "Gao : le pont rouvert à la circulation")
    clock.set(at(3, 2, 40))  # after midnight, still quiet
    await publish(bot, "q:2", "Tombouctou : les manuscrits numérisés")
    assert await held(bot.db, chat.id) == 2

    mark = chat.mark()
    clock.set(at(3, 3, 5))
    await publish(bot, "q:3", "Kidal : un séisme ressenti", urgent=True)
    [urgent] = await bot.sandbox.wait_for(chat, after=mark)
    assert "séisme" in urgent.content and "ALERTE" in urgent.content
    assert urgent.disable_notification  # in the quiet hours: at once, but without sound

    mark = chat.mark()
    await digest_time(bot, clock, at(3, 7))
    [together] = await bot.sandbox.wait_for(chat, after=mark)
    assert "Parus pendant les heures calmes" in together.content
    assert titles_in(together, ["Tombouctou", "Gao"]) == ["Tombouctou", "Gao"]
    assert "séisme" not in together.content and "Parlement" not in together.content
    await next_owed_after(bot.db, chat.id, at(3, 7))
    assert await owed(bot.db, chat.id) == [("pending", at(4, 7).timestamp())]

    mark = chat.mark()
    clock.set(at(3, 9))
    await publish(bot, "q:4", "Mopti : le marché aux poissons s’agrandit")  # the window is over
    [morning] = await bot.sandbox.wait_for(chat, after=mark)
    assert "poissons" in morning.content and morning.content.startswith("Mopti")


async def test_quiet_hours_off_sends_what_waited_at_once(bot: Harness, clock: Clock) -> None:
    reader = await reader_following_mali(bot)
    chat = reader.private_chat
    clock.set(at(2, 23))
    await bot.ask(reader, "/quiet 22h-7h")
    await publish(bot, "off:1", "Bougouni : la mine d’or recrute")
    mark = chat.mark()
    await bot.ask(reader, "/quiet off")
    [_, together] = await bot.sandbox.wait_for(chat, after=mark, count=2)
    assert "Bougouni" in together.content
    await nothing_owed(bot.db, chat.id)  # and nothing more: no time is left to wait for


# --- /settings, typed input, who may ------------------------------------------------------


async def test_settings_buttons_change_the_settings(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Fanta", language_code="fr")
    chat = reader.private_chat
    [shown] = await bot.ask(reader, "/settings")
    assert "Langue\u00a0: Français" in shown.content
    assert "Sélection\u00a0: aucune" in shown.content
    assert "🗞 07:00" in shown.labels() and "✅ Chaque article dès sa parution" in shown.labels()

    answer, shown = await press(bot, reader, shown, "🗞 07:00")
    assert answer.text == "C’est noté."
    assert (await digests.get_settings(bot.db.reader, chat.id)).digest_times == (420,)
    _, shown = await press(bot, reader, shown, "🗞 18:00")
    assert (await digests.get_settings(bot.db.reader, chat.id)).digest_times == (420, 1080)
    assert shown is not None and "à 07:00 et 18:00" in shown.content
    assert "✅ 🗞 07:00" in shown.labels() and "✅ 🗞 18:00" in shown.labels()
    _, shown = await press(bot, reader, shown, "✅ 🗞 07:00")
    assert (await digests.get_settings(bot.db.reader, chat.id)).digest_times == (1080,)

    _, shown = await press(bot, reader, shown, "🌙 22:00–07:00")
    assert (await digests.get_settings(bot.db.reader, chat.id)).quiet == (1320, 420)
    assert shown is not None and "de 22:00 à 07:00" in shown.content
    _, shown = await press(bot, reader, shown, "Pas d’heures calmes")
    assert (await digests.get_settings(bot.db.reader, chat.id)).quiet is None
    _, shown = await press(bot, reader, shown, "Chaque article dès sa parution")
    assert (await digests.get_settings(bot.db.reader, chat.id)).digest_times == ()
    assert shown is not None and "Sélection\u00a0: aucune" in shown.content

    _, shown = await press(bot, reader, shown, "English")
    stored = await chats.get_chat(bot.db.reader, chat.id)
    assert stored is not None and (stored.language, stored.language_chosen) == ("en", True)
    assert shown is not None and "Your settings" in shown.content
    assert "Language: English" in shown.content and "✅ English" in shown.labels()


async def test_settings_lists_the_subscriptions_with_a_way_to_manage_them(bot: Harness) -> None:
    reader = await reader_following_mali(bot, "Oumou")
    await follow(bot.db, reader.private_chat, author="Awa Keïta")
    [shown] = await bot.ask(reader, "/settings")
    assert "2\u00a0abonnements\u00a0: #Mali, Awa Keïta" in shown.content
    _, listing = await press(bot, reader, shown, "🔔 Gérer les abonnements")
    assert listing is not None and "✖️ #Mali" in listing.labels()


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("7h", (420,)),
        ("07:00", (420,)),
        ("7h30", (450,)),
        ("19 h", (1140,)),
        ("7:00, 18:00", (420, 1080)),
        ("18h et 7h", (420, 1080)),
        ("12h15; 12h15", (735,)),
        ("7:00 18:00", (420, 1080)),
        ("7 h 30 et midi", (450, 720)),
    ],
)
def test_times_are_read_as_readers_write_them(typed: str, minutes: tuple[int, ...]) -> None:
    assert schedule.parse_times(typed) == minutes


@pytest.mark.parametrize("typed", ["demain", "25h", "7h61", "7h, demain", "", "1,2,3,4,5,6,7"])
def test_nonsense_is_not_a_time(typed: str) -> None:
    assert schedule.parse_times(typed) is None


@pytest.mark.parametrize(
    ("typed", "window"),
    [("22:00-07:00", (1320, 420)), ("de 23h à 6h", (1380, 360)), ("13h – 14h30", (780, 870))],
)
def test_quiet_windows_are_read_as_readers_write_them(typed: str, window: tuple[int, int]) -> None:
    assert schedule.parse_window(typed) == window


def test_a_window_across_midnight_holds_the_night_only() -> None:
    assert schedule.in_window(23 * 60, 1320, 420) and schedule.in_window(3 * 60, 1320, 420)
    assert not schedule.in_window(7 * 60, 1320, 420) and not schedule.in_window(12 * 60, 1320, 420)
    assert schedule.in_window(13 * 60, 780, 870) and not schedule.in_window(15 * 60, 780, 870)


def test_a_digest_keeps_its_local_hour_across_a_change_of_offset() -> None:
    paris = ZoneInfo("Europe/Paris")
    before = datetime(2026, 3, 28, 12, tzinfo=paris).timestamp()  # the eve of summer time
    due = schedule.next_at((7 * 60,), before, paris)
    assert due is not None
    assert datetime.fromtimestamp(due, paris) == datetime(2026, 3, 29, 7, tzinfo=paris)
    assert datetime.fromtimestamp(due, UTC).hour == 5


@pytest.mark.parametrize(
    ("command", "key"),
    [
        ("/digest demain matin", "settings.digest_bad"),
        ("/digest 25h", "settings.digest_bad"),
        ("/digest", "settings.digest_usage"),
        ("/quiet 22h", "settings.quiet_bad"),
        ("/quiet la nuit", "settings.quiet_bad"),
        ("/quiet", "settings.quiet_usage"),
    ],
)
async def test_junk_is_answered_with_an_example(bot: Harness, command: str, key: str) -> None:
    reader = bot.sandbox.add_user("Seydou", language_code="fr")
    [answer] = await bot.ask(reader, command)
    expected = t("fr", key, text=command.partition(" ")[2])
    assert answer.content == re.sub(r"<[^>]+>", "", expected)
    settings = await digests.get_settings(bot.db.reader, reader.private_chat.id)
    assert settings.digest_times == () and settings.quiet is None


async def test_in_a_group_only_admins_change_the_settings(bot: Harness) -> None:
    admin = bot.sandbox.add_user("Kadiatou", language_code="fr")
    member = bot.sandbox.add_user("Ibrahim", language_code="fr")
    group = bot.sandbox.add_group("Lecteurs de Ségou", admins=[admin], members=[member])
    [refusal] = await bot.ask(member, "/digest 7h", chat=group)
    assert "administrateurs" in refusal.content
    assert (await digests.get_settings(bot.db.reader, group.id)).digest_times == ()
    [done] = await bot.ask(admin, "/digest 7h", chat=group)
    assert "dans ce groupe" in done.content
    assert (await digests.get_settings(bot.db.reader, group.id)).digest_times == (420,)

    [shown] = await bot.ask(admin, "/settings", chat=group)
    assert "Les réglages du groupe" in shown.content
    answer, _ = await press(bot, member, shown, "🌙 22:00–07:00", chat=group, expect_message=False)
    assert answer.show_alert and "administrateurs" in (answer.text or "")
    assert (await digests.get_settings(bot.db.reader, group.id)).quiet is None


async def test_a_digest_time_inside_quiet_hours_arrives_without_sound(
    bot: Harness, clock: Clock
) -> None:
    reader = await reader_following_mali(bot)
    chat = reader.private_chat
    clock.set(at(2, 8))
    await bot.ask(reader, "/digest 23h")
    await bot.ask(reader, "/quiet 22h-7h")
    await publish(bot, "n:1", "Kayes : la fête des récoltes")
    mark = chat.mark()
    await digest_time(bot, clock, at(2, 23))
    [digest] = await bot.sandbox.wait_for(chat, after=mark)
    assert "La sélection de 23:00" in digest.content and "récoltes" in digest.content
    assert digest.disable_notification


@pytest.mark.parametrize(
    "gone", ["blocked, and the bot was told", "deactivated, found at the send"]
)
async def test_a_reader_who_is_gone_gets_no_digest(bot: Harness, clock: Clock, gone: str) -> None:
    reader = await reader_following_mali(bot)
    chat = reader.private_chat
    await bot.ask(reader, "/digest 7h")
    await publish(bot, "b:1", "Kati : la foire aux bestiaux")
    if gone.startswith("blocked"):
        reader.block_bot()
        deadline = time.monotonic() + 10
        while (
            stored := await chats.get_chat(bot.db.reader, chat.id)
        ) and stored.status != "blocked":
            assert time.monotonic() < deadline
            await asyncio.sleep(0.02)
    else:
        reader.deactivate()  # Telegram says nothing: the digest's send meets the 403
    before = len(chat.bot_messages(include_deleted=True))
    await digest_time(bot, clock, at(2, 7))
    await nothing_owed(bot.db, chat.id)
    assert len(chat.bot_messages(include_deleted=True)) == before
    stored = await chats.get_chat(bot.db.reader, chat.id)
    assert stored is not None and stored.status == "blocked"
    async with bot.db.reader.execute(
        "SELECT status FROM digests WHERE chat_id = ?", (chat.id,)
    ) as cursor:
        assert [row[0] for row in await cursor.fetchall()] == ["cancelled"]
    assert await held(bot.db, chat.id) == 0
