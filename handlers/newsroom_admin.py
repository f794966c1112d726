"""/editors and /journal: the chief editors manage the newsroom and read what it did.

The chief editors are NEWSBOT_ADMINS; the editors they add here are stored in the database
(db/editors.py), audited, and get the newsroom's command menu. Editors publish, correct and
withdraw; only chief editors manage editors and feeds. Every handler here is `ChiefOnly`,
buttons included: a forged `ed:ne:` or `ed:jr:` button is refused to anyone else.

    /editors                   the chief editors, the editors added, a remove button each
    /editors add <id>          make a Telegram user an editor (or forward one of her messages)
    /editors remove <id>       take it back; her next press is refused
    /journal                   the latest actions, 20 a page: when, who, what, which article
"""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.buttons import JournalPageButton, RosterButton
from bot.formatting import escape, excerpt, format_short_date
from bot.i18n import plural, t
from db import audit, chats, editors
from db.audit import JournalEntry
from db.models import from_ts
from handlers.access import ChiefOnly, chief_ids, reply_language
from handlers.menu import command_names, drop_editor_menu, set_editor_menu
from handlers.views import View, reply_view

if TYPE_CHECKING:
    from bot.context import Context, NewsbotApplication

__all__ = ["JOURNAL_PAGE_SIZE", "register"]

JOURNAL_PAGE_SIZE = 20
_USER_ID = re.compile(r"[0-9]{1,18}")
_ADD_WORDS = frozenset({"add", "ajouter", "+"})
_REMOVE_WORDS = frozenset({"remove", "retirer", "rm", "-"})
_NAME_CHARS = 40  # a name in a line or a button
_WHAT_CHARS = 60  # an article title or a detail in a journal line


# --- /editors ---------------------------------------------------------------------------


async def _name_of(context: Context, user_id: int) -> str:
    """Return the name a user goes by in her private chat with the bot, else her number."""
    chat = await chats.get_chat(context.bot_data.db.reader, user_id)
    return chat.title if chat is not None and chat.title else f"n°\u00a0{user_id}"


async def _roster_view(context: Context, lang: str) -> View:
    data = context.bot_data
    tz = data.settings.timezone
    chiefs = [await _name_of(context, user_id) for user_id in sorted(chief_ids(context))]
    added = await editors.list_editors(data.db.reader)
    lines = [t(lang, "newsroom.editors.header")]
    if chiefs:
        names = ", ".join(escape(excerpt(name, _NAME_CHARS)) for name in chiefs)
        lines.append(t(lang, "newsroom.editors.chiefs", names=names))
    if added:
        lines.append(plural(lang, "newsroom.editors.count", len(added)))
        for editor in added:
            date = format_short_date(from_ts(editor.added_at), lang, tz)
            name = editor.name or f"n°\u00a0{editor.user_id}"
            shown = escape(excerpt(name, _NAME_CHARS))
            lines.append(t(lang, "newsroom.editors.line", name=shown, id=editor.user_id, date=date))
    else:
        lines.append(t(lang, "newsroom.editors.none"))
    lines.append(t(lang, "newsroom.editors.usage"))
    rows = [
        [
            InlineKeyboardButton(
                t(
                    lang,
                    "newsroom.editors.remove_button",
                    name=excerpt(editor.name or str(editor.user_id), _NAME_CHARS),
                ),
                callback_data=RosterButton("remove", editor.user_id).pack(),
            )
        ]
        for editor in added
    ]
    return View("\n\n".join(lines), InlineKeyboardMarkup(rows) if rows else None)


async def show_editors(update: Update, context: Context) -> None:
    """List the newsroom, or add or remove an editor: /editors [add|remove <id>]."""
    lang = reply_language(update)
    args = context.args or []
    if not args:
        await reply_view(update, await _roster_view(context, lang))
        return
    verb, value = args[0].casefold(), args[1] if len(args) > 1 else ""
    if verb not in _ADD_WORDS | _REMOVE_WORDS:
        await reply_view(update, View(t(lang, "newsroom.editors.usage")))
        return
    if not _USER_ID.fullmatch(value):
        shown = escape(excerpt(value, _NAME_CHARS)) if value else "…"
        await reply_view(update, View(t(lang, "newsroom.editors.bad_id", value=shown)))
        return
    user_id = int(value)
    if verb in _ADD_WORDS:
        text = await _add_editor(update, context, user_id, await _name_of(context, user_id))
    else:
        text = await _remove_editor(update, context, user_id)
    await reply_view(update, View(text))


async def _add_editor(update: Update, context: Context, user_id: int, name: str) -> str:
    """Make a user an editor (audited, menu given); return what to tell the chief editor."""
    data, lang = context.bot_data, reply_language(update)
    assert update.effective_user is not None
    shown = escape(excerpt(name, _NAME_CHARS))
    if user_id in chief_ids(context):
        return t(lang, "newsroom.editors.is_chief", id=user_id)
    now = data.clock()
    async with data.db.transaction() as conn:
        added = await editors.add_editor(conn, user_id, name, update.effective_user.id, now)
        if added:
            detail = f"{name} ({user_id})"
            await audit.audit(conn, update.effective_user.id, "editor.add", now, detail=detail)
    data.editors.invalidate()
    if not added:
        return t(lang, "newsroom.editors.already", name=shown)
    await set_editor_menu(context.bot, user_id)
    return t(lang, "newsroom.editors.added", name=shown)


async def _remove_editor(update: Update, context: Context, user_id: int) -> str:
    """Take a user's editor rights away (audited, menu dropped); return what to say."""
    data, lang = context.bot_data, reply_language(update)
    assert update.effective_user is not None
    if user_id in chief_ids(context):
        return t(lang, "newsroom.editors.is_chief", id=user_id)
    name = await _name_of(context, user_id)
    now = data.clock()
    async with data.db.transaction() as conn:
        removed = await editors.remove_editor(conn, user_id)
        if removed:
            detail = f"{name} ({user_id})"
            await audit.audit(conn, update.effective_user.id, "editor.remove", now, detail=detail)
    data.editors.invalidate()
    if not removed:
        return t(lang, "newsroom.editors.not_editor", id=user_id)
    await drop_editor_menu(context.bot, user_id)
    return t(lang, "newsroom.editors.removed", name=escape(excerpt(name, _NAME_CHARS)))


async def take_forward(update: Update, context: Context) -> None:
    """Add the author of a message a chief editor forwarded, when Telegram says who it is."""
    lang = reply_language(update)
    message = update.effective_message
    origin = message.forward_origin if message is not None else None
    if isinstance(origin, MessageOriginUser):
        person = origin.sender_user
        if person.is_bot:
            await reply_view(update, View(t(lang, "newsroom.editors.bot")))
            return
        text = await _add_editor(update, context, person.id, person.full_name)
        undo = InlineKeyboardButton(
            t(lang, "newsroom.editors.remove_button", name=excerpt(person.full_name, _NAME_CHARS)),
            callback_data=RosterButton("remove", person.id).pack(),
        )
        await reply_view(update, View(text, InlineKeyboardMarkup([[undo]])))
    elif isinstance(origin, MessageOriginHiddenUser):
        # Her privacy settings keep her account out of forwards: only a name comes through.
        name = escape(excerpt(origin.sender_user_name, _NAME_CHARS))
        await reply_view(update, View(t(lang, "newsroom.editors.hidden_forward", name=name)))
    elif isinstance(origin, MessageOriginChat | MessageOriginChannel):
        await reply_view(update, View(t(lang, "newsroom.editors.forward_not_person")))


async def press_roster(update: Update, context: Context) -> None:
    """Add or remove the editor a button names, then show the newsroom as it now is."""
    query = update.callback_query
    assert query is not None
    lang = reply_language(update)
    button = RosterButton.parse(context.match)
    if button is None:
        await query.answer(t(lang, "newsroom.editors.stale"), show_alert=True)
        return
    await query.answer()
    if button.change == "add":
        name = await _name_of(context, button.user_id)
        text = await _add_editor(update, context, button.user_id, name)
    else:
        text = await _remove_editor(update, context, button.user_id)
    roster = await _roster_view(context, lang)
    await _edit(query, View(f"{text}\n\n{roster.text}", roster.markup))


async def _edit(query: CallbackQuery, view: View) -> None:
    """Show a view in place of the message whose button was pressed."""
    if isinstance(query.message, Message):
        with contextlib.suppress(BadRequest):  # unchanged, or deleted meanwhile
            await query.message.edit_text(view.text, reply_markup=view.markup)


# --- /journal ---------------------------------------------------------------------------


def _journal_line(entry: JournalEntry, lang: str, tz: str) -> str:
    date = format_short_date(from_ts(entry.at), lang, tz)
    who = entry.who or t(lang, "newsroom.journal.someone", id=entry.user_id)
    try:
        action = t(lang, f"newsroom.action.{entry.action}")
    except KeyError:  # an action newer than this catalogue: its name, as written
        action = f"<code>{escape(entry.action)}</code>"
    what = ""
    if entry.article_id is not None:
        title = escape(excerpt(entry.article_title or entry.detail, _WHAT_CHARS))
        what = t(lang, "newsroom.journal.article", id=entry.article_id, title=title)
    elif entry.detail:
        what = t(lang, "newsroom.journal.detail", detail=escape(excerpt(entry.detail, _WHAT_CHARS)))
    return t(
        lang,
        "newsroom.journal.line",
        date=escape(date),
        who=escape(excerpt(who, _NAME_CHARS)),
        action=action,
        what=what,
    )


async def _journal_view(context: Context, lang: str, button: JournalPageButton | None) -> View:
    data = context.bot_data
    before = button.entry_id if button is not None and button.direction == "o" else None
    after = button.entry_id if button is not None and button.direction == "n" else None
    entries, more = await audit.journal_page(
        data.db.reader, JOURNAL_PAGE_SIZE, before=before, after=after
    )
    if not entries:
        return View(f"{t(lang, 'newsroom.journal.header')}\n\n{t(lang, 'newsroom.journal.empty')}")
    lines = [_journal_line(entry, lang, data.settings.timezone) for entry in entries]
    newer = more if after is not None else before is not None
    older = more if after is None else True
    turns = []
    if newer:
        turns.append(
            InlineKeyboardButton(
                t(lang, "reading.button.newer"),
                callback_data=JournalPageButton("n", entries[0].id).pack(),
            )
        )
    if older:
        turns.append(
            InlineKeyboardButton(
                t(lang, "reading.button.older"),
                callback_data=JournalPageButton("o", entries[-1].id).pack(),
            )
        )
    text = f"{t(lang, 'newsroom.journal.header')}\n\n" + "\n".join(lines)
    return View(text, InlineKeyboardMarkup([turns]) if turns else None)


async def show_journal(update: Update, context: Context) -> None:
    """Show the newsroom's latest actions, newest first."""
    await reply_view(update, await _journal_view(context, reply_language(update), None))


async def turn_journal(update: Update, context: Context) -> None:
    """Show the journal page a button points at, in place."""
    query = update.callback_query
    assert query is not None
    lang = reply_language(update)
    button = JournalPageButton.parse(context.match)
    if button is None:
        await query.answer(t(lang, "newsroom.journal.stale"), show_alert=True)
        return
    await query.answer()
    await _edit(query, await _journal_view(context, lang, button))


def register(application: NewsbotApplication) -> None:
    """Register /editors, /journal, their buttons and the forwarded messages of chiefs."""
    chiefs = application.bot_data.settings.admins
    application.add_handler(CommandHandler(command_names("editors"), ChiefOnly(show_editors)))
    application.add_handler(CommandHandler(command_names("journal"), ChiefOnly(show_journal)))
    application.add_handler(
        CallbackQueryHandler(ChiefOnly(press_roster), pattern=RosterButton.PATTERN)
    )
    application.add_handler(
        CallbackQueryHandler(ChiefOnly(turn_journal), pattern=JournalPageButton.PATTERN)
    )
    # Only a chief editor's forwards: anyone else's stay what they were (a search).
    forwarded = filters.FORWARDED & filters.ChatType.PRIVATE & filters.User(user_id=chiefs)
    application.add_handler(MessageHandler(forwarded, ChiefOnly(take_forward)))
