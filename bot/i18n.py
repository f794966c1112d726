"""Bot strings: one catalogue per language (bot/locales/), French by default."""

from __future__ import annotations

import unicodedata
from functools import cache

from babel import Locale
from babel.numbers import format_decimal

from bot.locales import en, fr

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "de",
    "language_for",
    "of_site",
    "plural",
    "t",
    "t_chat",
]

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


def t_chat(lang: str, key: str, /, *, group: bool, **params: object) -> str:
    """Return `key` as said to a group ("Ce groupe recevra…") when `group` and the catalogue
    has `key.group`; else `key`, as said to one person."""
    catalogue = _CATALOGUES.get(lang, _CATALOGUES[DEFAULT_LANGUAGE])
    if group and f"{key}.group" in catalogue:
        return t(lang, f"{key}.group", **params)
    return t(lang, key, **params)


# Not "y": it sounds as a consonant at the start of a name (de Yacouba).
_VOWELS = frozenset("aeiou")


def de(name: str) -> str:
    """Return the French "de" before a name: "de Kadiatou Maïga", elided before a vowel
    ("d’Ousmane Diakité"), contracted with an article ("du Républicain", "des Échos")."""
    name = name.strip()
    for article, contracted in (("Le ", "du "), ("Les ", "des ")):
        if name.startswith(article):
            return contracted + name[len(article) :]
    first = unicodedata.normalize("NFD", name[:1])[:1].lower()
    return f"d’{name}" if first in _VOWELS else f"de {name}"


def of_site(lang: str, site_name: str | None) -> str:
    """Return the paper as a complement: "du journal" or "de L’Essor"; "the newspaper"."""
    if not site_name:
        return t(lang, "bot.site")
    return de(site_name) if lang == "fr" else site_name


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
