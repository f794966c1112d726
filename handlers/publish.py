"""/publish, /edit and /scheduled: an article pasted or built step by step, previewed, then
published, scheduled or corrected on confirmation.

/publish and /edit end the same way: a preview of the alert exactly as subscribers will get
it, then buttons. Nothing is stored as an article or sent before the editor presses a
confirming button. The draft lives in the database (db/drafts.py), keyed by editor and
chat, with the step her next message or press answers: every instance reads it there, so a
restart, or another instance behind the load balancer, continues where she was. A button
only carries an `EditorButton` (an action and the draft's token), so a stale or forged
button finds nothing.

    /publish <article>  -> preview                        one message, the CMS format
    /publish            -> title -> byline -> text -> photo -> link -> preview
    /edit <id>          -> full_text -> preview           (or /edit <id> <article> -> preview)
    preview:  Publier | Publier en alerte | Programmer… | Modifier | Annuler
    Modifier: Titre | Signature | Texte | Photo | Lien | Tout l'article  -> that step -> preview
    Programmer…: Aujourd'hui | Demain | Autre date -> an hour (or a typed time) -> preview

Plain messages reach the draft through one handler run before the features
(`continue_draft`, group -1): for an editor with a draft it calls the step's callback, each
wrapped in `EditorOnly` (`STEPS`), and stops the update; anyone else's message goes on to
the features untouched. The timeout is the database's too: `expires_at`, pushed back at
every step, and bot/scheduling.py sweeps what expired (also across restarts).

After a publication, a correction or a withdrawal, one progress message is edited in place
until what the readers are owed is done (handlers/newsroom.py).
"""

from __future__ import annotations

import contextlib
import logging
import re
import secrets
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import formatting, site
from bot.buttons import EditorButton, ScheduleButton, ScheduledButton
from bot.delivery import render_alert
from bot.errors import DraftError
from bot.i18n import plural, t
from bot.publishing import AuditNote, content_hash
from bot.scheduling import scheduled_label
from db import Connection, articles, audit, drafts, editorial, watches
from db.drafts import Draft
from db.models import Article, ArticleDraft, Author, Topic
from handlers.access import EditorOnly, is_editor, reply_language
from handlers.article_views import send_loaded_article
from handlers.menu import command_names
from handlers.newsroom import article_id_argument, editor_button, follow_delivery, new_token
from handlers.views import edit_or_send

if TYPE_CHECKING:
    from bot.context import Context, NewsbotApplication

__all__ = [
    "CONVERSATION_TIMEOUT",
    "DUPLICATE_WINDOW",
    "STEPS",
    "article_source",
    "register",
]

logger = logging.getLogger(__name__)

CONVERSATION_TIMEOUT = 15 * 60.0  # seconds of silence before a draft is dropped
DUPLICATE_WINDOW = 24 * 3600.0  # same title and author within this: "déjà publié ?"

_FIELDS = ("title", "byline", "text", "photo", "link")
_SKIP_WORDS = frozenset({"passer", "skip", "-"})
_EDIT_COMMAND_RE = re.compile(r"^\s*/(?:edit|corriger)(?:@\w+)?\s+[0-9]+", re.IGNORECASE)
_TIME_RE = re.compile(r"(?:à\s*)?(?P<hour>\d{1,2})\s*[:h]\s*(?P<minute>\d{2})?", re.IGNORECASE)
# The hours offered as buttons once a day is chosen (any other is typed).
_HOURS = (6, 7, 8, 9, 10, 11, 12, 14, 16, 18, 20, 22)
# A stand-in text under a title line, so that the title goes through exactly the checks of
# site.parse_article_message and gets the same messages.
_TITLE_PROBE_TEXT = "…"


# --- the draft in the database ------------------------------------------------------------


def _who(update: Update) -> tuple[int, int]:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    return user.id, chat.id


async def _load(update: Update, context: Context) -> Draft | None:
    editor_id, chat_id = _who(update)
    return await drafts.get_draft(
        context.bot_data.db.reader, editor_id, chat_id, context.bot_data.clock()
    )


async def _save(context: Context, draft: Draft, **changes: object) -> Draft:
    """Store the draft with these changes; each step gives it another CONVERSATION_TIMEOUT."""
    now = context.bot_data.clock()
    draft = replace(draft, **changes, updated_at=now, expires_at=now + CONVERSATION_TIMEOUT)  # type: ignore[arg-type]
    async with context.bot_data.db.transaction() as conn:
        await drafts.save_draft(conn, draft)
    scheduler = context.bot_data.scheduler
    if scheduler is not None:
        scheduler.wake()  # its next look is at this draft's expiry
    return draft


async def _start_draft(
    update: Update,
    context: Context,
    lang: str,
    step: str,
    *,
    guided: bool = False,
    original: Article | None = None,
) -> Draft:
    """Start a new draft, replacing any other: an editor prepares one article at a time."""
    editor_id, chat_id = _who(update)
    # The source key is chosen now, so that a confirmation handled twice stores one article.
    source_key = original.source_key if original else f"editor:{uuid.uuid4().hex}"
    draft = Draft(
        editor_id, chat_id, new_token(), step, lang, source_key, guided=guided,
        created_at=context.bot_data.clock(),
    )  # fmt: skip
    if original is not None:
        draft = _with_article(draft, original)
    return await _save(context, draft)


async def _drop(update: Update, context: Context) -> Draft | None:
    editor_id, chat_id = _who(update)
    async with context.bot_data.db.transaction() as conn:
        return await drafts.delete_draft(conn, editor_id, chat_id)


def _text_of(update: Update) -> str:
    message = update.effective_message
    return (message.text or "") if message else ""


async def _say(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> Message:
    chat = update.effective_chat
    assert chat is not None
    return await chat.send_message(text, reply_markup=markup)


def _is_skip(text: str) -> bool:
    return text.strip().casefold() in _SKIP_WORDS


def _is_web_address(text: str) -> bool:
    return text.strip().lower().startswith(("http://", "https://"))


def _fixing(draft: Draft) -> bool:
    """Tell whether the step corrects one field of a previewed draft (then: back to it)."""
    return draft.step.startswith("fix:")


# --- building the draft -----------------------------------------------------------------


def _compose(draft: Draft) -> ArticleDraft:
    """Assemble the draft's fields into the one-message format and read it like a pasted one.

    Going through site.parse_article_message keeps one set of rules and messages for every
    way of publishing. A Telegram photo (a file_id, not a URL) is attached afterwards.
    """
    lines = [draft.title]
    if draft.byline:
        lines.append(f"Par {draft.byline}")
    lines.append(draft.body or "")
    if draft.link:
        lines.append(f"Lien : {draft.link}")
    photo_url = draft.photo if draft.photo and _is_web_address(draft.photo) else None
    if photo_url:
        lines.append(f"Photo : {photo_url}")
    parsed = site.parse_article_message("\n".join(lines))
    if draft.photo and photo_url is None:
        parsed = replace(parsed, image_url=draft.photo)
    return replace(parsed, urgent=draft.urgent)


def _title_line(topics: tuple[str, ...], title: str) -> str:
    tags = " ".join(f"#{topic.replace(' ', '_')}" for topic in topics)
    return f"{tags} : {title}" if tags else title


def _byline_of(names: list[str]) -> str | None:
    """Return a draft's byline field (the byline line without its "Par") for these authors."""
    line = site.byline_line(names)
    return line.removeprefix("Par ") if line else None


def _with_parsed(draft: Draft, parsed: ArticleDraft) -> Draft:
    """Return the draft holding a parsed article's fields (the photo apart: _take_article)."""
    return replace(
        draft,
        title=_title_line(parsed.topics, parsed.title),
        byline=_byline_of(list(parsed.authors)),
        body="\n\n".join(part for part in (parsed.lead, parsed.body) if part),
        link=parsed.url,
    )


def _with_article(draft: Draft, article: Article) -> Draft:
    """Return the draft correcting a published article, starting from its fields."""
    return replace(
        draft,
        original_id=article.id,
        original_hash=article.content_hash,
        urgent=article.urgent,  # a correction keeps the alert mark
        title=_title_line(tuple(topic.name for topic in article.topics), article.title),
        byline=_byline_of([author.name for author in article.authors]),
        body="\n\n".join(part for part in (article.lead, article.body) if part),
        photo=article.image_url,
        link=article.url,
    )


def article_source(article: Article) -> str:
    """Return an article in the one-message format, for an editor to copy and correct."""
    tags = " ".join(f"#{topic.name.replace(' ', '_')}" for topic in article.topics)
    lines = [f"{tags} : {article.title}" if tags else article.title]
    if byline := site.byline_line([author.name for author in article.authors]):
        lines.append(byline)
    lines.append(article.lead)
    if article.body:
        lines.extend(["", article.body])
    if article.url:
        lines.append(f"Lien : {article.url}")
    if article.image_url and _is_web_address(article.image_url):
        lines.append(f"Photo : {article.image_url}")
    return "\n".join(lines)


async def _original(context: Context, draft: Draft) -> Article | None:
    if draft.original_id is None:
        return None
    reader = context.bot_data.db.reader
    return await articles.get_article(reader, draft.original_id, include_withdrawn=True)


async def _preview_article(context: Context, draft: Draft, parsed: ArticleDraft) -> Article:
    """Build the unsaved Article the publisher would store, names as readers will see them."""
    reader = context.bot_data.db.reader
    topic_keys = [site.fold(name) for name in parsed.topics]
    known_topics = await editorial.topic_names(reader, topic_keys)
    authors = [await _preview_author(reader, name) for name in parsed.authors]
    now = datetime.now(UTC)
    original = await _original(context, draft)
    published = original.published_at if original else now
    if draft.publish_at is not None and original is None:
        published = datetime.fromtimestamp(draft.publish_at, UTC)
    return Article(
        id=original.id if original else 0,
        source_key=draft.source_key,
        title=parsed.title,
        lead=parsed.lead,
        body=parsed.body,
        author=authors[0],
        coauthors=tuple(authors[1:]),
        topics=tuple(
            Topic(0, key, known_topics.get(key, name))
            for key, name in zip(topic_keys, parsed.topics, strict=True)
        ),
        published_at=published,
        updated_at=now if original else published,
        url=parsed.url,
        image_url=parsed.image_url,
        urgent=parsed.urgent,
    )


async def _preview_author(reader: Connection, written: str) -> Author:
    """Return an author as the publisher will store her: the site's one display form."""
    shown = site.display_name(written)
    known = await editorial.author_name(reader, site.fold(shown))
    name = site.display_name(site.nicest_name(known, shown)) if known else shown
    return Author(0, site.fold(shown), name)


# --- entry points -------------------------------------------------------------------------


async def start_publish(update: Update, context: Context) -> None:
    """Start a publication: read a pasted article, or ask for its title."""
    lang = reply_language(update)
    if context.args:
        draft = await _start_draft(update, context, lang, "full_text")
        await _take_article(update, context, draft, _text_of(update), drop_on_error=True)
        return
    await _start_draft(update, context, lang, "title", guided=True)
    await _say(update, t(lang, "editor.ask_title"))


async def start_edit(update: Update, context: Context) -> None:
    """Start a correction: show the article's text and wait for the corrected one."""
    lang = reply_language(update)
    article_id = article_id_argument(context.args)
    if article_id is None:
        await _say(update, t(lang, "editor.edit_usage"))
        return
    article = await articles.get_article(context.bot_data.db.reader, article_id)
    if article is None:
        await _say(update, t(lang, "editor.not_found", id=article_id))
        return
    draft = await _start_draft(update, context, lang, "full_text", original=article)
    rest = _EDIT_COMMAND_RE.sub("", _text_of(update), count=1)
    if rest.strip():
        await _take_article(update, context, draft, rest)
        return
    await _show_source(update, draft, article, "editor.edit_current")


async def _show_source(update: Update, draft: Draft, article: Article, key: str) -> None:
    intro = t(draft.lang, key, id=article.id)
    source = f"<pre>{formatting.escape(article_source(article))}</pre>"
    for part in formatting.split_html(f"{intro}\n\n{source}"):
        await _say(update, part)


# --- the steps: one field each ---------------------------------------------------------------


async def _after_field(update: Update, context: Context, draft: Draft, guided_next: str) -> None:
    """Go on from a field just given: back to the preview when correcting one field, else
    to the next guided step."""
    if _fixing(draft) or guided_next == "preview":
        await _show_preview(update, context, draft)
        return
    draft = await _save(context, draft, step=guided_next)
    lang = draft.lang
    if guided_next == "byline":
        await _say(update, t(lang, "editor.ask_byline"), _skip_keyboard(draft, "byline"))
    elif guided_next == "text":
        await _say(update, t(lang, "editor.ask_text"))
    elif guided_next == "photo":
        await _say(update, t(lang, "editor.ask_photo"), _skip_keyboard(draft, "photo"))
    else:
        await _say(update, t(lang, "editor.ask_link"), _skip_keyboard(draft, "link"))


def _skip_keyboard(draft: Draft, step: str) -> InlineKeyboardMarkup:
    key = "editor.skip_button"
    if _fixing(draft):
        key = f"editor.without_{step}_button"  # "Sans photo": clearer than "Passer" here
    return InlineKeyboardMarkup([[editor_button(draft.lang, key, f"skip_{step}", draft.token)]])


async def take_title(update: Update, context: Context) -> None:
    """Keep the title line, or take a whole article pasted at this step."""
    draft = await _load(update, context)
    if draft is None:
        return
    text = _text_of(update).strip()
    if "\n" in text and not _fixing(draft):
        # A whole article pasted instead of the title: no reason to ask the rest.
        draft = await _save(context, draft, guided=False)
        await _take_article(update, context, draft, text)
        return
    try:
        site.parse_article_message(f"{text}\n{_TITLE_PROBE_TEXT}")
    except DraftError as error:
        await _say(update, t(draft.lang, error.key, **error.params))
        return
    draft = replace(draft, title=text)
    if _fixing(draft) and not await _still_valid(update, draft):
        return
    await _after_field(update, context, draft, "byline")


async def take_byline(update: Update, context: Context) -> None:
    """Keep the byline (with or without its "Par"), or skip it."""
    draft = await _load(update, context)
    if draft is None:
        return
    text = _text_of(update).strip()
    byline: str | None = None
    if not _is_skip(text):
        authors = site.parse_byline(text, known=True)
        if authors is None:
            await _say(update, t(draft.lang, "editor.bad_byline"))
            return
        byline = site.join_authors([site.display_name(name) for name in authors])
    await _after_field(update, context, replace(draft, byline=byline), "text")


async def skip_byline(update: Update, context: Context) -> None:
    """Publish without a byline: the article is signed by the newsroom."""
    draft = await _pressed(update, context)
    if draft is not None:
        await _after_field(update, context, replace(draft, byline=None), "text")


async def take_text(update: Update, context: Context) -> None:
    """Keep the article's text once it reads as a valid article with the title."""
    draft = await _load(update, context)
    if draft is None:
        return
    draft = replace(draft, body=_text_of(update))
    if not await _still_valid(update, draft):
        return
    await _after_field(update, context, draft, "photo")


async def take_photo(update: Update, context: Context) -> None:
    """Keep a photo sent from Telegram: its file_id is what sendPhoto will reuse."""
    draft = await _load(update, context)
    message = update.effective_message
    if draft is None:
        return
    assert message is not None and message.photo
    photo = message.photo[-1].file_id  # the largest size
    await _after_field(update, context, replace(draft, photo=photo), "link")


async def take_photo_address(update: Update, context: Context) -> None:
    """Keep a photo given as a web address, or skip the photo."""
    draft = await _load(update, context)
    if draft is None:
        return
    text = _text_of(update).strip()
    if _is_skip(text):
        await _after_field(update, context, replace(draft, photo=None), "link")
        return
    if not _is_web_address(text) or " " in text:
        await _say(update, t(draft.lang, "editor.bad_photo"))
        return
    draft = replace(draft, photo=text)
    if await _still_valid(update, draft):
        await _after_field(update, context, draft, "link")


async def skip_photo(update: Update, context: Context) -> None:
    """Publish without a photo (or remove it, correcting the photo)."""
    draft = await _pressed(update, context)
    if draft is not None:
        await _after_field(update, context, replace(draft, photo=None), "link")


async def take_link(update: Update, context: Context) -> None:
    """Keep the link to the article on the site (or skip it) and show the preview."""
    draft = await _load(update, context)
    if draft is None:
        return
    text = _text_of(update).strip()
    if _is_skip(text):
        link = None
    elif not _is_web_address(text) or " " in text:
        await _say(update, t(draft.lang, "editor.bad_link"))
        return
    else:
        link = text
    draft = replace(draft, link=link)
    if await _still_valid(update, draft):
        await _after_field(update, context, draft, "preview")


async def skip_link(update: Update, context: Context) -> None:
    """Publish without a link to the site, and show the preview."""
    draft = await _pressed(update, context)
    if draft is not None:
        draft = replace(draft, link=None)
        if await _still_valid(update, draft):
            await _after_field(update, context, draft, "preview")


async def _still_valid(update: Update, draft: Draft) -> bool:
    """Tell whether the fields still make a valid article; say what to fix if not."""
    try:
        _compose(draft)
    except DraftError as error:
        await _say(update, t(draft.lang, error.key, **error.params))
        return False
    return True


async def take_full_text(update: Update, context: Context) -> None:
    """Read a whole article in the one-message format (a correction, or a new version)."""
    draft = await _load(update, context)
    if draft is not None:
        await _take_article(update, context, draft, _text_of(update))


async def _take_article(
    update: Update, context: Context, draft: Draft, text: str, *, drop_on_error: bool = False
) -> None:
    """Read a one-message article into the draft and preview it.

    On a mistake the editor gets site.py's message and may send the text again; a pasted
    /publish is dropped instead (`drop_on_error`), as she simply sends a corrected /publish.
    """
    settings = context.bot_data.settings
    try:
        text, moment = site.take_schedule_line(text, settings.tzinfo)
        parsed = site.parse_article_message(text)
    except DraftError as error:
        await _say(update, t(draft.lang, error.key, **error.params))
        if drop_on_error:
            await _drop(update, context)
        return
    photo = draft.photo
    if parsed.image_url is not None:
        photo = parsed.image_url
    elif photo is None or _is_web_address(photo):
        # A Telegram photo cannot be named in a text; a web one can, so its absence removes it.
        photo = None
    draft = replace(_with_parsed(draft, parsed), photo=photo)
    if moment is not None and draft.original_id is None:
        if moment.timestamp() <= context.bot_data.clock():
            await _say(update, _past_text(context, draft.lang, moment.timestamp()))
            if drop_on_error:
                await _drop(update, context)
            return
        draft = replace(draft, publish_at=moment.timestamp())
    if draft.original_id is not None and content_hash(_compose(draft)) == draft.original_hash:
        await _save(context, draft, step="full_text")
        await _say(update, t(draft.lang, "editor.unchanged"))
        return
    await _show_preview(update, context, draft)


def _past_text(context: Context, lang: str, moment: float) -> str:
    tz = context.bot_data.settings.timezone
    return t(
        lang,
        "editor.schedule_past",
        when=scheduled_label(moment, lang, tz, context.bot_data.clock()),
    )


# --- preview and confirmation -----------------------------------------------------------


async def _show_preview(update: Update, context: Context, draft: Draft) -> None:
    """Send the alert as subscribers will get it, then what will happen, with the buttons."""
    lang, settings = draft.lang, context.bot_data.settings
    parsed = _compose(draft)
    # Stored whole before anything is shown: a press on the preview, here or on another
    # instance, finds what it shows.
    draft = await _save(context, draft, step="preview", duplicate_checked=False)
    article = await _preview_article(context, draft, parsed)
    alert = render_alert(article, lang, settings.timezone)
    # The alert's own "read" button would look for a stored article: in the preview it
    # shows the draft instead (a link to the site stays a link).
    keyboard = alert.keyboard if article.url else _read_draft_keyboard(draft)
    chat = update.effective_chat
    assert chat is not None
    if alert.photo_url:
        try:
            await chat.send_photo(alert.photo_url, caption=alert.text, reply_markup=keyboard)
        except BadRequest as error:
            # Subscribers would get the same refusal: the photo must be fixed first.
            logger.info("Preview photo refused: %s", error.message)
            draft = replace(draft, photo=None)
            if draft.guided or _fixing(draft):
                step = "fix:photo" if _fixing(draft) else "photo"
                draft = await _save(context, draft, step=step)
                await _say(update, t(lang, "editor.photo_unusable"), _skip_keyboard(draft, "photo"))
                return
            await _save(context, draft, step="full_text")
            await _say(update, t(lang, "editor.photo_unusable_text"))
            return
    else:
        await chat.send_message(alert.text, reply_markup=keyboard)
    editor_id, _ = _who(update)
    async with context.bot_data.db.transaction() as conn:
        now = context.bot_data.clock()
        await audit.audit(
            conn, editor_id, "preview", now, article_id=draft.original_id, detail=parsed.title
        )
    control = await _say(update, await _outlook(context, draft), _confirm_keyboard(draft))
    await _remember_control(context, draft, control.message_id)


async def _remember_control(context: Context, draft: Draft, message_id: int) -> None:
    """Note which message holds the buttons (stripped at expiry or /cancel); a draft confirmed
    meanwhile stays gone."""
    async with context.bot_data.db.transaction() as conn:
        await drafts.set_preview_message(
            conn, draft.editor_id, draft.chat_id, draft.token, message_id
        )


async def _outlook(context: Context, draft: Draft) -> str:
    """Say what confirming will do: who gets the alert and how, or what gets corrected."""
    reader = context.bot_data.db.reader
    lang = draft.lang
    if draft.original_id is not None:
        owed = await editorial.sent_alert_count(reader, draft.original_id)
        lines = [plural(lang, "editor.will_correct", owed, id=draft.original_id)]
        note = _photo_note(await _original(context, draft), _compose(draft))
        if owed and note:
            lines.append(t(lang, note))
        return "\n\n".join(lines)
    parsed = _compose(draft)
    channel = context.bot_data.channel_id
    reach = await editorial.count_recipients(
        reader,
        [site.fold(name) for name in parsed.topics],
        site.fold(parsed.author),
        () if channel is None else (channel,),
        coauthor_keys=[site.fold(name) for name in parsed.coauthors],
        terms=watches.article_terms(parsed.title, parsed.lead, parsed.body),
    )
    lines = []
    if draft.publish_at is not None:
        tz = context.bot_data.settings.timezone
        when = scheduled_label(draft.publish_at, lang, tz, context.bot_data.clock())
        lines.append(t(lang, "editor.scheduled_for", when=when))
    lines.append(plural(lang, "editor.will_send", reach))
    help_key = "editor.schedule_help" if draft.publish_at is not None else "editor.publish_help"
    lines.append(t(lang, help_key))
    return "\n\n".join(lines)


def _photo_note(original: Article | None, corrected: ArticleDraft) -> str:
    """Return the catalogue key saying what sent alerts keep when a correction changes the
    photo (Telegram cannot change a sent message's kind, and the alerts' captions are what is
    edited); "" when the photo stays."""
    if original is None or original.image_url == corrected.image_url:
        return ""
    if original.image_url and corrected.image_url:
        return "editor.photo_changed_note"
    return "editor.photo_added_note" if corrected.image_url else "editor.photo_removed_note"


def _read_draft_keyboard(draft: Draft) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[editor_button(draft.lang, "alert_read_button", "read", draft.token)]]
    )


async def read_draft(update: Update, context: Context) -> None:
    """Send the draft as readers will read it with /article: the preview's "read" button."""
    draft = await _own_draft(update, context)
    query, chat = update.callback_query, update.effective_chat
    if draft is None or query is None or chat is None:
        return
    await query.answer()
    article = await _preview_article(context, draft, _compose(draft))
    await send_loaded_article(context, chat.id, article, draft.lang)


def _confirm_keyboard(draft: Draft) -> InlineKeyboardMarkup:
    lang, token = draft.lang, draft.token
    change = editor_button(lang, "editor.change_button", "change", token)
    cancel = editor_button(lang, "editor.cancel_button", "cancel", token)
    if draft.original_id is not None:
        return InlineKeyboardMarkup(
            [[editor_button(lang, "editor.correct_button", "pub", token)], [change, cancel]]
        )
    if draft.publish_at is not None:
        return InlineKeyboardMarkup(
            [
                [editor_button(lang, "editor.schedule_button", "pub", token)],
                [editor_button(lang, "editor.schedule_urgent_button", "urgent", token)],
                [editor_button(lang, "editor.when_again_button", "when", token)],
                [change, cancel],
            ]
        )
    return InlineKeyboardMarkup(
        [
            [editor_button(lang, "editor.publish_button", "pub", token)],
            [editor_button(lang, "editor.urgent_button", "urgent", token)],
            [editor_button(lang, "editor.when_button", "when", token)],
            [change, cancel],
        ]
    )


async def _own_draft(update: Update, context: Context, token: str | None = None) -> Draft | None:
    """Return the draft a button belongs to; answer a stale or forged one politely."""
    query = update.callback_query
    assert query is not None
    if token is None:
        button = EditorButton.parse(context.match)
        token = button.token if button is not None else None
    draft = await _load(update, context)
    if draft is None or token is None or not secrets.compare_digest(token, draft.token):
        await query.answer(t(reply_language(update), "editor.stale"), show_alert=True)
        return None
    return draft


async def _pressed(update: Update, context: Context) -> Draft | None:
    """Return the draft a button belongs to, answering the press; None if stale."""
    draft = await _own_draft(update, context)
    query = update.callback_query
    if draft is None or query is None:
        return None
    await query.answer()
    # The button did its job; leaving it would invite a second press.
    if query.message is not None:
        await _strip_buttons(query.message)
    return draft


async def _strip_buttons(message: object) -> None:
    if isinstance(message, Message) and message.reply_markup is not None:
        # Already without buttons, or deleted by the editor: nothing left to press.
        with contextlib.suppress(BadRequest):
            await message.edit_reply_markup(None)


async def confirm_draft(update: Update, context: Context) -> None:
    """Publish the draft (urgent with "Publier en alerte"), schedule it, or save the
    correction."""
    query = update.callback_query
    assert query is not None
    seen = await _own_draft(update, context)
    button = EditorButton.parse(context.match)
    if seen is None or button is None:
        return
    editor_id, chat_id = _who(update)
    # Taken from the database in one statement: a second press, even a concurrent one on
    # another instance, finds nothing.
    async with context.bot_data.db.transaction() as conn:
        draft = await drafts.take_draft(
            conn, editor_id, chat_id, seen.token, context.bot_data.clock()
        )
    if draft is None:
        await query.answer(t(reply_language(update), "editor.stale"), show_alert=True)
        return
    if button.action in ("pub", "urgent") and draft.original_id is None:
        draft = replace(draft, urgent=button.action == "urgent")
    parsed = _compose(draft)
    if draft.original_id is None and not draft.duplicate_checked and button.action != "force":
        duplicate = await _recent_duplicate(context, parsed)
        if duplicate is not None:
            await query.answer()
            draft = await _save(context, draft, duplicate_checked=True)
            await _warn_duplicate(
                query.message, draft, duplicate, context.bot_data.settings.timezone
            )
            return
    if draft.publish_at is not None and draft.original_id is None:
        if draft.publish_at <= context.bot_data.clock():
            await query.answer(_past_text(context, draft.lang, draft.publish_at), show_alert=True)
            await _save(context, draft)  # still hers: she may choose another time
            return
        await query.answer()
        await _schedule(update, context, draft, parsed, query.message)
        return
    await query.answer()
    if draft.original_id is not None:
        await _save_correction(update, context, draft, parsed, query.message)
        return
    await _publish(update, context, draft, parsed, query.message)


async def _recent_duplicate(context: Context, draft: ArticleDraft) -> editorial.RecentTitle | None:
    """Return an article with the same title by the same author from the last 24 hours."""
    since = context.bot_data.clock() - DUPLICATE_WINDOW
    recent = await editorial.recent_titles_by_author(
        context.bot_data.db.reader, site.fold(draft.author), since
    )
    title = site.fold(draft.title)
    return next((item for item in recent if site.fold(item.title) == title), None)


async def _warn_duplicate(
    message: object, draft: Draft, duplicate: editorial.RecentTitle, tz: str
) -> None:
    assert isinstance(message, Message)
    lang = draft.lang
    published = datetime.fromtimestamp(duplicate.published_at, UTC)
    text = t(
        lang,
        "editor.duplicate",
        id=duplicate.article_id,
        title=formatting.escape(duplicate.title),
        date=formatting.escape(formatting.format_short_date(published, lang, tz)),
    )
    keyboard = InlineKeyboardMarkup(
        [
            [editor_button(lang, "editor.force_button", "force", draft.token)],
            [editor_button(lang, "editor.cancel_button", "cancel", draft.token)],
        ]
    )
    await message.edit_text(text, reply_markup=keyboard)


async def _publish(
    update: Update, context: Context, draft: Draft, parsed: ArticleDraft, message: object
) -> None:
    data = context.bot_data
    editor_id, chat_id = _who(update)
    detail = parsed.title
    if draft.duplicate_checked:
        detail = f"[repeat confirmed] {detail}"
    if draft.urgent:
        detail = f"[urgent] {detail}"
    result = await data.publisher.publish(
        parsed,
        source_key=draft.source_key,
        origin="editor",
        notify=True,
        note=AuditNote(editor_id, "publish", detail),
    )
    lang = draft.lang
    if result.created:
        text = plural(lang, "editor.published", result.queued, id=result.article_id)
    else:
        text = t(lang, "editor.already_done", id=result.article_id)
    await edit_or_send(update, message, text)
    if result.created and result.queued:
        await follow_delivery(context, chat_id, result.article_id, lang)


async def _schedule(
    update: Update, context: Context, draft: Draft, parsed: ArticleDraft, message: object
) -> None:
    assert draft.publish_at is not None
    data = context.bot_data
    editor_id, chat_id = _who(update)
    now = context.bot_data.clock()
    async with data.db.transaction() as conn:
        scheduled_id = await drafts.schedule_article(
            conn, parsed, source_key=draft.source_key, publish_at=draft.publish_at,
            editor_id=editor_id, chat_id=chat_id, lang=draft.lang, now=now,
        )  # fmt: skip
        if scheduled_id is not None:
            local = datetime.fromtimestamp(draft.publish_at, data.settings.tzinfo)
            urgent = "urgent, " if draft.urgent else ""
            detail = f"[{urgent}{local:%d/%m/%Y %H:%M}] {parsed.title}"  # the Parution form
            await audit.audit(conn, editor_id, "schedule", now, detail=detail)
    if data.scheduler is not None:
        data.scheduler.wake()
    when = scheduled_label(draft.publish_at, draft.lang, data.settings.timezone, now)
    await edit_or_send(update, message, t(draft.lang, "editor.scheduled", when=when))


async def _save_correction(
    update: Update, context: Context, draft: Draft, parsed: ArticleDraft, message: object
) -> None:
    data = context.bot_data
    assert draft.original_id is not None
    editor_id, chat_id = _who(update)
    note = AuditNote(editor_id, "revise", parsed.title)
    before = await _original(context, draft)
    result = await data.publisher.revise(
        draft.original_id, parsed, note=note, seen=draft.original_hash
    )
    if result.conflict:
        await _redo_correction(update, context, draft, parsed, message)
        return
    if result.changed:
        text = plural(draft.lang, "editor.corrected", result.followups, id=result.article_id)
        if result.followups and _photo_note(before, parsed):
            text = f"{text}\n\n{t(draft.lang, _photo_note(before, parsed))}"
    else:
        text = t(draft.lang, "editor.not_corrected", id=result.article_id)
    await edit_or_send(update, message, text)
    if result.changed and result.followups:
        await follow_delivery(context, chat_id, result.article_id, draft.lang, "correct")


async def _redo_correction(
    update: Update, context: Context, draft: Draft, parsed: ArticleDraft, message: object
) -> None:
    """Say another editor corrected the article first; show both texts and wait for a redo.

    Nothing of either editor is lost: the first correction stands, the second editor gets
    their own text back and the version now published, and may send the merged text at once.
    """
    assert draft.original_id is not None
    lang, article_id = draft.lang, draft.original_id
    await edit_or_send(update, message, t(lang, "editor.conflict", id=article_id))
    own = article_source(await _preview_article(context, draft, parsed))
    yours = f"{t(lang, 'editor.conflict_yours')}\n\n<pre>{formatting.escape(own)}</pre>"
    for part in formatting.split_html(yours):
        await _say(update, part)
    current = await articles.get_article(context.bot_data.db.reader, article_id)
    if current is None:  # withdrawn meanwhile: nothing left to correct
        await _say(update, t(lang, "editor.not_corrected", id=article_id))
        return
    redo = await _start_draft(update, context, lang, "full_text", original=current)
    await _show_source(update, redo, current, "editor.conflict_current")


# --- Modifier: one field at a time -------------------------------------------------------------


async def change_draft(update: Update, context: Context) -> None:
    """Offer the fields to change (the rest is kept), or the whole article to send again."""
    draft = await _pressed(update, context)
    if draft is None:
        return
    lang, token = draft.lang, draft.token
    buttons = [
        editor_button(lang, f"editor.field.{name}", f"fix_{name}", token) for name in _FIELDS
    ]
    keyboard = InlineKeyboardMarkup(
        [
            buttons[:3],
            buttons[3:],
            [editor_button(lang, "editor.field.all", "fix_all", token)],
            [editor_button(lang, "editor.back_button", "back", token)],
        ]
    )
    await _say(update, t(lang, "editor.which_field"), keyboard)


async def choose_field(update: Update, context: Context) -> None:
    """Ask for the new value of the field pressed, showing the current one."""
    draft = await _pressed(update, context)
    button = EditorButton.parse(context.match)
    if draft is None or button is None:
        return
    field = button.action.removeprefix("fix_")
    lang = draft.lang
    if field == "all":
        await _save(context, draft, step="full_text")
        original = await _original(context, draft)
        if original is not None:
            await _show_source(update, draft, original, "editor.edit_current")
        else:
            await _say(update, t(lang, "editor.ask_new_text"))
        return
    draft = await _save(context, draft, step=f"fix:{field}")
    current = {
        "title": draft.title, "byline": draft.byline, "text": draft.body,
        "photo": draft.photo, "link": draft.link,
    }[field]  # fmt: skip
    shown = t(lang, "editor.field_none")
    if current and not (field == "photo" and not _is_web_address(current)):
        shown = f"<code>{formatting.escape(current)}</code>"
    elif current:
        shown = t(lang, "editor.field_telegram_photo")
    text = f"{t(lang, f'editor.ask_fix.{field}')}\n\n{t(lang, 'editor.field_current', value=shown)}"
    markup = _skip_keyboard(draft, field) if field in ("byline", "photo", "link") else None
    parts = formatting.split_html(text)
    for index, part in enumerate(parts):
        await _say(update, part, markup if index == len(parts) - 1 else None)


async def back_to_preview(update: Update, context: Context) -> None:
    """Show the preview's buttons again, unchanged."""
    draft = await _pressed(update, context)
    if draft is not None:
        await _show_preview(update, context, draft)


# --- Programmer: when it comes out ------------------------------------------------------------


async def ask_day(update: Update, context: Context) -> None:
    """Offer the days to publish on: today, tomorrow, another date (typed)."""
    query = update.callback_query
    draft = await _own_draft(update, context)
    if draft is None or query is None:
        return
    await query.answer()
    lang, token = draft.lang, draft.token
    rows = [
        [
            _schedule_button(t(lang, "editor.today_button"), ScheduleButton(token, 0)),
            _schedule_button(t(lang, "editor.tomorrow_button"), ScheduleButton(token, 1)),
        ],
        [editor_button(lang, "editor.other_date_button", "at_any", token)],
    ]
    if draft.publish_at is not None:
        rows.append([editor_button(lang, "editor.unschedule_button", "unschedule", token)])
    rows.append([editor_button(lang, "editor.back_button", "back_here", token)])
    await _edit_control(query.message, t(lang, "editor.ask_day"), InlineKeyboardMarkup(rows))


def _schedule_button(label: str, button: ScheduleButton) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=button.pack())


async def _edit_control(message: object, text: str, keyboard: InlineKeyboardMarkup) -> None:
    if isinstance(message, Message):
        with contextlib.suppress(BadRequest):  # unchanged, or deleted by the editor
            await message.edit_text(text, reply_markup=keyboard)


def _local_midnight(context: Context, day: int) -> datetime:
    zone = context.bot_data.settings.tzinfo
    date = datetime.fromtimestamp(context.bot_data.clock(), zone).date() + timedelta(days=day)
    return datetime(date.year, date.month, date.day, tzinfo=zone)


async def choose_time(update: Update, context: Context) -> None:
    """A day pressed: offer its hours; an hour pressed: schedule the draft then."""
    query = update.callback_query
    button = ScheduleButton.parse(context.match)
    draft = await _own_draft(update, context, button.token if button else "")
    if draft is None or query is None or button is None:
        return
    lang, token = draft.lang, draft.token
    midnight = _local_midnight(context, button.day)
    if button.minutes is not None:
        moment = (midnight + timedelta(minutes=button.minutes)).timestamp()
        await _set_time(update, context, draft, moment)
        return
    soonest = context.bot_data.clock() + 60
    hours = [hour for hour in _HOURS if (midnight + timedelta(hours=hour)).timestamp() > soonest]
    buttons = [
        _schedule_button(f"{hour:02d}:00", ScheduleButton(token, button.day, hour * 60))
        for hour in hours
    ]
    rows = [buttons[start : start + 4] for start in range(0, len(buttons), 4)]
    other = "at_tomorrow" if button.day else "at_today"
    rows.append([editor_button(lang, "editor.other_time_button", other, token)])
    rows.append([editor_button(lang, "editor.back_button", "when", token)])
    day = t(lang, "editor.tomorrow" if button.day else "editor.today")
    await query.answer()
    await _edit_control(
        query.message, t(lang, "editor.ask_hour", day=day), InlineKeyboardMarkup(rows)
    )


async def ask_typed_time(update: Update, context: Context) -> None:
    """Ask for a date and time typed by hand (or a time, on the day chosen)."""
    draft = await _pressed(update, context)
    button = EditorButton.parse(context.match)
    if draft is None or button is None:
        return
    day = button.action.removeprefix("at_")  # "any", "today", "tomorrow"
    draft = await _save(context, draft, step=f"when:{day}")
    key = "editor.ask_when" if day == "any" else f"editor.ask_when_{day}"
    await _say(update, t(draft.lang, key))


async def take_time(update: Update, context: Context) -> None:
    """Read a typed publication time: "JJ/MM/AAAA HH:MM", or "HH:MM" on the day chosen."""
    draft = await _load(update, context)
    if draft is None:
        return
    text = _text_of(update).strip()
    zone = context.bot_data.settings.tzinfo
    moment = site.parse_schedule(text, zone)
    if moment is None and (match := _TIME_RE.fullmatch(text)) is not None:
        day = 1 if draft.step == "when:tomorrow" else 0
        hour, minute = int(match["hour"]), int(match["minute"] or 0)
        if hour < 24 and minute < 60:
            moment = _local_midnight(context, day) + timedelta(hours=hour, minutes=minute)
    if moment is None:
        await _say(update, t(draft.lang, "editor.bad_when"))
        return
    await _set_time(update, context, draft, moment.timestamp())


async def _set_time(update: Update, context: Context, draft: Draft, moment: float) -> None:
    """Hold the draft until `moment` and show its buttons again; a past time is refused."""
    query = update.callback_query
    if moment <= context.bot_data.clock():
        text = _past_text(context, draft.lang, moment)
        if query is not None:
            await query.answer(text, show_alert=True)
        else:
            await _say(update, text)
        return
    draft = replace(draft, publish_at=moment, step="preview")
    await _show_control(update, context, draft)


async def unschedule_draft(update: Update, context: Context) -> None:
    """Publish at confirmation again, not at a set time."""
    draft = await _own_draft(update, context)
    if draft is not None:
        await _show_control(update, context, replace(draft, publish_at=None, step="preview"))


async def back_to_control(update: Update, context: Context) -> None:
    """Leave the schedule menu for the preview's buttons, unchanged."""
    draft = await _own_draft(update, context)
    if draft is not None:
        await _show_control(update, context, draft)


async def _show_control(update: Update, context: Context, draft: Draft) -> None:
    """Show what confirming will do and the buttons: on the pressed message, or anew."""
    query = update.callback_query
    text, keyboard = await _outlook(context, draft), _confirm_keyboard(draft)
    if query is not None and isinstance(query.message, Message):
        message_id = query.message.message_id
        await _save(context, draft, step="preview", preview_message_id=message_id)
        await query.answer()
        await _edit_control(query.message, text, keyboard)
        return
    draft = await _save(context, draft, step="preview")
    control = await _say(update, text, keyboard)
    await _remember_control(context, draft, control.message_id)


# --- leaving a draft --------------------------------------------------------------------------


async def cancel_draft(update: Update, context: Context) -> None:
    """Drop the draft at the editor's request (the Annuler button)."""
    query = update.callback_query
    assert query is not None
    seen = await _own_draft(update, context)
    if seen is None:
        return
    editor_id, chat_id = _who(update)
    async with context.bot_data.db.transaction() as conn:
        draft = await drafts.take_draft(
            conn, editor_id, chat_id, seen.token, context.bot_data.clock()
        )
        if draft is not None:
            await _audit_cancel(conn, draft, context.bot_data.clock())
    await query.answer()
    await edit_or_send(update, query.message, _cancelled_text(seen))


async def _audit_cancel(conn: Connection, draft: Draft, now: float) -> None:
    await audit.audit(
        conn, draft.editor_id, "cancel", now, article_id=draft.original_id, detail=draft.title
    )


def _cancelled_text(draft: Draft) -> str:
    key = "editor.correction_cancelled" if draft.original_id else "editor.cancelled"
    return t(draft.lang, key)


async def cancel_conversation(update: Update, context: Context) -> None:
    """Drop the draft at the editor's request (/cancel)."""
    editor_id, chat_id = _who(update)
    async with context.bot_data.db.transaction() as conn:
        draft = await drafts.delete_draft(conn, editor_id, chat_id)
        if draft is not None:
            await _audit_cancel(conn, draft, context.bot_data.clock())
    if draft is not None and draft.preview_message_id is not None:
        with contextlib.suppress(BadRequest):
            await context.bot.edit_message_reply_markup(
                chat_id, draft.preview_message_id, reply_markup=None
            )
    text = _cancelled_text(draft) if draft else t(reply_language(update), "editor.cancelled")
    await _say(update, text)


async def remind_buttons(update: Update, context: Context) -> None:
    """Point at the buttons when the editor types while a preview waits."""
    draft = await _load(update, context)
    lang = draft.lang if draft else reply_language(update)
    await _say(update, t(lang, "editor.use_buttons"))


# --- /scheduled ------------------------------------------------------------------------------


async def list_scheduled(update: Update, context: Context) -> None:
    """List the articles waiting for their time, each with "publish now" and "cancel"."""
    lang = reply_language(update)
    waiting = await drafts.list_scheduled(context.bot_data.db.reader, _SCHEDULED_SHOWN)
    if not waiting:
        await _say(update, t(lang, "editor.scheduled_none"))
        return
    await _say(update, plural(lang, "editor.scheduled_header", len(waiting)))
    tz, now = context.bot_data.settings.timezone, context.bot_data.clock()
    for item in waiting:
        when = scheduled_label(item.publish_at, lang, tz, now)
        text = t(lang, "editor.scheduled_item", title=formatting.escape(item.title), when=when)
        keyboard = InlineKeyboardMarkup(
            [
                [
                    _scheduled_button(
                        lang, "editor.publish_now_button", ScheduledButton("now", item.id)
                    ),
                    _scheduled_button(
                        lang, "editor.unschedule_item_button", ScheduledButton("drop", item.id)
                    ),
                ]
            ]
        )
        await _say(update, text, keyboard)


_SCHEDULED_SHOWN = 20


def _scheduled_button(lang: str, key: str, button: ScheduledButton) -> InlineKeyboardButton:
    return InlineKeyboardButton(t(lang, key), callback_data=button.pack())


async def act_on_scheduled(update: Update, context: Context) -> None:
    """Publish a waiting article now, or cancel it (the buttons of /scheduled)."""
    query = update.callback_query
    assert query is not None
    lang = reply_language(update)
    button = ScheduledButton.parse(context.match)
    data = context.bot_data
    editor_id, chat_id = _who(update)
    now = context.bot_data.clock()
    if button is None:
        await query.answer(t(lang, "editor.stale"), show_alert=True)
        return
    async with data.db.transaction() as conn:
        if button.action == "now":
            item = await drafts.claim_scheduled(conn, button.scheduled_id, now, now + 120)
        else:
            item = await drafts.cancel_scheduled(conn, button.scheduled_id, now)
            if item is not None:
                await audit.audit(conn, editor_id, "unschedule", now, detail=item.title)
    if item is None:
        await query.answer(t(lang, "editor.scheduled_gone"), show_alert=True)
        return
    await query.answer()
    if button.action == "drop":
        text = t(lang, "editor.unscheduled", title=formatting.escape(item.title))
        await edit_or_send(update, query.message, text)
        return
    assert data.scheduler is not None
    result = await data.scheduler.publish(item, editor_id)
    text = plural(lang, "editor.published", result.queued, id=result.article_id)
    await edit_or_send(update, query.message, text)
    if result.queued:
        await follow_delivery(context, chat_id, result.article_id, lang)


# --- wiring -------------------------------------------------------------------------------

STEPS: dict[str, EditorOnly[None]] = {
    "title": EditorOnly(take_title),
    "byline": EditorOnly(take_byline),
    "text": EditorOnly(take_text),
    "photo": EditorOnly(take_photo_address),
    "photo_sent": EditorOnly(take_photo),
    "link": EditorOnly(take_link),
    "full_text": EditorOnly(take_full_text),
    "preview": EditorOnly(remind_buttons),
    "when": EditorOnly(take_time),
    "cancel": EditorOnly(cancel_conversation),
}
"""What a plain message answers at each step of a draft, every one `EditorOnly`."""


def _step_for(draft: Draft, update: Update) -> EditorOnly[None] | None:
    message = update.effective_message
    if message is None:
        return None
    if message.text is not None and message.text.startswith("/"):
        return STEPS["cancel"]
    step = draft.step.removeprefix("fix:").split(":")[0]
    if message.photo:
        return STEPS["photo_sent"] if step == "photo" else None
    return STEPS.get(step)


async def continue_draft(update: Update, context: Context) -> None:
    """Give an editor's message to her draft's step, if she has a draft; else let it pass."""
    if not is_editor(update, context):
        return  # a reader's message: the features answer it
    draft = await _load(update, context)
    step = _step_for(draft, update) if draft is not None else None
    if step is None:
        return  # no draft (or a photo where text is awaited): the features answer it
    await step(update, context)
    raise ApplicationHandlerStop


def register(application: NewsbotApplication) -> None:
    """Register /publish, /edit, /scheduled, the drafts' steps and their buttons.

    Every command, step and button is `EditorOnly`: a step is never trusted because an
    earlier one was checked (an editor's rights may be withdrawn in between).
    """
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    messages = (filters.TEXT & ~filters.COMMAND) | filters.PHOTO
    # Before the features (group 0), after the access checks (groups -3 and -2).
    application.add_handler(MessageHandler(private & messages, continue_draft), group=-1)
    application.add_handler(
        CommandHandler(command_names("cancel"), continue_draft, filters=private), group=-1
    )
    pressed = EditorButton.pattern_for  # the draft's buttons of these actions only
    fields = [f"fix_{name}" for name in (*_FIELDS, "all")]
    application.add_handlers(
        [
            CommandHandler(command_names("publish"), EditorOnly(start_publish)),
            CommandHandler(command_names("edit"), EditorOnly(start_edit)),
            CommandHandler(command_names("scheduled"), EditorOnly(list_scheduled)),
            CallbackQueryHandler(EditorOnly(skip_byline), pattern=pressed("skip_byline")),
            CallbackQueryHandler(EditorOnly(skip_photo), pattern=pressed("skip_photo")),
            CallbackQueryHandler(EditorOnly(skip_link), pattern=pressed("skip_link")),
            CallbackQueryHandler(
                EditorOnly(confirm_draft), pattern=pressed("pub", "urgent", "force")
            ),
            CallbackQueryHandler(EditorOnly(change_draft), pattern=pressed("change")),
            CallbackQueryHandler(EditorOnly(choose_field), pattern=pressed(*fields)),
            CallbackQueryHandler(EditorOnly(back_to_preview), pattern=pressed("back")),
            CallbackQueryHandler(EditorOnly(cancel_draft), pattern=pressed("cancel")),
            CallbackQueryHandler(EditorOnly(read_draft), pattern=pressed("read")),
            CallbackQueryHandler(EditorOnly(ask_day), pattern=pressed("when")),
            CallbackQueryHandler(EditorOnly(choose_time), pattern=ScheduleButton.PATTERN),
            CallbackQueryHandler(
                EditorOnly(ask_typed_time),
                pattern=pressed("at_any", "at_today", "at_tomorrow"),
            ),
            CallbackQueryHandler(EditorOnly(unschedule_draft), pattern=pressed("unschedule")),
            CallbackQueryHandler(EditorOnly(back_to_control), pattern=pressed("back_here")),
            CallbackQueryHandler(EditorOnly(act_on_scheduled), pattern=ScheduledButton.PATTERN),
        ]
    )
