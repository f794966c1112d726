"""Feeds end to end: a real HTTP server on loopback, a real SQLite file, the real Publisher."""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import json
import os
import random
import subprocess
import sys
import time
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from telegram.error import Forbidden
from telegram.ext import CommandHandler

from bot.config import Secret, Settings
from bot.errors import UsageError
from bot.feeds import (
    MAX_BACKOFF_SECONDS,
    AddressPolicy,
    EditorNotifier,
    FeedError,
    FeedNotice,
    FeedPoller,
    FetchLimits,
    PollReport,
    check_feed_url,
    describe_counts,
    describe_error,
    fetch_feed,
    get_poller,
    html_to_paragraphs,
    new_http_client,
    parse_feed,
    start_feeds,
    stop_feeds,
)
from bot.importer import run_import
from bot.publishing import Publisher, content_hash
from db import Database, DatabaseUrl, articles, audit, chats, deliveries
from db import feeds as feeds_db
from db.models import ArticleDraft, Feed
from handlers.feeds import (
    add_feed,
    parse_addfeed_args,
    parse_feed_id,
    remove_feed,
    render_feed_list,
    show_feeds,
)
from tests.conftest import Harness

FIXTURES = Path(__file__).parent / "feeds_fixtures"
PROJECT = Path(__file__).parent.parent
EDITOR = 4242
READER_CHAT = 777


# --- a news site on loopback --------------------------------------------------------------

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Site:
    """A web server whose pages tests set and whose requests they read."""

    server: TestServer
    pages: dict[str, Handler] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return str(self.server.make_url(path))

    def serve(self, path: str, body: bytes | str, **headers: str) -> None:
        """Serve a fixed document at `path`."""
        data = body.encode() if isinstance(body, str) else body

        async def page(request: web.Request) -> web.StreamResponse:
            return web.Response(
                body=data, headers={"Content-Type": "application/rss+xml", **headers}
            )

        self.pages[path] = page

    def hits(self, path: str) -> int:
        return sum(1 for seen, _ in self.requests if seen == path)


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    holder: dict[str, Site] = {}

    async def dispatch(request: web.Request) -> web.StreamResponse:
        current = holder["site"]
        current.requests.append((request.path, dict(request.headers)))
        page = current.pages.get(request.path)
        if page is None:
            raise web.HTTPNotFound()
        return await page(request)

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", dispatch)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    holder["site"] = Site(server)
    yield holder["site"]
    await server.close()


class Clock:
    """Wall time that tests move forward."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    # The site is on loopback: allowed here as NEWSBOT_FEEDS_PRIVATE=yes allows it.
    policy = AddressPolicy(allow_private=True)
    async with new_http_client(FetchLimits(total_timeout=3.0), policy=policy) as client:
        yield client


@dataclass
class Notices:
    received: list[FeedNotice] = field(default_factory=list)

    async def __call__(self, notice: FeedNotice) -> None:
        self.received.append(notice)


@pytest.fixture
def notices() -> Notices:
    return Notices()


@pytest.fixture
async def poller(
    database: Database, http: httpx.AsyncClient, clock: Clock, notices: Notices
) -> AsyncIterator[FeedPoller]:
    poller = FeedPoller(
        database,
        Publisher(database, clock=clock),
        http,
        notify_editors=notices,
        limits=FetchLimits(total_timeout=3.0),
        clock=clock,
        jitter=0.0,
    )
    yield poller
    await poller.close()


def rss(*items: str, title: str = "Le Quotidien de Bamako") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>{title}</title><link>https://quotidien.example.ml/</link>"
        f"{''.join(items)}</channel></rss>"
    )


def item(
    guid: str | None,
    title: str,
    published: float | None,
    lead: str = "Un chapeau.",
    *,
    link: str | None = None,
    author: str = "Par Awa KEITA",
) -> str:
    parts = [f"<title>{title}</title>", f"<dc:creator>{author}</dc:creator>"]
    if guid is not None:
        parts.append(f'<guid isPermaLink="false">{guid}</guid>')
    if link is not None:
        parts.append(f"<link>{link}</link>")
    if published is not None:
        moment = datetime.fromtimestamp(published, UTC)
        parts.append(f"<pubDate>{format_datetime(moment, usegmt=True)}</pubDate>")
    parts.append(f"<description><![CDATA[<p>{lead}</p>]]></description>")
    return f"<item>{''.join(parts)}</item>"


async def add_feed_row(database: Database, url: str, now: float, **changes: Any) -> Feed:
    async with database.transaction() as conn:
        feed = await feeds_db.insert_feed(conn, url, changes.pop("interval", 5), now, now)
    assert feed is not None
    return feed


async def subscribe_reader(database: Database, now: float, topic: str = "Mali") -> None:
    """A private chat that follows `topic`, so any alert shows up in the deliveries table."""
    async with database.transaction() as conn:
        await chats.upsert_chat(conn, READER_CHAT, "private", "Lectrice", "fr", now)
        found = await articles.ensure_topic(conn, topic.lower(), topic)
        await chats.subscribe(conn, READER_CHAT, now, topic_id=found.id)


async def scalar(database: Database, sql: str, *params: object) -> Any:
    async with database.reader.execute(sql, params) as cursor:
        row = await cursor.fetchone()
    return row[0] if row else None


async def article_count(database: Database) -> int:
    return int(await scalar(database, "SELECT COUNT(*) FROM articles"))


async def delivery_titles(database: Database) -> list[str]:
    async with database.reader.execute(
        "SELECT a.title FROM deliveries AS d JOIN articles AS a ON a.id = d.article_id "
        "WHERE d.action = 'send' ORDER BY d.id"
    ) as cursor:
        return [row[0] for row in await cursor.fetchall()]


# --- formats ------------------------------------------------------------------------------


async def test_rss2_items_become_articles_with_the_sites_conventions(
    site: Site, poller: FeedPoller, database: Database, clock: Clock
) -> None:
    site.serve("/rss", (FIXTURES / "rss2.xml").read_bytes())
    feed = await add_feed_row(database, site.url("/rss"), clock.now)

    report = await poller.poll_feed(feed.id)

    assert report is not None and report.status == "ok" and report.tally.new == 3
    first = await articles.get_article_by_source(database.reader, "feed:qdb-10421")
    assert first is not None
    assert first.title.startswith("Le gouvernement annonce la gratuité")
    assert [topic.name for topic in first.topics] == ["Mali", "Santé"]
    assert first.author.name == "Awa Keita"  # "Par" removed, the site's one display form
    assert first.published_at == datetime(2024, 2, 29, 12, 56, tzinfo=UTC)
    assert first.url == "https://quotidien.example.ml/2024/02/29/gratuite-des-soins"
    assert first.lead.startswith("Le Conseil des ministres a adopté")
    assert first.body.startswith("La mesure entrera en vigueur le 1er avril\u00a0; elle")
    assert first.origin == "feed"
    second = await articles.get_article_by_source(
        database.reader, "feed:https://quotidien.example.ml/?p=10418"
    )
    assert second is not None and second.author.name == "Moussa Diarra"
    assert [t.name for t in second.topics] == ["Mali", "Sénégal", "Économie", "Transport"]
    assert "&" in second.lead and "&amp;" not in second.lead
    # No guid: the link is the key.
    third = await articles.get_article_by_source(
        database.reader, "feed:https://quotidien.example.ml/2024/02/27/aigles-can"
    )
    assert third is not None and third.author.name == "La rédaction"
    assert third.body == "Le sélectionneur dévoilera sa liste définitive la semaine prochaine."
    stored = await feeds_db.get_feed(database.reader, feed.id)
    assert stored is not None and stored.title == "Le Quotidien de Bamako"


def test_atom_entries_keep_their_zone_and_lose_their_markup() -> None:
    parsed = parse_feed((FIXTURES / "atom.xml").read_bytes())

    kati, assembly = parsed.items
    assert kati.source_key == "feed:tag:quotidien.example.ml,2024:10430"
    assert kati.draft.title == "Commune de Kati : Deux forages inaugurés à Sébénikoro"
    assert kati.draft.topics == ("Mali", "Kati")
    assert kati.draft.author == "Fatoumata Coulibaly"
    assert kati.draft.published_at == datetime(2024, 3, 1, 7, 45, tzinfo=UTC)
    assert kati.draft.updated_at == datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
    assert (
        kati.draft.body
        == "Près de 4\u00a0000 habitants en profiteront.\nLes travaux ont duré six mois."
    )
    # Only <updated>: it is the publication date, converted from +01:00.
    assert assembly.draft.published_at == datetime(2024, 2, 29, 15, 20, tzinfo=UTC)


def test_content_encoded_and_media_give_the_text_and_the_picture() -> None:
    festival, museum, podcast = parse_feed((FIXTURES / "rss_media.xml").read_bytes()).items

    draft = festival.draft
    assert draft.author == "Aminata TRAORÉ"
    assert draft.lead.startswith("La 20e édition du Festival sur le Niger")  # byline dropped
    assert "résumé court" not in draft.lead + draft.body  # content:encoded wins
    assert "Oumou Sangaré" in draft.body and "color: red" not in draft.body
    assert "Une programmation «\u00a0100\u00a0% malienne\u00a0»" in draft.body.split("\n\n")
    assert not any(char in draft.lead + draft.body for char in "<>")
    assert draft.image_url == "https://quotidien.example.ml/img/festival-1200.jpg"
    assert museum.draft.image_url == "https://quotidien.example.ml/img/musee.jpg"
    # An audio enclosure is no picture; the thumbnail is.
    assert podcast.draft.image_url == "https://quotidien.example.ml/img/podcast.png"
    # A guid that is not a URL is kept as written, whatever the feed's address.
    assert museum.source_key == "feed:qdb-10377"


def test_html_becomes_clean_paragraphs() -> None:
    html = (
        "<div><p>Premier&nbsp;paragraphe, avec <b>du gras</b> &amp; un lien "
        '<a href="https://x.ml">ici</a>.</p>Ligne<br>suivante<br/><br />Nouveau paragraphe'
        "<script>document.write('<p>piège</p>')</script><style>p{}</style>"
        "<ul><li>un</li><li>deux</li></ul>&lt;balise&gt; &#8239;?</div>"
    )
    assert html_to_paragraphs(html) == [
        "Premier\u00a0paragraphe, avec du gras & un lien ici.",
        "Ligne\nsuivante",
        "Nouveau paragraphe",
        "un",
        "deux",
        "<balise> \u202f?",
    ]


def test_future_dates_are_clamped_to_now() -> None:
    now = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    future = (now + timedelta(days=3)).timestamp()
    parsed = parse_feed(rss(item("x-1", "#Mali : Demain", future)).encode(), now=now)
    assert parsed.items[0].draft.published_at == now


def test_an_item_without_guid_or_link_keeps_one_key_across_reads() -> None:
    body = rss(item(None, "#Mali : Sans lien", 1_709_000_000.0)).encode()
    first, again = parse_feed(body).items[0], parse_feed(body).items[0]
    assert first.source_key.startswith("feed:sha:") and first.source_key == again.source_key


async def test_malformed_feed_yields_what_can_be_parsed(
    site: Site, poller: FeedPoller, database: Database, clock: Clock
) -> None:
    site.serve("/broken", (FIXTURES / "malformed.xml").read_bytes())
    feed = await add_feed_row(database, site.url("/broken"), clock.now)

    report = await poller.poll_feed(feed.id)

    assert report is not None and report.status == "ok" and report.tally.new == 2
    rice = await articles.get_article_by_source(database.reader, "feed:qdb-10300")
    assert rice is not None and rice.title == "Les prix du riz en baisse à Bamako & Kayes"


async def test_a_web_page_is_not_a_feed(
    site: Site, poller: FeedPoller, database: Database, clock: Clock
) -> None:
    site.serve(
        "/page", "<html><body><p>Bienvenue</p></body></html>", **{"Content-Type": "text/html"}
    )
    with pytest.raises(FeedError) as caught:
        await poller.add_feed(site.url("/page"), 5, added_by=EDITOR)
    # A page naming no feed in its <link rel="alternate"> says so, in one line.
    assert caught.value.key == "feeds.error.no_feed_link"
    assert await feeds_db.list_feeds(database.reader) == []


async def test_addfeed_given_a_home_page_follows_the_feed_it_names(
    site: Site, poller: FeedPoller, database: Database, clock: Clock
) -> None:
    site.serve("/", (FIXTURES / "home.html").read_bytes(), **{"Content-Type": "text/html"})
    site.serve("/feed/", (FIXTURES / "wordpress.xml").read_bytes())

    report = await poller.add_feed(site.url("/"), 5, added_by=EDITOR)

    assert report.created and report.feed.url == site.url("/feed/")
    assert (report.found, report.tally.new) == (3, 3)
    again = await poller.add_feed(site.url("/"), 5, added_by=EDITOR)
    assert not again.created and again.feed.id == report.feed.id


async def test_a_feed_in_an_exotic_encoding_is_polled_not_an_internal_error(
    site: Site, poller: FeedPoller, database: Database, clock: Clock
) -> None:
    body = rss(item("big5-1", "#Mali : Le marche de Medine", clock.now - 60)).replace(
        'encoding="UTF-8"', 'encoding="big5"'
    )
    site.serve("/big5", body.replace("Un chapeau.", "商人 reviennent.").encode("big5"))
    feed = await add_feed_row(database, site.url("/big5"), clock.now)

    report = await poller.poll_feed(feed.id)

    assert report is not None and report.status == "ok" and report.tally.new == 1


# --- polite HTTP --------------------------------------------------------------------------


async def test_conditional_get_earns_a_304_and_changes_nothing(
    site: Site, poller: FeedPoller, database: Database, clock: Clock
) -> None:
    body = gzip.compress((FIXTURES / "rss2.xml").read_bytes())
    validators = {"ETag": '"v1"', "Last-Modified": "Thu, 29 Feb 2024 13:00:00 GMT"}

    async def page(request: web.Request) -> web.StreamResponse:
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304, headers=validators)
        return web.Response(
            body=body,
            headers={
                "Content-Type": "application/rss+xml",
                "Content-Encoding": "gzip",
                **validators,
            },
        )

    site.pages["/rss"] = page
    feed = await add_feed_row(database, site.url("/rss"), clock.now)
    assert (await poller.poll_feed(feed.id)).tally.new == 3  # type: ignore[union-attr]
    clock.advance(300)

    report = await poller.poll_feed(feed.id)

    assert report is not None and report.status == "not_modified"
    _, headers = site.requests[-1]
    assert headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == "Thu, 29 Feb 2024 13:00:00 GMT"
    assert headers["User-Agent"].startswith("newsbot/")
    assert "gzip" in headers["Accept-Encoding"]
    stored = await feeds_db.get_feed(database.reader, feed.id)
    assert stored is not None and stored.etag == '"v1"' and stored.last_success_at == clock.now
    assert stored.next_poll_at == clock.now + 300
    assert await article_count(database) == 3


async def test_oversized_body_is_cut_at_five_megabytes(site: Site, http: httpx.AsyncClient) -> None:
    async def page(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await response.prepare(request)  # chunked: no Content-Length to refuse it early
        chunk = b"<!-- " + b"x" * 65_000 + b" -->"
        for _ in range(200):  # 13 MB if nobody stops reading
            await response.write(chunk)
        return response

    site.pages["/huge"] = page
    assert FetchLimits().max_bytes == 5 * 1024 * 1024
    with pytest.raises(FeedError) as caught:
        await fetch_feed(http, site.url("/huge"))
    assert caught.value.key == "feeds.error.too_big"


async def test_gzip_bomb_stops_at_the_cap(site: Site, http: httpx.AsyncClient) -> None:
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)  # 64 MB in 64 kB
    site.serve("/bomb", bomb, **{"Content-Encoding": "gzip"})
    limits = FetchLimits(max_bytes=1024 * 1024)

    tracemalloc.start()
    try:
        with pytest.raises(FeedError) as caught:
            await fetch_feed(http, site.url("/bomb"), limits=limits)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert caught.value.key == "feeds.error.too_big"
    assert peak < 8 * 1024 * 1024  # the cap and some buffers, not the 64 MB


async def test_slow_server_times_out(site: Site, http: httpx.AsyncClient) -> None:
    async def page(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        for _ in range(50):  # one byte every 0.1 s never trips a read timeout
            await response.write(b" ")
            await asyncio.sleep(0.1)
        return response

    site.pages["/slow"] = page
    started = time.monotonic()
    with pytest.raises(FeedError) as caught:
        await fetch_feed(http, site.url("/slow"), limits=FetchLimits(total_timeout=0.5))
    assert caught.value.key == "feeds.error.network"  # what a closed port says too
    assert time.monotonic() - started < 2


async def test_redirect_loop_is_cut_after_five_redirects(
    site: Site, http: httpx.AsyncClient
) -> None:
    async def page(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/loop")

    site.pages["/loop"] = page
    with pytest.raises(FeedError) as caught:
        await fetch_feed(http, site.url("/loop"))
    assert caught.value.key == "feeds.error.redirects"
    assert site.hits("/loop") == 6  # the request and five redirects


async def test_only_http_and_https_are_fetched(site: Site, http: httpx.AsyncClient) -> None:
    for url in ("file:///etc/passwd", "ftp://quotidien.example.ml/feed", "javascript:alert(1)"):
        with pytest.raises(FeedError) as caught:
            check_feed_url(url)
        assert caught.value.key == "feeds.error.bad_url"

    async def page(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("file:///etc/passwd")

    site.pages["/sneaky"] = page
    with pytest.raises(FeedError) as caught:
        await fetch_feed(http, site.url("/sneaky"))
    assert caught.value.key == "feeds.error.bad_url"


# --- safe parsing -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity.xml"])
async def test_entity_declarations_are_refused(
    name: str, site: Site, poller: FeedPoller, database: Database, clock: Clock
) -> None:
    site.serve("/evil", (FIXTURES / name).read_bytes())
    feed = await add_feed_row(database, site.url("/evil"), clock.now)

    report = await poller.poll_feed(feed.id)

    assert report is not None and report.status == "failed"
    assert report.error is not None and report.error.key == "feeds.error.unsafe"
    assert await article_count(database) == 0


def test_entities_are_refused_even_in_xml_too_broken_to_check() -> None:
    # Text before the XML declaration stops the strict parser before it sees the DOCTYPE.
    body = b"oops" + (FIXTURES / "billion_laughs.xml").read_bytes()
    with pytest.raises(FeedError, match="unsafe"):
        parse_feed(body)
    with pytest.raises(FeedError, match="unsafe"):
        parse_feed(body.decode().encode("utf-16"))


def test_feedparser_never_opens_what_the_body_names() -> None:
    # Given bytes or a str, feedparser would open a file of that name or fetch that URL.
    secret = FIXTURES / "rss2.xml"
    with pytest.raises(FeedError, match="not_feed"):
        parse_feed(str(secret).encode())


# --- items, alerts, updates ---------------------------------------------------------------


async def test_items_are_stored_once_across_polls(
    site: Site, poller: FeedPoller, database: Database, clock: Clock
) -> None:
    old = clock.now - 86_400
    first = item("qdb-1", "#Mali : Premier", old)
    site.serve("/rss", rss(first))
    feed = await add_feed_row(database, site.url("/rss"), clock.now)
    await poller.poll_feed(feed.id)
    for extra in ("", item("qdb-2", "#Mali : Second", old)):
        clock.advance(300)
        site.serve("/rss", rss(first, extra))
        await poller.poll_feed(feed.id)
    # A poller that restarted has forgotten what it saw; the database has not.
    fresh = FeedPoller(database, poller.publisher, poller.client, parser=poller.parser, clock=clock)
    await fresh.poll_feed(feed.id)

    assert await article_count(database) == 2


async def test_an_editors_correction_survives_the_feed_after_a_restart(
    site: Site, poller: FeedPoller, database: Database, clock: Clock
) -> None:
    site.serve("/rss", rss(item("fix-1", "#Mali : Titre avec une coquille", clock.now - 600)))
    feed = await add_feed_row(database, site.url("/rss"), clock.now)
    await poller.poll_feed(feed.id)
    stored = await articles.get_article_by_source(database.reader, "feed:fix-1")
    assert stored is not None
    corrected = ArticleDraft(
        title="Titre sans coquille", lead=stored.lead, author=stored.author.name, topics=("Mali",)
    )
    await poller.publisher.revise(stored.id, corrected)
    clock.advance(300)
    fresh = FeedPoller(  # a restart
        database, poller.publisher, poller.client, parser=poller.parser, clock=clock
    )
    await fresh.poll_feed(feed.id)
    after = await articles.get_article(database.reader, stored.id)
    assert after is not None and after.title == "Titre sans coquille"


async def test_backlog_is_silent_and_only_new_recent_items_alert(
    site: Site, poller: FeedPoller, database: Database, clock: Clock
) -> None:
    await subscribe_reader(database, clock.now)
    added = clock.now
    backlog = [item(f"old-{n}", f"#Mali : Ancien {n}", added - 3_600 * n) for n in range(3)]
    site.serve("/rss", rss(*backlog))
    feed = await add_feed_row(database, site.url("/rss"), added)

    await poller.poll_feed(feed.id)
    assert await article_count(database) == 3
    assert await delivery_titles(database) == []

    clock.advance(600)
    site.serve(
        "/rss",
        rss(
            item("new-1", "#Mali : Tout nouveau", clock.now - 60),
            item("late-1", "#Mali : Publié avant l’ajout du flux", added - 7_200),
            *backlog,
        ),
    )
    await poller.poll_feed(feed.id)
    assert await delivery_titles(database) == ["Tout nouveau"]

    # Days later: an item dated after the feed was added, but more than 48 hours ago.
    clock.advance(5 * 86_400)
    site.serve("/rss", rss(item("stale-1", "#Mali : Vieux de trois jours", clock.now - 3 * 86_400)))
    await poller.poll_feed(feed.id)
    assert await article_count(database) == 6
    assert await delivery_titles(database) == ["Tout nouveau"]


async def test_a_changed_item_updates_its_article_and_its_sent_alert(
    site: Site, poller: FeedPoller, database: Database, clock: Clock
) -> None:
    await subscribe_reader(database, clock.now)
    feed = await add_feed_row(database, site.url("/rss"), clock.now - 600)
    async with database.transaction() as conn:  # the backlog was read long ago
        await feeds_db.record_success(
            conn, feed.id, clock.now - 300, clock.now, etag=None, last_modified=None, title=None
        )
    site.serve("/rss", rss(item("qdb-9", "#Mali : Un titre avec une faute", clock.now - 60)))
    await poller.poll_feed(feed.id)
    async with database.reader.execute("SELECT id FROM deliveries") as cursor:
        (delivery_id,) = await cursor.fetchone()
    async with database.transaction() as conn:
        await deliveries.mark_sent(conn, [(delivery_id, 555, clock.now)])

    clock.advance(300)
    site.serve("/rss", rss(item("qdb-9", "#Mali : Un titre corrigé", clock.now - 360)))
    report = await poller.poll_feed(feed.id)

    assert report is not None and report.tally.updated == 1 and report.tally.new == 0
    assert await article_count(database) == 1
    article = await articles.get_article_by_source(database.reader, "feed:qdb-9")
    assert article is not None and article.title == "Un titre corrigé"
    async with database.reader.execute("SELECT action, status FROM deliveries") as cursor:
        assert [tuple(row) for row in await cursor.fetchall()] == [("edit", "pending")]


async def test_an_item_filed_under_another_category_does_not_flip_its_article(
    site: Site, poller: FeedPoller, database: Database, clock: Clock
) -> None:
    def section(category: str) -> str:
        return rss(
            item("qdb-5", "#Mali : Le même article", clock.now - 86_400).replace(
                "</item>", f"<category>{category}</category></item>"
            )
        )

    site.serve("/politique", section("Politique"))
    site.serve("/economie", section("Économie"))
    politics = await add_feed_row(database, site.url("/politique"), clock.now)
    economy = await add_feed_row(database, site.url("/economie"), clock.now)
    await poller.poll_feed(politics.id)
    reports = [await poller.poll_feed(economy.id), await poller.poll_feed(politics.id)]

    assert [report.tally.updated for report in reports if report] == [1, 0]
    article = await articles.get_article_by_source(database.reader, "feed:qdb-5")
    assert article is not None
    assert sorted(t.name for t in article.topics) == ["Mali", "Politique", "Économie"]


async def test_items_stored_under_their_old_link_keys_make_no_duplicate_after_the_upgrade(
    site: Site, poller: FeedPoller, database: Database, clock: Clock
) -> None:
    await subscribe_reader(database, clock.now)
    body = rss(
        # No guid, and a site's home page for a link: before 0005 that link was the key.
        item(None, "#Mali : Le marché rouvre", clock.now - 600, link="https://marche.example.ml/"),
        item(None, "#Mali : La pluie revient", clock.now - 900, link="https://meteo.example.ml"),
        item("qdb-3", "#Mali : Avec un guid", clock.now - 1_200),
    )
    feed = await add_feed_row(database, site.url("/rss"), clock.now - 86_400)
    # The database as the old version left it: every item under the key it gave then.
    old_keys = []
    for found in parse_feed(body.encode(), now=datetime.fromtimestamp(clock.now, UTC)).items:
        key = found.legacy_key or found.source_key
        old_keys.append(key)
        await poller.publisher.publish(found.draft, source_key=key, origin="feed", notify=False)
        async with database.transaction() as conn:
            await feeds_db.remember_item(conn, key, content_hash(found.draft))
    async with database.transaction() as conn:
        await feeds_db.record_success(
            conn, feed.id, clock.now - 300, clock.now, etag=None, last_modified=None, title=None
        )
    assert old_keys[:2] == ["feed:https://marche.example.ml/", "feed:https://meteo.example.ml"]
    site.serve("/rss", body)

    report = await poller.poll_feed(feed.id)
    clock.advance(300)
    fresh = FeedPoller(database, poller.publisher, poller.client, parser=poller.parser, clock=clock)
    again = await fresh.poll_feed(feed.id)

    assert report is not None and (report.tally.new, report.tally.unchanged) == (0, 3)
    assert again is not None and (again.tally.new, again.tally.unchanged) == (0, 3)
    assert await article_count(database) == 3
    assert await delivery_titles(database) == []
    assert int(await scalar(database, "SELECT COUNT(*) FROM deliveries")) == 0


def test_an_old_key_another_item_still_uses_stays_that_items() -> None:
    # Two items under one guid: the old version kept the first under it; the second,
    # told apart by its link now, must not claim the old key.
    first, second = parse_feed(
        rss(
            item("qdb-7", "#Mali : Premier", 1_709_200_000.0, link="https://q.example.ml/a"),
            item("qdb-7", "#Mali : Second", 1_709_200_000.0, link="https://q.example.ml/b"),
        ).encode()
    ).items
    assert first.source_key == "feed:qdb-7" and first.legacy_key is None
    assert second.source_key == "feed:https://q.example.ml/b" and second.legacy_key is None


async def feed_read_long_ago(database: Database, url: str, now: float, ago: float) -> Feed:
    """A feed whose backlog was read `ago` seconds before `now`: its next read is a poll."""
    feed = await add_feed_row(database, url, now - ago - 60)
    async with database.transaction() as conn:
        await feeds_db.record_success(
            conn, feed.id, now - ago, now, etag=None, last_modified=None, title=None
        )
    return feed


async def test_a_later_poll_reads_a_feed_of_1200_items_whole_and_says_what_is_too_old(
    site: Site, poller: FeedPoller, database: Database, clock: Clock
) -> None:
    await subscribe_reader(database, clock.now)
    feed = await feed_read_long_ago(database, site.url("/archive"), clock.now, 300)
    fresh = [item(f"arc-{n}", f"#Mali : Nouveau {n}", clock.now - 60 - n) for n in range(2)]
    stale = [
        item(f"arc-{n}", f"#Mali : Archive {n}", clock.now - 3 * 86_400 - 60 * n)
        for n in range(2, 1_200)
    ]
    site.serve("/archive", rss(*fresh, *stale))

    report = await poller.poll_feed(feed.id)

    assert report is not None and report.found == 1_200
    assert (report.tally.new, report.tally.stale, report.tally.alerted) == (1_200, 1_198, 2)
    assert await article_count(database) == 1_200
    assert sorted(await delivery_titles(database)) == ["Nouveau 0", "Nouveau 1"]
    stored = await feeds_db.get_feed(database.reader, feed.id)
    assert stored is not None
    assert describe_counts(stored.last_counts, "fr") == (
        "1\u202f200 articles trouvés\u00a0: 1\u202f200 nouveaux importés, "
        "1\u202f198 trop anciens pour une alerte."
    )


async def test_an_undated_item_alerts_only_when_the_feed_was_read_less_than_48_hours_ago(
    site: Site, poller: FeedPoller, database: Database, clock: Clock
) -> None:
    await subscribe_reader(database, clock.now)
    recent = await feed_read_long_ago(database, site.url("/recent"), clock.now, 600)
    gap = await feed_read_long_ago(database, site.url("/gap"), clock.now, 3 * 86_400)
    site.serve("/recent", rss(item("u-1", "#Mali : Sans date, vu à temps", None)))
    site.serve("/gap", rss(item("u-2", "#Mali : Sans date, après trois jours", None)))

    first = await poller.poll_feed(recent.id)
    second = await poller.poll_feed(gap.id)

    assert first is not None and (first.tally.undated, first.tally.stale) == (1, 0)
    assert second is not None and (second.tally.undated, second.tally.stale) == (1, 1)
    assert await delivery_titles(database) == ["Sans date, vu à temps"]
    assert describe_counts(stored_counts_of(second), "en") == (
        "1 article found: 1 new one imported, 1 with no readable date, dated when first seen, "
        "1 too old to alert."
    )


def stored_counts_of(report: PollReport) -> str:
    return json.dumps({"found": report.found, **dataclasses.asdict(report.tally)})


# --- failures -----------------------------------------------------------------------------


async def test_failures_back_off_and_editors_hear_once_each_way(
    site: Site, poller: FeedPoller, database: Database, clock: Clock, notices: Notices
) -> None:
    site.serve("/rss", rss(item("a-1", "#Mali : Un", clock.now - 60)))
    feed = await add_feed_row(database, site.url("/rss"), clock.now, interval=2)
    await poller.poll_feed(feed.id)

    async def down(request: web.Request) -> web.StreamResponse:
        raise web.HTTPInternalServerError()

    site.pages["/rss"] = down
    delays = []
    for _ in range(5):
        report = await poller.poll_feed(feed.id)
        assert report is not None and report.status == "failed"
        stored = await feeds_db.get_feed(database.reader, feed.id)
        assert stored is not None
        delays.append(stored.next_poll_at - clock.now)
    assert delays == [240, 480, 960, 1920, 3840]  # 2 min doubled per failure
    assert stored.consecutive_failures == 5
    assert describe_error(stored.last_error, "fr") == "le site a répondu par l’erreur 500"
    assert [n.kind for n in notices.received] == ["failing"]
    assert notices.received[0].failures == 3

    site.serve("/rss", rss(item("a-1", "#Mali : Un", clock.now - 60)))
    await poller.poll_feed(feed.id)
    await poller.poll_feed(feed.id)
    assert [n.kind for n in notices.received] == ["failing", "recovered"]
    # Both say what the last read found, in /addfeed's words.
    for notice in notices.received:
        assert describe_counts(notice.counts, "fr") == "1 article trouvé\u00a0: 1 nouveau importé."
    stored = await feeds_db.get_feed(database.reader, feed.id)
    assert stored is not None and stored.consecutive_failures == 0 and stored.last_error is None


async def test_backoff_stops_at_six_hours_and_honours_retry_after(
    site: Site, poller: FeedPoller, database: Database, clock: Clock
) -> None:
    feed = await add_feed_row(database, site.url("/busy"), clock.now)
    assert poller.next_poll_after_failure(feed, 30, clock.now) == clock.now + MAX_BACKOFF_SECONDS

    async def busy(request: web.Request) -> web.StreamResponse:
        return web.Response(status=503, headers={"Retry-After": "7200"})

    site.pages["/busy"] = busy
    await poller.poll_feed(feed.id)
    stored = await feeds_db.get_feed(database.reader, feed.id)
    assert stored is not None and stored.next_poll_at == clock.now + 7200


async def test_poll_due_polls_due_feeds_a_few_at_a_time_and_survives_bad_ones(
    site: Site, poller: FeedPoller, database: Database, clock: Clock
) -> None:
    in_flight, peak = 0, 0

    async def slow(request: web.Request) -> web.StreamResponse:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.1)
        in_flight -= 1
        return web.Response(body=rss(item(request.path, "#Mali : Article", clock.now - 60)))

    for n in range(8):
        site.pages[f"/f{n}"] = slow
        await add_feed_row(database, site.url(f"/f{n}"), clock.now)
    site.serve("/garbage", b"\x00\xff not xml at all")
    await add_feed_row(database, site.url("/garbage"), clock.now)
    later = await add_feed_row(database, site.url("/later"), clock.now)
    async with database.transaction() as conn:
        await feeds_db.record_success(
            conn, later.id, clock.now, clock.now + 60, etag=None, last_modified=None, title=None
        )

    reports = await poller.poll_due()

    assert len(reports) == 9 and site.hits("/later") == 0
    assert 2 <= peak <= 4  # concurrent, within the bound
    assert sorted(report.status for report in reports) == ["failed"] + ["ok"] * 8
    assert await poller.poll_due() == []  # nothing is due any more


async def test_a_tick_starts_one_round_at_a_time(
    site: Site, poller: FeedPoller, database: Database, clock: Clock
) -> None:
    release = asyncio.Event()

    async def stalled(request: web.Request) -> web.StreamResponse:
        await release.wait()
        return web.Response(body=rss(item("t-1", "#Mali : Tic", clock.now - 60)))

    site.pages["/rss"] = stalled
    await add_feed_row(database, site.url("/rss"), clock.now)

    for _ in range(3):  # ticks keep coming while the first round waits on a slow feed
        poller.kick()
        await asyncio.sleep(0.05)
    release.set()
    await asyncio.wait_for(poller.wait(), 3)

    assert site.hits("/rss") == 1 and await article_count(database) == 1


# --- editors ------------------------------------------------------------------------------


async def test_adding_a_feed_imports_its_backlog_silently_and_is_audited(
    site: Site, poller: FeedPoller, database: Database, clock: Clock
) -> None:
    await subscribe_reader(database, clock.now)
    site.serve("/rss", (FIXTURES / "rss2.xml").read_bytes())

    report = await poller.add_feed(site.url("/rss"), 10, added_by=EDITOR)

    assert report.created and report.found == 3 and report.tally.new == 3
    assert report.feed.interval_minutes == 10 and report.feed.last_success_at == clock.now
    assert await delivery_titles(database) == []
    again = await poller.add_feed(site.url("/rss"), 10, added_by=EDITOR)
    assert not again.created and again.feed.id == report.feed.id

    removed = await poller.remove_feed(report.feed.id, removed_by=EDITOR)
    assert removed is not None and await feeds_db.list_feeds(database.reader) == []
    assert await article_count(database) == 3  # articles stay
    log = await audit.recent_audit(database.reader)
    assert [(entry.user_id, entry.action) for entry in log] == [
        (EDITOR, "feed.remove"),
        (EDITOR, "feed.add"),
    ]


async def test_feed_list_shows_each_feeds_state(database: Database, clock: Clock) -> None:
    now = clock.now
    healthy = await add_feed_row(database, "https://quotidien.example.ml/rss", now)
    failing = await add_feed_row(database, "https://autre.example.ml/feed?a=1&b=2", now)
    async with database.transaction() as conn:
        await feeds_db.record_success(
            conn,
            healthy.id,
            now - 120,
            now + 180,
            etag=None,
            last_modified=None,
            title="Le Quotidien",
            counts=json.dumps({"found": 20, "new": 2, "unchanged": 17, "no_text": 1}),
        )
        error = FeedError("feeds.error.http", status=503).stored()
        for _ in range(3):
            await feeds_db.record_failure(conn, failing.id, now, now + 3600, error)
    feeds = await feeds_db.list_feeds(database.reader)

    french = render_feed_list(feeds, "fr", now)
    english = render_feed_list(feeds, "en", now)

    assert "Le Quotidien" in french and "il y a 2 minutes" in french and "dans 3 minutes" in french
    assert "3 échecs de suite" in french and "l’erreur 503" in french and "jamais" in french
    assert "a=1&amp;b=2" in french  # escaped for Telegram HTML
    assert (
        "Dernière lecture du flux\u00a0: 20 articles trouvés\u00a0: 2 nouveaux importés, "
        "17 inchangés, 1 ignoré faute de texte." in french
    )
    assert "Last read of the feed: 20 articles found: 2 new ones imported" in english
    assert "3 failures in a row" in english and "error 503" in english
    assert render_feed_list([], "fr", now).startswith("Aucun flux suivi")


def test_addfeed_and_removefeed_arguments() -> None:
    assert parse_addfeed_args(["https://quotidien.example.ml/rss"]) == (
        "https://quotidien.example.ml/rss",
        5,
    )
    assert parse_addfeed_args(["<http://q.example.ml/rss>", "15"]) == (
        "http://q.example.ml/rss",
        15,
    )
    for bad in ([], ["ftp://q.example.ml/rss"], ["https://q.ml", "0"], ["https://q.ml", "dix"]):
        with pytest.raises(UsageError):
            parse_addfeed_args(bad)
    assert parse_feed_id(["#3"]) == parse_feed_id(["n°3"]) == parse_feed_id(["3"]) == 3
    with pytest.raises(UsageError):
        parse_feed_id(["trois"])


@dataclass
class StubBot:
    sent: list[tuple[int, str]] = field(default_factory=list)
    blocked: frozenset[int] = frozenset()

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> None:
        if chat_id in self.blocked:
            raise Forbidden("Forbidden: bot was blocked by the user")
        self.sent.append((chat_id, text))


async def test_editors_are_told_in_their_own_language(database: Database, clock: Clock) -> None:
    async with database.transaction() as conn:
        await chats.upsert_chat(conn, 2, "private", "Editor", "en", clock.now)
    feed = await add_feed_row(database, "https://quotidien.example.ml/rss", clock.now)
    bot = StubBot(blocked=frozenset({1}))
    notifier = EditorNotifier(bot, database, admins={1, 2, 3})  # type: ignore[arg-type]
    # Stored before every connection failure had one wording: told in today's words.
    error = FeedError("feeds.error.timeout").stored()

    await notifier(FeedNotice("failing", feed, 3, error))

    assert [chat_id for chat_id, _ in bot.sent] == [2, 3]
    assert "has failed 3 times" in bot.sent[0][1] and "cannot be reached" in bot.sent[0][1]
    assert "a échoué 3 fois de suite" in bot.sent[1][1] and "injoignable" in bot.sent[1][1]
    counts = json.dumps({"found": 4, "new": 1, "unchanged": 2, "refused": 1, "malformed": True})

    await notifier(FeedNotice("recovered", feed, 3, None, counts))

    assert bot.sent[-1][1].endswith(
        "Dernière lecture du flux\u00a0: 4 articles trouvés\u00a0: 1 nouveau importé, "
        "2 inchangés, 1 refusé. ⚠️ Le flux est mal formé\u00a0: des articles ont pu s’y perdre."
    )


async def test_feeds_start_and_stop_with_the_application(database: Database) -> None:
    from bot.app import build_application

    application = build_application(Settings(token=Secret("123456:" + "A" * 35)))
    application.bot_data.database = database
    application.bot_data.publisher_ = Publisher(database)

    poller = await start_feeds(application)

    assert get_poller(application) is poller
    assert application.job_queue is not None
    assert len(application.job_queue.get_jobs_by_name("newsbot-feeds")) == 1
    await application.job_queue.start()
    await application.job_queue.stop()  # as Application.stop() does before post_stop
    await stop_feeds(application)
    assert get_poller(application) is None and poller.client.is_closed


# --- newsbot import -----------------------------------------------------------------------


async def test_import_of_a_feed_file_then_polling_it_adds_nothing(
    tmp_path: Path,
    site: Site,
    poller: FeedPoller,
    database: Database,
    database_target: Path | DatabaseUrl,
    clock: Clock,
) -> None:
    settings = Settings(db_path=database_target)

    report = await run_import(settings, str(FIXTURES / "rss_media.xml"), False, progress=None)
    assert (report.new, report.updated, report.skipped) == (3, 0, 0)
    again = await run_import(settings, str(FIXTURES / "rss_media.xml"), False, progress=None)
    assert (again.new, again.updated, again.skipped) == (0, 0, 3)

    site.serve("/culture", (FIXTURES / "rss_media.xml").read_bytes())
    feed = await add_feed_row(database, site.url("/culture"), clock.now)
    polled = await poller.poll_feed(feed.id)
    assert polled is not None and polled.tally.new == 0 and await article_count(database) == 3


async def test_import_of_json_lines_reports_new_updated_skipped(
    tmp_path: Path, database: Database, database_target: Path | DatabaseUrl
) -> None:
    settings = Settings(db_path=database_target)
    source = FIXTURES / "articles.jsonl"

    report = await run_import(settings, str(source), False, progress=None)

    assert (report.new, report.updated, report.skipped, report.invalid) == (3, 0, 2, 2)
    farming = await articles.get_article_by_source(database.reader, "feed:qdb-11001")
    assert farming is not None and farming.author.name == "Ibrahim Sangaré"
    assert farming.origin == "import" and [t.name for t in farming.topics] == ["Mali"]
    assert farming.body.startswith("Plus de 40 000 tonnes")
    assert farming.image_url == "https://quotidien.example.ml/img/campagne.jpg"
    conakry = await articles.get_article_by_source(database.reader, "feed:qdb-10999")
    assert conakry is not None and conakry.author.name == "La rédaction"
    assert conakry.published_at == datetime(2024, 5, 3, 15, 0, tzinfo=UTC)  # Bamako is UTC

    changed = tmp_path / "changed.jsonl"
    changed.write_text(
        source.read_text(encoding="utf-8").replace(
            "le port de Conakry", "le port de Conakry et Dakar"
        ),
        encoding="utf-8",
    )
    report = await run_import(settings, str(changed), False, progress=None)
    assert (report.new, report.updated, report.skipped) == (0, 1, 4)


async def test_import_with_notify_alerts_only_recent_articles(
    tmp_path: Path, database: Database, database_target: Path | DatabaseUrl, clock: Clock
) -> None:
    await subscribe_reader(database, clock.now)
    recent = datetime.now(UTC) - timedelta(hours=2)
    lines = [
        {"title": "#Mali : Tout frais", "lead": "Ce matin.", "published_at": recent.isoformat()},
        {
            "title": "#Mali : D’archive",
            "lead": "Il y a un an.",
            "published_at": "2024-05-01T08:00:00Z",
        },
    ]
    source = tmp_path / "recent.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")

    report = await run_import(Settings(db_path=database_target), str(source), True, progress=None)

    assert report.new == 2 and report.alerted == 1 and report.stale == 1
    assert report.tally.stale == 1
    assert await delivery_titles(database) == ["Tout frais"]
    # Without notify nothing alerts, so nothing is "too old to alert" either.
    quiet = await run_import(
        Settings(db_path=tmp_path / "quiet.sqlite3"), str(source), False, progress=None
    )
    assert quiet.new == 2 and quiet.alerted == 0 and quiet.stale == 0


def test_newsbot_import_command(tmp_path: Path) -> None:
    result = _newsbot_import(tmp_path, str(FIXTURES / "articles.jsonl"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "5 entries: 3 new, 0 updated, 0 unchanged, 0 skipped for having no text, "
        "0 skipped as too old, 2 refused"
    )
    # No bar in a pipe (it is drawn on a terminal only); refused lines are still named.
    assert "100%" not in result.stderr and "line 5 skipped: not valid JSON" in result.stderr

    missing = _newsbot_import(tmp_path, str(tmp_path / "absent.xml"))
    assert missing.returncode == 1
    assert "file not found or unreadable" in missing.stderr and "Traceback" not in missing.stderr


def test_newsbot_import_notify_says_how_many_were_too_old_to_alert(tmp_path: Path) -> None:
    recent = datetime.now(UTC) - timedelta(hours=2)
    lines = [
        {"title": "#Mali : Tout frais", "lead": "Ce matin.", "published_at": recent.isoformat()},
        {"title": "#Mali : D’archive", "lead": "Un an.", "published_at": "2024-05-01T08:00:00Z"},
    ]
    source = tmp_path / "recent.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    result = _newsbot_import(tmp_path, "--notify", str(source))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:] == ["1 too old to alert"]


def test_seeded_jitter_spreads_polls() -> None:
    feed = Feed(1, "https://q.ml/rss", None, 5, None, None, 0, None, None, 0, None, True, 0, None)
    jittery = FeedPoller(None, None, None, rng=random.Random(1))  # type: ignore[arg-type]
    times = {jittery.next_poll_after_success(feed, 0.0) for _ in range(20)}
    assert len(times) == 20 and all(270 <= moment <= 330 for moment in times)


# --- through Telegram (the sandbox) -------------------------------------------------------


def _newsbot_import(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `newsbot import ARGS` as a real process on a database in tmp_path."""
    environment = {
        **os.environ,
        "NEWSBOT_DB": str(tmp_path / "cli.sqlite3"),
        "PYTHONPATH": str(PROJECT),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "import", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )


def _wire_feeds(application: Any) -> None:
    """Register the feed commands, ahead of the catch-alls, unless handlers/ already does."""
    wired = any(
        isinstance(handler, CommandHandler) and "addfeed" in handler.commands
        for group in application.handlers.values()
        for handler in group
    )
    if not wired:
        for position, (command, callback) in enumerate(
            [("feeds", show_feeds), ("addfeed", add_feed), ("removefeed", remove_feed)]
        ):
            application.handlers[0].insert(position, CommandHandler(command, callback))


async def test_editor_adds_lists_and_removes_a_feed_in_telegram(bot: Harness, site: Site) -> None:
    _wire_feeds(bot.app)
    started = get_poller(bot.app) is None
    poller = await start_feeds(bot.app) if started else get_poller(bot.app)
    assert poller is not None
    try:
        site.serve("/rss", (FIXTURES / "rss2.xml").read_bytes())
        url = site.url("/rss")

        fetching, added = await bot.ask(bot.editor, f"/addfeed {url} 10", count=2)
        assert added.message_id == fetching.message_id  # the "reading…" message, edited
        assert (
            "Flux n°\u00a0" in added.text
            and "3 articles trouvés\u00a0: 3 nouveaux importés, sans alerte." in added.text
        )
        [listing] = await bot.ask(bot.editor, "/feeds")
        assert "Le Quotidien de Bamako" in listing.text and "Toutes les 10\u00a0min" in listing.text
        assert "lu il y a" in listing.text

        feed = (await feeds_db.list_feeds(bot.db.reader))[0]
        [refused] = await bot.ask(bot.editor, "/addfeed ftp://quotidien.example.ml/rss")
        assert "/ajouterflux https://" in refused.text  # the French name, for a French editor
        # A page naming no feed: one line, in place of the "reading…" message.
        site.serve("/accueil", "<html><head></head><body>Bonjour</body></html>")
        reading, unread = await bot.ask(bot.editor, f"/addfeed {site.url('/accueil')}", count=2)
        assert unread.message_id == reading.message_id
        assert unread.text == (
            "❌ Je n’ai pas pu lire ce flux\u00a0: cette page n’est pas un flux et n’en "
            "indique aucun. Rien n’a été ajouté."
        )
        reader = bot.sandbox.add_user("Oumar", "Touré", language_code="fr")
        [gate] = await bot.ask(reader, "/feeds")
        assert "réservée" in gate.text

        site.pages.pop("/rss")  # the site loses its feed: 404 from now on
        mark = bot.editor.private_chat.mark()
        for _ in range(3):
            await poller.poll_feed(feed.id)
        [notice] = await bot.sandbox.wait_for(bot.editor.private_chat, after=mark)
        assert f"flux n°\u00a0{feed.id}" in notice.text.lower() and "404" in notice.text

        [removed] = await bot.ask(bot.editor, f"/removefeed {feed.id}")
        assert "retiré" in removed.text
        assert await feeds_db.list_feeds(bot.db.reader) == []
    finally:
        if started:
            await stop_feeds(bot.app)
