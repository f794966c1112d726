"""The real Application against the sandbox: start-up, /start, shutdown."""

from __future__ import annotations

from tests.conftest import Harness


async def test_start_is_answered_end_to_end(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Awa", "Traoré", "awa", "fr")
    [reply] = await bot.ask(reader, "/start")
    assert reply.from_bot
    assert "Bonjour" in reply.content


async def test_english_reader_is_answered_in_english(bot: Harness) -> None:
    reader = bot.sandbox.add_user("John", None, "john", "en-GB")
    [reply] = await bot.ask(reader, "/start")
    assert "Hello" in reply.content
