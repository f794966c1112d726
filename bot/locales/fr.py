"""French messages (the default). Typography: a no-break space (U+00A0) before « : »,
a narrow no-break space (U+202F) before « ; ? ! » and inside « ». Values may contain
Telegram HTML; {placeholders} are filled with already-escaped text."""

MESSAGES: dict[str, str] = {
    # --- common ---
    "greeting": "Bonjour\u00a0! Je suis le bot d’information du journal.",
    # --- site conventions (bot/site.py) ---
    # --- formatting (bot/formatting.py) ---
    # --- reading (handlers/reading.py) ---
    # --- subscriptions (handlers/subscriptions.py) ---
    # --- editors (handlers/editor.py) ---
    # --- feeds (handlers/feeds.py) ---
}
