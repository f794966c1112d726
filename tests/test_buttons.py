"""Callback data: every kind of button packs and parses back, within Telegram's 64 bytes."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import BaseHandler, CallbackQueryHandler, ConversationHandler

from bot.app import build_application
from bot.buttons import (
    MAX_BYTES,
    ArticleButton,
    ArticlePageButton,
    AuthorButton,
    AuthorsPageButton,
    Button,
    EditorButton,
    JournalPageButton,
    LanguageButton,
    NewTopicButton,
    RosterButton,
    ScheduleButton,
    ScheduledButton,
    Scope,
    SearchPageButton,
    SettingsButton,
    SubscriptionButton,
    SubscriptionsPageButton,
    TopicButton,
    TopicsPageButton,
    UnsubscribeAllButton,
    UnwatchButton,
)
from bot.config import Secret, Settings
from handlers.views import page_turns
from tests.conftest import BOT_TOKEN

ROOT = Path(__file__).resolve().parents[1]
BIG = 10**18 - 1  # the largest id a button carries (18 digits)

EVERY_KIND: list[tuple[Button, str]] = [
    (ArticleButton(42), "art:42"),
    (ArticleButton(BIG), f"art:{BIG}"),
    (ArticlePageButton(Scope("l"), "o", 17, 5, 6), "pg:l:o:17:5:6"),
    (ArticlePageButton(Scope("t", 3), "n", 9, 10, 1), "pg:t3:n:9:10:1"),
    (ArticlePageButton(Scope("a", BIG), "o", BIG, 10, 9_999_999), f"pg:a{BIG}:o:{BIG}:10:9999999"),
    (AuthorButton(7), "au:7"),
    (TopicButton(12, 5), "tp:12:5"),
    (AuthorsPageButton(10), "aus:10"),
    (TopicsPageButton(0), "tps:0"),
    (SearchPageButton(5, words="mali énergie"), "sr:5:mali énergie"),
    (SearchPageButton(10, token="0a1b2c3d"), "sr:10:~0a1b2c3d"),
    (SubscriptionButton("t", 3), "sub:t:3"),
    (SubscriptionButton("a", 8, "follow"), "sub:+a:8"),
    (SubscriptionButton("t", 9, "unfollow"), "sub:-t:9"),
    (NewTopicButton("Sikasso"), "sub:new:Sikasso"),
    (UnsubscribeAllButton(), "sub:all"),
    (UnsubscribeAllButton(confirm=False), "sub:all:no"),
    (SubscriptionsPageButton(20), "subs:20"),
    (UnwatchButton(41), "unw:41"),
    (LanguageButton("en"), "lang:en"),
    (SettingsButton("d", "420"), "set:d:420"),
    (SettingsButton("q", "1320-420"), "set:q:1320-420"),
    (SettingsButton("q", "off"), "set:q:off"),
    (SettingsButton("show"), "set:show"),
    (SettingsButton("l", "en"), "set:l:en"),
    (EditorButton("pub", "Ab-_9xYz"), "ed:pub:Ab-_9xYz"),
    (EditorButton("skip_byline", "tok"), "ed:skip_byline:tok"),
    (ScheduleButton("Ab-_9xYz", 1), "ed:at:Ab-_9xYz:1"),
    (ScheduleButton("Ab-_9xYz", 0, 1439), "ed:at:Ab-_9xYz:0:1439"),
    (ScheduledButton("now", BIG), f"ed:sch:now:{BIG}"),
    (ScheduledButton("drop", 3), "ed:sch:drop:3"),
    (RosterButton("add", 7_000_000_042), "ed:ne:+7000000042"),
    (RosterButton("remove", BIG), f"ed:ne:-{BIG}"),
    (JournalPageButton("o", 120), "ed:jr:o:120"),
    (JournalPageButton("n", BIG), f"ed:jr:n:{BIG}"),
]


def _parse(button_type: type[Button], data: str) -> Button | None:
    """Read data as python-telegram-bot does: `re.match` with the handler's pattern."""
    return button_type.parse(button_type.PATTERN.match(data))


@pytest.mark.parametrize(("button", "data"), EVERY_KIND, ids=[data for _, data in EVERY_KIND])
def test_every_kind_packs_to_its_wire_format_and_parses_back(button: Button, data: str) -> None:
    assert button.pack() == data
    assert len(data.encode()) <= MAX_BYTES
    assert _parse(type(button), data) == button


def test_editor_buttons_parse_from_the_pattern_of_their_actions() -> None:
    token = secrets.token_urlsafe(6)  # what the newsroom hands out
    data = EditorButton("urgent", token).pack()
    pattern = EditorButton.pattern_for("pub", "urgent", "force")
    assert EditorButton.parse(pattern.match(data)) == EditorButton("urgent", token)
    assert pattern.match(EditorButton("change", token).pack()) is None
    # Still an editor button for the catch-all that answers stale ones.
    assert EditorButton.PATTERN.match(data) is not None


@pytest.mark.parametrize(
    ("button_type", "data"),
    [
        (ArticleButton, "art:"), (ArticleButton, "art:abc"), (ArticleButton, "art:1 OR 1=1"),
        (ArticleButton, "art:1\n"), (ArticleButton, "art:1234567890123456789"),
        (ArticlePageButton, "pg:x:o:1:5:1"), (ArticlePageButton, "pg:a1:n:1:5"),
        (ArticlePageButton, "pg:l:o:1:5:1:extra"), (ArticlePageButton, "pg:l:o:1:100:1"),
        (AuthorButton, "au:"), (TopicButton, "tp:1"), (TopicButton, "tp:1:5:"),
        (AuthorsPageButton, "aus:x"), (TopicsPageButton, "tps:-1"),
        (SearchPageButton, "sr:"), (SearchPageButton, "sr:x:mali"), (SearchPageButton, "sr:0:"),
        (SearchPageButton, "sr:0:a:b"), (SearchPageButton, "sr:99999:~"),
        (SearchPageButton, "sr:5:~0BAD"), (SearchPageButton, "sr:123456:mali"),
        (SubscriptionButton, "sub:"), (SubscriptionButton, "sub:x:1"),
        (SubscriptionButton, "sub:+t:abc"), (SubscriptionButton, "sub:t:²"),
        (SubscriptionButton, "sub:new:Mali"), (SubscriptionButton, "sub:all"),
        (NewTopicButton, "sub:new:"), (UnsubscribeAllButton, "sub:all:x"),
        (UnsubscribeAllButton, "sub:allx"), (SubscriptionsPageButton, "subs:"),
        (UnwatchButton, "unw:"), (UnwatchButton, "unw:x1"), (UnwatchButton, "unw:1:2"),
        (EditorButton, "ed:"), (EditorButton, "ed:pub"), (EditorButton, "ed:pub:"),
        (EditorButton, "ed:withdraw:2:yes"), (EditorButton, "ed:pub:é"),
    ],
)  # fmt: skip
def test_forged_or_truncated_data_is_taken_by_its_kind_but_not_parsed(
    button_type: type[Button], data: str
) -> None:
    # Taken: the kind's own handler answers it. Not parsed: it does nothing.
    assert button_type.PATTERN.match(data) is not None
    assert _parse(button_type, data) is None


def test_kinds_sharing_a_prefix_take_only_their_own_data() -> None:
    assert AuthorButton.PATTERN.match("aus:10") is None
    assert TopicButton.PATTERN.match("tps:10") is None
    assert SubscriptionButton.PATTERN.match("subs:20") is None
    assert NewTopicButton.PATTERN.match("sub:t:1") is None
    assert UnsubscribeAllButton.PATTERN.match("sub:new:x") is None
    assert ArticleButton.PATTERN.match("zzz:1") is None


def test_data_over_64_bytes_is_refused_when_packed() -> None:
    too_long = SearchPageButton(0, words="é" * 40)  # 85 bytes
    assert not too_long.fits()
    with pytest.raises(AssertionError, match="64 bytes"):
        too_long.pack()
    at_limit = NewTopicButton("x" * (MAX_BYTES - len("sub:new:")))
    assert at_limit.fits()
    assert len(at_limit.pack().encode()) == MAX_BYTES
    assert not NewTopicButton("x" * (MAX_BYTES - len("sub:new:") + 1)).fits()


def test_no_callback_data_is_written_by_hand() -> None:
    """Every callback_data in the product is a button's `pack()`, never a string (f-string
    or not), and only bot/buttons.py spells a button's prefix."""
    literal = re.compile(r"""callback_data\s*=\s*[rbuf]*["']""")
    prefix = re.compile(r"""[rbuf]*["'](art|pg|au|tp|aus|tps|sr|sub|subs|ed):""")
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for folder in ("bot", "handlers")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != ROOT / "bot" / "buttons.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if literal.search(line) or prefix.search(line)
    ]
    assert not found, found


def _callback_handlers(
    handlers: Iterable[BaseHandler[Any, Any, Any]],
) -> Iterator[CallbackQueryHandler[Any, Any]]:
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            for steps in [handler.entry_points, *handler.states.values(), handler.fallbacks]:
                yield from _callback_handlers(steps)
        elif isinstance(handler, CallbackQueryHandler):
            yield handler


def test_every_button_handler_registers_a_button_pattern(tmp_path: Path) -> None:
    """Buttons are routed by their class's pattern; only the last catch-all takes any data."""
    settings = Settings(
        token=Secret(BOT_TOKEN), api_url="http://127.0.0.1:9/bot", db_path=tmp_path / "x.db"
    )
    application = build_application(settings)
    kinds = [
        ArticleButton, ArticlePageButton, AuthorButton, TopicButton, AuthorsPageButton,
        TopicsPageButton, SearchPageButton, SubscriptionButton, NewTopicButton,
        UnsubscribeAllButton, SubscriptionsPageButton, UnwatchButton, LanguageButton,
        SettingsButton, EditorButton, RosterButton, JournalPageButton, ScheduleButton, ScheduledButton,
    ]  # fmt: skip
    patterns = {kind.PATTERN for kind in kinds}
    found = [
        handler
        for _, registered in sorted(application.handlers.items())
        for handler in _callback_handlers(registered)
    ]
    routed = {handler.pattern for handler in found if handler.pattern is not None}
    assert patterns <= routed, "every kind of button has its handler"
    editor_actions = {
        pattern
        for pattern in routed - patterns
        if isinstance(pattern, re.Pattern) and pattern.pattern.startswith("^ed:(?P<action>")
    }
    assert routed - patterns == editor_actions, "no pattern is written by hand"
    catch_alls = [handler for handler in found if handler.pattern is None]
    assert len(catch_alls) == 1 and catch_alls[0] is found[-1]


def test_page_turns_go_back_to_the_start_at_most_and_forward_while_there_is_more() -> None:
    def data(offset: int, step: int, has_more: bool) -> list[str | None]:
        row = page_turns(SubscriptionsPageButton, offset, step, has_more, "fr")
        return [str(button.callback_data) for button in row]

    assert data(0, 20, has_more=False) == []
    assert data(0, 20, has_more=True) == ["subs:20"]
    assert data(10, 20, has_more=True) == ["subs:0", "subs:30"]
    assert data(40, 20, has_more=False) == ["subs:20"]
    [previous, following] = page_turns(TopicsPageButton, 10, 10, True, "fr")
    assert (previous.text, following.text) == ("‹ Précédents", "Suivants ›")
