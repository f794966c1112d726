"""/publish and /edit: an article pasted or built step by step, previewed, sent on confirmation.

One conversation serves both commands, because both end the same way: a preview of the
alert exactly as subscribers will get it, then buttons. Nothing is stored or sent before the
editor presses a confirming button. The pending draft stays on the server (user_data); a
button only carries an `EditorButton` (an action and the draft's token), so a stale or
forged button finds nothing.

    /publish <article>  -> PREVIEW                    one message, the CMS format
    /publish            -> TITLE -> BYLINE -> TEXT -> PHOTO -> LINK -> PREVIEW
    /edit <id>          -> FULL_TEXT -> PREVIEW       (or /edit <id> <article> -> PREVIEW)
    PREVIEW: Publier | Publier en alerte | Modifier | Annuler   (ed:pub / urgent / change / cancel)

After a publication, one progress message is edited in place until the delivery is done.
"""

from __future__ import annotations

import contextlib
import logging
import re
import secrets
import time
import uuid
import warnings
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import formatting, site
from bot.buttons import EditorButton
from bot.delivery import render_alert
from bot.errors import DraftError
from bot.i18n import plural, t
from bot.publishing import AuditNote, content_hash
from db import Connection, articles, deliveries, editorial
from db.deliveries import DeliveryCounts
from db.models import Article, ArticleDraft, Author, Topic
from handlers.access import EditorOnly, reply_language
from handlers.article_views import send_loaded_article
from handlers.menu import command_names
from handlers.newsroom import article_id_argument, editor_button, new_token
from handlers.views import edit_or_send

if TYPE_CHECKING:
    from bot.context import Context, NewsbotApplication

__all__ = [
    "CONVERSATION_TIMEOUT",
    "DUPLICATE_WINDOW",
    "PROGRESS_INTERVAL",
    "article_source",
    "build_publish_conversation",
    "register",
]

logger = logging.getLogger(__name__)

CONVERSATION_TIMEOUT = 15 * 60.0  # seconds of silence before a draft is dropped
PROGRESS_INTERVAL = 3.0  # seconds between two refreshes of the delivery progress message
PROGRESS_MAX_SECONDS = 6 * 3600.0  # a delivery still going after this is left to /stats
DUPLICATE_WINDOW = 24 * 3600.0  # same title and author within this: "déjà publié ?"

TITLE, BYLINE, TEXT, PHOTO, LINK, FULL_TEXT, PREVIEW = range(7)

_DRAFT_KEY = "editor_draft"
_SKIP_WORDS = frozenset({"passer", "skip", "-"})
_EDIT_COMMAND_RE = re.compile(r"^\s*/edit(?:@\w+)?\s+[0-9]+", re.IGNORECASE)
# A stand-in text under a title line, so that the title goes through exactly the checks of
# site.parse_article_message and gets the same messages.
_TITLE_PROBE_TEXT = "…"


@dataclass
class _Draft:
    """An article being prepared by one editor; lives in user_data until confirmed."""

    token: str
    lang: str
    source_key: str
    original: Article | None = None  # the published article a correction replaces
    guided: bool = False
    title: str = ""
    byline: str | None = None
    text: str = ""
    photo: str | None = None  # a Telegram file_id or a URL
    link: str | None = None
    draft: ArticleDraft | None = None
    urgent: bool = False
    duplicate_checked: bool = False
    control: Message | None = None  # the message holding the confirmation buttons


def _skip_keyboard(pending: _Draft, step: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[editor_button(pending.lang, "editor.skip_button", f"skip_{step}", pending.token)]]
    )


def _pending(context: Context) -> _Draft | None:
    draft = context.user_data.get(_DRAFT_KEY) if context.user_data is not None else None
    return draft if isinstance(draft, _Draft) else None


def _start_draft(
    context: Context, lang: str, *, guided: bool = False, original: Article | None = None
) -> _Draft:
    """Start a new draft, replacing any other: an editor prepares one article at a time."""
    assert context.user_data is not None
    # The source key is chosen now, so that a confirmation handled twice stores one article.
    source_key = original.source_key if original else f"editor:{uuid.uuid4().hex}"
    pending = _Draft(new_token(), lang, source_key, original=original, guided=guided)
    context.user_data[_DRAFT_KEY] = pending
    return pending


def _drop_draft(context: Context) -> _Draft | None:
    if context.user_data is None:
        return None
    draft = context.user_data.pop(_DRAFT_KEY, None)
    return draft if isinstance(draft, _Draft) else None


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


# --- building the draft -----------------------------------------------------------------


def _compose(pending: _Draft) -> ArticleDraft:
    """Assemble the guided answers into the one-message format and read it like a pasted one.

    Going through site.parse_article_message keeps one set of rules and messages for both
    ways of publishing. A Telegram photo (a file_id, not a URL) is attached afterwards.
    """
    lines = [pending.title]
    if pending.byline:
        lines.append(f"Par {pending.byline}")
    lines.append(pending.text or "")
    if pending.link:
        lines.append(f"Lien : {pending.link}")
    photo_url = pending.photo if pending.photo and _is_web_address(pending.photo) else None
    if photo_url:
        lines.append(f"Photo : {photo_url}")
    draft = site.parse_article_message("\n".join(lines))
    if pending.photo and photo_url is None:
        draft = replace(draft, image_url=pending.photo)
    return draft


def _for_correction(draft: ArticleDraft, original: Article) -> ArticleDraft:
    """Keep what a correction must not change: the photo (sent alerts are photo messages or
    text messages, and Telegram cannot turn one into the other) and the urgent mark."""
    return replace(draft, image_url=original.image_url, urgent=original.urgent)


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
    return "\n".join(lines)


async def _preview_article(context: Context, pending: _Draft, draft: ArticleDraft) -> Article:
    """Build the unsaved Article the publisher would store, names as readers will see them."""
    reader = context.bot_data.db.reader
    topic_keys = [site.fold(name) for name in draft.topics]
    known_topics = await editorial.topic_names(reader, topic_keys)
    authors = [await _preview_author(reader, name) for name in draft.authors]
    now = datetime.now(UTC)
    original = pending.original
    return Article(
        id=original.id if original else 0,
        source_key=pending.source_key,
        title=draft.title,
        lead=draft.lead,
        body=draft.body,
        author=authors[0],
        coauthors=tuple(authors[1:]),
        topics=tuple(
            Topic(0, key, known_topics.get(key, name))
            for key, name in zip(topic_keys, draft.topics, strict=True)
        ),
        published_at=original.published_at if original else now,
        updated_at=now,
        url=draft.url,
        image_url=draft.image_url,
        urgent=draft.urgent,
    )


async def _preview_author(reader: Connection, written: str) -> Author:
    """Return an author as the publisher will store her: the site's one display form."""
    shown = site.display_name(written)
    known = await editorial.author_name(reader, site.fold(shown))
    name = site.display_name(site.nicest_name(known, shown)) if known else shown
    return Author(0, site.fold(shown), name)


# --- entry points -------------------------------------------------------------------------


async def start_publish(update: Update, context: Context) -> int | None:
    """Start a publication: read a pasted article, or ask for its title."""
    lang = reply_language(update)
    if context.args:
        pending = _start_draft(context, lang)
        return await _take_article(
            update, context, pending, _text_of(update), on_error=ConversationHandler.END
        )
    pending = _start_draft(context, lang, guided=True)
    await _say(update, t(lang, "editor.ask_title"))
    return TITLE


async def start_edit(update: Update, context: Context) -> int | None:
    """Start a correction: show the article's text and wait for the corrected one."""
    lang = reply_language(update)
    article_id = article_id_argument(context.args)
    if article_id is None:
        await _say(update, t(lang, "editor.edit_usage"))
        return ConversationHandler.END
    article = await articles.get_article(context.bot_data.db.reader, article_id)
    if article is None:
        await _say(update, t(lang, "editor.not_found", id=article_id))
        return ConversationHandler.END
    pending = _start_draft(context, lang, original=article)
    rest = _EDIT_COMMAND_RE.sub("", _text_of(update), count=1)
    if rest.strip():
        return await _take_article(update, context, pending, rest, on_error=FULL_TEXT)
    await _show_source(update, pending, article, "editor.edit_current")
    return FULL_TEXT


async def _show_source(update: Update, pending: _Draft, article: Article, key: str) -> None:
    intro = t(pending.lang, key, id=article.id)
    source = f"<pre>{formatting.escape(article_source(article))}</pre>"
    for part in formatting.split_html(f"{intro}\n\n{source}"):
        await _say(update, part)


# --- the guided steps ---------------------------------------------------------------------


async def take_title(update: Update, context: Context) -> int | None:
    """Keep the title line, or take a whole article pasted at this step."""
    pending = _pending(context)
    if pending is None:
        return ConversationHandler.END
    text = _text_of(update).strip()
    if "\n" in text:
        # A whole article pasted instead of the title: no reason to ask the rest.
        pending.guided = False
        return await _take_article(update, context, pending, text, on_error=None)
    try:
        site.parse_article_message(f"{text}\n{_TITLE_PROBE_TEXT}")
    except DraftError as error:
        await _say(update, t(pending.lang, error.key, **error.params))
        return None
    pending.title = text
    await _say(update, t(pending.lang, "editor.ask_byline"), _skip_keyboard(pending, "byline"))
    return BYLINE


async def take_byline(update: Update, context: Context) -> int | None:
    """Keep the byline (with or without its "Par"), or skip it."""
    pending = _pending(context)
    if pending is None:
        return ConversationHandler.END
    text = _text_of(update).strip()
    if not _is_skip(text):
        authors = site.parse_byline(text, known=True)
        if authors is None:
            await _say(update, t(pending.lang, "editor.bad_byline"))
            return None
        pending.byline = site.join_authors([site.display_name(name) for name in authors])
    return await _ask_text(update, pending)


async def skip_byline(update: Update, context: Context) -> int | None:
    """Publish without a byline: the article is signed by the newsroom."""
    pending = await _pressed(update, context)
    if pending is None:
        return None
    pending.byline = None
    return await _ask_text(update, pending)


async def _ask_text(update: Update, pending: _Draft) -> int:
    await _say(update, t(pending.lang, "editor.ask_text"))
    return TEXT


async def take_text(update: Update, context: Context) -> int | None:
    """Keep the article's text once it reads as a valid article with the title."""
    pending = _pending(context)
    if pending is None:
        return ConversationHandler.END
    pending.text = _text_of(update)
    try:
        _compose(pending)
    except DraftError as error:
        pending.text = ""
        await _say(update, t(pending.lang, error.key, **error.params))
        return None
    await _say(update, t(pending.lang, "editor.ask_photo"), _skip_keyboard(pending, "photo"))
    return PHOTO


async def take_photo(update: Update, context: Context) -> int | None:
    """Keep a photo sent from Telegram: its file_id is what sendPhoto will reuse."""
    pending = _pending(context)
    message = update.effective_message
    if pending is None:
        return ConversationHandler.END
    assert message is not None and message.photo
    pending.photo = message.photo[-1].file_id  # the largest size
    return await _ask_link(update, pending)


async def take_photo_address(update: Update, context: Context) -> int | None:
    """Keep a photo given as a web address, or skip the photo."""
    pending = _pending(context)
    if pending is None:
        return ConversationHandler.END
    text = _text_of(update).strip()
    if _is_skip(text):
        pending.photo = None
        return await _ask_link(update, pending)
    if not _is_web_address(text) or " " in text:
        await _say(update, t(pending.lang, "editor.bad_photo"))
        return None
    pending.photo = text
    try:
        _compose(pending)
    except DraftError as error:
        pending.photo = None
        await _say(update, t(pending.lang, error.key, **error.params))
        return None
    return await _ask_link(update, pending)


async def skip_photo(update: Update, context: Context) -> int | None:
    """Publish without a photo."""
    pending = await _pressed(update, context)
    if pending is None:
        return None
    pending.photo = None
    return await _ask_link(update, pending)


async def _ask_link(update: Update, pending: _Draft) -> int:
    await _say(update, t(pending.lang, "editor.ask_link"), _skip_keyboard(pending, "link"))
    return LINK


async def take_link(update: Update, context: Context) -> int | None:
    """Keep the link to the article on the site (or skip it) and show the preview."""
    pending = _pending(context)
    if pending is None:
        return ConversationHandler.END
    text = _text_of(update).strip()
    if _is_skip(text):
        pending.link = None
    elif not _is_web_address(text) or " " in text:
        await _say(update, t(pending.lang, "editor.bad_link"))
        return None
    else:
        pending.link = text
    try:
        pending.draft = _compose(pending)
    except DraftError as error:
        pending.link = None
        await _say(update, t(pending.lang, error.key, **error.params))
        return None
    return await _show_preview(update, context, pending)


async def skip_link(update: Update, context: Context) -> int | None:
    """Publish without a link to the site, and show the preview."""
    pending = await _pressed(update, context)
    if pending is None:
        return None
    pending.link = None
    try:
        pending.draft = _compose(pending)
    except DraftError as error:
        await _say(update, t(pending.lang, error.key, **error.params))
        return TEXT
    return await _show_preview(update, context, pending)


async def take_full_text(update: Update, context: Context) -> int | None:
    """Read a whole article in the one-message format (a correction, or a new version)."""
    pending = _pending(context)
    if pending is None:
        return ConversationHandler.END
    return await _take_article(update, context, pending, _text_of(update), on_error=None)


async def _take_article(
    update: Update, context: Context, pending: _Draft, text: str, *, on_error: int | None
) -> int | None:
    """Parse a one-message article into the pending draft and preview it.

    On a mistake the editor gets site.py's message and the conversation goes to `on_error`
    (None: stay): a pasted /publish ends, as the editor simply sends a corrected /publish.
    """
    try:
        draft = site.parse_article_message(text)
    except DraftError as error:
        await _say(update, t(pending.lang, error.key, **error.params))
        if on_error == ConversationHandler.END:
            _drop_draft(context)
        return on_error
    if pending.original is not None:
        draft = _for_correction(draft, pending.original)
        if content_hash(draft) == pending.original.content_hash:
            await _say(update, t(pending.lang, "editor.unchanged"))
            return FULL_TEXT
    elif pending.photo and not _is_web_address(pending.photo) and draft.image_url is None:
        # "Modifier" on a draft with a Telegram photo: the pasted text cannot name it.
        draft = replace(draft, image_url=pending.photo)
    pending.draft = draft
    return await _show_preview(update, context, pending)


# --- preview and confirmation -----------------------------------------------------------


async def _show_preview(update: Update, context: Context, pending: _Draft) -> int:
    """Send the alert as subscribers will get it, then what will happen, with the buttons."""
    assert pending.draft is not None
    lang, settings = pending.lang, context.bot_data.settings
    article = await _preview_article(context, pending, pending.draft)
    alert = render_alert(article, lang, settings.timezone)
    # The alert's own "read" button would look for a stored article: in the preview it
    # shows the draft instead (a link to the site stays a link).
    keyboard = alert.keyboard if article.url else _read_draft_keyboard(pending)
    chat = update.effective_chat
    assert chat is not None
    if alert.photo_url:
        try:
            await chat.send_photo(alert.photo_url, caption=alert.text, reply_markup=keyboard)
        except BadRequest as error:
            # Subscribers would get the same refusal: the photo must be fixed first.
            logger.info("Preview photo refused: %s", error.message)
            pending.photo = None
            if pending.guided:
                await _say(
                    update, t(lang, "editor.photo_unusable"), _skip_keyboard(pending, "photo")
                )
                return PHOTO
            await _say(update, t(lang, "editor.photo_unusable_text"))
            return FULL_TEXT
    else:
        await chat.send_message(alert.text, reply_markup=keyboard)
    pending.duplicate_checked = False
    pending.control = await _say(
        update, await _outlook(context, pending), _confirm_keyboard(pending)
    )
    return PREVIEW


async def _outlook(context: Context, pending: _Draft) -> str:
    """Say what confirming will do: how many chats get the alert, or how many get corrected."""
    reader = context.bot_data.db.reader
    if pending.original is not None:
        owed = await editorial.sent_alert_count(reader, pending.original.id)
        return plural(pending.lang, "editor.will_correct", owed, id=pending.original.id)
    assert pending.draft is not None
    channel = context.bot_data.channel_id
    reach = await editorial.count_recipients(
        reader,
        [site.fold(name) for name in pending.draft.topics],
        site.fold(pending.draft.author),
        () if channel is None else (channel,),
        coauthor_keys=[site.fold(name) for name in pending.draft.coauthors],
    )
    return plural(pending.lang, "editor.will_send", reach)


def _read_draft_keyboard(pending: _Draft) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[editor_button(pending.lang, "alert_read_button", "read", pending.token)]]
    )


async def read_draft(update: Update, context: Context) -> None:
    """Send the draft as readers will read it with /article: the preview's "read" button."""
    pending = await _own_draft(update, context)
    query, chat = update.callback_query, update.effective_chat
    if pending is None or pending.draft is None or query is None or chat is None:
        return
    await query.answer()
    article = await _preview_article(context, pending, pending.draft)
    await send_loaded_article(context, chat.id, article, pending.lang)


def _confirm_keyboard(pending: _Draft) -> InlineKeyboardMarkup:
    lang, token = pending.lang, pending.token
    change = editor_button(lang, "editor.change_button", "change", token)
    cancel = editor_button(lang, "editor.cancel_button", "cancel", token)
    if pending.original is not None:
        return InlineKeyboardMarkup(
            [[editor_button(lang, "editor.correct_button", "pub", token)], [change, cancel]]
        )
    return InlineKeyboardMarkup(
        [
            [editor_button(lang, "editor.publish_button", "pub", token)],
            [editor_button(lang, "editor.urgent_button", "urgent", token)],
            [change, cancel],
        ]
    )


async def _own_draft(update: Update, context: Context) -> _Draft | None:
    """Return the pending draft a button belongs to; answer a stale or forged one politely."""
    query = update.callback_query
    assert query is not None
    pending = _pending(context)
    button = EditorButton.parse(context.match)
    if pending is None or button is None or not secrets.compare_digest(button.token, pending.token):
        await query.answer(t(reply_language(update), "editor.stale"), show_alert=True)
        return None
    return pending


async def _pressed(update: Update, context: Context) -> _Draft | None:
    """Return the pending draft a button belongs to, answering the press; None if stale."""
    pending = await _own_draft(update, context)
    query = update.callback_query
    if pending is None or query is None:
        return None
    await query.answer()
    # The button did its job; leaving it would invite a second press.
    if query.message is not None:
        await _strip_buttons(query.message)
    return pending


async def _strip_buttons(message: object) -> None:
    if isinstance(message, Message) and message.reply_markup is not None:
        # Already without buttons, or deleted by the editor: nothing left to press.
        with contextlib.suppress(BadRequest):
            await message.edit_reply_markup(None)


async def confirm_draft(update: Update, context: Context) -> int | None:
    """Publish the draft (urgent with "Publier en alerte") or save the correction."""
    query = update.callback_query
    assert query is not None
    pending = await _own_draft(update, context)
    button = EditorButton.parse(context.match)
    if pending is None or button is None:
        return None
    action = button.action
    # Taken before any other await: a second press, even a concurrent one, finds nothing.
    _drop_draft(context)
    assert pending.draft is not None and context.user_data is not None
    if action in ("pub", "urgent"):
        pending.urgent = action == "urgent"
    if pending.original is None and not pending.duplicate_checked and action != "force":
        duplicate = await _recent_duplicate(context, pending.draft)
        if duplicate is not None:
            pending.duplicate_checked = True
            context.user_data[_DRAFT_KEY] = pending
            await query.answer()
            tz = context.bot_data.settings.timezone
            await _warn_duplicate(query.message, pending, duplicate, tz)
            return PREVIEW
    await query.answer()
    if pending.original is not None:
        return await _save_correction(update, context, pending, query.message)
    await _publish(update, context, pending, query.message)
    return ConversationHandler.END


async def _recent_duplicate(context: Context, draft: ArticleDraft) -> editorial.RecentTitle | None:
    """Return an article with the same title by the same author from the last 24 hours."""
    since = time.time() - DUPLICATE_WINDOW
    recent = await editorial.recent_titles_by_author(
        context.bot_data.db.reader, site.fold(draft.author), since
    )
    title = site.fold(draft.title)
    return next((item for item in recent if site.fold(item.title) == title), None)


async def _warn_duplicate(
    message: object, pending: _Draft, duplicate: editorial.RecentTitle, tz: str
) -> None:
    assert isinstance(message, Message) and pending.draft is not None
    lang = pending.lang
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
            [editor_button(lang, "editor.force_button", "force", pending.token)],
            [editor_button(lang, "editor.cancel_button", "cancel", pending.token)],
        ]
    )
    edited = await message.edit_text(text, reply_markup=keyboard)
    pending.control = edited if isinstance(edited, Message) else message


async def _publish(update: Update, context: Context, pending: _Draft, message: object) -> None:
    data = context.bot_data
    assert pending.draft is not None and update.effective_user is not None
    draft = replace(pending.draft, urgent=pending.urgent)
    detail = draft.title
    if pending.duplicate_checked:
        detail = f"[repeat confirmed] {detail}"
    if pending.urgent:
        detail = f"[urgent] {detail}"
    result = await data.publisher.publish(
        draft,
        source_key=pending.source_key,
        origin="editor",
        notify=True,
        note=AuditNote(update.effective_user.id, "publish", detail),
    )
    lang = pending.lang
    if result.created:
        text = plural(lang, "editor.published", result.queued, id=result.article_id)
    else:
        text = t(lang, "editor.already_done", id=result.article_id)
    await edit_or_send(update, message, text)
    if result.created and result.queued:
        await _follow_delivery(update, context, result.article_id, lang)


async def _save_correction(
    update: Update, context: Context, pending: _Draft, message: object
) -> int:
    data = context.bot_data
    assert pending.draft is not None and pending.original is not None
    assert update.effective_user is not None
    note = AuditNote(update.effective_user.id, "revise", pending.draft.title)
    result = await data.publisher.revise(
        pending.original.id, pending.draft, note=note, seen=pending.original.content_hash
    )
    if result.conflict:
        return await _redo_correction(update, context, pending, message)
    if result.changed:
        text = plural(pending.lang, "editor.corrected", result.followups, id=result.article_id)
    else:
        text = t(pending.lang, "editor.not_corrected", id=result.article_id)
    await edit_or_send(update, message, text)
    return ConversationHandler.END


async def _redo_correction(
    update: Update, context: Context, pending: _Draft, message: object
) -> int:
    """Say another editor corrected the article first; show both texts and wait for a redo.

    Nothing of either editor is lost: the first correction stands, the second editor gets
    their own text back and the version now published, and may send the merged text at once.
    """
    assert pending.draft is not None and pending.original is not None
    lang, article_id = pending.lang, pending.original.id
    await edit_or_send(update, message, t(lang, "editor.conflict", id=article_id))
    own = article_source(await _preview_article(context, pending, pending.draft))
    yours = f"{t(lang, 'editor.conflict_yours')}\n\n<pre>{formatting.escape(own)}</pre>"
    for part in formatting.split_html(yours):
        await _say(update, part)
    current = await articles.get_article(context.bot_data.db.reader, article_id)
    if current is None:  # withdrawn meanwhile: nothing left to correct
        await _say(update, t(lang, "editor.not_corrected", id=article_id))
        return ConversationHandler.END
    redo = _start_draft(context, lang, original=current)
    await _show_source(update, redo, current, "editor.conflict_current")
    return FULL_TEXT


async def change_draft(update: Update, context: Context) -> int | None:
    """Go back: to the guided steps for a guided draft, else ask for a new text."""
    pending = await _pressed(update, context)
    if pending is None:
        return None
    pending.draft = None
    if pending.guided:
        pending.title, pending.byline, pending.text = "", None, ""
        pending.photo = pending.link = None
        await _say(update, t(pending.lang, "editor.ask_title"))
        return TITLE
    if pending.original is not None:
        await _show_source(update, pending, pending.original, "editor.edit_current")
    else:
        await _say(update, t(pending.lang, "editor.ask_new_text"))
    return FULL_TEXT


async def cancel_draft(update: Update, context: Context) -> int | None:
    """Drop the draft at the editor's request (the Annuler button)."""
    query = update.callback_query
    assert query is not None
    pending = await _own_draft(update, context)
    if pending is None:
        return None
    _drop_draft(context)
    await query.answer()
    await edit_or_send(update, query.message, _cancelled_text(pending))
    return ConversationHandler.END


def _cancelled_text(pending: _Draft) -> str:
    key = "editor.correction_cancelled" if pending.original else "editor.cancelled"
    return t(pending.lang, key)


async def cancel_conversation(update: Update, context: Context) -> int:
    """Drop the draft at the editor's request (/cancel)."""
    pending = _drop_draft(context)
    if pending is not None and pending.control is not None:
        await _strip_buttons(pending.control)
    text = _cancelled_text(pending) if pending else t(reply_language(update), "editor.cancelled")
    await _say(update, text)
    return ConversationHandler.END


async def remind_buttons(update: Update, context: Context) -> None:
    """Point at the buttons when the editor types while a preview waits."""
    pending = _pending(context)
    lang = pending.lang if pending else reply_language(update)
    await _say(update, t(lang, "editor.use_buttons"))


async def expire_draft(update: object, context: Context) -> None:
    """Drop a draft left alone too long, and say so."""
    pending = _drop_draft(context)
    if pending is not None and pending.control is not None:
        await _strip_buttons(pending.control)
    if isinstance(update, Update) and update.effective_chat is not None:
        lang = pending.lang if pending else reply_language(update)
        minutes = max(1, round(CONVERSATION_TIMEOUT / 60))
        await update.effective_chat.send_message(t(lang, "editor.expired", minutes=minutes))


# --- delivery progress ------------------------------------------------------------------


@dataclass
class _Progress:
    chat_id: int
    message_id: int
    article_id: int
    lang: str
    shown: str
    started: float = field(default_factory=time.monotonic)


def _progress_text(lang: str, counts: DeliveryCounts, done: bool) -> str:
    failed = counts.failed + counts.cancelled
    if done:
        return t(lang, "editor.progress_done", sent=counts.sent, failed=failed)
    pending = counts.pending + counts.sending
    return t(lang, "editor.progress", sent=counts.sent, pending=pending, failed=failed)


async def _follow_delivery(update: Update, context: Context, article_id: int, lang: str) -> None:
    counts = await deliveries.delivery_counts(context.bot_data.db.reader, article_id)
    text = _progress_text(lang, counts, counts.done)
    message = await _say(update, text)
    if counts.done or context.job_queue is None:
        return
    context.job_queue.run_repeating(
        refresh_progress,
        interval=PROGRESS_INTERVAL,
        first=PROGRESS_INTERVAL,
        data=_Progress(message.chat_id, message.message_id, article_id, lang, text),
        name=f"progress:{article_id}",
    )


async def refresh_progress(context: Context) -> None:
    """Edit the progress message with the latest counts; stop once the delivery is done."""
    job = context.job
    assert job is not None and isinstance(job.data, _Progress)
    progress = job.data
    counts = await deliveries.delivery_counts(context.bot_data.db.reader, progress.article_id)
    done = counts.done or time.monotonic() - progress.started > PROGRESS_MAX_SECONDS
    text = _progress_text(progress.lang, counts, done)
    # Telegram refuses an edit that changes nothing (400 "message is not modified").
    if text != progress.shown:
        try:
            await context.bot.edit_message_text(text, progress.chat_id, progress.message_id)
            progress.shown = text
        except BadRequest as error:
            logger.info("Progress message %s left as is: %s", progress.message_id, error.message)
            done = True  # deleted by the editor: nobody is watching any more
        except TelegramError as error:
            logger.warning("Progress update failed, retrying later: %s", error)
    if done:
        job.schedule_removal()


# --- wiring -------------------------------------------------------------------------------


def build_publish_conversation() -> ConversationHandler[Context]:
    """Return the /publish and /edit conversation (guided steps, preview, confirmation).

    Every entry point, step and fallback is `EditorOnly`: a step is never trusted because an
    earlier one was checked (an editor's rights may be withdrawn in between).
    """
    text = filters.TEXT & ~filters.COMMAND
    pressed = EditorButton.pattern_for  # the draft's buttons of these actions only

    # Buttons are tracked per user and chat, on purpose (drafts are per editor): the
    # warning python-telegram-bot gives about per_message=False does not apply. It is
    # silenced around this construction only, never for the whole process.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=[
                CommandHandler(command_names("publish"), EditorOnly(start_publish)),
                CommandHandler(command_names("edit"), EditorOnly(start_edit)),
            ],
            states={
                TITLE: [MessageHandler(text, EditorOnly(take_title))],
                BYLINE: [
                    MessageHandler(text, EditorOnly(take_byline)),
                    CallbackQueryHandler(EditorOnly(skip_byline), pattern=pressed("skip_byline")),
                ],
                TEXT: [MessageHandler(text, EditorOnly(take_text))],
                PHOTO: [
                    MessageHandler(filters.PHOTO, EditorOnly(take_photo)),
                    MessageHandler(text, EditorOnly(take_photo_address)),
                    CallbackQueryHandler(EditorOnly(skip_photo), pattern=pressed("skip_photo")),
                ],
                LINK: [
                    MessageHandler(text, EditorOnly(take_link)),
                    CallbackQueryHandler(EditorOnly(skip_link), pattern=pressed("skip_link")),
                ],
                FULL_TEXT: [MessageHandler(text, EditorOnly(take_full_text))],
                PREVIEW: [
                    CallbackQueryHandler(
                        EditorOnly(confirm_draft), pattern=pressed("pub", "urgent", "force")
                    ),
                    CallbackQueryHandler(EditorOnly(change_draft), pattern=pressed("change")),
                    CallbackQueryHandler(EditorOnly(cancel_draft), pattern=pressed("cancel")),
                    CallbackQueryHandler(EditorOnly(read_draft), pattern=pressed("read")),
                    MessageHandler(text, EditorOnly(remind_buttons)),
                ],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, EditorOnly(expire_draft))],
            },
            fallbacks=[CommandHandler(command_names("cancel"), EditorOnly(cancel_conversation))],
            allow_reentry=True,
            conversation_timeout=CONVERSATION_TIMEOUT,
            name="publish",
        )


def register(application: NewsbotApplication) -> None:
    """Register the /publish and /edit conversation."""
    application.add_handler(build_publish_conversation())
