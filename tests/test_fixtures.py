"""The shared fixtures: quick per-chat limits by default, Telegram's own under the limits marker."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.pacing import ChatLimits
from bot.sandbox import Sandbox
from tests.conftest import QUICK_CHAT_LIMITS, QUICK_LIMITS, telegram_limits


async def test_an_unmarked_test_gets_quick_per_chat_limits(
    sandbox: Sandbox, chat_limits: ChatLimits | None, bot_settings: Settings
) -> None:
    assert sandbox.limits == QUICK_LIMITS
    assert sandbox.limits is not QUICK_LIMITS  # a test may change its own copy
    assert chat_limits == QUICK_CHAT_LIMITS
    assert bot_settings.send_rate == sandbox.limits.global_per_second == 30


@pytest.mark.limits(global_rate=150.0, seed=3)
async def test_the_limits_marker_gives_telegram_limits_at_the_chosen_rate(
    sandbox: Sandbox, chat_limits: ChatLimits | None, bot_settings: Settings
) -> None:
    assert sandbox.limits.global_per_second == 150
    assert (sandbox.limits.private_per_second, sandbox.limits.group_per_minute) == (1, 20)
    assert chat_limits is None  # the bot paces each chat as in production
    assert bot_settings.send_rate == 150
    assert sandbox.seed == 3


def test_a_misspelt_limit_is_an_error() -> None:
    with pytest.raises(TypeError):
        telegram_limits(global_per_second=150)  # type: ignore[call-arg]
