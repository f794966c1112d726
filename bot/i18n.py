"""Bot strings: one catalogue per language (bot/locales/), French by default."""

from __future__ import annotations

from functools import cache

from babel import Locale
from babel.numbers import format_decimal

from bot.locales import en, fr

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "language_for", "plural", "t"]

DEFAULT_LANGUAGE = "fr"
_CATALOGUES: dict[str, dict[str, str]] = {"fr": fr.MESSAGES, "en": en.MESSAGES}
LANGUAGES = tuple(_CATALOGUES)


def language_for(code: str | None) -> str:
    """Return the catalogue for a Telegram language_code: English for English, else French."""
    if code and code.lower().split("-")[0] == "en":
        return "en"
    return DEFAULT_LANGUAGE


def t(lang: str, key: str, /, **params: object) -> str:
    """Return the message `key` in `lang`, formatted with `params`."""
    catalogue = _CATALOGUES.get(lang, _CATALOGUES[DEFAULT_LANGUAGE])
    template = catalogue.get(key) or _CATALOGUES[DEFAULT_LANGUAGE][key]
    return template.format(**params) if params else template


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


def plural(lang: str, key: str, count: int, /, **params: object) -> str:
    """Return `key.one` or `key.many` for `count` by the language's plural rule (CLDR).

    French puts 0 and 1 in the singular, English only 1; `{count}` is written the
    language's way (1 500 in French, 1,500 in English).
    """
    form = "one" if _locale(lang).plural_form(count) == "one" else "many"
    return t(lang, f"{key}.{form}", count=format_decimal(count, locale=lang), **params)
