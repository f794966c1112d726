"""Inline mode: "@bot words" in any chat offers articles to share."""

from __future__ import annotations

from db.models import ArticleDraft
from tests.conftest import BOT_USERNAME, Harness


async def test_an_inline_search_offers_matching_articles(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Awa")
    results = await reader.inline_query("coton")
    titles = [result["title"] for result in results]
    assert titles == ["La campagne cotonnière démarre avec un prix au producteur inchangé"]
    [result] = results
    content = result["input_message_content"]["message_text"]
    assert content.startswith("<b>La campagne cotonnière")
    [[button]] = result["reply_markup"]["inline_keyboard"]
    assert button["url"].startswith("https://www.journal-exemple.ml/articles/")


async def test_an_empty_inline_query_offers_the_latest(bot: Harness) -> None:
    reader = bot.sandbox.add_user("John", language_code="en")
    results = await reader.inline_query("")
    assert len(results) == 10
    assert results[0]["title"] == "Les prix des céréales reculent sur les marchés de Bamako"
    [[button]] = results[0]["reply_markup"]["inline_keyboard"]
    assert button["text"] == "Read the article"


async def test_inline_results_page_on_with_the_offset(bot: Harness) -> None:
    for n in range(12):
        await bot.publisher.publish(
            ArticleDraft(title=f"Hivernage à Sikasso, bilan {n}", lead="Les pluies.", topics=("Mali",)),
            source_key=f"t:rain{n}", origin="editor",
        )  # fmt: skip
    reader = bot.sandbox.add_user("Awa")
    first = await reader.inline_query("hivernage")
    answer = next(iter(bot.sandbox.inline_answers.values()))
    assert len(first) == 10 and answer["next_offset"] == "10"
    rest = await reader.inline_query("hivernage", offset="10")
    assert not {r["id"] for r in rest} & {r["id"] for r in first}
    shown = {r["title"] for r in first + rest}
    assert {f"Hivernage à Sikasso, bilan {n}" for n in range(12)} <= shown


async def test_an_article_without_a_site_link_opens_in_the_bot(bot: Harness) -> None:
    await bot.publisher.publish(
        ArticleDraft(title="Brève sans lien", lead="Une brève.", topics=("Mali",)),
        source_key="t:nolink", origin="editor",
    )  # fmt: skip
    reader = bot.sandbox.add_user("Awa")
    [result] = await reader.inline_query("brève sans lien")
    [[button]] = result["reply_markup"]["inline_keyboard"]
    assert button["url"].startswith(f"https://t.me/{BOT_USERNAME}?start=article-")
