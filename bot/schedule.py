"""Times of day as readers type them, quiet windows, and when a chat's next digest falls due.

A time of day is a number of minutes after local midnight (0-1439) in NEWSBOT_TIMEZONE.
Everything here is pure: the moment "now" is always passed in (Unix seconds), so that the
digest worker and the tests share one controllable clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "MAX_DIGEST_TIMES",
    "DigestPlan",
    "format_minute",
    "in_window",
    "local_minute",
    "next_at",
    "parse_times",
    "parse_window",
]

MAX_DIGEST_TIMES = 6
"""Digests a day a chat may ask for: more is an alert stream, which the chat already has."""

# "7h", "07:00", "7h30", "19 h", "7.30", "7" — an hour, then optionally its minutes.
_TIME = re.compile(r"(?P<hour>\d{1,2})\s*(?:[:hH.]\s*(?P<minute>\d{2})?)?")
_LIST_SEPARATORS = re.compile(r"\s*(?:[,;/]|\bet\b|\band\b)\s*", re.IGNORECASE)
_WINDOW_SEPARATORS = re.compile(r"\s*(?:[-–—]|\bà\b|\ba\b|\bto\b)\s*", re.IGNORECASE)
_WINDOW_OPENERS = re.compile(r"^(?:de|from)\s+", re.IGNORECASE)
_NAMED_TIMES = {"midi": 12 * 60, "minuit": 0, "noon": 12 * 60, "midnight": 0}


def _parse_time(text: str) -> int | None:
    named = _NAMED_TIMES.get(text.strip().lower())
    if named is not None:
        return named
    match = _TIME.fullmatch(text.strip())
    if match is None:
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if hour > 23 or minute > 59:
        return None
    return hour * 60 + minute


def parse_times(text: str) -> tuple[int, ...] | None:
    """Return the times of day in "7h, 12:30 et 19 h" (or "7h 18h", "midi"), sorted, once each;
    None if any is not one."""
    pieces = [piece for piece in _LIST_SEPARATORS.split(text.strip()) if piece]
    minutes = [_parse_time(piece) for piece in pieces]
    if None in minutes:  # "7:00 18:00", "7h 18h": times apart by spaces only
        minutes = [_parse_time(piece) for piece in text.split()]
    if not minutes or None in minutes:
        return None
    found = sorted({minute for minute in minutes if minute is not None})
    return tuple(found) if len(found) <= MAX_DIGEST_TIMES else None


def parse_window(text: str) -> tuple[int, int] | None:
    """Return (start, end) of "22:00-07:00", "de 22h à 7h"; None unless two different times."""
    pieces = _WINDOW_SEPARATORS.split(_WINDOW_OPENERS.sub("", text.strip()))
    if len(pieces) != 2:
        return None
    start, end = _parse_time(pieces[0]), _parse_time(pieces[1])
    if start is None or end is None or start == end:
        return None
    return start, end


def format_minute(minute: int) -> str:
    """Return a time of day as the bot writes it: "07:00"."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def local_minute(moment: float, zone: ZoneInfo) -> int:
    """Return the local time of day of a Unix moment, in minutes after midnight."""
    local = datetime.fromtimestamp(moment, zone)
    return local.hour * 60 + local.minute


def in_window(minute: int, start: int, end: int) -> bool:
    """Return whether a time of day falls in [start, end), a window that may cross midnight."""
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end


def next_at(minutes: Iterable[int], after: float, zone: ZoneInfo) -> float | None:
    """Return the first moment strictly after `after` whose local time is one of `minutes`.

    Days are walked in local time, so a digest keeps its hour across a change of offset;
    a time that does not exist that day (a spring-forward gap) comes out shifted as
    zoneinfo shifts it, never skipped.
    """
    wanted = sorted(set(minutes))
    if not wanted:
        return None
    today = datetime.fromtimestamp(after, zone).date()
    for days in range(3):
        day = today + timedelta(days=days)
        for minute in wanted:
            moment = datetime.combine(day, time(minute // 60, minute % 60), zone).timestamp()
            if moment > after:
                return moment
    return None  # pragma: no cover - three days always hold the next of any time of day


@dataclass(frozen=True, slots=True)
class DigestPlan:
    """When a chat takes its news: digest times, and quiet hours (start, end) or None."""

    digest_times: Sequence[int] = ()
    quiet: tuple[int, int] | None = None

    @property
    def holds(self) -> bool:
        """Return whether ordinary alerts may wait for a digest at all."""
        return bool(self.digest_times) or self.quiet is not None

    def is_quiet(self, moment: float, zone: ZoneInfo) -> bool:
        """Return whether `moment` falls in the chat's quiet hours."""
        if self.quiet is None:
            return False
        return in_window(local_minute(moment, zone), *self.quiet)

    def next_digest(self, after: float, zone: ZoneInfo) -> float | None:
        """Return when the next digest falls due: the next digest time, else the end of the
        quiet hours (what waited through them), else None."""
        if self.digest_times:
            return next_at(self.digest_times, after, zone)
        if self.quiet is not None:
            return next_at((self.quiet[1],), after, zone)
        return None
