"""Reading the news end to end: the real bot, long polling the sandbox, with the samples."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import replace

import pytest

from bot.config import Settings
from bot.formatting import MAX_CAPTION, MAX_TEXT
from bot.sandbox import Sandbox, SandboxMessage, validate_html
from db import articles, chats
from handlers.menu import EDITOR_COMMANDS, command_name
from handlers.views import deep_link_key, subscription_button
from tests.conftest import BOT_USERNAME, EDITOR_ID, Harness
from tests.reading_helpers import article_ids, moment, numbers, press, publish, walk

# --- helpers ------------------------------------------------------------------------------


async def _published_ids(bot: Harness, scope: str = "", key: int = 0) -> list[int]:
    """Return every published article id of a list, newest first, straight from the database."""
    reader = bot.db.reader
    if scope == "t":
        page = await articles.articles_by_topic(reader, key, 1000)
    elif scope == "a":
        page = await articles.articles_by_author(reader, key, 1000)
    else:
        page = await articles.latest_articles(reader, 1000)
    return [article.id for article in page.items]


def _no_errors(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


def _assert_valid(message: SandboxMessage) -> None:
    """The sandbox already refused bad HTML; check the stored source once more, strictly."""
    assert message.source is not None
    validate_html(message.source, caption=message.photo is not None)


# --- /start and /help ------------------------------------------------------------------


async def test_start_welcomes_in_the_readers_language(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    john = bot.sandbox.add_user("John", "Smith", "john", "en")

    [fr] = await bot.ask(awa, "/start")
    [en] = await bot.ask(john, "/start")

    assert "Bienvenue" in fr.text
    assert "Welcome" in en.text
    # Each reader is shown the commands by the names of their language.
    for french, english in (
        ("/derniers", "/latest"),
        ("/rubriques", "/topics"),
        ("/auteur", "/author"),
        ("/recherche", "/search"),
        ("/aide", "/help"),
    ):
        assert french in fr.text and english in en.text
    # Inline sharing is told from the first message.
    assert f"@{BOT_USERNAME} mots" in fr.text and f"@{BOT_USERNAME} words" in en.text
    _assert_valid(fr)


async def test_deep_links_open_an_article_a_topic_and_an_author(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    latest = await articles.latest_articles(bot.db.reader, 1)
    newest = latest.items[0]
    assert newest.image_url is None  # the prices of cereals: one text message

    [article] = await bot.ask(awa, f"/start article-{newest.id}")
    assert newest.title in article.text
    assert "Lire aussi" in article.text

    [topic] = await bot.ask(awa, "/start topic-sante")
    assert "#Santé" in topic.text
    sante = await articles.get_topic_by_key(bot.db.reader, "sante")
    assert sante is not None
    assert ("➕ Santé", f"sub:t:{sante.id}") in [b for row in topic.buttons for b in row]
    assert article_ids(topic) == await _published_ids(bot, "t", sante.id)

    [author] = await bot.ask(awa, "/start author-kadiatou_maiga")
    assert "Kadiatou Maïga" in author.text
    assert any(label == "➕ Suivre Kadiatou Maïga" for label in author.labels())


@pytest.mark.parametrize(
    "payload", ["article-999999", "topic-atlantide", "author-nobody_here", "hello", "topic-"]
)
async def test_unknown_or_malformed_deep_links_get_the_welcome(bot: Harness, payload: str) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    [reply] = await bot.ask(awa, f"/start {payload}")
    assert "Bienvenue" in reply.text
    well_formed = payload.count("-") == 1 and not payload.endswith("-")
    assert ("Ce lien ne mène plus à rien" in reply.text) == well_formed


def test_deep_link_keys_are_folded_names_with_underscores() -> None:
    assert deep_link_key("Awa Keïta") == "awa_keita"
    assert deep_link_key("Côte d’Ivoire") == "cote_d_ivoire"
    assert deep_link_key("Mali-Russie") == "mali_russie"
    assert deep_link_key("Ωmega") is None  # not a character a payload may carry
    assert deep_link_key("x" * 80) is None  # too long for a payload


async def test_help_shows_editor_commands_to_editors_only(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    john = bot.sandbox.add_user("John", "Smith", "john", "en")

    [reader] = await bot.ask(awa, "/help")
    [english] = await bot.ask(john, "/help")
    [editor] = await bot.ask(bot.editor, "/help")

    # French readers read the French names; English readers the English ones.
    editor_commands = ("/publier", "/corriger", "/retirer", "/stats", "/flux", "/ajouterflux")
    for command in ("/derniers", "/article", "/auteur", "/auteurs", "/rubriques", "/recherche"):
        assert command in reader.text and command in editor.text
    for command in ("/latest", "/article", "/author", "/authors", "/topics", "/search"):
        assert command in english.text
    assert "/latest" not in reader.text
    assert not any(command in reader.text for command in editor_commands)
    assert all(command in editor.text for command in (*editor_commands, "/retirerflux"))
    assert "Commands" in english.text
    # Inline sharing and the other language are one line each.
    assert f"@{BOT_USERNAME} mots" in reader.text and f"@{BOT_USERNAME} words" in english.text
    assert "/language en" in reader.text and "/langue fr" in english.text
    _assert_valid(editor)


# --- /latest -------------------------------------------------------------------------------


async def test_latest_lists_the_newest_articles_as_cards(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    expected = (await _published_ids(bot))[:5]
    newest = await articles.get_article(bot.db.reader, expected[0])
    assert newest is not None

    [reply] = await bot.ask(awa, "/latest")

    assert article_ids(reply) == expected
    assert numbers(reply) == [1, 2, 3, 4, 5]
    assert "<b>1. Les prix des céréales reculent sur les marchés de Bamako</b>" in (
        reply.source or ""
    )
    assert "#Économie · Par Kadiatou Maïga · 27 nov. 2026, 14:15" in reply.text
    assert newest.lead[:60] in reply.text
    assert reply.labels()[-1] == "Plus anciens ›"
    assert "‹ Plus récents" not in reply.labels()
    _assert_valid(reply)


async def test_latest_speaks_english_to_english_users(bot: Harness) -> None:
    john = bot.sandbox.add_user("John", "Smith", "john", "en")
    [reply] = await bot.ask(john, "/latest 2")
    assert reply.text.startswith("📰 The latest news")
    assert "27 Nov 2026, 14:15" in reply.text
    assert reply.labels()[-1] == "Older ›"


@pytest.mark.parametrize(
    ("command", "count"), [("/latest 3", 3), ("/latest 50", 10), ("/latest 0", 1)]
)
async def test_latest_page_size_is_bounded(bot: Harness, command: str, count: int) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    [reply] = await bot.ask(awa, command)
    assert numbers(reply) == list(range(1, count + 1))


async def test_latest_of_a_topic_accepts_any_case_accent_and_argument_order(
    bot: Harness,
) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    economie = await articles.get_topic_by_key(bot.db.reader, "economie")
    assert economie is not None
    expected = await _published_ids(bot, "t", economie.id)

    for command in ("/latest économie", "/latest 5 ECONOMIE", "/latest #Economie 5", "/latest eco"):
        [reply] = await bot.ask(awa, command)
        assert article_ids(reply) == expected, command
        assert "#Économie" in reply.text.splitlines()[0]
        assert reply.labels()[-1] == "➕ Économie"


async def test_an_unknown_topic_offers_the_closest_ones(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")

    [reply] = await bot.ask(awa, "/latest 2 sentée")
    assert "Aucun sujet «\u202fsentée\u202f»" in reply.text
    assert "#Santé (2)" in reply.labels()

    _, topic = await press(bot, awa, reply, "#Santé (2)")
    assert topic is not None and topic.message_id != reply.message_id
    assert "#Santé" in topic.text.splitlines()[0]
    assert numbers(topic) == [1, 2]

    [nothing] = await bot.ask(awa, "/latest zzqxw")
    assert "/rubriques" in nothing.text
    assert nothing.buttons == []


async def test_several_matching_topics_are_offered_as_a_choice(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    await publish(bot, "t:1", "Les maliens de l’extérieur", topics=("Maliens",))
    [reply] = await bot.ask(awa, "/latest malien")  # "maliens" only
    assert "Maliens" in reply.text.splitlines()[0]
    [choice] = await bot.ask(awa, "/latest mal")  # "mali" and "maliens"
    assert "Plusieurs sujets" in choice.text
    assert {"#Mali (5)", "#Maliens (1)"} <= set(choice.labels())


@pytest.mark.parametrize("scope", ["latest", "topic", "author"])
async def test_pages_walk_to_the_end_and_back_without_missing_or_repeating(
    bot: Harness, scope: str
) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    # Times from the clock (sub-microsecond floats), ties on the same second, and one
    # withdrawn article in the middle: the hard cases of keyset pages.
    ids = []
    for number in range(14):
        when = None if number % 3 == 0 else moment(1 + number // 4, 8)
        ids.append(
            await publish(
                bot, f"walk:{number}", f"Dépêche numéro {number}", author="Awa KEÏTA",
                topics=("Mali", "Dépêches"), published_at=when,
            )
        )  # fmt: skip
    await bot.publisher.withdraw(ids[5])

    if scope == "latest":
        command, key = "/latest 7", 0
    elif scope == "topic":
        topic = await articles.get_topic_by_key(bot.db.reader, "mali")
        assert topic is not None
        command, key = "/latest 5 mali", topic.id
    else:
        author = await articles.get_author_by_key(bot.db.reader, "awa keita")
        assert author is not None
        command, key = "/author awa keita", author.id
    expected = await _published_ids(bot, scope[0] if scope != "latest" else "", key)
    assert ids[5] not in expected

    [first] = await bot.ask(awa, command)
    first_page = article_ids(first)
    pages = await walk(bot, awa, first, "Plus anciens ›")
    seen = [article_id for page in pages for article_id in page]
    assert seen == expected
    assert len(pages) >= 3
    last = awa.private_chat.message(first.message_id)
    assert last is not None
    assert numbers(last)[-1] == len(expected)  # numbering runs on across pages
    assert "‹ Plus récents" in last.labels()

    back = await walk(bot, awa, last, "‹ Plus récents")
    assert [article_id for page in reversed(back) for article_id in page] == seen
    assert article_ids(first) == first_page  # the same message, back at the top
    assert numbers(first)[0] == 1


async def test_a_double_tap_on_a_page_button_turns_one_page(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    [listing] = await bot.ask(awa, "/latest 5")
    # Both presses leave before the bot edits: the second asks for the page already shown.
    mark = awa.private_chat.mark()
    first = await awa.press(listing, "Plus anciens ›")
    second = await awa.press(listing, "Plus anciens ›")
    answers = [await bot.sandbox.wait_for_answer(query, timeout=10) for query in (first, second)]
    await bot.sandbox.wait_for(awa.private_chat, after=mark)
    await bot.ask(awa, "/help")  # after this answer, the second press has been dealt with
    assert [answer.text for answer in answers] == [None, None]
    assert listing.edited == 1
    assert numbers(listing) == [6, 7, 8, 9, 10]
    _no_errors(caplog)


# --- /article --------------------------------------------------------------------------


async def test_article_with_a_photo_has_a_caption_text_and_related_buttons(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    sample = await articles.get_article_by_source(bot.db.reader, "sample:1")
    assert sample is not None and sample.image_url and sample.url

    [photo] = await bot.ask(awa, f"/start article-{sample.id}")

    assert photo.photo is not None
    assert photo.caption is not None and len(photo.caption) <= MAX_CAPTION
    assert photo.caption.startswith(sample.title)
    links = [e["url"] for e in photo.entities if e["type"] == "text_link"]
    assert sample.url in links
    assert photo.caption.rstrip().endswith("Lire aussi")
    related = article_ids(photo)
    assert 1 <= len(related) <= 3 and sample.id not in related
    _assert_valid(photo)

    first = next(
        label for row in photo.buttons for label, data in row if data == f"art:{related[0]}"
    )
    _, opened = await press(bot, awa, photo, first)
    assert opened is not None
    first_related = await articles.get_article(bot.db.reader, related[0])
    assert first_related is not None
    assert opened.content.startswith(first_related.title)


async def test_a_photo_telegram_cannot_fetch_leaves_the_article_in_text(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    sample = await articles.get_article_by_source(bot.db.reader, "sample:1")
    assert sample is not None and sample.image_url
    bot.sandbox.broken_photo_urls.add(sample.image_url)

    [reply] = await bot.ask(awa, f"/start article-{sample.id}")

    assert reply.photo is None
    assert reply.text is not None and reply.text.startswith(sample.title)
    assert reply.labels()  # the related articles still end it


async def test_a_long_article_is_split_into_valid_parts_that_lose_nothing(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    tricky = 'R&D, a < b > c, « cité » et "guillemets", <b>pas du gras</b> & <i>ni ça</i>.'
    paragraphs = []
    for number in range(40):
        sentences = " ".join(
            f"Phrase {number}-{s} du rapport sur l’eau potable à Kati et Koulikoro."
            for s in range(7)
        )
        paragraphs.append(f"{sentences} {tricky}" if number % 5 == 0 else sentences)
    paragraphs.insert(20, "Mot" * 1500)  # one "word" longer than a message: cut anyway
    body = "\n\n".join(paragraphs)
    assert len(body) > 20_000
    article_id = await publish(
        bot, "long:1", "Le rapport intégral sur l’eau", body=body, lead=f"Le chapeau. {tricky}",
        author="Awa KEÏTA", url="https://www.journal-exemple.ml/articles/rapport-eau",
    )  # fmt: skip

    chat = awa.private_chat
    mark = chat.mark()
    await awa.send(f"/start article-{article_id}")
    await bot.sandbox.wait_for(
        chat, lambda m: m.content.rstrip().endswith("Lire aussi"), timeout=60, after=mark
    )
    parts = chat.bot_messages()
    assert len(parts) >= 6
    for part in parts:
        assert part.text is not None and 0 < len(part.text) <= MAX_TEXT
        _assert_valid(part)
    whole = "".join(part.text or "" for part in parts)
    squashed = re.sub(r"\s+", "", whole)
    assert re.sub(r"\s+", "", body) in squashed  # nothing lost, nothing repeated
    assert squashed.count("Phrase39-6") == 1
    assert squashed.count(re.sub(r"\s+", "", tricky)) == 9  # lead and 8 paragraphs
    assert any("<b>pas du gras</b>" in (part.text or "") for part in parts)  # text, not tags
    assert not any(e["type"] == "italic" for part in parts for e in part.entities)


@pytest.mark.parametrize("argument", ["", "abc", "-1", "1 2", "99999999999999999999999"])
async def test_article_without_a_usable_number_explains_how(bot: Harness, argument: str) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    [reply] = await bot.ask(awa, f"/article {argument}".strip())
    # The numbers readers see: those of /latest; never an "article number" they never saw.
    assert "<code>/article 1</code>" in (reply.source or "")
    assert "/derniers" in (reply.text or "")
    assert "numéro de l’article" not in (reply.text or "")


async def test_withdrawn_articles_appear_nowhere(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    [before] = await bot.ask(awa, "/latest 1")
    [gone_id] = article_ids(before)
    gone = await articles.get_article(bot.db.reader, gone_id)
    assert gone is not None
    await bot.publisher.withdraw(gone_id)

    [article] = await bot.ask(awa, "/article 1")  # the first of the list shown before
    [latest] = await bot.ask(awa, "/latest 10")
    [search] = await bot.ask(awa, "/search céréales")
    [author] = await bot.ask(awa, "/author Kadiatou")
    [link] = await bot.ask(awa, f"/start article-{gone_id}")
    answer, _ = await press(bot, awa, before, "1", expect_message=False)

    assert gone_id not in article_ids(latest)
    assert "n’existe pas ou a été retiré" in article.text
    assert gone_id not in article_ids(search)
    assert gone_id not in article_ids(author)
    assert "Ce lien ne mène plus à rien" in link.text
    assert answer.text == "Cet article n’est plus disponible." and answer.show_alert


# --- /author and /authors --------------------------------------------------------------


async def _traore_and_keita(bot: Harness) -> None:
    await publish(bot, "tr:1", "Le barrage de Sélingué", author="Aboubacar TRAORÉ")
    await publish(bot, "tr:2", "Les pluies de juillet", author="Aboubacar Traoré")
    await publish(bot, "tr:3", "La rentrée scolaire", author="Aminata TRAORE")
    await publish(bot, "ke:1", "Le marché de Médine", author="Awa Keïta")


@pytest.mark.parametrize("typed", ["aboubacar", "ABOUBACAR TRAORÉ", "traore aboubacar", "Abou"])
async def test_author_matches_without_case_accents_or_order(bot: Harness, typed: str) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    await _traore_and_keita(bot)
    [reply] = await bot.ask(awa, f"/author {typed}")
    assert reply.text.startswith("✍️ Les articles d’Aboubacar Traoré")
    assert "2 articles" in reply.text
    assert len(article_ids(reply)) == 2
    assert "Par " not in reply.text  # the header says who: no byline on each card
    assert reply.labels()[-1] == "➕ Suivre Aboubacar Traoré"


@pytest.mark.parametrize("typed", ["traore", "Traoré", "TRAORE"])
async def test_an_ambiguous_author_offers_a_choice(bot: Harness, typed: str) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    await _traore_and_keita(bot)
    [reply] = await bot.ask(awa, f"/author {typed}")
    assert "Plusieurs auteurs" in reply.text
    assert set(reply.labels()) == {"Aboubacar Traoré (2)", "Aminata Traore (1)"}

    _, page = await press(bot, awa, reply, "Aminata Traore (1)")
    assert page is not None and "Aminata Traore" in page.text.splitlines()[0]


async def test_an_unknown_author_gets_the_closest_names(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    await _traore_and_keita(bot)

    [close] = await bot.ask(awa, "/author Keitta")
    assert "Aucun auteur «\u202fKeitta\u202f»" in close.text
    assert "Awa Keïta (1)" in close.labels()

    [none] = await bot.ask(awa, "/author Zzyzx")
    assert "/auteurs" in none.text and none.buttons == []


async def test_author_follow_button_shows_whether_the_chat_follows(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    john = bot.sandbox.add_user("John", "Smith", "john", "en")
    await _traore_and_keita(bot)
    [english] = await bot.ask(john, "/author keita")
    assert english.labels()[-1] == "➕ Follow Awa Keïta"
    assert english.text.startswith("✍️ Articles by Awa Keïta")
    [french] = await bot.ask(awa, "/author keita")
    assert french.labels()[-1] == "➕ Suivre Awa Keïta"

    author = await articles.get_author_by_key(bot.db.reader, "awa keita")
    assert author is not None
    async with bot.db.transaction() as conn:
        await chats.subscribe(conn, awa.id, time.time(), author_id=author.id)
    [followed] = await bot.ask(awa, "/author keita")
    assert followed.buttons[-1] == [("✅ Awa Keïta", f"sub:a:{author.id}")]


async def test_author_alone_and_authors_list_the_authors_with_pages(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    for number, name in enumerate(["Bakary SOW", "Hawa DIALLO", "Modibo KONÉ", "Nana TOURÉ"]):
        await publish(bot, f"au:{number}", f"Chronique {number}", author=name)
    total = len((await articles.list_authors(bot.db.reader, 100)).items)
    assert total == 11

    [alone] = await bot.ask(awa, "/author")
    [listing] = await bot.ask(awa, "/authors")
    assert alone.text == listing.text
    assert listing.text.startswith("✍️ Les auteurs")
    assert "1. Kadiatou Maïga — 3 articles" in listing.text
    assert len([label for label in listing.labels() if label.endswith(")")]) == 10

    _, second = await press(bot, awa, listing, "Suivants ›")
    assert second is not None and second.message_id == listing.message_id
    assert "11. " in second.text and "1. Kadiatou" not in second.text
    assert second.labels()[-1] == "‹ Précédents"

    _, page = await press(bot, awa, second, second.labels()[0])
    assert page is not None and page.text.startswith("✍️ Les articles d")


# --- /topics ---------------------------------------------------------------------------


async def test_topics_list_counts_links_and_subscription_toggles(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    await bot.ask(awa, "/start")  # the chat is recorded before it subscribes
    mali = await articles.get_topic_by_key(bot.db.reader, "mali")
    assert mali is not None
    async with bot.db.transaction() as conn:
        await chats.subscribe(conn, awa.id, time.time(), topic_id=mali.id)

    [reply] = await bot.ask(awa, "/topics")

    assert "1. #Mali — 5 articles" in reply.text
    assert "10. " in reply.text
    flat = [button for row in reply.buttons for button in row]
    assert flat[0] == ("✅ Mali", f"sub:t:{mali.id}")
    assert "➕ Santé" in reply.labels()
    links = [e["url"] for e in reply.entities if e["type"] == "text_link"]
    assert f"https://t.me/{BOT_USERNAME}?start=topic-mali" in links
    assert f"https://t.me/{BOT_USERNAME}?start=topic-economie" in links

    _, second = await press(bot, awa, reply, "Suivants ›")
    assert second is not None and second.text.count("\n11. ") == 1
    assert second.labels()[-1] == "‹ Précédents"


def test_subscription_buttons_are_one_definition_for_both_sides() -> None:
    assert subscription_button("t", 3, "Santé", False, "fr").text == "➕ Santé"
    assert subscription_button("t", 3, "Santé", True, "fr").text == "✅ Santé"
    assert subscription_button("a", 7, "Awa Keïta", False, "fr").text == "➕ Suivre Awa Keïta"
    assert subscription_button("a", 7, "Awa Keïta", False, "en").text == "➕ Follow Awa Keïta"
    assert subscription_button("a", 7, "Awa Keïta", True, "en").text == "✅ Awa Keïta"
    assert subscription_button("a", 7, "Awa Keïta", True, "en").callback_data == "sub:a:7"


# --- buttons in groups, unknown commands -----------------------------------------------


async def test_group_commands_answer_only_when_addressed_to_us(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    moussa = bot.sandbox.add_user("Moussa", "Cissé", "moussa", "fr")
    group = bot.sandbox.add_group("Famille", admins=[awa], members=[moussa])

    [listing] = await bot.ask(moussa, f"/latest@{BOT_USERNAME} 2", chat=group)
    assert numbers(listing) == [1, 2]
    assert listing.reply_to_message_id is not None  # quoted, so the group sees whom it answers

    [hint] = await bot.ask(moussa, f"/frobnicate@{BOT_USERNAME}", chat=group)
    assert "/aide" in hint.text

    # A bare unknown command and one for another bot get no answer: the next answer in the
    # group is the one to the command that follows them.
    mark = group.mark()
    await moussa.send("/frobnicate", chat=group)
    await moussa.send("/latest@otherbot", chat=group)
    await moussa.send(f"/help@{BOT_USERNAME}", chat=group)
    [answer] = await bot.sandbox.wait_for(group, after=mark)
    assert "Les commandes" in answer.text
    assert [m.message_id for m in group.bot_messages()][-1] == answer.message_id
    assert len(group.bot_messages()) == 3


async def test_an_article_button_in_a_group_opens_the_private_chat(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    group = bot.sandbox.add_group("Famille", admins=[awa])
    [listing] = await bot.ask(awa, "/latest 1", chat=group)
    [article_id] = article_ids(listing)

    answer, _ = await press(bot, awa, listing, "1", chat=group, expect_message=False)

    assert answer.url == f"https://t.me/{BOT_USERNAME}?start=article-{article_id}"
    assert len(group.bot_messages()) == 1  # nothing else was sent to the group


async def test_unknown_commands_in_private_get_a_hint(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    john = bot.sandbox.add_user("John", "Smith", "john", "en")
    [fr] = await bot.ask(awa, "/frobnicate")
    [en] = await bot.ask(john, "/frobnicate now")
    assert fr.text == "Je ne connais pas cette commande. /aide donne la liste."
    assert en.text == "I don’t know that command. /help lists them."


@pytest.mark.parametrize(
    "data",
    [
        "art:", "art:abc", "art:99999999", "art:1 OR 1=1", "pg:l:o:99999:5:6",
        "pg:l:o:1:99:1", "pg:l:o:1:0:1", "pg:x:o:1:5:1", "pg:t999:o:1:5:1", "pg:a1:n:1:5",
        "au:999", "au:", "tp:1:0", "tp:999:5", "aus:999999", "tps:-1", "tps:x", "zzz:1",
        "pg:l:o:1:5:1:extra",
    ],
)  # fmt: skip
async def test_forged_or_stale_buttons_get_a_polite_answer(
    bot: Harness, data: str, caplog: pytest.LogCaptureFixture
) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    [listing] = await bot.ask(awa, "/latest 1")
    listing.reply_markup = {"inline_keyboard": [[{"text": "forged", "callback_data": data}]]}

    answer, _ = await press(bot, awa, listing, "forged", expect_message=False)

    assert answer.text in (
        "Cet article n’est plus disponible.",
        "Cette page n’est plus disponible. Relancez la commande.",
        "Ce bouton n’est plus valable.",
    )
    _no_errors(caplog)


# --- command menus and time zone -------------------------------------------------------


async def test_command_menus_in_french_english_and_for_editors(bot: Harness) -> None:
    sandbox: Sandbox = bot.sandbox
    french = sandbox.get_commands()
    english = sandbox.get_commands(language_code="en")
    editor_scope = {"type": "chat", "chat_id": EDITOR_ID}
    editor_fr = sandbox.get_commands(editor_scope)
    editor_en = sandbox.get_commands(editor_scope, language_code="en")

    # French readers' menu names the commands in French; English readers' in English.
    names = [c["command"] for c in french]
    assert names[:3] == ["derniers", "article", "recherche"]
    assert {"auteur", "auteurs", "rubriques", "abonner", "desabonner", "langue", "aide"} <= set(
        names
    )
    assert "publier" not in names
    english_names = [c["command"] for c in english]
    assert english_names[:3] == ["latest", "article", "search"]
    assert {"author", "authors", "topics", "subscribe", "language", "help"} <= set(english_names)
    assert len(english_names) == len(names)
    assert french[0]["description"] == "Les derniers articles"
    assert english[0]["description"] == "The latest articles"
    editor_names = [c["command"] for c in editor_fr]
    assert editor_names[: len(names)] == names
    assert editor_names[len(names) :] == [command_name(name, "fr") for name in EDITOR_COMMANDS]
    assert {"publier", "corriger", "retirer", "flux", "ajouterflux", "retirerflux"} <= set(
        editor_names
    )
    assert [c["command"] for c in editor_en][len(names) :] == list(EDITOR_COMMANDS)
    assert {"description": "Remove an RSS feed", "command": "removefeed"} in editor_en


class TestAnotherTimeZone:
    @pytest.fixture
    def bot_settings(self, bot_settings: Settings) -> Settings:
        """The shared settings, in Paris time."""
        return replace(bot_settings, timezone="Europe/Paris")

    async def test_dates_are_shown_in_the_configured_time_zone(self, bot: Harness) -> None:
        awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
        [reply] = await bot.ask(awa, "/latest 1")
        assert "27 nov. 2026, 15:15" in reply.text  # 14:15 UTC is 15:15 in Paris in November
