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
    "sub.admins_only": "Only the group’s administrators can change its subscriptions.",
    "sub.topic_added": "You will get new articles on {name}.",
    "sub.topic_already": "You already follow {name}.",
    "sub.author_added": "You will get new articles by {name}.",
    "sub.author_already": "You already follow {name}.",
    "sub.choose_topic": "Choose the topics to follow:",
    "sub.which_one": "Several matches. Which one do you want to follow?",
    "sub.new_topic_button": "No, follow #{name}",
    "sub.did_you_mean": "“{word}” matches no topic or author. Did you mean:",
    "sub.bad_name": "That name can’t be a topic. Try a word, like <code>/subscribe Mali</code>.",
    "sub.new_topic_added": "No article carries {name} yet, but you will be told as soon as one does.",
    "sub.confirm_all_button": "Yes, stop everything",
    "sub.confirm_all": "Stop every subscription of this chat?",
    "sub.removed": "You no longer follow {name}.",
    "sub.not_following": "You don’t follow “{name}”. /subscriptions shows what you follow.",
    "sub.none": "No subscriptions yet. Try <code>/subscribe Mali</code> or /topics.",
    "sub.list": "Your subscriptions ({count}):\n{lines}",
    "sub.all_removed": "Done: {count} subscription(s) stopped.",
    "sub.stale_button": "This button has expired. Start again with /subscribe.",
    "sub.removed_short": "You no longer follow {name}",
    "sub.added_short": "Subscribed to {name}",
    # --- editors (handlers/editor.py) ---
    # --- feeds (handlers/feeds.py) ---
    "feeds.error.bad_url": "the address must start with http:// or https://",
    "feeds.error.timeout": "the site did not answer in time",
    "feeds.error.network": "the site cannot be reached",
    "feeds.error.http": "the site answered with error {status}",
    "feeds.error.redirects": "the site keeps redirecting from one address to another",
    "feeds.error.too_big": "the feed is larger than {megabytes} MB",
    "feeds.error.encoding": "the site sends the feed in an unknown compression",
    "feeds.error.not_feed": "this page is not an RSS or Atom feed",
    "feeds.error.unsafe": "the feed contains dangerous XML declarations and was refused",
    "feeds.error.internal": "internal error in the bot, see its log",
    "feeds.error.file": "file not found or unreadable",
    "feeds.usage_add": (
        "Give the feed’s address and, if you like, the interval in minutes: "
        "<code>/addfeed https://example.ml/feed 10</code>"
    ),
    "feeds.usage_remove": "Give the number of the feed to remove: <code>/removefeed 3</code>",
    "feeds.bad_interval": "The interval must be a number of minutes between 1 and {max}.",
    "feeds.fetching": "⏳ Reading the feed…",
    "feeds.added": (
        "✅ Feed #{id} added: {feed}\n"
        "{found} article(s) found, {new} of them new, imported without alerts. "
        "I will read it every {minutes} min."
    ),
    "feeds.add_failed": "❌ I could not read this feed: {error}. Nothing was added.",
    "feeds.already": "This feed is already followed: #{id}, {feed}.",
    "feeds.removed": "🗑 Feed #{id} removed: {feed}. Its articles stay online.",
    "feeds.not_found": "There is no feed #{id}. The list: /feeds",
    "feeds.unavailable": "Feed reading is not running right now. Please try again later.",
    "feeds.none": "No feeds yet. Add one with <code>/addfeed https://example.ml/feed</code>",
    "feeds.list_title": "<b>Followed feeds ({count})</b>",
    "feeds.entry": "<b>#{id}</b> · {feed}\n{url}\nEvery {minutes} min · {state}",
    "feeds.state_ok": "✅ read {last_success}, next read {next_poll}",
    "feeds.state_new": "⏳ not read yet, first read {next_poll}",
    "feeds.state_failing": (
        "⚠️ {failures} failure(s) in a row, last success: {last_success}, "
        "next try {next_poll}\nError: {error}"
    ),
    "feeds.soon": "any moment now",
    "feeds.never": "never",
    "feeds.notice_failing": (
        "⚠️ Feed #{id} ({feed}) has failed {failures} times in a row: {error}. "
        "I will keep trying, less and less often. Status: /feeds"
    ),
    "feeds.notice_recovered": "✅ Feed #{id} ({feed}) works again.",
}
