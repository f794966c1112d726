"""Every inline button's callback data: one small frozen dataclass per kind of button.

A button packs itself into Telegram's 1-64 bytes with `pack()` (the limit is asserted there,
and nowhere else) and is read back from the match of its class's `PATTERN`:

    CallbackQueryHandler(open_article, pattern=ArticleButton.PATTERN)
    button = ArticleButton.parse(context.match)  # None: forged, truncated or too old

A `PATTERN` takes every data that starts with its kind's prefix, well formed or not, so that
the kind's own handler answers a stale or forged button in its own words; `parse` accepts
only the exact format. The formats below never change: buttons already sitting in chats
keep working.

    art:<article_id>                                ArticleButton
    pg:<scope>:<o|n>:<article_id>:<size>:<index>    ArticlePageButton
    au:<author_id>                                  AuthorButton
    tp:<topic_id>:<size>                            TopicButton
    aus:<offset> / tps:<offset>                     AuthorsPageButton / TopicsPageButton
    sr:<offset>:<words> / sr:<offset>:~<token>      SearchPageButton
    sub:<t|a>:<id>, sub:+…, sub:-…                  SubscriptionButton
    sub:new:<name>                                  NewTopicButton
    sub:all, sub:all:no                             UnsubscribeAllButton (yes, no)
    subs:<offset>                                   SubscriptionsPageButton
    unw:<watch_id>                                  UnwatchButton (a keyword watch)
    lang:<code>                                     LanguageButton
    set:<d|q|l>:<value>, set:show                   SettingsButton (/settings)
    ed:<action>:<token>                             EditorButton (every editor button)
    ed:at:<token>:<day>[:<minutes>]                 ScheduleButton (a draft's publication time)
    ed:sch:<now|drop>:<scheduled_id>                ScheduledButton (/scheduled)
    ed:ne:<+|->:<user_id>                           RosterButton (/editors: add, remove)
    ed:jr:<o|n>:<entry_id>                          JournalPageButton (/journal pages)

`SubscriptionButton.PATTERN` takes every "sub:" data, so its handler is registered after
those of `NewTopicButton` and `UnsubscribeAllButton`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, Literal

__all__ = [
    "MAX_BYTES",
    "ArticleButton",
    "ArticlePageButton",
    "AuthorButton",
    "AuthorsPageButton",
    "Button",
    "EditorButton",
    "JournalPageButton",
    "LanguageButton",
    "NewTopicButton",
    "RosterButton",
    "ScheduleButton",
    "ScheduledButton",
    "Scope",
    "SearchPageButton",
    "SettingsButton",
    "SubscriptionButton",
    "SubscriptionsPageButton",
    "TopicButton",
    "TopicsPageButton",
    "UnsubscribeAllButton",
    "UnwatchButton",
]

MAX_BYTES = 64
"""Telegram's limit on callback_data, in bytes of UTF-8."""


def _pattern(prefix: str, fields: str = "") -> re.Pattern[str]:
    """Compile a pattern taking every data that starts with `prefix`, well formed or not.

    Its group "ok" matches only when the rest of the data is exactly `fields`.
    """
    return re.compile(rf"^{prefix}(?P<ok>{fields}\Z)?")


def _fields(match: re.Match[str] | None) -> dict[str, str] | None:
    """Return the named fields of well-formed data; None for forged or truncated data."""
    if match is None or match["ok"] is None:
        return None
    return {name: value for name, value in match.groupdict().items() if value is not None}


class Button:
    """What every kind of button shares: its data, packed within Telegram's 64 bytes."""

    __slots__ = ()
    PATTERN: ClassVar[re.Pattern[str]]

    @classmethod
    def parse(cls, match: re.Match[str] | None) -> Button | None:
        """Return the button pressed; None when its data is not well formed."""
        raise NotImplementedError

    def _data(self) -> str:
        raise NotImplementedError

    def fits(self) -> bool:
        """Return whether the data holds in Telegram's 64 bytes."""
        return len(self._data().encode()) <= MAX_BYTES

    def pack(self) -> str:
        """Return the callback data; it must hold in 64 bytes."""
        data = self._data()
        assert len(data.encode()) <= MAX_BYTES, f"callback_data over {MAX_BYTES} bytes: {data!r}"
        return data


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArticleButton(Button):
    """Open an article (also the alerts' "Lire l'article")."""

    article_id: int
    PATTERN: ClassVar[re.Pattern[str]] = _pattern("art:", r"(?P<article_id>\d{1,18})")

    def _data(self) -> str:
        return f"art:{self.article_id}"

    @classmethod
    def parse(cls, match: re.Match[str] | None) -> ArticleButton | None:
        """Return the button pressed; None when its data is not well formed."""
        if (fields := _fields(match)) is None:
            return None
        return cls(int(fields["article_id"]))


@dataclass(frozen=True, slots=True)
class Scope:
    """Which articles a list shows: the latest ("l"), a topic's ("t") or an author's ("a")."""

    kind: Literal["l", "t", "a"]
    id: int = 0

    def encode(self) -> str:
        """Return the scope as a page button carries it: "l", "t<topic_id>" or "a<author_id>"."""
        return "l" if self.kind == "l" else f"{self.kind}{self.id}"

    @classmethod
    def decode(cls, raw: str) -> Scope:
        """Return the scope a page button carries (as `encode` wrote it)."""
        if raw == "l":
            return cls("l")
        kind: Literal["t", "a"] = "t" if raw[0] == "t" else "a"
        return cls(kind, int(raw[1:]))


@dataclass(frozen=True, slots=True)
class ArticlePageButton(Button):
    """Turn an article list in place: older ("o") than the anchor article, or newer ("n").

    `index` numbers the first card of the page to show (older), or the anchor's own card
    (newer).
    """

    scope: Scope
    direction: Literal["o", "n"]
    anchor: int
    size: int
    index: int
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(
        "pg:",
        r"(?P<scope>l|[ta]\d{1,18}):(?P<direction>[on]):(?P<anchor>\d{1,18})"
        r":(?P<size>\d{1,2}):(?P<index>\d{1,7})",
    )

    def _data(self) -> str:
        return f"pg:{self.scope.encode()}:{self.direction}:{self.anchor}:{self.size}:{self.index}"

    @classmethod
    def parse(cls, match: re.Match[str] | None) -> ArticlePageButton | None:
        """Return the button pressed; None when its data is not well formed."""
        if (fields := _fields(match)) is None:
            return None
        direction: Literal["o", "n"] = "o" if fields["direction"] == "o" else "n"
        return cls(
            Scope.decode(fields["scope"]),
            direction,
            int(fields["anchor"]),
            int(fields["size"]),
            int(fields["index"]),
        )


@dataclass(frozen=True, slots=True)
class AuthorButton(Button):
    """Open an author's articles in a new message."""

    author_id: int
    PATTERN: ClassVar[re.Pattern[str]] = _pattern("au:", r"(?P<author_id>\d{1,18})")

    def _data(self) -> str:
        return f"au:{self.author_id}"

    @classmethod
    def parse(cls, match: re.Match[str] | None) -> AuthorButton | None:
        """Return the button pressed; None when its data is not well formed."""
        if (fields := _fields(match)) is None:
            return None
        return cls(int(fields["author_id"]))


@dataclass(frozen=True, slots=True)
class TopicButton(Button):
    """Open a topic's articles, `size` to a page, in a new message."""

    topic_id: int
    size: int
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(
        "tp:", r"(?P<topic_id>\d{1,18}):(?P<size>\d{1,2})"
    )

    def _data(self) -> str:
        return f"tp:{self.topic_id}:{self.size}"

    @classmethod
    def parse(cls, match: re.Match[str] | None) -> TopicButton | None:
        """Return the button pressed; None when its data is not well formed."""
        if (fields := _fields(match)) is None:
            return None
        return cls(int(fields["topic_id"]), int(fields["size"]))


@dataclass(frozen=True, slots=True)
class AuthorsPageButton(Button):
    """Turn the /authors list in place to the page starting at `offset`."""

    offset: int
    PATTERN: ClassVar[re.Pattern[str]] = _pattern("aus:", r"(?P<offset>\d{1,6})")

    def _data(self) -> str:
        return f"aus:{self.offset}"

    @classmethod
    def parse(cls, match: re.Match[str] | None) -> AuthorsPageButton | None:
        """Return the button pressed; None when its data is not well formed."""
        if (fields := _fields(match)) is None:
            return None
        return cls(int(fields["offset"]))


@dataclass(frozen=True, slots=True)
class TopicsPageButton(Button):
    """Turn the /topics list in place to the page starting at `offset`."""

    offset: int
    PATTERN: ClassVar[re.Pattern[str]] = _pattern("tps:", r"(?P<offset>\d{1,6})")

    def _data(self) -> str:
        return f"tps:{self.offset}"

    @classmethod
    def parse(cls, match: re.Match[str] | None) -> TopicsPageButton | None:
        """Return the button pressed; None when its data is not well formed."""
        if (fields := _fields(match)) is None:
            return None
        return cls(int(fields["offset"]))


@dataclass(frozen=True, slots=True)
class SearchPageButton(Button):
    """Turn a page of search results: the words themselves, or a token standing for them.

    Words are ``\\w+`` runs joined by spaces, so neither ":" nor "~" occurs in them; words
    too long for the 64 bytes are kept in the chat's data under `token` instead.
    """

    offset: int
    words: str = ""
    token: str = ""
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(
        "sr:", r"(?P<offset>\d{1,5}):(?:~(?P<token>[0-9a-f]{1,16})|(?P<words>[^:~]{1,60}))"
    )

    def _data(self) -> str:
        return f"sr:{self.offset}:~{self.token}" if self.token else f"sr:{self.offset}:{self.words}"

    @classmethod
    def parse(cls, match: re.Match[str] | None) -> SearchPageButton | None:
        """Return the button pressed; None when its data is not well formed."""
        if (fields := _fields(match)) is None:
            return None
        return cls(int(fields["offset"]), fields.get("words", ""), fields.get("token", ""))


# --- subscriptions -------------------------------------------------------------------------

_SIGNS = {"toggle": "", "follow": "+", "unfollow": "-"}


@dataclass(frozen=True, slots=True)
class SubscriptionButton(Button):
    """Toggle, follow or unfollow a topic ("t") or an author ("a") for the chat.

    Toggles sit on /topics and on topic and author pages; "follow" offers a choice among
    several matches of /subscribe; "unfollow" is the /subscriptions list's remove button.
    """

    kind: Literal["t", "a"]
    target_id: int
    change: Literal["toggle", "follow", "unfollow"] = "toggle"
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(
        "sub:", r"(?P<sign>[+-]?)(?P<kind>[ta]):(?P<target_id>\d{1,18})"
    )

    def _data(self) -> str:
        return f"sub:{_SIGNS[self.change]}{self.kind}:{self.target_id}"

    @classmethod
    def parse(cls, match: re.Match[str] | None) -> SubscriptionButton | None:
        """Return the button pressed; None when its data is not well formed."""
        if (fields := _fields(match)) is None:
            return None
        sign = fields["sign"]
        change: Literal["toggle", "follow", "unfollow"] = (
            "follow" if sign == "+" else "unfollow" if sign == "-" else "toggle"
        )
        kind: Literal["t", "a"] = "t" if fields["kind"] == "t" else "a"
        return cls(kind, int(fields["target_id"]), change)


@dataclass(frozen=True, slots=True)
class NewTopicButton(Button):
    """Follow a topic no article carries yet; the handler checks the name again."""

    name: str
    PATTERN: ClassVar[re.Pattern[str]] = _pattern("sub:new:", r"(?P<name>(?s:.+))")

    def _data(self) -> str:
        return f"sub:new:{self.name}"

    @classmethod
    def parse(cls, match: re.Match[str] | None) -> NewTopicButton | None:
        """Return the button pressed; None when its data is not well formed."""
        if (fields := _fields(match)) is None:
            return None
        return cls(fields["name"])


@dataclass(frozen=True, slots=True)
class UnsubscribeAllButton(Button):
    """Answer /unsubscribe all: stop every subscription ("Oui"), or keep them ("Non")."""

    confirm: bool = True
    PATTERN: ClassVar[re.Pattern[str]] = _pattern("sub:all", r"(?P<no>:no)?")

    def _data(self) -> str:
        return "sub:all" if self.confirm else "sub:all:no"

    @classmethod
    def parse(cls, match: re.Match[str] | None) -> UnsubscribeAllButton | None:
        """Return the button pressed; None when its data is not well formed."""
        if (fields := _fields(match)) is None:
            return None
        return cls(confirm="no" not in fields)


@dataclass(frozen=True, slots=True)
class SubscriptionsPageButton(Button):
    """Turn the /subscriptions list in place to the page starting at `offset`."""

    offset: int
    PATTERN: ClassVar[re.Pattern[str]] = _pattern("subs:", r"(?P<offset>\d{1,5})")

    def _data(self) -> str:
        return f"subs:{self.offset}"

    @classmethod
    def parse(cls, match: re.Match[str] | None) -> SubscriptionsPageButton | None:
        """Return the button pressed; None when its data is not well formed."""
        if (fields := _fields(match)) is None:
            return None
        return cls(int(fields["offset"]))


@dataclass(frozen=True, slots=True)
class UnwatchButton(Button):
    """Remove one keyword watch (/watch) of the chat: the /subscriptions list's ✖️ buttons."""

    watch_id: int
    PATTERN: ClassVar[re.Pattern[str]] = _pattern("unw:", r"(?P<watch_id>\d{1,18})")

    def _data(self) -> str:
        return f"unw:{self.watch_id}"

    @classmethod
    def parse(cls, match: re.Match[str] | None) -> UnwatchButton | None:
        """Return the button pressed; None when its data is not well formed."""
        if (fields := _fields(match)) is None:
            return None
        return cls(int(fields["watch_id"]))


# --- reader settings ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LanguageButton(Button):
    """Choose the chat's language (/language alone, /settings); the handler checks the code."""

    language: str
    PATTERN: ClassVar[re.Pattern[str]] = _pattern("lang:", r"(?P<language>[a-z]{2})")

    def _data(self) -> str:
        return f"lang:{self.language}"

    @classmethod
    def parse(cls, match: re.Match[str] | None) -> LanguageButton | None:
        """Return the button pressed; None when its data is not well formed."""
        if (fields := _fields(match)) is None:
            return None
        return cls(fields["language"])


@dataclass(frozen=True, slots=True)
class SettingsButton(Button):
    """Change a setting of /settings in place: a digest time toggled ("d", minutes after
    midnight) or digests "off"; quiet hours ("q") set to "start-end" or "off"; the chat's
    language ("l", its code); or, for `setting` "show", the settings drawn again."""

    setting: Literal["d", "q", "l", "show"]
    value: str = ""
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(
        "set:",
        r"(?:(?P<setting>[dql]):(?P<value>off|\d{1,4}(?:-\d{1,4})?|[a-z]{2})|(?P<show>show))",
    )

    def _data(self) -> str:
        return "set:show" if self.setting == "show" else f"set:{self.setting}:{self.value}"

    @classmethod
    def parse(cls, match: re.Match[str] | None) -> SettingsButton | None:
        """Return the button pressed; None when its data is not well formed."""
        if (fields := _fields(match)) is None:
            return None
        if "show" in fields:
            return cls("show")
        setting: Literal["d", "q", "l"] = "d"
        if fields["setting"] in ("q", "l"):
            setting = "q" if fields["setting"] == "q" else "l"
        return cls(setting, fields["value"])


# --- the newsroom --------------------------------------------------------------------------

_TOKEN = r"(?P<token>[A-Za-z0-9_-]{1,16})"  # what secrets.token_urlsafe gives


@dataclass(frozen=True, slots=True)
class EditorButton(Button):
    """An editor's button: an action on the pending draft or question the token names.

    The token only points at state kept on the server (a draft, a withdrawal to confirm),
    so a stale or forged button finds nothing. Every editor button starts with "ed:".
    """

    action: str
    token: str
    PREFIX: ClassVar[str] = "ed:"
    PATTERN: ClassVar[re.Pattern[str]] = _pattern("ed:", rf"(?P<action>[a-z_]{{1,16}}):{_TOKEN}")

    @classmethod
    def pattern_for(cls, *actions: str) -> re.Pattern[str]:
        """Compile a pattern taking the editor buttons of these actions only."""
        return _pattern(f"ed:(?P<action>{'|'.join(map(re.escape, actions))}):", _TOKEN)

    def _data(self) -> str:
        return f"ed:{self.action}:{self.token}"

    @classmethod
    def parse(cls, match: re.Match[str] | None) -> EditorButton | None:
        """Return the button pressed (from `PATTERN` or `pattern_for`); None if malformed."""
        if (fields := _fields(match)) is None:
            return None
        return cls(fields["action"], fields["token"])


@dataclass(frozen=True, slots=True)
class ScheduleButton(Button):
    """Choose when the draft the token names comes out: a day (0 today, 1 tomorrow), then a
    time of day in minutes after local midnight (None: the day only, the time comes next)."""

    token: str
    day: int
    minutes: int | None = None
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(
        "ed:at:", rf"{_TOKEN}:(?P<day>[01])(?::(?P<minutes>\d{{1,4}}))?"
    )

    def _data(self) -> str:
        tail = "" if self.minutes is None else f":{self.minutes}"
        return f"ed:at:{self.token}:{self.day}{tail}"

    @classmethod
    def parse(cls, match: re.Match[str] | None) -> ScheduleButton | None:
        """Return the button pressed; None when its data is not well formed."""
        if (fields := _fields(match)) is None:
            return None
        minutes = int(fields["minutes"]) if "minutes" in fields else None
        if minutes is not None and minutes >= 24 * 60:
            return None
        return cls(fields["token"], int(fields["day"]), minutes)


@dataclass(frozen=True, slots=True)
class ScheduledButton(Button):
    """Publish now ("now") or cancel ("drop") an article waiting in /scheduled."""

    action: Literal["now", "drop"]
    scheduled_id: int
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(
        "ed:sch:", r"(?P<action>now|drop):(?P<scheduled_id>\d{1,18})"
    )

    def _data(self) -> str:
        return f"ed:sch:{self.action}:{self.scheduled_id}"

    @classmethod
    def parse(cls, match: re.Match[str] | None) -> ScheduledButton | None:
        """Return the button pressed; None when its data is not well formed."""
        if (fields := _fields(match)) is None:
            return None
        action: Literal["now", "drop"] = "now" if fields["action"] == "now" else "drop"
        return cls(action, int(fields["scheduled_id"]))


@dataclass(frozen=True, slots=True)
class RosterButton(Button):
    """A chief editor's button: make a user an editor ("add") or take it back ("remove").

    Only the user id travels; the press is checked on the presser (`ChiefOnly`), so a forged
    button does nothing a chief editor could not type.
    """

    change: Literal["add", "remove"]
    user_id: int
    PATTERN: ClassVar[re.Pattern[str]] = _pattern("ed:ne:", r"(?P<sign>[+-])(?P<user_id>\d{1,18})")

    def _data(self) -> str:
        return f"ed:ne:{'+' if self.change == 'add' else '-'}{self.user_id}"

    @classmethod
    def parse(cls, match: re.Match[str] | None) -> RosterButton | None:
        """Return the button pressed; None when its data is not well formed."""
        if (fields := _fields(match)) is None:
            return None
        change: Literal["add", "remove"] = "add" if fields["sign"] == "+" else "remove"
        return cls(change, int(fields["user_id"]))


@dataclass(frozen=True, slots=True)
class JournalPageButton(Button):
    """Turn a page of /journal: the entries older ("o") or newer ("n") than an entry id."""

    direction: Literal["o", "n"]
    entry_id: int
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(
        "ed:jr:", r"(?P<direction>[on]):(?P<entry_id>\d{1,18})"
    )

    def _data(self) -> str:
        return f"ed:jr:{self.direction}:{self.entry_id}"

    @classmethod
    def parse(cls, match: re.Match[str] | None) -> JournalPageButton | None:
        """Return the button pressed; None when its data is not well formed."""
        if (fields := _fields(match)) is None:
            return None
        direction: Literal["o", "n"] = "o" if fields["direction"] == "o" else "n"
        return cls(direction, int(fields["entry_id"]))
