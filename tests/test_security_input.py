"""Hostile or merely unusual input: start-up failures, overlong names, caps on what a chat
follows, and `newsbot chat` fed bytes that are not text.

Each test here reproduces a reported problem: the token printed when Telegram refused it,
a legal message folding past SQLite's LIKE limit, a subscription list too long for one
message, unlimited topic rows, a chat session stuck on a lone surrogate.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import sys
import time
from pathlib import Path

import pytest

from bot import follows
from bot.sandbox import Sandbox, SandboxMessage, SandboxUser
from db import articles, chats
from tests.conftest import BOT_TOKEN, Harness
from tests.reading_helpers import press

ROOT = Path(__file__).resolve().parent.parent
REFUSED_TOKEN = "7000000077:AAH-refused-token-SECRET_part-987654321"


def _no_errors(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


# --- finding 6: start-up failures say so in one line, never the token ------------------


async def _newsbot_run(tmp_path: Path, *args: str, **env: str) -> tuple[int, str]:
    """Run `python -m bot run` to its end; return the exit code and stdout + stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        *args,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 90)
    assert process.returncode is not None
    return process.returncode, stdout.decode() + stderr.decode()


def _assert_clean(output: str, token: str) -> None:
    assert token not in output
    assert token.split(":", 1)[1] not in output  # not even the secret half
    assert "Traceback" not in output
    assert "Unclosed" not in output  # nothing left open on the way out


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_token_telegram_refuses_is_one_line_without_the_token(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    # The sandbox knows only its own token: any other gets 401 Unauthorized, as on Telegram.
    code, output = await _newsbot_run(
        tmp_path, TELEGRAM_BOT_TOKEN=REFUSED_TOKEN, TELEGRAM_API_URL=sandbox.base_url
    )
    assert code == 1
    _assert_clean(output, REFUSED_TOKEN)
    [line] = output.strip().splitlines()
    assert "TELEGRAM_BOT_TOKEN" in line and "refused" in line


async def test_telegram_unreachable_is_one_line_without_the_token(tmp_path: Path) -> None:
    code, output = await _newsbot_run(
        tmp_path,
        "--startup-wait",
        "2",
        TELEGRAM_BOT_TOKEN=REFUSED_TOKEN,
        TELEGRAM_API_URL=f"http://127.0.0.1:{_closed_port()}/bot",
    )
    assert code == 1
    _assert_clean(output, REFUSED_TOKEN)
    lines = output.strip().splitlines()
    assert "cannot reach Telegram" in lines[-1]
    # Before giving up it said it was trying again, one line each time.
    assert lines[:-1] and all("trying again" in line for line in lines[:-1])


async def test_a_database_it_cannot_open_is_one_line_without_the_token(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    code, output = await _newsbot_run(
        tmp_path,
        TELEGRAM_BOT_TOKEN=BOT_TOKEN,
        TELEGRAM_API_URL=sandbox.base_url,
        NEWSBOT_DB=str(tmp_path / "no-such-folder" / "bot.sqlite3"),
    )
    assert code == 1
    _assert_clean(output, BOT_TOKEN)
    [line] = output.strip().splitlines()
    assert "cannot open the database" in line and "no-such-folder" in line


# --- finding 8: a name that folds past SQLite's limits ----------------------------------

# U+FDFA is one character that NFKD spells in 18; 4,000 of them fit in one message.
_EXPANDING = "\ufdfa" * 4000


@pytest.mark.parametrize("command", ["/author", "/subscribe", "/latest"])
async def test_a_name_that_folds_too_long_gets_a_friendly_answer(
    bot: Harness, command: str, caplog: pytest.LogCaptureFixture
) -> None:
    reader = bot.sandbox.add_user("Awa")
    [reply] = await bot.ask(reader, f"{command} {_EXPANDING}", timeout=10)
    assert "trop long" in reply.content
    _no_errors(caplog)
    assert await chats.chat_subscriptions(bot.db.reader, reader.id) == []


async def test_a_search_for_an_expanding_word_answers_without_error(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    reader = bot.sandbox.add_user("Awa")
    [reply] = await bot.ask(reader, f"/search {_EXPANDING}", timeout=10)
    assert reply.content.startswith(("Aucun article", "🔎"))
    _no_errors(caplog)


# --- finding 9: caps on subscriptions and on new topics, a paged list -------------------


async def _follow_many(bot: Harness, user: SandboxUser, count: int) -> None:
    """Subscribe the user's chat to `count` long-named topics, straight in the database."""
    now = time.time()
    async with bot.db.transaction() as conn:
        await chats.upsert_chat(conn, user.id, "private", user.first_name, "fr", now)
        for n in range(count):
            name = f"Sujet au nom assez long pour remplir une ligne {n:03d}"
            topic = await articles.ensure_topic(conn, name.lower(), name)
            await chats.subscribe(conn, user.id, now, topic_id=topic.id)


async def _ask(bot: Harness, user: SandboxUser, text: str) -> SandboxMessage:
    bot.app.bot_data.flood_buckets.clear()  # these tests type faster than any reader
    [reply] = await bot.ask(user, text, timeout=10)
    return reply


async def test_a_chat_follows_at_most_the_cap(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Awa")
    await _follow_many(bot, reader, follows.MAX_FOLLOWS)

    for wanted in ("Mali", "diakite", "Motjamaisvu"):
        reply = await _ask(bot, reader, f"/subscribe {wanted}")
        assert f"{follows.MAX_FOLLOWS}\u00a0abonnements" in reply.content, reply.content
        assert "/abonnements" in reply.content
    followed = await chats.chat_subscriptions(bot.db.reader, reader.id)
    assert len(followed) == follows.MAX_FOLLOWS
    assert await articles.get_topic_by_key(bot.db.reader, "motjamaisvu") is None

    # The buttons obey the cap too.
    reply = await _ask(bot, reader, "/topics")
    answer, _ = await press(bot, reader, reply, "➕ Mali", expect_message=False)
    assert answer.show_alert and f"{follows.MAX_FOLLOWS}\u00a0abonnements" in (answer.text or "")
    assert len(await chats.chat_subscriptions(bot.db.reader, reader.id)) == follows.MAX_FOLLOWS


async def test_the_subscriptions_list_turns_pages_within_telegram_limits(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Awa")
    await _follow_many(bot, reader, 500)  # more than the cap: followed before there was one

    reply = await _ask(bot, reader, "/subscriptions")
    shown: list[str] = []
    while True:
        assert len(reply.content) <= 4096
        assert sum(len(row) for row in reply.buttons) <= 100
        assert "500" in reply.content
        shown += [label for label in reply.labels() if label.startswith("✖️")]
        if "Suivants ›" not in reply.labels():
            break
        bot.app.bot_data.flood_buckets.clear()
        _, turned = await press(bot, reader, reply, "Suivants ›")
        assert turned is not None and turned.message_id == reply.message_id
        reply = turned
    assert len(shown) == len(set(shown)) == 500
    bot.app.bot_data.flood_buckets.clear()
    _, back = await press(bot, reader, reply, "‹ Précédents")
    assert back is not None and "Suivants ›" in back.labels()


async def test_a_chat_creates_only_a_few_topics_no_article_carries(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Awa")
    words = [f"Zorglub{letter}q" for letter in "abcdefghijklmno"]
    replies = [(await _ask(bot, reader, f"/subscribe {word}")).content for word in words]
    created = [r for r in replies if "Aucun article ne porte encore" in r]
    assert len(created) == follows.MAX_NEW_TOPICS
    assert all("nouveaux sujets" in r for r in replies[follows.MAX_NEW_TOPICS :])
    assert await articles.count_unused_topics(bot.db.reader) == follows.MAX_NEW_TOPICS
    # Following an existing topic is still fine.
    assert "#Mali" in (await _ask(bot, reader, "/subscribe Mali")).content


async def test_topics_no_article_carries_are_bounded_and_free_ones_recycled(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(follows, "MAX_UNUSED_TOPICS", 3)
    first, second = bot.sandbox.add_user("Awa"), bot.sandbox.add_user("Issa")
    for word in ("Zorglubaq", "Zorglubbq", "Zorglubcq"):
        assert "Aucun article" in (await _ask(bot, first, f"/subscribe {word}")).content
    reply = await _ask(bot, second, "/subscribe Zorglubdq")
    assert "nouveaux sujets" in reply.content
    # Once nobody follows one, its row is free again: a subscribe/unsubscribe loop
    # cannot grow the table.
    await _ask(bot, first, "/unsubscribe Zorglubaq")
    assert "Aucun article" in (await _ask(bot, second, "/subscribe Zorglubdq")).content
    assert await articles.count_unused_topics(bot.db.reader) == 3
    assert await articles.get_topic_by_key(bot.db.reader, "zorglubaq") is None


# --- finding 10: `newsbot chat` fed bytes that are not text -----------------------------


def test_chat_survives_bytes_that_are_not_text(tmp_path: Path) -> None:
    import subprocess

    typed = b"/start\n\xff\xfe salut \xed\xa0\x80\n/latest 2\n/quit\n"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        input=typed,
        capture_output=True,
        timeout=120,
    )
    out = result.stdout.decode(errors="replace") + result.stderr.decode(errors="replace")
    assert result.returncode == 0, out
    assert "Traceback" not in out
    assert "Les dernières nouvelles" in out  # /latest, after the broken line, was answered
