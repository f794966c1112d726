"""RSS/Atom feeds: fetch politely, parse safely, publish each item once.

The modules, from the wire inwards; each imports only those above it (pyproject.toml's
import-linter contract `feeds-layers`):

- `addresses`: where a fetch may connect (public addresses only, unless
  NEWSBOT_FEEDS_PRIVATE), checked on every connection and redirect hop.
- `fetching`: one conditional GET, with timeouts, redirects and size caps.
- `discovery`: the feed a site's home page names (`<link rel="alternate">`).
- `extraction`: the story in an item's HTML: lead, body, byline, picture, no furniture.
- `entries`: a feed entry as an article draft, under a stable source key.
- `jsonfeed`: JSON Feed 1.0 and 1.1 documents, item by item as feed entries.
- `parsing`: encodings, XML checks and field cutting, then feedparser, entry by entry.
- `worker`: parsing in a child process, so a hostile document never stalls the bot.
- `polling`: the schedule, backoff, editors' notices, and publishing items once.

Errors are `bot.errors.FeedError`. Import from here: `from bot.feeds import FeedPoller`.
"""

from bot.errors import FeedError
from bot.feeds import polling
from bot.feeds.addresses import AddressPolicy, is_public_address, resolve_host
from bot.feeds.entries import (
    FeedItem,
    clean_authors,
    draft_from_parts,
    entry_to_item,
    html_to_paragraphs,
    source_key_for,
    split_text,
    web_url,
)
from bot.feeds.fetching import FetchLimits, FetchResult, check_feed_url, fetch_feed, new_http_client
from bot.feeds.parsing import ParsedFeed, parse_feed
from bot.feeds.polling import *  # noqa: F403 - all of polling's __all__, as asyncio does
from bot.feeds.worker import PARSE_TIMEOUT_SECONDS, ParseWorker

__all__ = [
    "PARSE_TIMEOUT_SECONDS",
    "AddressPolicy",
    "FeedError",
    "FeedItem",
    "FetchLimits",
    "FetchResult",
    "ParseWorker",
    "ParsedFeed",
    "check_feed_url",
    "clean_authors",
    "draft_from_parts",
    "entry_to_item",
    "fetch_feed",
    "html_to_paragraphs",
    "is_public_address",
    "new_http_client",
    "parse_feed",
    "resolve_host",
    "source_key_for",
    "split_text",
    "web_url",
]
__all__ += polling.__all__  # the schedule's names: defined once, in polling.py
