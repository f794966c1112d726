"""The chat's language (/language) and the commands' French names, end to end."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.config import Settings, load_settings
from bot.errors import ConfigError
from bot.i18n import de, of_site
from db import chats
from db.models import ArticleDraft
from tests.conftest import BOT_USERNAME, Harness
from tests.reading_helpers import numbers, press

# --- /language -----------------------------------------------------------------------------


async def test_a_chosen_language_wins_over_the_telegram_one_for_replies_and_alerts(
    bot: Harness,
) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    [done] = await bot.ask(awa, "/language en")
    assert done.text.startswith("Done: I will write to you in English")

    # Her Telegram still says French: the choice sticks, message after message.
    [latest] = await bot.ask(awa, "/latest 2")
    [again] = await bot.ask(awa, "/help")
    assert latest.text.startswith("📰 The latest news")
    assert "/latest" in again.text and "/derniers" not in again.text
    chat = await chats.get_chat(bot.db.reader, awa.id)
    assert chat is not None and chat.language == "en" and chat.language_chosen

    await bot.ask(awa, "/subscribe Mali")
    await bot.publisher.publish(
        ArticleDraft(
            title="Les pluies de décembre surprennent les maraîchers de Baguinéda",
            lead="Une averse rare a noyé les planches de laitue.",
            author="Awa KEITA",
            topics=("Mali",),
        ),
        source_key="lang:1",
        origin="editor",
    )
    [alert] = await bot.sandbox.wait_for(
        awa.private_chat, lambda m: "Baguinéda" in m.content, timeout=10
    )
    assert [label for label in alert.labels()] == ["Read the article"]


async def test_language_alone_offers_two_buttons_and_a_press_switches_in_place(
    bot: Harness,
) -> None:
    john = bot.sandbox.add_user("John", "Smith", "john", "en")
    [choice] = await bot.ask(john, "/language")
    assert choice.labels() == ["Français", "✅ English"]

    _, switched = await press(bot, john, choice, "Français")

    assert switched is not None and switched.message_id == choice.message_id
    assert switched.text.startswith("C’est noté\u00a0: je vous écris désormais en français")
    assert switched.labels() == ["✅ Français", "English"]
    [reply] = await bot.ask(john, "/latest 1")
    assert reply.text.startswith("📰 Les dernières nouvelles")
    # His menu in this chat is the French one now, whatever his client's language.
    menu = bot.sandbox.get_commands({"type": "chat", "chat_id": john.id}, language_code="en")
    assert menu[0]["command"] == "derniers"


async def test_only_a_groups_admins_choose_its_language_and_it_answers_everyone_in_it(
    bot: Harness,
) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    moussa = bot.sandbox.add_user("Moussa", "Cissé", "moussa", "fr")
    group = bot.sandbox.add_group("Famille", admins=[awa], members=[moussa])

    [refused] = await bot.ask(moussa, f"/language@{BOT_USERNAME} en", chat=group)
    assert "administrateurs" in refused.text
    [done] = await bot.ask(awa, f"/langue@{BOT_USERNAME} en", chat=group)
    assert done.text.startswith("Done: I will write in English in this group")

    [reply] = await bot.ask(moussa, f"/latest@{BOT_USERNAME} 1", chat=group)
    assert reply.text.startswith("📰 The latest news")
    stored = await chats.get_chat(bot.db.reader, group.id)
    assert stored is not None and stored.language == "en"


async def test_an_unknown_language_offers_the_buttons(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    [reply] = await bot.ask(awa, "/language klingon")
    assert reply.labels() == ["✅ Français", "English"]
    chat = await chats.get_chat(bot.db.reader, awa.id)
    assert chat is not None and not chat.language_chosen


async def test_without_a_choice_a_private_chat_still_follows_its_telegram_language(
    bot: Harness,
) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    await bot.ask(awa, "/latest 1")
    awa.language_code = "en"
    [reply] = await bot.ask(awa, "/latest 1")
    assert reply.text.startswith("📰 The latest news")
    chat = await chats.get_chat(bot.db.reader, awa.id)
    assert chat is not None and chat.language == "en" and not chat.language_chosen


# --- French command names --------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/derniers 2", "📰 Les dernières nouvelles"),
        ("/auteur Kadiatou", "✍️ Les articles de Kadiatou Maïga"),
        ("/auteurs", "✍️ Les auteurs"),
        ("/rubriques", "🏷 Les sujets"),
        ("/recherche coton", "🔎 Recherche"),
        ("/abonner Sport", "Vous recevrez les nouveaux articles #Sport."),
        ("/abonnements", "Aucun abonnement"),
        ("/aide", "❓ Les commandes"),
        ("/langue", "Dans quelle langue"),
        ("/annuler", "Rien à annuler."),
    ],
)
async def test_french_command_names_work_like_the_english_ones(
    bot: Harness, command: str, expected: str
) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    [reply] = await bot.ask(awa, command)
    assert reply.text.startswith(expected)


async def test_french_and_english_names_work_in_groups_with_the_bots_name(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    group = bot.sandbox.add_group("Famille", admins=[awa])
    [french] = await bot.ask(awa, f"/derniers@{BOT_USERNAME} 2", chat=group)
    [english] = await bot.ask(awa, f"/latest@{BOT_USERNAME} 3", chat=group)
    assert numbers(french) == [1, 2] and numbers(english) == [1, 2, 3]


async def test_an_english_reader_may_type_the_french_names_too(bot: Harness) -> None:
    john = bot.sandbox.add_user("John", "Smith", "john", "en")
    [reply] = await bot.ask(john, "/derniers 1")
    assert reply.text.startswith("📰 The latest news")


# --- description and the paper's name ----------------------------------------------------


async def test_the_bot_describes_itself_in_both_languages_at_start_up(bot: Harness) -> None:
    descriptions = bot.sandbox.my_descriptions
    french, english = descriptions[("description", "")], descriptions[("description", "en")]
    assert "L’actualité du journal sur Telegram" in french
    assert "The news from the newspaper on Telegram" in english
    short_fr = descriptions[("short_description", "")]
    short_en = descriptions[("short_description", "en")]
    assert 0 < len(short_fr) <= 120 and 0 < len(short_en) <= 120
    assert "qui vous intéresse" in short_fr


class TestANamedPaper:
    @pytest.fixture
    def bot_settings(self, bot_settings: Settings) -> Settings:
        """The shared settings, for a paper with a name."""
        return replace(bot_settings, site_name="L’Essor")

    async def test_the_papers_name_is_in_the_welcome_and_the_description(
        self, bot: Harness
    ) -> None:
        awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
        john = bot.sandbox.add_user("John", "Smith", "john", "en")
        [fr] = await bot.ask(awa, "/start")
        [en] = await bot.ask(john, "/start")
        assert "l’actualité de L’Essor ici même" in fr.text
        assert "the news from L’Essor right here" in en.text
        assert "de L’Essor" in bot.sandbox.my_descriptions[("description", "")]


def test_the_papers_name_comes_from_newsbot_site_name() -> None:
    assert load_settings({}, env_file=None).site_name is None
    settings = load_settings({"NEWSBOT_SITE_NAME": "  Le   Républicain "}, env_file=None)
    assert settings.site_name == "Le Républicain"
    assert of_site("fr", settings.site_name) == "du Républicain"
    assert of_site("fr", None) == "du journal" and of_site("en", None) == "the newspaper"
    with pytest.raises(ConfigError, match="NEWSBOT_SITE_NAME"):
        load_settings({"NEWSBOT_SITE_NAME": "<b>Journal</b>"}, env_file=None)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ousmane Diakité", "d’Ousmane Diakité"),
        ("Issa Dembélé", "d’Issa Dembélé"),
        ("Édouard Sangaré", "d’Édouard Sangaré"),
        ("Kadiatou Maïga", "de Kadiatou Maïga"),
        ("Yacouba Sidibé", "de Yacouba Sidibé"),
        ("Le Républicain", "du Républicain"),
        ("Les Échos", "des Échos"),
    ],
)
def test_de_elides_before_a_vowel_and_contracts_with_an_article(name: str, expected: str) -> None:
    assert de(name) == expected
