"""The rough edges a new reader met (issue 15), each tried as a new reader would."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.formatting import format_date, format_short_date
from bot.i18n import plural
from bot.locales import en, fr
from db import articles, chats
from tests.conftest import BOT_USERNAME, Harness
from tests.reading_helpers import article_ids, numbers, press, publish

# --- a group is spoken to as a group ---------------------------------------------------


async def test_group_replies_speak_to_the_group(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    group = bot.sandbox.add_group("Famille", admins=[awa])

    [added] = await bot.ask(awa, f"/subscribe@{BOT_USERNAME} Mali", chat=group)
    [listing] = await bot.ask(awa, f"/subscriptions@{BOT_USERNAME}", chat=group)
    [removed] = await bot.ask(awa, f"/unsubscribe@{BOT_USERNAME} Mali", chat=group)
    [none] = await bot.ask(awa, f"/subscriptions@{BOT_USERNAME}", chat=group)

    assert added.text == "Ce groupe recevra les nouveaux articles #Mali."
    assert listing.text.startswith("Abonnements du groupe (1)")
    assert removed.text == "Ce groupe ne suit plus #Mali."
    assert none.text.startswith("Ce groupe n’a aucun abonnement")
    # In private, the reader herself.
    [mine] = await bot.ask(awa, "/subscribe Mali")
    assert mine.text == "Vous recevrez les nouveaux articles #Mali."


# --- French as it is written -----------------------------------------------------------


def test_no_message_writes_a_plural_with_brackets() -> None:
    for catalogue in (fr.MESSAGES, en.MESSAGES):
        for key, text in catalogue.items():
            assert not re.search(r"\((s|x|es)\)", text), key


def test_every_message_with_a_count_has_its_plural_forms() -> None:
    for catalogue in (fr.MESSAGES, en.MESSAGES):
        for key, text in catalogue.items():
            # A count a word agrees with ("{count} abonnements arrêtés"); not a tally in
            # brackets ("Vos abonnements (3)") nor a count already written out ("· {count}").
            if re.search(r"\{count\}[\s\u00a0\u202f]*\w", text):
                stem, _, form = key.rpartition(".")
                assert form in {"one", "many"}, key
                assert f"{stem}.one" in catalogue and f"{stem}.many" in catalogue, key


def test_counts_agree_in_french_and_english() -> None:
    assert plural("fr", "sub.all_removed", 1) == "C’est fait\u00a0: 1 abonnement arrêté."
    assert plural("fr", "sub.all_removed", 3) == "C’est fait\u00a0: 3 abonnements arrêtés."
    assert plural("fr", "editor.will_send", 1) == "Sera envoyé dans 1 conversation."
    assert plural("fr", "editor.will_send", 2) == "Sera envoyé dans 2 conversations."
    assert plural("en", "editor.will_send", 0) == "Will be sent to 0 chats."
    assert "Chats" not in fr.MESSAGES["editor.stats_chats"]


def test_the_first_of_the_month_is_an_ordinal_in_french() -> None:
    first = datetime(2026, 12, 1, 10, 5, tzinfo=UTC)
    assert format_date(first, "fr", "UTC") == "mardi 1er décembre 2026 à 10:05"
    assert format_short_date(first, "fr", "UTC") == "1er déc. 2026, 10:05"
    assert format_short_date(first, "en", "UTC") == "1 Dec 2026, 10:05"
    second = datetime(2026, 12, 2, 10, 5, tzinfo=UTC)
    assert format_short_date(second, "fr", "UTC") == "2 déc. 2026, 10:05"


async def test_an_author_page_and_a_follow_read_as_french(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    [page] = await bot.ask(awa, "/author Kadiatou")
    [followed] = await bot.ask(awa, "/subscribe Ousmane")
    [new_topic] = await bot.ask(awa, "/subscribe Piraterie")

    assert page.text.startswith("✍️ Les articles de Kadiatou Maïga")
    assert followed.text.startswith("Vous recevrez les nouveaux articles d’Ousmane")
    assert "nous vous préviendrons" in new_topic.text
    [welcome] = await bot.ask(awa, "/start")
    assert "qui vous intéresse" in welcome.text and "vous concernant" not in welcome.text


# --- /latest numbers, /article opens that number -----------------------------------------


async def test_article_1_opens_the_first_of_the_last_list(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    [listing] = await bot.ask(awa, "/latest")
    ids = article_ids(listing)
    assert numbers(listing) == [1, 2, 3, 4, 5]
    first = await articles.get_article(bot.db.reader, ids[0])
    third = await articles.get_article(bot.db.reader, ids[2])
    assert first is not None and third is not None

    [opened] = await bot.ask(awa, "/article 1")
    assert opened.content.startswith(first.title)
    [opened] = await bot.ask(awa, "/article 3")
    assert opened.content.startswith(third.title)

    # The next page goes on numbering, and so does /article.
    _, older = await press(bot, awa, listing, "Plus anciens ›")
    assert older is not None and numbers(older) == [6, 7, 8, 9, 10]
    seventh = await articles.get_article(bot.db.reader, article_ids(older)[1])
    assert seventh is not None
    [opened] = await bot.ask(awa, "/article 7")
    assert opened.content.startswith(seventh.title)
    [outside] = await bot.ask(awa, "/article 2")
    assert "n’a pas d’article n°\u00a02" in outside.text


async def test_article_numbers_follow_a_search_too(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    [found] = await bot.ask(awa, "/search Bamako")
    first = await articles.get_article(bot.db.reader, article_ids(found)[0])
    assert first is not None
    [opened] = await bot.ask(awa, "/article 1")
    assert opened.content.startswith(first.title)


async def test_latest_says_it_shows_at_most_ten(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    [reply] = await bot.ask(awa, "/latest 1000")
    assert numbers(reply) == list(range(1, 11))
    assert "J’en montre au plus 10 à la fois." in reply.text
    [plain] = await bot.ask(awa, "/latest 10")
    assert "au plus" not in plain.text


# --- /subscriptions, /unsubscribe ------------------------------------------------------


async def test_removing_from_subscriptions_removes_the_line_in_place(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    await bot.ask(awa, "/subscribe Mali")
    await bot.ask(awa, "/subscribe Sport")
    [listing] = await bot.ask(awa, "/subscriptions")
    assert "#Mali" in listing.text and listing.text.startswith("Vos abonnements (2)")

    answer, shown = await press(bot, awa, listing, "✖️ #Mali")

    assert answer.text == "Vous ne suivez plus #Mali"
    assert shown is not None and shown.message_id == listing.message_id
    assert shown.text.startswith("Vos abonnements (1)")
    assert "#Mali" not in shown.text and "#Sport" in shown.text
    assert shown.labels() == ["✖️ #Sport"]

    _, emptied = await press(bot, awa, shown, "✖️ #Sport")
    assert emptied is not None and emptied.text.startswith("Aucun abonnement")
    assert emptied.labels() == []


async def test_unsubscribe_matches_names_as_subscribe_does(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    [followed] = await bot.ask(awa, "/subscribe diakite")
    assert "Diakité" in followed.text
    [again] = await bot.ask(awa, "/subscribe Diakité")
    assert again.text.startswith("Vous suivez déjà Ousmane Diakité")

    [removed] = await bot.ask(awa, "/unsubscribe Diakité")

    assert removed.text == "Vous ne suivez plus Ousmane Diakité."
    assert await chats.chat_subscriptions(bot.db.reader, awa.id) == []


async def test_unsubscribe_all_offers_yes_and_no(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    await bot.ask(awa, "/subscribe Mali")
    [question] = await bot.ask(awa, "/unsubscribe all")
    assert question.labels() == ["Oui, tout arrêter", "Non"]

    _, kept = await press(bot, awa, question, "Non")

    assert kept is not None and kept.text.startswith("Rien n’a changé")
    assert len(await chats.chat_subscriptions(bot.db.reader, awa.id)) == 1
    [question] = await bot.ask(awa, "/unsubscribe all")
    _, stopped = await press(bot, awa, question, "Oui, tout arrêter")
    assert stopped is not None and stopped.text == "C’est fait\u00a0: 1 abonnement arrêté."
    assert await chats.chat_subscriptions(bot.db.reader, awa.id) == []


# --- search ----------------------------------------------------------------------------


async def test_search_echoes_the_words_as_typed_and_snippets_skip_the_headline(
    bot: Harness,
) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    await publish(
        bot,
        "edge:title",
        "Tombouctou accueille le salon régional du livre",
        lead="Éditeurs et lecteurs se retrouvent trois jours durant autour des manuscrits.",
    )
    [reply] = await bot.ask(awa, "/search Tombouctou")

    assert "«\u202fTombouctou\u202f»" in reply.text
    [card] = [part for part in reply.text.split("\n\n")[1:] if "salon régional" in part]
    # The match is in the title only: the card shows the lead, not the title twice.
    assert card.count("Tombouctou accueille") == 1
    assert "Éditeurs et lecteurs" in card


async def test_a_cut_snippet_ends_on_a_whole_word_and_an_ellipsis(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    words = (
        "Le comité de gestion du barrage de Markala a présenté son rapport annuel pour la "
        "campagne agricole devant les représentants des coopératives de la zone"
    )
    await publish(bot, "edge:cut", "Un rapport sans surprise", lead=words)
    [reply] = await bot.ask(awa, "/search Markala")
    [card] = [part for part in reply.text.split("\n\n")[1:] if "Markala" in part]
    snippet = card.splitlines()[-1]
    assert snippet.endswith("…")
    last = snippet.rstrip("…").split()[-1]
    assert last not in {"pour", "la", "de", "des", "les"}, snippet
    assert last in words.split()


# --- the small answers -------------------------------------------------------------------


async def test_cancel_with_nothing_to_cancel_gets_a_kind_answer(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    john = bot.sandbox.add_user("John", "Smith", "john", "en")
    [fr_reply] = await bot.ask(awa, "/cancel")
    [en_reply] = await bot.ask(john, "/cancel")
    assert fr_reply.text == "Rien à annuler."
    assert en_reply.text == "Nothing to cancel."


async def test_an_article_can_be_shared_and_its_author_and_topics_followed(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    sample = await articles.get_article_by_source(bot.db.reader, "sample:1")
    assert sample is not None
    [shown] = await bot.ask(awa, f"/start article-{sample.id}")
    keyboard = shown.reply_markup["inline_keyboard"] if shown.reply_markup else []
    buttons = [button for row in keyboard for button in row]

    [share] = [b for b in buttons if "switch_inline_query" in b]
    assert share["text"] == "↗️ Partager"
    assert sample.title.startswith(share["switch_inline_query"].rstrip())
    labels = [b["text"] for b in buttons]
    assert f"➕ Suivre {sample.author.name}" in labels
    for topic in sample.topics:
        assert f"➕ #{topic.name}" in labels

    _, redrawn = await press(bot, awa, shown, f"➕ Suivre {sample.author.name}")
    assert redrawn is not None and f"✅ {sample.author.name}" in redrawn.labels()
    followed = await chats.chat_subscriptions(bot.db.reader, awa.id)
    assert [s.target.name for s in followed] == [sample.author.name]
