"""Replies survive a bad moment: a reply Telegram fails on (5xx) is sent again, once."""

from __future__ import annotations

import asyncio

import pytest
from telegram.error import BadRequest

from db import chats
from tests.conftest import Harness

READERS = 300


@pytest.mark.limits(global_rate=300)
async def test_a_subscription_reply_under_10_percent_5xx_is_always_answered_once(
    bot: Harness,
) -> None:
    readers = bot.sandbox.add_users(READERS)
    bot.sandbox.faults.error_rate = 0.10  # every method but getUpdates: 500 or 502, nothing done
    marks = {reader.id: reader.private_chat.mark() for reader in readers}
    await asyncio.gather(*(reader.send("/subscribe mali") for reader in readers))
    for reader in readers:
        await bot.sandbox.wait_for(reader, timeout=30, after=marks[reader.id])
    bot.sandbox.faults.clear()
    failed = bot.sandbox.stats.responses[500] + bot.sandbox.stats.responses[502]
    assert failed >= READERS // 20  # the faults did hit replies
    await asyncio.sleep(0.5)  # a duplicate would be on its way by now

    for reader in readers:
        replies = reader.private_chat.bot_messages()
        assert len(replies) == 1, (reader.id, [m.content for m in replies])
        assert "Vous recevrez les nouveaux articles #Mali" in replies[0].content
        labels = [s.label for s in await chats.chat_subscriptions(bot.db.reader, reader.id)]
        assert labels == ["#Mali"]
    retried = bot.app.bot_data.metrics.reply_retries._value.get()
    assert retried >= 1
    print(f"\n{READERS} replies under 10 % 5xx: {failed} failed answers, {retried:.0f} retries")


async def test_a_reply_is_not_retried_on_a_4xx(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Awa")
    await bot.ask(reader, "/start")
    sent = bot.sandbox.stats.requests["sendMessage"]
    bot.sandbox.delete_chat(reader.private_chat)  # every send to it is now 400 chat not found
    with pytest.raises(BadRequest, match="not found"):
        await bot.app.bot.send_message(reader.id, "Bonjour")
    assert bot.sandbox.stats.requests["sendMessage"] == sent + 1


async def test_a_reply_is_retried_after_a_timeout_and_an_answered_query_counts_as_done(
    bot: Harness,
) -> None:
    """A callback answered, its answer lost in a timeout: the second try's 400 means done."""
    reader = bot.sandbox.add_user("Awa")
    [menu] = await bot.ask(reader, "/latest")
    bot.sandbox.faults.methods = {"answercallbackquery"}
    bot.sandbox.faults.slow_rate, bot.sandbox.faults.slow_seconds = 1.0, 6.0  # > read timeout
    query_id = await reader.press(menu, 0)
    answer = await bot.sandbox.wait_for_answer(query_id, timeout=10)
    assert answer is not None
    bot.sandbox.faults.clear()
    # The first answer times out (5 s); the second is refused as already answered.
    async with asyncio.timeout(10):
        while bot.sandbox.stats.requests["answerCallbackQuery"] < 2:
            await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    assert bot.sandbox.stats.requests["answerCallbackQuery"] == 2
    assert bot.app.bot_data.metrics.reply_retries._value.get() == 1
