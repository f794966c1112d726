"""Editors at work, end to end through the sandbox: /publish, /edit, /unpublish, /stats.

Reader chats are subscribed by writing subscriptions directly, so these tests depend only on
the editor features and the delivery worker.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import site
from bot.app import build_application, running
from bot.config import Settings
from bot.errors import DraftError
from bot.i18n import plural, t
from bot.sandbox import Sandbox, SandboxChat, SandboxMessage, SandboxUser, validate_html
from db import articles, audit, chats
from db.models import from_ts
from handlers import newsroom, publish
from tests.conftest import EDITOR_ID, Harness

REFUSAL = "Commande réservée à la rédaction."
ARTICLE = (
    "#Mali : Le barrage de Taoussa livre ses premiers mégawatts\n"
    "Par Awa KEITA\n"
    "Les premières turbines du barrage de Taoussa ont été mises en service ce lundi.\n"
    "\n"
    "Le chantier avait commencé il y a dix ans."
)
TITLE = "Le barrage de Taoussa livre ses premiers mégawatts"


# --- helpers --------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def brisk_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refresh delivery progress often, so tests see it finish quickly."""
    monkeypatch.setattr(newsroom, "PROGRESS_INTERVAL", 0.2)


async def follow(bot: Harness, user: SandboxUser, *, topic: str = "", author: str = "") -> None:
    """Record a reader's private chat and subscribe it to a topic or an author."""
    now = time.time()
    async with bot.db.transaction() as conn:
        await chats.upsert_chat(conn, user.id, "private", user.first_name, "fr", now)
        if topic:
            found = await articles.ensure_topic(conn, site.fold(topic), topic)
            await chats.subscribe(conn, user.id, now, topic_id=found.id)
        if author:
            writer = await articles.ensure_author(conn, site.fold(author), author)
            await chats.subscribe(conn, user.id, now, author_id=writer.id)


async def row_counts(bot: Harness) -> dict[str, int]:
    """Count the rows of the tables an editor action would change (previews and
    cancellations are in the audit log too, but change nothing readers see)."""
    counts = {}
    for table, where in (
        ("articles", ""),
        ("deliveries", ""),
        ("audit_log", " WHERE action NOT IN ('preview', 'cancel')"),
    ):
        async with bot.db.reader.execute(f"SELECT count(*) FROM {table}{where}") as cursor:
            row = await cursor.fetchone()
        counts[table] = row[0] if row else 0
    return counts


async def eventually(check: Callable[[], Awaitable[bool] | bool], limit: float = 10.0) -> None:
    """Wait until `check` holds (for outcomes that send no message, such as a deletion)."""
    deadline = time.monotonic() + limit
    while True:
        outcome = check()
        if not isinstance(outcome, bool):
            outcome = await outcome
        if outcome:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{check} never held")
        await asyncio.sleep(0.05)


def is_new(message: SandboxMessage) -> bool:
    return message.edited == 0


def plain(html: str) -> str:
    """Return the text a reader sees for catalogue HTML."""
    return validate_html(html)[0]


async def preview(bot: Harness, text: str) -> tuple[SandboxMessage, SandboxMessage]:
    """Send an article as the editor; return the alert preview and the confirmation message."""
    alert, control = await bot.ask(bot.editor, text, count=2)
    return alert, control


async def press(bot: Harness, user: SandboxUser, message: SandboxMessage, label: str) -> None:
    """Press a button and wait until the bot has answered the press."""
    query_id = await user.press(message, label)
    await bot.sandbox.wait_for_answer(query_id)


async def next_change(
    bot: Harness,
    chat: SandboxChat,
    act: Awaitable[object],
    predicate: Callable[[SandboxMessage], bool] | None = None,
    count: int = 1,
) -> list[SandboxMessage]:
    """Do something, then return the next `count` bot messages or edits in `chat`."""
    mark = chat.mark()
    await act
    return await bot.sandbox.wait_for(chat, predicate, timeout=10.0, count=count, after=mark)


async def published_article_id(bot: Harness, title: str) -> int | None:
    async with bot.db.reader.execute("SELECT id FROM articles WHERE title = ?", (title,)) as cur:
        row = await cur.fetchone()
    return row[0] if row else None


async def publish_quietly(bot: Harness, text: str = ARTICLE, **changes: object) -> int:
    """Publish an article straight through the publisher (alerts queued), as a feed would."""
    draft = replace(site.parse_article_message(text), **changes)  # type: ignore[arg-type]
    result = await bot.publisher.publish(
        draft, source_key=f"test:{time.monotonic_ns()}", origin="import"
    )
    return result.article_id


# --- who may do what ------------------------------------------------------------------------


EDITOR_COMMANDS = [
    "/publish",
    f"/publish\n{ARTICLE}",
    "/edit 1",
    f"/edit 1\n{ARTICLE}",
    "/unpublish 1",
    "/stats",
]


@pytest.mark.parametrize("command", EDITOR_COMMANDS)
async def test_reader_is_refused_every_editor_command(bot: Harness, command: str) -> None:
    reader = bot.sandbox.add_user("Lecteur")
    before = await row_counts(bot)
    [reply] = await bot.ask(reader, command)
    assert reply.content == REFUSAL
    assert await row_counts(bot) == before


@pytest.mark.parametrize("command", EDITOR_COMMANDS)
async def test_editor_is_sent_to_her_private_chat_from_a_group(bot: Harness, command: str) -> None:
    group = bot.sandbox.add_group("Rédaction élargie", admins=[bot.editor], members=[])
    before = await row_counts(bot)
    [reply] = await bot.ask(bot.editor, command, chat=group)
    assert reply.content == t("fr", "editor_private_only")
    assert await row_counts(bot) == before


async def test_reader_pressing_an_editor_button_is_refused(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Curieux")
    _, control = await preview(bot, f"/publish\n{ARTICLE}")
    before = await row_counts(bot)
    for label in control.labels():
        query_id = await reader.press(control, label)
        answer = await bot.sandbox.wait_for_answer(query_id)
        assert answer.text == REFUSAL
    assert await row_counts(bot) == before
    # The editor's own draft is untouched by the refused presses.
    [done] = await next_change(
        bot, bot.editor.private_chat, press(bot, bot.editor, control, "Publier"),
        lambda m: "Publié" in m.content,
    )  # fmt: skip
    assert done.message_id == control.message_id


@pytest.mark.parametrize(
    "data", ["ed:pub:forged01", "ed:urgent:x", "ed:withdraw:abc", "ed:keep:abc", "ed:skip_link:x"]
)
async def test_forged_editor_buttons_are_refused_to_readers_and_in_groups(
    bot: Harness, data: str
) -> None:
    reader = bot.sandbox.add_user("Malin")
    group = bot.sandbox.add_group("Club", admins=[bot.editor], members=[reader])
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data=data)]])
    before = await row_counts(bot)
    for user, chat_id, refusal in (
        (reader, reader.id, REFUSAL),
        (reader, group.id, REFUSAL),
        (bot.editor, group.id, t("fr", "editor_private_only")),
    ):
        sent = await bot.app.bot.send_message(chat_id, "…", reply_markup=markup)
        query_id = await user.press({"chat": {"id": chat_id}, "message_id": sent.message_id}, 0)
        answer = await bot.sandbox.wait_for_answer(query_id)
        assert answer.text == refusal
    assert await row_counts(bot) == before


async def test_editor_pressing_a_forged_button_gets_a_polite_answer(bot: Harness) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="ed:pub:forged01")]])
    before = await row_counts(bot)
    sent = await bot.app.bot.send_message(EDITOR_ID, "…", reply_markup=markup)
    query_id = await bot.editor.press(sent.message_id, 0)
    answer = await bot.sandbox.wait_for_answer(query_id)
    assert answer.text == t("fr", "editor.stale")
    assert await row_counts(bot) == before


# --- /publish -------------------------------------------------------------------------------


async def test_pasted_article_is_previewed_then_published_to_subscribers(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Abonnée")
    await follow(bot, reader, topic="Mali")
    before = await row_counts(bot)

    alert, control = await preview(bot, f"/publish\n{ARTICLE}")

    assert TITLE in alert.content and "Par Awa Keita" in alert.content  # the site's one form
    assert control.content.split("\n\n") == [
        plural("fr", "editor.will_send", 1),
        plain(t("fr", "editor.publish_help")),  # what each button does, sound or no sound
    ]
    assert control.labels() == [
        "Publier", "Publier en alerte", "Programmer…", "Modifier", "Annuler",
    ]  # fmt: skip
    assert await row_counts(bot) == before  # nothing stored or sent before confirmation
    assert reader.private_chat.bot_messages() == []

    editor_chat = bot.editor.private_chat
    mark = editor_chat.mark()
    received = asyncio.ensure_future(
        bot.sandbox.wait_for(reader.private_chat, timeout=10.0, after=reader.private_chat.mark())
    )
    await press(bot, bot.editor, control, "Publier")
    [outcome] = await bot.sandbox.wait_for(
        editor_chat, lambda m: m.message_id == control.message_id, after=mark
    )
    article_id = await published_article_id(bot, TITLE)
    assert article_id is not None
    assert outcome.content == f"Publié (n°\u00a0{article_id})\u00a0: 1 alerte en file."
    assert outcome.labels() == []

    [delivered] = await received
    assert delivered.content == alert.content  # the preview was exactly the alert
    await bot.sandbox.wait_for(
        editor_chat, lambda m: m.content.startswith("✅ Envoi terminé"), timeout=15.0, after=mark
    )
    [entry] = await audit.recent_audit(bot.db.reader, 1)
    assert (entry.user_id, entry.action, entry.article_id) == (EDITOR_ID, "publish", article_id)


async def read_preview(bot: Harness, alert: SandboxMessage) -> list[SandboxMessage]:
    """Press the preview's "read" button; return what the editor then receives."""
    chat = bot.editor.private_chat
    mark = chat.mark()
    query_id = await bot.editor.press(alert, "Lire l’article")
    answer = await bot.sandbox.wait_for_answer(query_id)
    assert not answer.text, answer.text  # never "Cet article n’est plus disponible."
    return await bot.sandbox.wait_for(chat, is_new, timeout=10.0, after=mark)


async def test_the_previews_read_button_shows_the_draft_in_full(bot: Harness) -> None:
    alert, control = await preview(bot, f"/publish\n{ARTICLE}")
    assert alert.labels() == ["Lire l’article"]

    [article] = await read_preview(bot, alert)

    assert TITLE in article.content and "Par Awa Keita" in article.content
    assert "mises en service ce lundi" in article.content  # the lead
    assert "Le chantier avait commencé il y a dix ans." in article.content  # the body
    assert await published_article_id(bot, TITLE) is None  # reading it publishes nothing
    await press(bot, bot.editor, control, "Publier")  # the preview's buttons still work
    await eventually(lambda: published_article_id(bot, TITLE))


async def test_a_corrections_read_button_shows_the_correction_not_the_published_text(
    bot: Harness,
) -> None:
    article_id = await publish_quietly(bot)
    await bot.ask(bot.editor, f"/edit {article_id}")
    alert, _ = await preview(bot, ARTICLE.replace("dix ans", "onze ans"))

    [article] = await read_preview(bot, alert)

    assert "Le chantier avait commencé il y a onze ans." in article.content


async def test_progress_message_is_edited_until_the_delivery_is_done(bot: Harness) -> None:
    readers = bot.sandbox.add_users(5)
    for reader in readers:
        await follow(bot, reader, author="Awa Keita")
    _, control = await preview(bot, f"/publish\n{ARTICLE}")
    editor_chat = bot.editor.private_chat
    mark = editor_chat.mark()
    await press(bot, bot.editor, control, "Publier")
    [done] = await bot.sandbox.wait_for(
        editor_chat, lambda m: m.content.startswith("✅"), timeout=15.0, after=mark
    )
    assert done.content == "✅ Envoi terminé — envoyées\u00a0: 5 · échecs\u00a0: 0"
    assert done.edited >= 1  # one message, edited in place
    for reader in readers:
        assert TITLE in reader.private_chat.texts()[0]


async def test_urgent_publication_sounds_and_carries_the_alert_mark(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Abonné")
    await follow(bot, reader, topic="Mali")
    _, control = await preview(bot, f"/publish\n{ARTICLE}")
    [alert] = await next_change(
        bot, reader.private_chat, press(bot, bot.editor, control, "Publier en alerte")
    )
    assert alert.content.startswith("🔴 ALERTE")
    article_id = await published_article_id(bot, TITLE)
    assert article_id is not None
    stored = await articles.get_article(bot.db.reader, article_id)
    assert stored is not None and stored.urgent


async def test_editor_markup_is_shown_as_typed(bot: Harness) -> None:
    text = "#Mali : Des <b>balises</b> & co\nLe texte dit <i>ceci</i>."
    alert, _ = await preview(bot, f"/publish\n{text}")
    assert "Des <b>balises</b> & co" in alert.content
    assert "Le texte dit <i>ceci</i>." in alert.content
    assert not [e for e in alert.entities if e["type"] in ("italic",)]


async def test_guided_publication_with_a_telegram_photo(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Abonnée")
    await follow(bot, reader, topic="Énergie")
    editor = bot.editor
    [ask_title] = await bot.ask(editor, "/publish")
    assert ask_title.content.startswith("Nouvel article")
    [ask_byline] = await bot.ask(editor, "#Énergie : Une centrale solaire à Kita")
    assert ask_byline.labels() == ["Passer"]
    [ask_text] = await next_change(
        bot, editor.private_chat, press(bot, editor, ask_byline, "Passer"), is_new
    )
    assert ask_byline.labels() == []  # a pressed "Passer" goes away
    assert ask_text.content.startswith("Le texte")
    [ask_photo] = await bot.ask(editor, "La centrale de 50 MW a été inaugurée.\n\nDétails.")
    assert ask_photo.labels() == ["Passer"]
    mark = editor.private_chat.mark()
    sent = await editor.send_photo()
    [ask_link] = await bot.sandbox.wait_for(editor.private_chat, after=mark)
    assert ask_link.content.startswith("Le lien")
    photo_id = sent["photo"][-1]["file_id"]

    alert, control = await preview(bot, "Passer")
    assert alert.photo is not None and "Une centrale solaire à Kita" in alert.content
    assert "La rédaction" in alert.content
    assert control.content.startswith(plural("fr", "editor.will_send", 1))

    [delivered] = await next_change(
        bot, reader.private_chat, press(bot, editor, control, "Publier")
    )
    assert delivered.photo is not None
    assert "Une centrale solaire à Kita" in delivered.content
    article_id = await published_article_id(bot, "Une centrale solaire à Kita")
    assert article_id is not None
    stored = await articles.get_article(bot.db.reader, article_id)
    assert stored is not None
    assert stored.image_url == photo_id
    assert stored.author.name == "La rédaction" and stored.url is None
    assert stored.body == "Détails."


async def test_guided_publication_with_byline_photo_link_and_link_check(bot: Harness) -> None:
    editor = bot.editor
    await bot.ask(editor, "/publish")
    await bot.ask(editor, "#Culture : Le festival sur le Niger")
    [bad] = await bot.ask(editor, "n'importe quoi 42")
    assert bad.content.startswith("Je ne reconnais pas cette signature")
    await bot.ask(editor, "Par Issa DEMBÉLÉ")
    await bot.ask(editor, "Trois jours de musique à Ségou.")
    [bad_photo] = await bot.ask(editor, "une belle photo")
    assert bad_photo.content.startswith("Envoyez une photo")
    await bot.ask(editor, "https://www.journal-exemple.ml/images/festival.jpg")
    [bad_link] = await bot.ask(editor, "https://exa<mple")
    assert "n’est pas valide" in bad_link.content
    alert, control = await preview(bot, "https://www.journal-exemple.ml/articles/festival")
    # The preview shows the author as the site already names him, as readers will see it.
    assert alert.photo is not None and "Par Issa Dembélé" in alert.content
    assert alert.buttons == [
        [("Lire l’article", "https://www.journal-exemple.ml/articles/festival")]
    ]
    await next_change(
        bot, bot.editor.private_chat, press(bot, editor, control, "Publier"),
        lambda m: "Publié" in m.content,
    )  # fmt: skip
    article_id = await published_article_id(bot, "Le festival sur le Niger")
    assert article_id is not None
    stored = await articles.get_article(bot.db.reader, article_id)
    assert stored is not None
    assert stored.image_url == "https://www.journal-exemple.ml/images/festival.jpg"
    assert stored.url == "https://www.journal-exemple.ml/articles/festival"
    assert stored.author.name == "Issa Dembélé"


async def test_cancel_button_and_cancel_command_store_nothing(bot: Harness) -> None:
    before = await row_counts(bot)
    _, control = await preview(bot, f"/publish\n{ARTICLE}")
    [cancelled] = await next_change(
        bot, bot.editor.private_chat, press(bot, bot.editor, control, "Annuler")
    )
    assert cancelled.message_id == control.message_id
    assert cancelled.content == "Publication annulée\u00a0: rien n’a été envoyé."
    assert cancelled.labels() == []

    await bot.ask(bot.editor, "/publish")
    await bot.ask(bot.editor, "#Mali : Un titre")
    [reply] = await bot.ask(bot.editor, "/cancel")
    assert reply.content == "Publication annulée\u00a0: rien n’a été envoyé."
    # The conversation is over: a title-like line is no longer taken as a byline.
    [after] = await bot.ask(bot.editor, "Par Awa KEITA")
    assert "Le texte" not in after.content
    assert await row_counts(bot) == before


async def test_pressing_publier_twice_publishes_once(bot: Harness) -> None:
    _, control = await preview(bot, f"/publish\n{ARTICLE}")
    mark = bot.editor.private_chat.mark()
    await bot.editor.press(control, "Publier")
    second = await bot.editor.press(control, "Publier")
    answer = await bot.sandbox.wait_for_answer(second)
    assert answer.text == t("fr", "editor.stale")
    await bot.sandbox.wait_for(
        bot.editor.private_chat, lambda m: m.content.startswith("Publié"), after=mark
    )
    async with bot.db.reader.execute(
        "SELECT count(*) FROM articles WHERE title = ?", (TITLE,)
    ) as cursor:
        assert (await cursor.fetchone())[0] == 1


@pytest.fixture
def short_conversations(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let drafts expire after half a second (the conversation is built with this value)."""
    monkeypatch.setattr(publish, "CONVERSATION_TIMEOUT", 0.5)


async def test_idle_conversation_expires_with_a_message(
    short_conversations: None, bot: Harness
) -> None:
    editor_chat = bot.editor.private_chat
    mark = editor_chat.mark()
    await bot.editor.send("/publish")
    [_, expired] = await bot.sandbox.wait_for(editor_chat, count=2, after=mark)
    assert (
        expired.content
        == "Publication abandonnée après 1\u00a0min sans réponse\u00a0: rien n’a été envoyé."
    )
    [after] = await bot.ask(bot.editor, "#Mali : Un titre")
    assert "signature" not in after.content  # no longer in the guided steps


async def test_idle_preview_expires_and_its_buttons_go(
    short_conversations: None, bot: Harness
) -> None:
    before = await row_counts(bot)
    editor_chat = bot.editor.private_chat
    mark = editor_chat.mark()
    await bot.editor.send(f"/publish\n{ARTICLE}")
    await bot.sandbox.wait_for(
        editor_chat, lambda m: m.content.startswith("Publication abandonnée"), after=mark
    )
    control = next(m for m in editor_chat.bot_messages() if m.content.startswith("Sera envoyé"))
    assert control.labels() == []
    assert await row_counts(bot) == before


async def test_same_title_and_author_within_a_day_asks_before_publishing(bot: Harness) -> None:
    await publish_quietly(bot)
    before = await row_counts(bot)
    _, control = await preview(bot, f"/publish\n{ARTICLE.replace('Awa KEITA', 'Awa Keïta')}")
    [warning] = await next_change(
        bot, bot.editor.private_chat, press(bot, bot.editor, control, "Publier")
    )
    assert warning.content.startswith("⚠️ Déjà publié\u202f?")
    assert TITLE in warning.content
    assert warning.labels() == ["Publier quand même", "Annuler"]
    assert await row_counts(bot) == before

    [done] = await next_change(
        bot, bot.editor.private_chat, press(bot, bot.editor, warning, "Publier quand même")
    )
    assert done.content.startswith("Publié (n°")
    async with bot.db.reader.execute(
        "SELECT count(*) FROM articles WHERE title = ?", (TITLE,)
    ) as cursor:
        assert (await cursor.fetchone())[0] == 2


async def test_duplicate_warning_can_be_cancelled(bot: Harness) -> None:
    await publish_quietly(bot)
    before = await row_counts(bot)
    _, control = await preview(bot, f"/publish\n{ARTICLE}")
    await next_change(
        bot, bot.editor.private_chat, press(bot, bot.editor, control, "Publier en alerte")
    )
    [cancelled] = await next_change(
        bot, bot.editor.private_chat, press(bot, bot.editor, control, "Annuler")
    )
    assert cancelled.content.startswith("Publication annulée")
    assert await row_counts(bot) == before


def draft_error(text: str) -> str:
    """Return what site.py says about an article message, as the editor reads it."""
    with pytest.raises(DraftError) as caught:
        site.parse_article_message(text)
    return plain(t("fr", caught.value.key, **caught.value.params))


BAD_ARTICLES = {
    "no hashtag": "Un titre sans sujet\nDu texte.",
    "hashtags only": "#Mali-Russie :\nDu texte.",
    "title too long": "#Mali : " + "très long " * 25 + "\nDu texte.",
    "no text": "#Mali : Un titre\nPar Awa KEITA",
    "bad link": "#Mali : Un titre\nDu texte.\nLien : https://exa<mple.ml",
}


@pytest.mark.parametrize("text", BAD_ARTICLES.values(), ids=BAD_ARTICLES.keys())
async def test_bad_pasted_article_gets_its_precise_message(bot: Harness, text: str) -> None:
    before = await row_counts(bot)
    [reply] = await bot.ask(bot.editor, f"/publish\n{text}")
    assert reply.content == draft_error(text)
    assert await row_counts(bot) == before


@pytest.mark.parametrize(
    "title", ["Un titre sans sujet", "#Mali", "#Mali : " + "x" * 201], ids=str.split
)
async def test_bad_guided_title_gets_its_precise_message(bot: Harness, title: str) -> None:
    await bot.ask(bot.editor, "/publish")
    [reply] = await bot.ask(bot.editor, title)
    assert reply.content == draft_error(f"{title}\nDu texte.")
    [next_step] = await bot.ask(bot.editor, "#Mali : Un bon titre")
    assert next_step.content.startswith("La signature")


async def test_modifier_takes_a_new_text_before_publishing(bot: Harness) -> None:
    _, control = await preview(bot, f"/publish\n{ARTICLE}")
    [fields] = await next_change(
        bot, bot.editor.private_chat, press(bot, bot.editor, control, "Modifier"), is_new
    )
    assert control.labels() == []
    [ask] = await next_change(
        bot, bot.editor.private_chat,
        press(bot, bot.editor, fields, "Tout l’article en un message"), is_new,
    )  # fmt: skip
    assert ask.content.startswith("Envoyez l’article corrigé")
    corrected = ARTICLE.replace("premiers mégawatts", "premiers kilowatts")
    alert, control = await preview(bot, corrected)
    assert "premiers kilowatts" in alert.content
    await next_change(bot, bot.editor.private_chat, press(bot, bot.editor, control, "Publier"))
    assert await published_article_id(bot, TITLE.replace("méga", "kilo")) is not None
    assert await published_article_id(bot, TITLE) is None


async def test_modifier_changes_only_the_photo_and_keeps_the_rest(bot: Harness) -> None:
    """The preview's Modifier offers the fields; a new photo keeps the title and the text."""
    editor = bot.editor
    await bot.ask(editor, "/publish")
    await bot.ask(editor, "#Mali : Premier titre")
    await bot.ask(editor, "Par Issa DEMBÉLÉ")
    await bot.ask(editor, "Un chapeau court.\n\nUn second paragraphe.")
    await bot.ask(editor, "https://www.journal-exemple.ml/images/ancienne.jpg")
    first, control = await preview(bot, "Passer")
    assert first.photo is not None
    [fields] = await next_change(
        bot, editor.private_chat, press(bot, editor, control, "Modifier"), is_new
    )
    assert fields.content == plain(t("fr", "editor.which_field"))
    assert fields.labels() == [
        "Titre", "Signature", "Texte", "Photo", "Lien", "Tout l’article en un message", "Retour",
    ]  # fmt: skip
    [ask] = await next_change(bot, editor.private_chat, press(bot, editor, fields, "Photo"), is_new)
    assert "ancienne.jpg" in ask.content  # the current value, to copy or replace
    assert ask.labels() == ["Sans photo"]

    mark = editor.private_chat.mark()
    sent = await editor.send_photo()
    alert, control = await bot.sandbox.wait_for(editor.private_chat, count=2, after=mark)
    assert alert.photo is not None and alert.photo != first.photo
    assert "Premier titre" in alert.content and "Un chapeau court." in alert.content
    assert "Dembélé" in alert.content

    await next_change(
        bot, editor.private_chat, press(bot, editor, control, "Publier"),
        lambda m: "Publié" in m.content,
    )  # fmt: skip
    article_id = await published_article_id(bot, "Premier titre")
    assert article_id is not None
    stored = await articles.get_article(bot.db.reader, article_id)
    assert stored is not None
    assert stored.image_url == sent["photo"][-1]["file_id"]
    assert (stored.lead, stored.body) == ("Un chapeau court.", "Un second paragraphe.")


async def test_modifier_removes_the_photo_and_goes_back_to_the_same_preview(bot: Harness) -> None:
    text = f"{ARTICLE}\nPhoto : https://www.journal-exemple.ml/images/taoussa.jpg"
    alert, control = await preview(bot, f"/publish\n{text}")
    assert alert.photo is not None
    [fields] = await next_change(
        bot, bot.editor.private_chat, press(bot, bot.editor, control, "Modifier"), is_new
    )
    [ask] = await next_change(
        bot, bot.editor.private_chat, press(bot, bot.editor, fields, "Photo"), is_new
    )
    [alert, control] = await next_change(
        bot, bot.editor.private_chat, press(bot, bot.editor, ask, "Sans photo"), is_new, count=2
    )
    assert alert.photo is None and TITLE in alert.content
    assert control.labels()[0] == "Publier"


# --- /edit ----------------------------------------------------------------------------------


async def sent_alert(bot: Harness, reader: SandboxUser, article_id: int) -> SandboxMessage:
    """Wait until the reader has the article's alert and its delivery is recorded as sent."""
    [alert] = await bot.sandbox.wait_for(reader.private_chat, timeout=10.0, after=0)

    async def recorded() -> bool:
        async with bot.db.reader.execute(
            "SELECT count(*) FROM deliveries WHERE article_id = ? AND status = 'sent'",
            (article_id,),
        ) as cursor:
            return (await cursor.fetchone())[0] == 1

    await eventually(recorded)
    return alert


async def test_edit_corrects_the_alerts_already_sent(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Abonnée")
    await follow(bot, reader, topic="Mali")
    article_id = await publish_quietly(bot)
    alert = await sent_alert(bot, reader, article_id)

    [current] = await bot.ask(bot.editor, f"/edit {article_id}")
    assert current.content.startswith(f"Article n°\u00a0{article_id} tel qu’il est publié")
    assert ARTICLE.split("\n")[0] in current.content  # the text to copy, in the CMS format
    assert "pre" in [e["type"] for e in current.entities]

    corrected = ARTICLE.replace("premiers mégawatts", "premiers 50 mégawatts")
    new_preview, control = await preview(bot, corrected)
    assert "premiers 50 mégawatts" in new_preview.content
    assert "Mis à jour" in new_preview.content
    assert control.content == (
        f"Correction de l’article n°\u00a0{article_id}\u00a0: "
        "1 alerte déjà envoyée sera mise à jour."
    )
    assert control.labels() == ["Enregistrer la correction", "Modifier", "Annuler"]

    reader_chat = reader.private_chat
    mark = reader_chat.mark()
    [outcome] = await next_change(
        bot, bot.editor.private_chat, press(bot, bot.editor, control, "Enregistrer la correction")
    )
    assert outcome.content == (
        f"Correction enregistrée (n°\u00a0{article_id})\u00a0: 1 alerte sera corrigée."
    )
    [edited] = await bot.sandbox.wait_for(
        reader_chat, lambda m: m.message_id == alert.message_id, timeout=10.0, after=mark
    )
    assert edited.edited > 0
    assert "premiers 50 mégawatts" in edited.content and "Mis à jour" in edited.content
    stored = await articles.get_article(bot.db.reader, article_id)
    assert stored is not None and stored.title == TITLE.replace("premiers", "premiers 50")
    [entry] = await audit.recent_audit(bot.db.reader, 1)
    assert (entry.user_id, entry.action, entry.article_id) == (EDITOR_ID, "revise", article_id)


async def test_edit_in_one_message_and_unchanged_text(bot: Harness) -> None:
    article_id = await publish_quietly(bot)
    [unchanged] = await bot.ask(bot.editor, f"/edit {article_id}\n{ARTICLE}")
    assert unchanged.content.startswith("Ce texte est identique à l’article publié")
    _, control = await preview(bot, ARTICLE.replace("ce lundi", "lundi dernier"))
    assert control.content.endswith("0 alerte déjà envoyée sera mise à jour.")
    await next_change(
        bot, bot.editor.private_chat,
        press(bot, bot.editor, control, "Enregistrer la correction"),
    )  # fmt: skip
    stored = await articles.get_article(bot.db.reader, article_id)
    assert stored is not None and "lundi dernier" in stored.lead and stored.was_updated


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/edit", "Indiquez le numéro de l’article à corriger"),
        ("/edit douze", "Indiquez le numéro de l’article à corriger"),
        ("/edit 999999", "Aucun article publié ne porte le numéro 999999."),
        ("/unpublish", "Indiquez le numéro de l’article à retirer"),
        ("/unpublish 999999", "Aucun article publié ne porte le numéro 999999."),
    ],
)
async def test_edit_and_unpublish_need_an_existing_article(
    bot: Harness, command: str, expected: str
) -> None:
    before = await row_counts(bot)
    [reply] = await bot.ask(bot.editor, command)
    assert reply.content.startswith(expected)
    assert await row_counts(bot) == before


# --- /unpublish ---------------------------------------------------------------------------


async def test_unpublish_deletes_sent_alerts_and_hides_the_article(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Abonnée")
    await follow(bot, reader, topic="Mali")
    article_id = await publish_quietly(bot)
    alert = await sent_alert(bot, reader, article_id)

    [question] = await bot.ask(bot.editor, f"/unpublish {article_id}")
    assert question.content.startswith(f"Retirer l’article n°\u00a0{article_id}\u202f?")
    assert TITLE in question.content
    assert "1 alerte envoyée sera supprimée" in question.content
    assert question.labels() == ["Retirer l’article", "Annuler"]
    [outcome] = await next_change(
        bot, bot.editor.private_chat, press(bot, bot.editor, question, "Retirer l’article")
    )
    assert outcome.content.startswith(f"Article n°\u00a0{article_id} retiré\u00a0: 1 alerte")

    await eventually(lambda: alert.deleted)
    assert await articles.get_article(bot.db.reader, article_id) is None
    latest = await articles.latest_articles(bot.db.reader, 50)
    assert article_id not in [a.id for a in latest.items]
    found = await articles.search_articles(bot.db.reader, "Taoussa", 10)
    assert found.items == []
    [entry] = await audit.recent_audit(bot.db.reader, 1)
    assert (entry.user_id, entry.action, entry.article_id) == (EDITOR_ID, "withdraw", article_id)

    [again] = await bot.ask(bot.editor, f"/unpublish {article_id}")
    assert again.content == f"L’article n°\u00a0{article_id} est déjà retiré."


async def test_withdrawn_article_is_gone_from_reader_commands(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Lectrice")
    article_id = await publish_quietly(bot)
    [listed] = await bot.ask(reader, "/latest")
    assert "Taoussa" in listed.content  # the check below means something
    assert f"art:{article_id}" in [data for row in listed.buttons for _, data in row]
    await bot.publisher.withdraw(article_id)
    # "/article 1" first: the list last shown still numbers the withdrawn article 1.
    for command in ("/article 1", "/latest", "/search taoussa"):
        [reply] = await bot.ask(reader, command)
        assert "Taoussa" not in reply.content, command


async def test_unpublish_edits_alerts_too_old_to_delete(bot: Harness) -> None:
    reader = bot.sandbox.add_user("Abonnée")
    await follow(bot, reader, topic="Mali")
    article_id = await publish_quietly(bot)
    alert = await sent_alert(bot, reader, article_id)
    # Two days later, for Telegram (message age) and for the bot (when the alert went out).
    bot.sandbox.advance(49 * 3600)
    async with bot.db.transaction() as conn:
        await conn.execute(
            "UPDATE deliveries SET sent_at = sent_at - ? WHERE article_id = ?",
            (49 * 3600, article_id),
        )

    [question] = await bot.ask(bot.editor, f"/unpublish {article_id}")
    mark = reader.private_chat.mark()
    await press(bot, bot.editor, question, "Retirer l’article")
    [edited] = await bot.sandbox.wait_for(
        reader.private_chat, lambda m: m.message_id == alert.message_id, timeout=10.0, after=mark
    )
    assert not edited.deleted
    assert "Cet article a été retiré par la rédaction." in edited.content


async def test_unpublish_can_be_called_off(bot: Harness) -> None:
    article_id = await publish_quietly(bot)
    before = await row_counts(bot)
    [question] = await bot.ask(bot.editor, f"/unpublish {article_id}")
    [kept] = await next_change(
        bot, bot.editor.private_chat, press(bot, bot.editor, question, "Annuler")
    )
    assert kept.content == f"L’article n°\u00a0{article_id} reste publié."
    assert await articles.get_article(bot.db.reader, article_id) is not None
    assert await row_counts(bot) == before
    assert question.labels() == []  # the buttons went with the answer


# --- /stats ---------------------------------------------------------------------------------


async def test_stats_report_known_figures(bot: Harness) -> None:
    now = time.time()
    day = 24 * 3600
    async with bot.db.transaction() as conn:
        # The sample articles become old news, so that "last 24 h" counts only those below.
        await conn.execute("UPDATE articles SET published_at = ?", (now - 10 * day,))
    samples = [a.id for a in (await articles.latest_articles(bot.db.reader, 1)).items]
    await bot.publisher.withdraw(samples[0])
    fresh = await publish_quietly(bot, published_at=from_ts(now - 7200))
    other = await publish_quietly(bot, ARTICLE.replace("Taoussa", "Sélingué"))

    async with bot.db.transaction() as conn:
        for chat_id, kind, status in [
            (1001, "private", "active"), (1002, "private", "active"),
            (1003, "private", "active"), (1004, "private", "blocked"),
            (-2001, "group", "active"), (-1002001, "supergroup", "active"),
            (-2002, "group", "left"), (-1003001, "channel", "active"),
        ]:  # fmt: skip
            await chats.upsert_chat(conn, chat_id, kind, None, "fr", now, status=status)
        mali = await articles.ensure_topic(conn, "mali", "Mali")
        sante = await articles.ensure_topic(conn, "sante", "Santé")
        sport = await articles.ensure_topic(conn, "sport", "Sport")
        awa = await articles.ensure_author(conn, "awa keita", "Awa Keïta")
        kadiatou = await articles.ensure_author(conn, "kadiatou maiga", "Kadiatou Maïga")
        for chat_id, topic_id, author_id in [
            (1001, mali.id, None), (1002, mali.id, None), (1003, mali.id, None),
            (-2001, mali.id, None), (1004, mali.id, None),  # blocked: reaches nobody
            (1001, sante.id, None), (-1002001, sante.id, None),
            (-2002, sport.id, None),  # left: reaches nobody
            (1001, None, awa.id), (1003, None, awa.id), (1002, None, kadiatou.id),
        ]:  # fmt: skip
            await chats.subscribe(conn, chat_id, now, topic_id=topic_id, author_id=author_id)
        async with conn.execute(
            "SELECT published_at FROM articles WHERE id = ?", (fresh,)
        ) as cursor:
            published = (await cursor.fetchone())[0]
        await conn.executemany(
            "INSERT INTO deliveries (article_id, chat_id, status, action, next_attempt_at, "
            "created_at, sent_at, message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (fresh, 1001, "sent", "send", now, now - 3600, published + 2, 1),
                (fresh, 1002, "sent", "send", now, now - 3600, published + 4, 1),
                (fresh, 1003, "sent", "send", now, now - 3600, published + 6, 1),
                (fresh, -2001, "sent", "delete", now, now - 3600, published + 100, 1),
                (fresh, -1002001, "pending", "send", now + 10 * day, now - 3600, None, None),
                (fresh, 1004, "failed", "send", now, now - 3600, None, None),
                (fresh, -1003001, "cancelled", "send", now, now - 3600, None, None),
                # Queued three days ago: outside the report's day.
                (other, 1001, "sent", "send", now, now - 3 * day, now - 3 * day + 9, 1),
            ],
        )

    [report] = await bot.ask(bot.editor, "/stats")
    lines = report.content.split("\n")
    assert lines[0] == "📊 Statistiques"
    assert "Articles publiés\u00a0: 16 (dernières 24\u00a0h\u00a0: 2) · retirés\u00a0: 1" in lines
    # The editor's own chat is one of the active private chats.
    assert "Conversations — actives\u00a0: 7 · bloquées\u00a0: 1 · quittées\u00a0: 1" in lines
    assert "Parmi les actives — privées\u00a0: 4 · groupes\u00a0: 2 · canaux\u00a0: 1" in lines
    topics = lines.index("Abonnements par sujet")
    assert lines[topics + 1 : topics + 4] == [
        "1. #Mali — 4",
        "2. #Santé — 2",
        "Abonnements par auteur",
    ]
    authors = lines.index("Abonnements par auteur")
    assert lines[authors + 1 : authors + 3] == [f"1. {awa.name} — 2", f"2. {kadiatou.name} — 1"]
    assert (
        "Alertes des dernières 24\u00a0h — envoyées\u00a0: 4 · en attente\u00a0: 1 · "
        "échecs\u00a0: 1 · annulées\u00a0: 1"
    ) in lines
    assert (
        "Délai entre publication et réception — médiane\u00a0: 4 s · 95ᵉ centile\u00a0: 1 min 40 s"
    ) in lines


async def test_stats_on_an_empty_day(bot: Harness) -> None:
    [report] = await bot.ask(bot.editor, "/stats")
    assert "Délai entre publication et réception — médiane\u00a0: — · 95ᵉ centile\u00a0: —" in (
        report.content.split("\n")
    )


# --- the channel ----------------------------------------------------------------------------


@pytest.fixture
async def with_channel(
    sandbox: Sandbox, bot_settings: Settings
) -> AsyncIterator[tuple[Harness, SandboxChat]]:
    """The bot configured with NEWSBOT_CHANNEL=@lejournal_ml, a channel where it is admin."""
    channel = sandbox.add_channel("Le Journal", "lejournal_ml")
    editor = sandbox.add_user("Mariam", "Coulibaly", "redaction", "fr", user_id=EDITOR_ID)
    application = build_application(replace(bot_settings, channel="@lejournal_ml"))
    async with running(application, poll_timeout=1):
        yield Harness(sandbox, application, editor), channel


async def test_every_published_article_also_goes_to_the_channel(
    with_channel: tuple[Harness, SandboxChat],
) -> None:
    bot, channel = with_channel
    assert bot.app.bot_data.channel_id == channel.id
    recorded = await chats.get_chat(bot.db.reader, channel.id)
    assert recorded is not None and (recorded.type, recorded.status) == ("channel", "active")

    _, control = await preview(bot, f"/publish\n{ARTICLE}")
    assert control.content.startswith(plural("fr", "editor.will_send", 1))
    [posted] = await next_change(bot, channel, press(bot, bot.editor, control, "Publier"))
    assert TITLE in posted.content


async def test_unreachable_channel_is_reported_and_the_bot_runs_without_it(
    sandbox: Sandbox, bot_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    editor = sandbox.add_user("Mariam", user_id=EDITOR_ID)
    application = build_application(replace(bot_settings, channel="@introuvable_ml"))
    with caplog.at_level(logging.WARNING, logger="handlers.editor"):
        async with running(application, poll_timeout=1):
            assert application.bot_data.channel_id is None
            bot = Harness(sandbox, application, editor)
            [report] = await bot.ask(editor, "/stats")
            assert report.content.startswith("📊")
    assert "NEWSBOT_CHANNEL @introuvable_ml cannot be reached" in caplog.text
