"""English messages, for users whose Telegram language is English. Same keys as fr.py."""

MESSAGES: dict[str, str] = {
    # --- common ---
    "alert_read_button": "Read the article",
    "editors_only": "This command is for the newsroom only.",
    "greeting": "Hello! I am the newspaper’s news bot.",
    # --- site conventions (bot/site.py) ---
    "draft.empty": (
        "The message is empty. Send the article as one message: the title "
        "<code>#Mali : Article title</code>, the byline <code>Par First LAST</code> "
        "(optional), then the text."
    ),
    "draft.no_title": (
        "The title is missing. The first line should look like: <code>#Mali : Article title</code>"
    ),
    "draft.title_only_hashtags": (
        "The title is empty: write it after {topics} and the colon, "
        "for example <code>#Mali : Article title</code>"
    ),
    "draft.title_too_long": (
        "The title is too long: {length} characters, at most {limit}. Please shorten it."
    ),
    "draft.no_text": (
        "The text is missing. After the title and the byline, write at least one paragraph."
    ),
    "draft.lead_too_long": (
        "The first paragraph is too long: {length} characters, at most {limit}. "
        "Separate paragraphs with a blank line."
    ),
    "draft.text_too_long": "The article is too long: {length} characters, at most {limit}.",
    "draft.bad_link": (
        "The link “{url}” is not valid: it must start with https:// (or http://). "
        "Fix the <code>Lien :</code> or <code>Photo :</code> line."
    ),
    # --- formatting (bot/formatting.py) ---
    "formatting.urgent": "🔴 BREAKING",
    "formatting.byline": "By {author}",
    "formatting.newsroom": "The newsroom",
    "formatting.published": "Published {date}",
    "formatting.updated": "✏️ Updated: {date}",
    "formatting.withdrawn": "This article has been withdrawn by the newsroom.",
    "formatting.read_on_site": "Read the article on the website",
    # --- reading (handlers/reading.py) ---
    # --- subscriptions (handlers/subscriptions.py) ---
    # --- editors (handlers/editor.py) ---
    # --- feeds (handlers/feeds.py) ---
}
