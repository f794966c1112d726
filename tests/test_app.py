"""The real Application against the sandbox: start-up, /start, shutdown."""

from __future__ import annotations

from tests.conftest import Harness


async def test_start_is_answered_end_to_end_in_the_readers_language(bot: Harness) -> None:
    french = bot.sandbox.add_user("Awa", "Traoré", "awa", "fr")
    english = bot.sandbox.add_user("John", None, "john", "en-GB")
    [bienvenue] = await bot.ask(french, "/start")
    [welcome] = await bot.ask(english, "/start")
    assert bienvenue.from_bot and welcome.from_bot
    assert "/help" in bienvenue.content and "/help" in welcome.content
    assert "Bienvenue" in bienvenue.content
    assert "Welcome" in welcome.content
