"""Hostile input: hypothesis throws junk at every entry point of one running bot.

The bot and the sandbox run on the test's event loop; hypothesis runs in a worker thread
and hands each example to that loop. Every example uses a fresh user (so neither the flood
throttle nor per-chat pacing slows the next one) and waits until the bot has finished with
the update. After each: no error logged, no "something went wrong" reply, every button
press answered, every request the bot made accepted by the sandbox (no 400), and the
database unchanged where the input changes nothing.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from telegram import Update
from telegram.ext import TypeHandler

from bot.config import Settings
from bot.i18n import language_for, t
from bot.sandbox import SandboxMessage, SandboxUser
from bot.transport import AiohttpRequest
from handlers import access
from tests.conftest import BOT_USERNAME, EDITOR_ID, Harness

RATE = 300.0
EDITORS = range(EDITOR_ID + 1, EDITOR_ID + 150)  # a fresh editor per example (then reused)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


pytestmark = pytest.mark.limits(global_rate=RATE, seed=13)


@pytest.fixture
def bot_settings(bot_settings: Settings) -> Settings:
    """The shared settings, with every example's editor."""
    return replace(bot_settings, admins=frozenset({EDITOR_ID, *EDITORS}))


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def errors() -> Iterator[_Errors]:
    """Every ERROR logged anywhere (telegram.ext, handlers.errors, the worker) while fuzzing."""
    handler = _Errors()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


GENERIC = {t("fr", "error.unexpected"), t("en", "error.unexpected")}


class Fuzzer:
    """Runs coroutines on the bot's loop from hypothesis's thread; checks each exchange."""

    def __init__(self, harness: Harness, errors: _Errors):
        self.bot = harness
        self.sb = harness.sandbox
        self.errors = errors
        self.loop = asyncio.get_running_loop()
        self._ids = itertools.count(7_000_000_000)
        self._editors = itertools.cycle(EDITORS)
        self.examples = 0
        self.replies = 0
        self.seen = harness.sandbox.stats.updates_delivered
        harness.app.add_handler(TypeHandler(object, self.count_update), group=-1000)
        # Start-up's own 400s (menus for editors who never opened the bot) are not ours.
        self.refused = harness.sandbox.stats.responses[400]

    def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=60)

    def user(self, language: str = "fr") -> SandboxUser:
        return self.sb.add_user("Testeur", language_code=language, user_id=next(self._ids))

    def editor(self) -> SandboxUser:
        editor_id = next(self._editors)
        if editor_id in self.sb.users:
            return self.sb.users[editor_id]
        return self.sb.add_user("Rédactrice", user_id=editor_id)

    async def count_update(self, update: object, context: object) -> None:
        """Count updates as processing starts (the first handler group of all)."""
        self.seen += 1

    async def settled(self) -> None:
        """Wait until the bot has fetched, started and finished every update."""
        app = self.bot.app
        deadline = time.monotonic() + 20
        while (
            self.seen < self.sb.stats.updates_delivered
            or self.sb.pending_updates
            or app.update_processor.current_concurrent_updates
        ):
            assert time.monotonic() < deadline, "the bot never finished the update"
            await asyncio.sleep(0.01)

    async def counts(self) -> dict[str, int]:
        found = {}
        for table in ("articles", "deliveries", "subscriptions", "topics", "authors", "feeds"):
            async with self.bot.db.reader.execute(f"SELECT count(*) FROM {table}") as cur:
                found[table] = (await cur.fetchone())[0]
        return found

    def check(self, chat_messages: list[SandboxMessage]) -> None:
        """What must hold after every example."""
        self.examples += 1
        self.replies += len(chat_messages)
        assert not self.errors.records, [r.getMessage() for r in self.errors.records]
        for message in chat_messages:
            assert message.content not in GENERIC, message.content
        refused = self.sb.stats.responses[400] - self.refused
        assert refused == 0, "the bot sent something Telegram refuses"
        assert self.sb.stats.responses[500] == 0

    async def exchange(
        self, user: SandboxUser, text: str, chat: Any = None
    ) -> list[SandboxMessage]:
        where = chat or user.private_chat
        known = {m.message_id for m in where.bot_messages()}
        await user.send(text, chat=chat)
        await self.settled()
        return [m for m in where.bot_messages() if m.message_id not in known]

    async def press(self, user: SandboxUser, message: SandboxMessage, data: str) -> None:
        message.reply_markup = {"inline_keyboard": [[{"text": "?", "callback_data": data}]]}
        query = await user.press(message, 0)
        await self.settled()
        assert query in self.sb.callback_answers, f"button {data!r} was never answered"


@pytest.fixture
async def fuzzer(bot: Harness, errors: _Errors) -> Fuzzer:
    return Fuzzer(bot, errors)


async def in_thread(test: Callable[[], None]) -> None:
    await asyncio.to_thread(test)


# --- strategies ---------------------------------------------------------------------------

SPECIAL = [
    "", "0", "-1", "1e9", "99999999999999999999999", "NaN", "<b>", "</i>", "&amp;", "&nbsp;",
    "<a href='javascript:x'>x</a>", "%s %d {0}", "'; DROP TABLE articles; --", "\" OR 1=1",
    "#Mali", "@newsbot_test_bot", "\u202eelbatirépxe\u202c", "مرحبا بالعالم", "😀" * 50,
    "\x00\x01\x1b[31m", "a\u0301\u0301\u0301", "\ufeff", "\u200b" * 10, "*", "%", "_", "\\",
    "Mali Mali Mali Mali Mali Mali Mali Mali", "x" * 5000,
]  # fmt: skip
# Any text a Telegram client can carry (no lone surrogates; those are tested separately).
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
ARGUMENT = st.one_of(st.sampled_from(SPECIAL), TEXT, st.integers().map(str))
READER_COMMANDS = [
    "start", "help", "latest", "article", "author", "authors", "topics", "search",
    "subscribe", "unsubscribe", "subscriptions", "nonexistent", "LATEST", "Search",
]  # fmt: skip
EDITOR_COMMANDS = ["publish", "edit", "unpublish", "stats", "feeds", "addfeed", "removefeed"]
CALLBACK_PREFIXES = [
    "art:", "pg:", "au:", "tp:", "aus:", "tps:", "sr:", "sub:", "sub:t:", "sub:-a:", "sub:+t:",
    "sub:new:", "sub:all", "ed:", "ed:withdraw:", "ed:keep:", "pg:l:n:", "",
]  # fmt: skip


def _fit(data: str) -> str:
    """Cut callback data to Telegram's 1-64 bytes."""
    raw = data.encode()[:64]
    return raw.decode(errors="ignore") or "x"


CALLBACK = st.builds(
    lambda prefix, rest: _fit(prefix + rest),
    st.sampled_from(CALLBACK_PREFIXES),
    st.one_of(st.integers().map(str), TEXT, st.sampled_from(SPECIAL), st.just("1:2:3:4:5")),
)


# --- the tests ------------------------------------------------------------------------------


async def test_reader_commands_with_any_arguments(fuzzer: Fuzzer) -> None:
    admin = fuzzer.user()

    @FUZZ
    @given(
        command=st.sampled_from(READER_COMMANDS + EDITOR_COMMANDS),
        argument=ARGUMENT,
        suffix=st.sampled_from(["", f"@{BOT_USERNAME}", "@autre_bot"]),
        separator=st.sampled_from([" ", "\n", "  ", "\t"]),
        language=st.sampled_from(["fr", "en", "ar", ""]),
        in_group=st.booleans(),
    )
    @example("latest", "x" * 5000, "", " ", "fr", False)
    @example("search", "\x00", "", " ", "fr", False)
    @example("article", "99999999999999999999999", "", " ", "en", False)
    @example("subscribe", "Mali", f"@{BOT_USERNAME}", " ", "fr", True)
    def fuzz(
        command: str, argument: str, suffix: str, separator: str, language: str, in_group: bool
    ) -> None:
        user = fuzzer.user(language)
        # In a group the user is a plain member: nothing of the group's may change.
        group = fuzzer.sb.add_group("Grin", admins=[admin], members=[user]) if in_group else None
        text = f"/{command}{suffix}{separator}{argument}".rstrip()
        before = fuzzer.run(fuzzer.counts())
        replies = fuzzer.run(fuzzer.exchange(user, text, group))
        fuzzer.check(replies)
        after = fuzzer.run(fuzzer.counts())
        if command.lower() != "subscribe" or in_group:
            changed = {k for k in after if after[k] != before[k]}
            assert not changed, (text, changed)
        if command in EDITOR_COMMANDS and suffix != "@autre_bot":
            refusal = t(language_for(language), "editors_only")
            assert [r.content for r in replies] == [refusal], (text, replies)

    await in_thread(fuzz)
    assert fuzzer.examples >= 60
    assert fuzzer.replies >= fuzzer.examples // 2  # the bot really answered, not just survived
    print(f"\ncommands: {fuzzer.examples} examples, {fuzzer.replies} replies")


# A character Telegram leaves out of the command (it ends at the first one that is not a
# letter, a digit or "_"): the update is still that command for python-telegram-bot.
COMMAND_SUFFIXES = ["", "-", "!", ".", ",", ".x", "\u200b", "\u0301", "\u0338", "-\u200b"]
COMMAND_ARGUMENTS = [
    "",
    " 1",
    " 1 5",
    " https://exemple.ml/rss 1",
    "\n#Mali : Titre\nPar Awa KEITA\nTexte.",
]


async def _variant_exchange(
    fuzzer: Fuzzer, user: SandboxUser, how: str, text: str, chat: Any
) -> list[SandboxMessage]:
    """Send `text` as a message, as an edit of an earlier message, or as a photo's caption."""
    where = chat or user.private_chat
    earlier = await user.send("Bonjour", chat=chat) if how == "edit" else None
    await fuzzer.settled()
    known = {m.message_id for m in where.bot_messages()}
    if earlier is not None:
        await user.edit(earlier, text)
    elif how == "caption":
        await user.send_photo(chat, caption=text)
    else:
        await user.send(text, chat=chat)
    await fuzzer.settled()
    return [m for m in where.bot_messages() if m.message_id not in known]


async def test_editor_command_variants_from_readers_change_nothing(fuzzer: Fuzzer) -> None:
    """Findings 1 and 2: however a reader spells an editor command (a suffix Telegram leaves
    out of the command, @bot, upper case), sent, edited or as a caption, in private, in a
    group or in a channel, it is refused or ignored, and nothing changes in the database."""
    admin = fuzzer.user()
    channel = fuzzer.sb.add_channel("Canal du grin", owner=admin)

    @settings(FUZZ, max_examples=50)
    @given(
        command=st.sampled_from(sorted(access.EDITOR_COMMANDS)),
        case=st.sampled_from([str.lower, str.upper, str.title]),
        mention=st.sampled_from(["", f"@{BOT_USERNAME}", "@autre_bot"]),
        suffix=st.sampled_from(COMMAND_SUFFIXES),
        argument=st.sampled_from(COMMAND_ARGUMENTS),
        how=st.sampled_from(["send", "edit", "caption"]),
        where=st.sampled_from(["private", "group", "channel"]),
        language=st.sampled_from(["fr", "en"]),
    )
    @example("stats", str.lower, "", "-", "", "send", "private", "fr")
    @example("addfeed", str.lower, "", "-", " https://exemple.ml/rss 1", "send", "private", "fr")
    @example("publish", str.lower, "", "!", "", "send", "group", "en")
    @example("unpublish", str.lower, "", "-", " 1", "edit", "private", "fr")
    @example("stats", str.upper, f"@{BOT_USERNAME}", "\u200b", "", "edit", "group", "fr")
    @example("edit", str.lower, "", "\u0301", " 1", "caption", "private", "fr")
    @example("removefeed", str.lower, "", "-", " 1", "send", "channel", "fr")
    def fuzz(
        command: str,
        case: Callable[[str], str],
        mention: str,
        suffix: str,
        argument: str,
        how: str,
        where: str,
        language: str,
    ) -> None:
        user = fuzzer.user(language)
        chat: Any = None
        if where == "group":
            chat = fuzzer.sb.add_group("Grin", admins=[admin], members=[user])
        elif where == "channel":
            chat = channel
        text = f"/{case(command)}{mention}{suffix}{argument}"
        before = fuzzer.run(fuzzer.counts())
        replies = fuzzer.run(_variant_exchange(fuzzer, user, how, text, chat))
        fuzzer.check(replies)
        assert fuzzer.run(fuzzer.counts()) == before, text
        lang = language_for(language)
        said = [reply.content for reply in replies]
        if where != "channel" and how != "caption" and mention != "@autre_bot":
            assert said == [t(lang, "editors_only")], (text, how, where, said)
        else:  # not a command for this bot: ignored, or at most pointed to /help
            assert set(said) <= {t(lang, "reading.unknown_command")}, (text, how, where, said)

    await in_thread(fuzz)
    assert fuzzer.examples >= 50


async def test_deep_link_payloads(fuzzer: Fuzzer) -> None:
    @FUZZ
    @given(
        payload=st.one_of(
            st.from_regex(r"(article|topic|author)-[A-Za-z0-9_-]{0,70}", fullmatch=True),
            st.from_regex(r"article-[0-9]{1,25}", fullmatch=True),
            TEXT.filter(lambda s: s.strip() != ""),
            st.sampled_from(SPECIAL),
        )
    )
    @example("article-1")
    @example("topic-mali")
    @example("author-" + "a" * 64)
    def fuzz(payload: str) -> None:
        user = fuzzer.user()
        replies = fuzzer.run(fuzzer.exchange(user, f"/start {payload}"))
        fuzzer.check(replies)
        assert replies, "every /start deserves an answer"

    await in_thread(fuzz)


async def test_forged_truncated_and_foreign_callback_data(fuzzer: Fuzzer) -> None:
    owner = fuzzer.user()
    listing = await fuzzer.exchange(owner, "/latest")
    real = [data for m in listing for row in m.buttons for _, data in row if data]
    assert real, listing
    before = await fuzzer.counts()

    @FUZZ
    @given(
        data=st.one_of(
            CALLBACK,
            st.sampled_from(real),  # another chat's buttons
            st.builds(lambda d, n: d[: max(1, n)], st.sampled_from(real), st.integers(0, 64)),
        ),
        language=st.sampled_from(["fr", "en"]),
    )
    @example("ed:withdraw:1", "fr")
    @example("sub:all", "fr")
    def fuzz(data: str, language: str) -> None:
        user = fuzzer.user(language)
        [message] = fuzzer.run(fuzzer.exchange(user, "/help"))
        fuzzer.run(fuzzer.press(user, message, data))
        fuzzer.check(user.private_chat.bot_messages())

    await in_thread(fuzz)
    after = await fuzzer.counts()
    # Nobody but the pressers' own (empty) chats could be touched: articles never.
    assert (after["articles"], after["deliveries"]) == (before["articles"], before["deliveries"])


async def test_inline_queries_of_any_kind(fuzzer: Fuzzer) -> None:
    @settings(FUZZ, max_examples=10)
    @given(query=st.one_of(TEXT, st.sampled_from(SPECIAL)))
    def fuzz(query: str) -> None:
        user = fuzzer.user()

        async def ask() -> None:
            # Every query gets an answer the sandbox accepted (it checks ids, titles, HTML).
            results = await user.inline_query(query, timeout=5.0)
            assert all(result["id"].startswith("article-") for result in results)
            await fuzzer.settled()

        fuzzer.run(ask())
        fuzzer.check([])

    await in_thread(fuzz)


HTML_BITS = st.sampled_from(
    ["<b>gras</b>", "<script>alert(1)</script>", "<a href=\"x\">", "&", "&amp;lt;", "</pre>",
     "<tg-spoiler>", "<<>>", "\x07\x1b", "\u202eRTL\u202c", "سلام", "👩🏾‍💻", "\r\n", "\t"]
)  # fmt: skip
ARTICLE_TEXT = st.lists(st.one_of(TEXT, HTML_BITS), min_size=1, max_size=8).map("".join)


async def test_editor_article_text_of_any_kind_stores_nothing_before_confirming(
    fuzzer: Fuzzer,
) -> None:
    before = await fuzzer.counts()

    @FUZZ
    @given(
        topics=st.lists(st.one_of(st.sampled_from(["Mali", "Économie"]), TEXT), max_size=3),
        title=ARTICLE_TEXT,
        byline=st.one_of(st.none(), st.just("Par Awa KEITA"), ARTICLE_TEXT.map("Par ".__add__)),
        body=ARTICLE_TEXT,
    )
    @example(["Mali"], "Titre", "Par Awa KEITA", "x" * 100_000)
    @example(["Mali"], "<b>Titre</b> & <i>co</i>", None, "سلام 👩🏾‍💻 \u202eRTL\u202c\x00\x1b")
    @example([], "", None, "")
    def fuzz(topics: list[str], title: str, byline: str | None, body: str) -> None:
        editor = fuzzer.editor()
        hashtags = "-".join(f"#{topic}" for topic in topics)
        lines = [f"{hashtags} : {title}" if hashtags else title]
        if byline is not None:
            lines.append(byline)
        lines.append(body)
        replies = fuzzer.run(fuzzer.exchange(editor, "/publish\n" + "\n".join(lines)))
        fuzzer.check(replies)
        assert replies, "the editor must get a preview or a reason"

    await in_thread(fuzz)
    assert await fuzzer.counts() == before  # previews only: nothing published


def _update(update_id: int, user: SandboxUser, text: str) -> dict[str, Any]:
    sender = user.to_api()
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1_000_000 + update_id,
            "date": int(time.time()),
            "chat": {"id": user.id, "type": "private", "first_name": sender["first_name"]},
            "from": sender,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }


def _through_the_transport(update: dict[str, Any], harness: Harness) -> Update:
    """Parse the update as the bot parses getUpdates: JSON escapes carry the surrogates."""
    raw = json.dumps({"ok": True, "result": [update]}).encode()
    assert b"\\ud8" in raw or b"\\udf" in raw or b"\\udc" in raw
    [parsed] = AiohttpRequest.parse_json_payload(raw)["result"]
    decoded = Update.de_json(parsed, harness.app.bot)
    assert decoded is not None
    return decoded


@pytest.mark.parametrize(
    "text",
    [
        "/search \ud800",
        "/latest \udfff\ud800",
        "/start article-\ud83d",
        "/subscribe #Mali\udc00",
        "/author Awa \ud800KEITA",
        "/publish\n#Mali : Titre \ud800 cassé\nPar Awa KEITA\nChapeau \udfff.",
    ],
)
async def test_lone_surrogates_in_an_update(fuzzer: Fuzzer, text: str) -> None:
    """JSON may carry "\\ud800"; the bot must neither crash nor send Telegram invalid text."""
    user = fuzzer.editor() if text.startswith("/publish") else fuzzer.user()
    before = await fuzzer.counts()
    update = _through_the_transport(_update(900_000, user, text), fuzzer.bot)
    await fuzzer.bot.app.process_update(update)
    await fuzzer.settled()
    replies = user.private_chat.bot_messages()
    fuzzer.check(replies)
    assert replies, "every command gets an answer"
    if not text.startswith("/subscribe"):
        assert await fuzzer.counts() == before
