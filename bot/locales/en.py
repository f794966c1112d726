"""English messages, for users whose Telegram language is English. Same keys as fr.py."""

MESSAGES: dict[str, str] = {
    # --- common ---
    "error.database_busy": "The database is busy and nothing was changed. Please try again in a moment.",
    "too_fast": "Easy! You are sending messages too fast; I will answer again in a few seconds.",
    "error.unexpected": "Sorry, something went wrong on our side. Please try again in a moment.",
    "error.name_too_long": "That name is too long to look up. Type a word or two of the topic or author.",
    "alert_read_button": "Read the article",
    "editors_only": "This command is for the newsroom only.",
    "editor_private_only": "This newsroom command works only in private: send it to me in our private chat, not in a group or a channel.",
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
    "reading.welcome": (
        "👋 <b>Welcome!</b>\n"
        "I bring you the news from {of_site} right here: the latest articles, those of a topic "
        "or an author, and an alert as soon as an article you follow is published.\n\n"
        "/latest — the latest articles\n"
        "/topics — the topics, to subscribe\n"
        "/author <i>name</i> — an author’s articles\n"
        "/search <i>words</i> — search the articles\n"
        "/help — every command"
    ),
    "reading.start.gone": "This link leads nowhere any more: the article may have been withdrawn.",
    "reading.welcome.inline": (
        "To share an article in another chat, type <code>@{bot} words</code> there and pick it."
    ),
    "reading.nothing_to_cancel": "Nothing to cancel.",
    "bot.site": "the newspaper",
    "bot.description": (
        "The news from {of_site} on Telegram: the latest articles, those of a topic or an "
        "author, search, and an alert as soon as an article you follow is published."
    ),
    "bot.short_description": "The news from {of_site}, and an alert as soon as an article you follow is out.",
    "reading.help.header": "❓ <b>Commands</b>",
    "reading.help.plain_text": (
        "You can also just send me a few words: I will look for articles about them."
    ),
    "reading.help.inline": (
        "In any chat, type <code>@{bot} words</code> to pick an article and share it."
    ),
    "reading.help.english": "En français\u00a0: /langue fr",
    "reading.help.editors": "🛠 <b>Newsroom</b>",
    "reading.unknown_command": "I don’t know that command. /help lists them.",
    "reading.command.latest": "The latest articles",
    "reading.command.article": "Read a whole article",
    "reading.command.search": "Search the articles",
    "reading.command.author": "An author’s articles",
    "reading.command.authors": "All the authors",
    "reading.command.topics": "The topics, to subscribe",
    "reading.command.subscribe": "Follow a topic or an author",
    "reading.command.unsubscribe": "Stop a subscription",
    "reading.command.subscriptions": "Your subscriptions",
    "reading.command.help": "Help and the list of commands",
    "reading.command.language": "Choose the language (French or English)",
    "reading.command.publish": "Publish an article",
    "reading.command.edit": "Correct an article",
    "reading.command.unpublish": "Withdraw an article",
    "reading.command.stats": "Sending statistics",
    "reading.command.feeds": "The RSS feeds followed",
    "reading.command.addfeed": "Add an RSS feed",
    "reading.command.removefeed": "Remove an RSS feed",
    "reading.args.latest": "[number] [topic]",
    "reading.args.article": "number",
    "reading.args.search": "words",
    "reading.args.author": "name",
    "reading.args.subscribe": "topic or author",
    "reading.args.unsubscribe": "topic or author",
    "reading.args.language": "fr or en",
    "reading.button.subscribed": "✅ {name}",
    "reading.button.subscribe_topic": "➕ {name}",
    "reading.button.follow_author": "➕ Follow {name}",
    "reading.button.newer": "‹ Newer",
    "reading.button.older": "Older ›",
    "reading.button.previous": "‹ Previous",
    "reading.button.next": "Next ›",
    "reading.count.one": "{count} article",
    "reading.count.many": "{count} articles",
    "reading.latest.header": "📰 <b>The latest news</b>",
    "reading.latest.empty": "No article published yet.",
    "reading.latest.at_most.one": "I show at most {count} at a time.",
    "reading.latest.at_most.many": "I show at most {count} at a time.",
    "reading.topic.header": "📰 <b>The latest on {topic}</b>",
    "reading.topic.empty": "No article on {topic} yet.",
    "reading.topic.choose": "Several topics match “{query}”:",
    "reading.topic.unknown_close": "No topic “{query}”. Did you mean:",
    "reading.topic.unknown": "No topic “{query}”. /topics lists the topics.",
    "reading.author.header": "✍️ <b>Articles by {name}</b>\n{count}",
    "reading.author.empty": "{name} has no published article yet.",
    "reading.author.choose": "Several authors match “{query}”. Which one?",
    "reading.author.unknown_close": "No author “{query}”. Did you mean:",
    "reading.author.unknown": "No author “{query}”. /authors lists the authors.",
    "reading.authors.header": "✍️ <b>Authors</b>",
    "reading.authors.empty": "No authors yet.",
    "reading.topics.header": "🏷 <b>Topics</b>",
    "reading.topics.hint": "Tap a topic to read its articles, ➕ to subscribe to it.",
    "reading.topics.hint.group": "Tap a topic to read its articles, ➕ to subscribe the group to it.",
    "reading.topics.empty": "No topics yet.",
    "reading.article.related": "📚 <b>See also</b>",
    "reading.article.usage": (
        "Which article? /latest shows the latest articles, numbered: "
        "<code>/article 1</code> opens the first of the list."
    ),
    "reading.article.not_in_list": (
        "Your last list has no article number {number}. /latest shows the latest articles, "
        "numbered."
    ),
    "reading.button.share": "↗️ Share",
    "reading.article.not_found": (
        "This article does not exist or was withdrawn. /latest shows the latest articles."
    ),
    "reading.article.gone": "This article is no longer available.",
    "reading.stale_page": "This page is no longer available. Send the command again.",
    "reading.stale_button": "This button has expired.",
    "reading.search.usage": (
        "What are you looking for? Write for example <code>/search sécurité Mopti</code>, "
        "or just send me a few words."
    ),
    "reading.search.no_words": (
        "Write at least one word to look for, for example <code>/search coton</code>."
    ),
    "reading.search.none": "No article matches “{query}”. Try other words, or /latest.",
    "reading.search.header": "🔎 <b>Search: “{query}”</b>",
    "reading.search.expired": "This search has expired. Search again with /search.",
    # --- language (handlers/language.py) ---
    "language.choose": "Which language would you like my replies and the alerts in?",
    "language.choose.group": "Which language should this group get my replies and the alerts in?",
    "language.chosen": "Done: I will write to you in English from now on, replies and alerts alike.",
    "language.chosen.group": "Done: I will write in English in this group from now on, replies and alerts alike.",
    # --- subscriptions (handlers/subscriptions.py) ---
    "sub.admins_only": "Only the group’s administrators can change its subscriptions.",
    "sub.channel_admins_only": "Only the channel’s administrators can change its subscriptions.",
    "sub.topic_added": "You will get new articles on {name}.",
    "sub.topic_added.group": "This group will get new articles on {name}.",
    "sub.topic_already": "You already follow {name}.",
    "sub.topic_already.group": "This group already follows {name}.",
    "sub.author_added": "You will get new articles by {name}.",
    "sub.author_added.group": "This group will get new articles by {name}.",
    "sub.author_already": "You already follow {name}.",
    "sub.author_already.group": "This group already follows {name}.",
    "sub.which_one": "Several matches. Which one do you want to follow?",
    "sub.new_topic_button": "No, follow #{name}",
    "sub.did_you_mean": "“{word}” matches no topic or author. Did you mean:",
    "sub.bad_name": "That name can’t be a topic. Try a word, like <code>/subscribe Mali</code>.",
    "sub.new_topic_added": "No article carries {name} yet, but we will let you know as soon as one does.",
    "sub.new_topic_added.group": "No article carries {name} yet, but this group will be told as soon as one does.",
    "sub.confirm_all_button": "Yes, stop everything",
    "sub.keep_all_button": "No",
    "sub.confirm_all": "Stop all your subscriptions?",
    "sub.confirm_all.group": "Stop all of the group’s subscriptions?",
    "sub.kept_all": "Nothing changed: your subscriptions stay.",
    "sub.kept_all.group": "Nothing changed: the group’s subscriptions stay.",
    "sub.removed": "You no longer follow {name}.",
    "sub.removed.group": "This group no longer follows {name}.",
    "sub.not_following": "You don’t follow “{name}”. /subscriptions shows what you follow.",
    "sub.not_following.group": "This group doesn’t follow “{name}”. /subscriptions shows what it follows.",
    "sub.none": "No subscriptions yet. Try <code>/subscribe Mali</code> or /topics.",
    "sub.none.group": "This group has no subscriptions yet. Try <code>/subscribe Mali</code> or /topics.",
    "sub.list": "Your subscriptions ({count}):\n{lines}",
    "sub.list.group": "The group’s subscriptions ({count}):\n{lines}",
    "sub.list_page": "Your subscriptions ({count}), page {page} of {pages}:\n{lines}",
    "sub.list_page.group": "The group’s subscriptions ({count}), page {page} of {pages}:\n{lines}",
    "sub.too_many": "This chat already has {limit} subscriptions, the most it can have. Remove one with /subscriptions before adding another.",
    "sub.too_many_new": "This chat already follows {limit} new topics that no article carries yet. Wait for an article on one of them, or remove one with /subscriptions.",
    "sub.new_topics_full": "No new topics can be created right now. Follow an existing topic (/topics) or try again later.",
    "sub.all_removed.one": "Done: {count} subscription stopped.",
    "sub.all_removed.many": "Done: {count} subscriptions stopped.",
    "sub.stale_button": "This button has expired. Start again with /subscribe.",
    "sub.removed_short": "You no longer follow {name}",
    "sub.added_short": "Subscribed to {name}",
    # --- editors (handlers/editor.py) ---
    "editor.ask_title": "New article. Send the title line with its hashtags, for example: <code>#Mali : Title of the article</code>\n/cancel to give up.",
    "editor.ask_byline": "The byline? For example <code>Par Awa KEITA</code>, or “Skip” to sign it “La rédaction”.",
    "editor.ask_text": "The text of the article: the first paragraph is the lead; separate paragraphs with a blank line.",
    "editor.ask_photo": "A photo? Send it here, or its https://… link, or “Skip”.",
    "editor.ask_link": "The article’s link on the site? https://… or “Skip”.",
    "editor.skip_button": "Skip",
    "editor.bad_byline": "I don’t recognise that byline. Write <code>Par Firstname SURNAME</code>, or “Skip”.",
    "editor.bad_photo": "Send a photo, a link starting with https://, or “Skip”.",
    "editor.bad_link": "Send a link starting with https://, or “Skip”.",
    "editor.photo_unusable": "Telegram could not show this photo: subscribers would not get it. Send another photo or link, or “Skip”.",
    "editor.photo_unusable_text": "Telegram could not show the photo of the <code>Photo :</code> line: subscribers would not get it. Send the article again with another link, or without a photo.",
    "editor.edit_usage": "Give the number of the article to correct: <code>/edit 42</code>",
    "editor.unpublish_usage": "Give the number of the article to withdraw: <code>/unpublish 42</code>",
    "editor.not_found": "No published article has the number {id}.",
    "editor.edit_current": "Article no. {id} as published. Copy it, correct it and send it back in one message (the photo stays; /cancel to give up):",
    "editor.ask_new_text": "Send the corrected article in one message: the title, the byline (optional), then the text. /cancel to give up.",
    "editor.unchanged": "This text is the same as the published article: nothing to correct. Send the corrected text, or /cancel.",
    "editor.will_send.one": "Will be sent to {count} chat.",
    "editor.will_send.many": "Will be sent to {count} chats.",
    "editor.will_correct.one": "Correction of article no. {id}: {count} alert already sent will be updated.",
    "editor.will_correct.many": "Correction of article no. {id}: {count} alerts already sent will be updated.",
    "editor.publish_button": "Publish",
    "editor.urgent_button": "Publish as breaking news",
    "editor.change_button": "Change",
    "editor.cancel_button": "Cancel",
    "editor.correct_button": "Save the correction",
    "editor.force_button": "Publish anyway",
    "editor.stale": "This draft is no longer available (already handled or expired). Start again with /publish, /edit or /unpublish.",
    "editor.duplicate": "⚠️ Already published? “{title}”, by the same author, came out on {date} (no. {id}). Publish anyway?",
    "editor.published.one": "Published (no. {id}): {count} alert queued.",
    "editor.published.many": "Published (no. {id}): {count} alerts queued.",
    "editor.already_done": "This article is already published (no. {id}).",
    "editor.corrected.one": "Correction saved (no. {id}): {count} alert will be corrected.",
    "editor.corrected.many": "Correction saved (no. {id}): {count} alerts will be corrected.",
    "editor.not_corrected": "Nothing changed: article no. {id} is the same or no longer published.",
    "editor.conflict": "⚠️ While you were correcting article no. {id}, someone else corrected it. Your correction was not saved, so as not to erase theirs, but nothing is lost: your text follows, then the version now published.",
    "editor.conflict_yours": "Your correction (not saved):",
    "editor.conflict_current": "Article no. {id} as published now. Carry your correction over to it and send it back in one message (/cancel to give up):",
    "editor.cancelled": "Publication cancelled: nothing was sent.",
    "editor.correction_cancelled": "Correction dropped: the article is unchanged.",
    "editor.use_buttons": "Use the buttons under the preview to publish, change or cancel.",
    "editor.expired": "Publication dropped after {minutes} min without an answer: nothing was sent.",
    "editor.progress": "📤 Sending — sent: {sent} · waiting: {pending} · failed: {failed}",
    "editor.progress_done": "✅ Sending done — sent: {sent} · failed: {failed}",
    "editor.confirm_withdraw": "Withdraw article no. {id}? It will disappear from lists and search.",
    "editor.will_remove.one": "{count} alert sent will be deleted (or marked as withdrawn when older than 48 h).",
    "editor.will_remove.many": "{count} alerts sent will be deleted (or marked as withdrawn when older than 48 h).",
    "editor.withdraw_button": "Withdraw the article",
    "editor.keep_button": "Cancel",
    "editor.withdrawn.one": "Article no. {id} withdrawn: {count} alert will be deleted or marked as withdrawn.",
    "editor.withdrawn.many": "Article no. {id} withdrawn: {count} alerts will be deleted or marked as withdrawn.",
    "editor.already_withdrawn": "Article no. {id} is already withdrawn.",
    "editor.kept": "Article no. {id} stays published.",
    "editor.stats_title": "📊 <b>Statistics</b>",
    "editor.stats_articles": "<b>Published articles</b>: {total} (last 24 h: {recent}) · withdrawn: {withdrawn}",
    "editor.stats_chats": "<b>Chats</b> — active: {active} · blocked: {blocked} · left: {left}",
    "editor.stats_chat_kinds": "Of the active ones — private: {private} · groups: {groups} · channels: {channels}",
    "editor.stats_topics": "<b>Subscriptions by topic</b>",
    "editor.stats_authors": "<b>Subscriptions by author</b>",
    "editor.stats_deliveries": "<b>Alerts of the last 24 h</b> — sent: {sent} · waiting: {pending} · failed: {failed} · cancelled: {cancelled}",
    "editor.stats_delays": "Delay from publication to delivery — median: {median} · 95th percentile: {p95}",
    "editor.stats_none": "—",
    # --- feeds (handlers/feeds.py) ---
    "feeds.error.bad_url": "the address must start with http:// or https://",
    # One wording for every connection failure, so that errors reveal nothing about ports.
    "feeds.error.network": "the site cannot be reached, or its address is not allowed",
    "feeds.error.http": "the site answered with error {status}",
    "feeds.error.redirects": "the site keeps redirecting from one address to another",
    "feeds.error.too_big": "the feed is larger than {megabytes} MB",
    "feeds.error.encoding": "the site sends the feed in an unknown compression",
    "feeds.error.not_feed": "this page is not an RSS, Atom or JSON feed",
    "feeds.error.unsafe": "the feed contains dangerous XML declarations and was refused",
    "feeds.error.too_slow": "reading the feed took too long and was given up",
    "feeds.error.charset": "the feed is written in a character set I cannot read",
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
        "{found}: {counts}, without alerts.{warning} "
        "I will read it every {minutes} min."
    ),
    "feeds.add_failed": "❌ I could not read this feed: {error}. Nothing was added.",
    "feeds.found.one": "{count} article found",
    "feeds.found.many": "{count} articles found",
    "feeds.new.one": "{count} new one imported",
    "feeds.new.many": "{count} new ones imported",
    "feeds.error.no_feed_link": "this page is not a feed and names none",
    "feeds.count.new.one": "{count} new",
    "feeds.count.new.many": "{count} new",
    "import.alerted.one": "{count} new article queued alerts for subscribers",
    "import.alerted.many": "{count} new articles queued alerts for subscribers",
    "import.summary": "{found}: {counts}",
    "import.found.one": "{count} entry",
    "import.found.many": "{count} entries",
    "feeds.count.updated.one": "{count} updated",
    "feeds.count.updated.many": "{count} updated",
    "feeds.count.unchanged.one": "{count} unchanged",
    "feeds.count.unchanged.many": "{count} unchanged",
    "feeds.count.no_text.one": "{count} skipped for having no text",
    "feeds.count.no_text.many": "{count} skipped for having no text",
    "feeds.count.too_old.one": "{count} skipped as too old",
    "feeds.count.too_old.many": "{count} skipped as too old",
    "feeds.count.refused.one": "{count} refused",
    "feeds.count.refused.many": "{count} refused",
    "feeds.count.undated.one": "{count} with no readable date, dated when first seen",
    "feeds.count.undated.many": "{count} with no readable date, dated when first seen",
    "feeds.count.stale.one": "{count} too old to alert",
    "feeds.count.stale.many": "{count} too old to alert",
    "feeds.read": "{found}: {counts}.{warning}",
    "feeds.last_read": "Last read of the feed: {read}",
    "feeds.malformed": "⚠️ The feed is malformed: some articles may be missing.",
    "feeds.failures.one": "{count} failure",
    "feeds.failures.many": "{count} failures",
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
        "⚠️ {failures} in a row, last success: {last_success}, next try {next_poll}\nError: {error}"
    ),
    "feeds.soon": "any moment now",
    "feeds.never": "never",
    "feeds.notice_failing": (
        "⚠️ Feed #{id} ({feed}) has failed {failures} times in a row: {error}. "
        "I will keep trying, less and less often. Status: /feeds"
    ),
    "feeds.notice_recovered": "✅ Feed #{id} ({feed}) works again.",
    # --- reader settings (handlers/settings.py, bot/digests.py) ---
    "reading.command.digest": "New articles in one message, at your times",
    "reading.command.quiet": "Quiet hours, without alerts",
    "reading.args.digest": "07:00, 18:00 or off",
    "reading.args.quiet": "22:00-07:00 or off",
    "reading.command.settings": "Language, digest, quiet hours and subscriptions",
    "digest.header": "🗞 <b>Your {time} digest</b> · {count}",
    "digest.quiet_header": "🌙 <b>Published during the quiet hours</b> · {count}",
    "digest.count.one": "{count} article",
    "digest.count.many": "{count} articles",
    "settings.and": " and ",
    "settings.digest_set": "Done: new articles will reach you together, in one message, at {times}. Urgent alerts still come at once.",
    "settings.digest_set.group": "Done: new articles will reach this group together, in one message, at {times}. Urgent alerts still come at once.",
    "settings.digest_off": "Done: no more digest, each article comes as soon as it is published.",
    "settings.digest_usage": "At what time should the digest of new articles come? For example <code>/digest 7:00</code> or <code>/digest 7:00, 18:00</code>; <code>/digest off</code> stops it. /settings offers ready-made times.",
    "settings.digest_bad": "I see no time in “{text}”. Write for example <code>/digest 7:30</code> or <code>/digest 7:00, 18:00</code> (six times at most), or <code>/digest off</code>.",
    "settings.digest_full": "Six digest times at most. Remove one before adding another.",
    "settings.quiet_set": "Done: from {start} to {end}, alerts will wait and come together, in one message, at {end}. Urgent alerts still come, without sound.",
    "settings.quiet_off": "Done: no more quiet hours, alerts come as soon as articles are published.",
    "settings.quiet_usage": "During which hours should alerts wait? For example <code>/quiet 22:00-07:00</code> or <code>/quiet 23:00-06:00</code>; <code>/quiet off</code> stops them. /settings offers ready-made hours.",
    "settings.quiet_bad": "I see no hours in “{text}”. Write the start and the end, for example <code>/quiet 22:00-07:00</code>, or <code>/quiet off</code>.",
    "settings.title": "⚙️ <b>Your settings</b>",
    "settings.title.group": "⚙️ <b>This group’s settings</b>",
    "settings.language": "🌐 Language: {language}",
    "settings.digest": "🗞 Digest: at {times}",
    "settings.digest_none": "🗞 Digest: none, each article comes as soon as it is published",
    "settings.quiet": "🌙 Quiet hours: from {start} to {end}",
    "settings.quiet_none": "🌙 Quiet hours: none",
    "settings.subscriptions.one": "🔔 {count} subscription: {names}",
    "settings.subscriptions.many": "🔔 {count} subscriptions: {names}",
    "settings.no_subscriptions": "🔔 No subscription. Try <code>/subscribe Mali</code> or /topics.",
    "settings.hint": "Tap a time to add it to the digest or take it out.",
    "settings.button.digest_off": "Each article at once",
    "settings.button.quiet_off": "No quiet hours",
    "settings.button.subscriptions": "🔔 Manage subscriptions",
    "settings.saved": "Done.",
    "settings.stale": "This button is no longer valid. Open /settings again.",
}
