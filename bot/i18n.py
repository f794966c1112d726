"""Bot strings: one catalogue per language (bot/locales/), French by default."""

from __future__ import annotations

from bot.locales import en, fr

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "language_for", "t"]

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
