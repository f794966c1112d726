"""English messages, for users whose Telegram language is English. Same keys as fr.py."""

MESSAGES: dict[str, str] = {
    # --- common ---
    "greeting": "Hello! I am the newspaper’s news bot.",
    # --- site conventions (bot/site.py) ---
    # --- formatting (bot/formatting.py) ---
    # --- reading (handlers/reading.py) ---
    # --- subscriptions (handlers/subscriptions.py) ---
    # --- editors (handlers/editor.py) ---
    # --- feeds (handlers/feeds.py) ---
}
