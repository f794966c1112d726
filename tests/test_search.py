"""Searching end to end: /search and plain text, through the real bot and the sandbox."""

from __future__ import annotations

import logging

import pytest

from db import articles
from handlers.search import search_words, snippet_html
from tests.conftest import BOT_USERNAME, Harness
from tests.reading_helpers import article_ids, numbers, press, publish, walk


def _no_errors(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


async def _matching_ids(bot: Harness, text: str) -> list[int]:
    page = await articles.search_articles(bot.db.reader, text, 1000)
    return [hit.article.id for hit in page.items]


async def test_search_ignores_accents_and_highlights_the_words(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")

    [accented] = await bot.ask(awa, "/search sécurité")
    [plain] = await bot.ask(awa, "/search SECURITE")

    expected = await _matching_ids(bot, "sécurité")
    assert len(expected) >= 2
    assert article_ids(accented) == article_ids(plain) == expected
    assert accented.text.startswith("🔎 Recherche\u00a0: «\u202fsécurité\u202f»")
    assert "<b>sécurité</b>" in (accented.source or "")  # the matched word, in bold
    assert numbers(accented) == list(range(1, len(expected) + 1))


async def test_search_text_is_escaped_before_it_is_highlighted(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    await publish(
        bot,
        "escape:1",
        "Les jeunes pousses de Bamako exposent",
        lead="Au programme, « R&D » et <créativité> pour les jeunes pousses du Mali.",
    )
    [reply] = await bot.ask(awa, "/search innovation")  # in the sample's title only
    assert "« R&D » et <innovation>" in reply.text
    assert "R&amp;D" in (reply.source or "") and "&lt;innovation&gt;" in (reply.source or "")
    [lead] = await bot.ask(awa, "/search créativité")  # in the lead: highlighted there
    assert "&lt;<b>créativité</b>&gt;" in (lead.source or "") and "R&amp;D" in (lead.source or "")


@pytest.mark.parametrize(
    "typed",
    ['"', "*", "-", "(", ")", '"mali', "mali*", "-mali", "mali OR", "OR", "NEAR(mali bamako)",
     "mali AND NOT bamako", "^mali", "title:mali", "'", "\\", "%", "_", "mali\u200bbamako"],
)  # fmt: skip
async def test_search_syntax_never_causes_an_error(
    bot: Harness, typed: str, caplog: pytest.LogCaptureFixture
) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    [reply] = await bot.ask(awa, f"/search {typed}")
    assert reply.text.startswith(("🔎 Recherche", "Aucun article", "Écrivez au moins un mot"))
    if search_words(typed):
        assert article_ids(reply) == (await _matching_ids(bot, typed))[:5]
    else:
        assert reply.text.startswith("Écrivez au moins un mot")
    _no_errors(caplog)


async def test_search_without_words_explains_how(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    john = bot.sandbox.add_user("John", "Smith", "john", "en")
    [fr] = await bot.ask(awa, "/search")
    [en] = await bot.ask(john, "/search")
    assert fr.text.startswith("Que cherchez-vous\u202f?")
    assert en.text.startswith("What are you looking for?")


async def test_a_very_long_search_is_answered_and_shown_short(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    typed = ("Bamako " * 43)[:300]
    [reply] = await bot.ask(awa, f"/search {typed}")
    assert reply.text.startswith("🔎 Recherche")
    header = reply.text.splitlines()[0]
    assert len(header) < 100 and header.endswith("…\u202f»")


async def test_no_result_says_so(bot: Harness) -> None:
    john = bot.sandbox.add_user("John", "Smith", "john", "en")
    [reply] = await bot.ask(john, "/search hippopotame")
    assert reply.text == "No article matches “hippopotame”. Try other words, or /latest."
    assert reply.buttons == []


async def test_plain_text_in_a_private_chat_is_a_search(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    [reply] = await bot.ask(awa, "vaccination rougeole")
    assert reply.text.startswith("🔎 Recherche\u00a0: «\u202fvaccination rougeole\u202f»")
    assert article_ids(reply) == await _matching_ids(bot, "vaccination rougeole")
    [emoji] = await bot.ask(awa, "👍")
    assert emoji.text.startswith("Écrivez au moins un mot")


async def test_plain_text_in_a_group_gets_no_answer(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    # An admin bot sees every message of the group, not only commands.
    group = bot.sandbox.add_group("Famille", admins=[awa], bot_admin=True)
    mark = group.mark()
    await awa.send("sécurité", chat=group)
    await awa.send(f"/search@{BOT_USERNAME} sécurité", chat=group)
    [answer] = await bot.sandbox.wait_for(group, after=mark)
    assert answer.text.startswith("🔎 Recherche")
    assert len(group.bot_messages()) == 1


async def test_search_pages_walk_through_every_result_once(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    for number in range(13):
        await publish(bot, f"hiv:{number}", f"L’hivernage, épisode {number}", body="Pluies.")
    expected = await _matching_ids(bot, "hivernage")
    assert len(expected) >= 13  # a sample article speaks of it too

    [first] = await bot.ask(awa, "/search hivernage")
    pages = await walk(bot, awa, first, "Suivants ›")

    assert [article_id for page in pages for article_id in page] == expected
    assert numbers(first)[-1] == len(expected)
    back = await walk(bot, awa, first, "‹ Précédents")
    assert [article_id for page in reversed(back) for article_id in page] == expected


async def test_a_search_too_long_for_a_button_still_pages(bot: Harness) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    words = "hydroélectricité interconnexion transfrontalière réhabilitation"
    for number in range(7):
        await publish(bot, f"long:{number}", f"Dossier {number}", lead=f"Le {words} du barrage.")
    [first] = await bot.ask(awa, f"/search {words}")
    [[(_, data)]] = [row for row in first.buttons if row[0][0] == "Suivants ›"]
    assert data is not None and data.startswith("sr:5:~") and len(data.encode()) <= 64

    _, second = await press(bot, awa, first, "Suivants ›")
    assert second is not None and numbers(second) == [6, 7]

    # A token the bot never gave (or forgot) is an expired search, not an error.
    second.reply_markup = {"inline_keyboard": [[{"text": "x", "callback_data": "sr:5:~0bad"}]]}
    answer, _ = await press(bot, awa, second, "x", expect_message=False)
    assert answer.text == "Cette recherche a expiré. Relancez-la avec /recherche."


@pytest.mark.parametrize("data", ["sr:", "sr:x:mali", "sr:99999:mali", "sr:0:", "sr:0:a:b"])
async def test_forged_search_pages_get_a_polite_answer(
    bot: Harness, data: str, caplog: pytest.LogCaptureFixture
) -> None:
    awa = bot.sandbox.add_user("Awa", "Keïta", "awa", "fr")
    [reply] = await bot.ask(awa, "/search mali")
    reply.reply_markup = {"inline_keyboard": [[{"text": "x", "callback_data": data}]]}
    answer, _ = await press(bot, awa, reply, "x", expect_message=False)
    assert answer.text == "Cette recherche a expiré. Relancez-la avec /recherche."
    _no_errors(caplog)


def test_snippets_are_escaped_then_highlighted_with_balanced_tags() -> None:
    assert snippet_html("a <\x02b\x03> & \x02c\x03") == "a &lt;<b>b</b>&gt; &amp; <b>c</b>"
    assert snippet_html("\x03stray\x02 open") == "stray<b> open</b>"
    assert snippet_html("two\nlines\x07 ") == "two lines"
