"""Reader settings: /digest, /quiet, and /settings with its buttons.

`/digest 7h, 18h` gathers a chat's new articles into one message at those times, `/quiet
22h-7h` keeps alerts back through the night and sends them together when it ends (bot/digests.py
does the sending; db/digests.py keeps the settings). `/settings` shows the language, digest,
quiet hours and subscriptions in one message, each changed by a button (`SettingsButton`;
the language through /language's own `choose_language`; `SubscriptionsPageButton` opens the
list), so that nobody has to type a time. In a group, only its administrators change them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeAlias

from telegram import InlineKeyboardButton, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import schedule
from bot.buttons import SettingsButton, SubscriptionsPageButton
from bot.digests import reschedule
from bot.formatting import escape, excerpt
from bot.i18n import LANGUAGES, plural, t, t_chat
from bot.site import fold
from db import Connection, chats, digests
from handlers.access import refuse_unless_chat_admin, reply_language
from handlers.language import LANGUAGE_NAMES, choose_language
from handlers.menu import command_names
from handlers.views import View, in_group, markup, replace_view, reply_view

if TYPE_CHECKING:
    from bot.context import Context, NewsbotApplication

__all__ = ["DIGEST_PRESETS", "QUIET_PRESETS", "register"]

DIGEST_PRESETS = (7 * 60, 12 * 60, 18 * 60)
"""The digest times /settings offers as toggles (minutes after midnight)."""
QUIET_PRESETS = ((22 * 60, 7 * 60), (23 * 60, 6 * 60))
"""The quiet hours /settings offers."""
_OFF = frozenset({"off", "non", "no", "aucun", "aucune", "none", "stop", "arret", "fin"})
_NAMES_SHOWN = 5  # subscriptions named in /settings; /subscriptions lists them all
_NAME_CHARS = 40
_Store: TypeAlias = Callable[[Connection, int, float], Awaitable[None]]
"""Writes one change of a chat's settings: (connection, chat id, now)."""


def _join(lang: str, minutes: tuple[int, ...] | list[int]) -> str:
    """Return "07:00, 12:00 et 18:00"."""
    shown = [schedule.format_minute(minute) for minute in minutes]
    if len(shown) < 2:
        return "".join(shown)
    return ", ".join(shown[:-1]) + t(lang, "settings.and") + shown[-1]


async def _save(update: Update, context: Context, store: _Store) -> None:
    """Store a change of the chat's settings and owe it its next digest accordingly, in one
    transaction; the digest worker then looks again."""
    chat = update.effective_chat
    assert chat is not None
    data = context.bot_data
    now = data.clock()
    async with data.db.transaction() as conn:
        await store(conn, chat.id, now)
        await reschedule(conn, chat.id, data.settings.tzinfo, now)
    if data.digests is not None:
        data.digests.wake()


def _digest_times(times: tuple[int, ...]) -> _Store:
    return lambda conn, chat_id, now: digests.set_digest_times(conn, chat_id, times, now)


def _quiet_hours(window: tuple[int, int] | None) -> _Store:
    return lambda conn, chat_id, now: digests.set_quiet_hours(conn, chat_id, window, now)


def _typed(context: Context) -> str:
    return " ".join(context.args or []).strip()


async def set_digest(update: Update, context: Context) -> None:
    """Set the chat's digest times (/digest 7h, 18h), or turn digests off (/digest off)."""
    if await refuse_unless_chat_admin(update, context):
        return
    lang = reply_language(update)
    typed = _typed(context)
    if not typed:
        await reply_view(update, View(t(lang, "settings.digest_usage")))
        return
    if fold(typed) in _OFF:
        await _save(update, context, _digest_times(()))
        await reply_view(update, View(t(lang, "settings.digest_off")))
        return
    times = schedule.parse_times(typed)
    if times is None:
        bad = escape(excerpt(typed, 40))
        await reply_view(update, View(t(lang, "settings.digest_bad", text=bad)))
        return
    await _save(update, context, _digest_times(times))
    text = t_chat(lang, "settings.digest_set", group=in_group(update), times=_join(lang, times))
    await reply_view(update, View(text))


async def set_quiet(update: Update, context: Context) -> None:
    """Set the chat's quiet hours (/quiet 22:00-07:00), or turn them off (/quiet off)."""
    if await refuse_unless_chat_admin(update, context):
        return
    lang = reply_language(update)
    typed = _typed(context)
    if not typed:
        await reply_view(update, View(t(lang, "settings.quiet_usage")))
        return
    if fold(typed) in _OFF:
        await _save(update, context, _quiet_hours(None))
        await reply_view(update, View(t(lang, "settings.quiet_off")))
        return
    window = schedule.parse_window(typed)
    if window is None:
        bad = escape(excerpt(typed, 40))
        await reply_view(update, View(t(lang, "settings.quiet_bad", text=bad)))
        return
    await _save(update, context, _quiet_hours(window))
    start, end = (schedule.format_minute(minute) for minute in window)
    await reply_view(update, View(t(lang, "settings.quiet_set", start=start, end=end)))


# --- /settings -------------------------------------------------------------------------


async def _settings_view(context: Context, chat_id: int, lang: str, *, group: bool) -> View:
    """Return the chat's settings, one line each, and the buttons that change them."""
    reader = context.bot_data.db.reader
    chat = await chats.get_chat(reader, chat_id)
    current = chat.language if chat is not None else lang
    settings = await digests.get_settings(reader, chat_id)
    lines = [t_chat(lang, "settings.title", group=group)]
    lines.append(t(lang, "settings.language", language=LANGUAGE_NAMES.get(current, current)))
    if settings.digest_times:
        lines.append(t(lang, "settings.digest", times=_join(lang, settings.digest_times)))
    else:
        lines.append(t(lang, "settings.digest_none"))
    if settings.quiet is not None:
        start, end = (schedule.format_minute(minute) for minute in settings.quiet)
        lines.append(t(lang, "settings.quiet", start=start, end=end))
    else:
        lines.append(t(lang, "settings.quiet_none"))
    total = await chats.follow_count(reader, chat_id)
    if total:
        page = await chats.subscriptions_page(reader, chat_id, _NAMES_SHOWN)
        names = ", ".join(escape(excerpt(s.label, _NAME_CHARS)) for s in page.items)
        if page.has_more:
            names += ", …"
        lines.append(plural(lang, "settings.subscriptions", total, names=names))
    else:
        lines.append(t(lang, "settings.no_subscriptions"))
    text = "\n".join(lines) + "\n\n" + t(lang, "settings.hint")
    return View(
        text, markup(_keyboard(lang, current, settings.digest_times, settings.quiet, total))
    )


def _checked(label: str, on: bool) -> str:
    return f"✅ {label}" if on else label


def _keyboard(
    lang: str,
    language: str,
    times: tuple[int, ...],
    quiet: tuple[int, int] | None,
    follows: int,
) -> list[list[InlineKeyboardButton]]:
    languages = [
        InlineKeyboardButton(
            _checked(LANGUAGE_NAMES.get(code, code), code == language),
            callback_data=SettingsButton("l", code).pack(),
        )
        for code in LANGUAGES
    ]
    # The presets, and any other time the chat typed, so that each can be taken out here.
    shown = sorted({*DIGEST_PRESETS, *times})
    digest_times = [
        InlineKeyboardButton(
            _checked(f"🗞 {schedule.format_minute(minute)}", minute in times),
            callback_data=SettingsButton("d", str(minute)).pack(),
        )
        for minute in shown
    ]
    digest_off = InlineKeyboardButton(
        _checked(t(lang, "settings.button.digest_off"), not times),
        callback_data=SettingsButton("d", "off").pack(),
    )
    windows = sorted({*QUIET_PRESETS, *([quiet] if quiet else [])})
    quiet_hours = [
        InlineKeyboardButton(
            _checked(
                f"🌙 {schedule.format_minute(start)}–{schedule.format_minute(end)}",
                (start, end) == quiet,
            ),
            callback_data=SettingsButton("q", f"{start}-{end}").pack(),
        )
        for start, end in windows
    ]
    quiet_off = InlineKeyboardButton(
        _checked(t(lang, "settings.button.quiet_off"), quiet is None),
        callback_data=SettingsButton("q", "off").pack(),
    )
    rows = [languages, digest_times[:4], digest_times[4:], [digest_off], quiet_hours, [quiet_off]]
    if follows:
        manage = InlineKeyboardButton(
            t(lang, "settings.button.subscriptions"),
            callback_data=SubscriptionsPageButton(0).pack(),
        )
        rows.append([manage])
    return rows


async def show_settings(update: Update, context: Context) -> None:
    """Show the chat's settings with the buttons that change them."""
    chat = update.effective_chat
    assert chat is not None
    if await refuse_unless_chat_admin(update, context):
        return
    lang = reply_language(update)
    await reply_view(update, await _settings_view(context, chat.id, lang, group=in_group(update)))


def _minute(text: str) -> int | None:
    minute = int(text) if text.isdigit() else -1
    return minute if 0 <= minute < 24 * 60 else None


async def press_settings_button(update: Update, context: Context) -> None:
    """Apply a /settings button (a digest time toggled, quiet hours) and redraw the settings."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None
    if chat is None or await refuse_unless_chat_admin(update, context):
        return
    lang = reply_language(update)
    button = SettingsButton.parse(context.match)
    if button is None:
        await query.answer(t(lang, "settings.stale"), show_alert=True)
        return
    current = await digests.get_settings(context.bot_data.db.reader, chat.id)
    if button.setting == "d":
        if button.value == "off":
            await _save(update, context, _digest_times(()))
        elif (minute := _minute(button.value)) is None:
            await query.answer(t(lang, "settings.stale"), show_alert=True)
            return
        else:
            times = set(current.digest_times) ^ {minute}
            if len(times) > schedule.MAX_DIGEST_TIMES:
                await query.answer(t(lang, "settings.digest_full"), show_alert=True)
                return
            await _save(update, context, _digest_times(tuple(sorted(times))))
    elif button.setting == "q":
        bounds = [_minute(part) for part in button.value.split("-")]
        if button.value == "off":
            await _save(update, context, _quiet_hours(None))
        elif len(bounds) != 2 or bounds[0] is None or bounds[1] is None or bounds[0] == bounds[1]:
            await query.answer(t(lang, "settings.stale"), show_alert=True)
            return
        else:
            await _save(update, context, _quiet_hours((bounds[0], bounds[1])))
    elif button.setting == "l":
        if button.value not in LANGUAGES:
            await query.answer(t(lang, "settings.stale"), show_alert=True)
            return
        await choose_language(update, context, button.value)
        lang = button.value  # the settings are drawn again in the language just chosen
    await query.answer(t(lang, "settings.saved") if button.setting != "show" else None)
    await replace_view(query, await _settings_view(context, chat.id, lang, group=in_group(update)))


def register(application: NewsbotApplication) -> None:
    application.add_handler(CommandHandler(command_names("digest"), set_digest))
    application.add_handler(CommandHandler(command_names("quiet"), set_quiet))
    application.add_handler(CommandHandler(command_names("settings"), show_settings))
    application.add_handler(
        CallbackQueryHandler(press_settings_button, pattern=SettingsButton.PATTERN)
    )
