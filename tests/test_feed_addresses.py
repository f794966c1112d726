"""Feeds fetch only what a newsroom means: public addresses, checked on every hop.

A feed address is fetched by the bot and what it holds becomes searchable by anyone, so a
feed on loopback or the private network would read the newsroom's insides (SSRF). These
tests run real servers on loopback; where a test needs a "public" server it runs one on
127.0.0.2 and hands the fetch a policy that calls that one address public.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address, ip_address
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from bot.config import Secret, Settings
from bot.feeds import (
    AddressPolicy,
    FeedError,
    FeedPoller,
    FetchLimits,
    fetch_feed,
    is_public_address,
    new_http_client,
    start_feeds,
    stop_feeds,
)
from bot.i18n import t
from bot.publishing import Publisher
from db import Database
from db import feeds as feeds_db

FIXTURES = Path(__file__).parent / "feeds_fixtures"
FEED = (FIXTURES / "rss2.xml").read_bytes()
# A self-signed certificate for feeds.example (2000-2100), made for these tests only.
TLS_CERT, TLS_KEY = FIXTURES / "tls" / "feeds.example.crt", FIXTURES / "tls" / "feeds.example.key"
LIMITS = FetchLimits(total_timeout=3.0)
PUBLIC_TEST_HOST = "127.0.0.2"  # loopback, but the tests' policies call it public


@dataclass
class Server:
    """A feed server on one loopback address; what it was asked for."""

    host: str
    port: int
    hits: list[str] = field(default_factory=list)
    host_headers: list[str] = field(default_factory=list)

    def url(self, path: str = "/rss", host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"


@asynccontextmanager
async def serve(
    host: str,
    port: int = 0,
    *,
    body: bytes = FEED,
    redirect_to: str | None = None,
    tls: ssl.SSLContext | None = None,
) -> AsyncIterator[Server]:
    """Run a server answering every GET with `body`, or a redirect to `redirect_to`."""
    server = Server(host, port)

    async def page(request: web.Request) -> web.StreamResponse:
        server.hits.append(request.path)
        server.host_headers.append(request.headers.get("Host", ""))
        if redirect_to is not None:
            raise web.HTTPFound(redirect_to)
        return web.Response(body=body, content_type="application/rss+xml")

    app = web.Application()
    app.router.add_get("/{tail:.*}", page)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, host, port, ssl_context=tls).start()
    server.port = runner.addresses[0][1]
    try:
        yield server
    finally:
        await runner.cleanup()


@pytest.fixture
async def inside() -> AsyncIterator[Server]:
    """A live feed on 127.0.0.1: what an attacker would like the bot to read."""
    async with serve("127.0.0.1") as server:
        yield server


def _test_public(address: IPv4Address | IPv6Address) -> bool:
    return address == IPv4Address(PUBLIC_TEST_HOST) or is_public_address(address)


TEST_POLICY = AddressPolicy(is_public=_test_public)


def _poller(database: Database, client: httpx.AsyncClient) -> FeedPoller:
    return FeedPoller(database, Publisher(database), client, limits=LIMITS)


# --- which addresses are public ---------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
        "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "100.127.255.254", "0.0.0.0", "::", "224.0.0.1", "239.255.255.250", "ff02::1",
        "240.0.0.1", "255.255.255.255", "fe80::1", "fc00::1", "fd12:3456::1",
        "2002:7f00:1::", "64:ff9b::a00:1", "::7f00:1", "192.0.2.1",
    ],
)  # fmt: skip
def test_inside_addresses_are_not_public(address: str) -> None:
    assert not is_public_address(ip_address(address))


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]
)
def test_internet_addresses_are_public(address: str) -> None:
    assert is_public_address(ip_address(address))


def test_feeds_private_admits_loopback_and_private_networks_only() -> None:
    allowed = AddressPolicy(allow_private=True)
    for inside in ("127.0.0.1", "::1", "::ffff:127.0.0.1", "10.1.2.3", "192.168.0.9", "100.64.0.1"):
        assert allowed.permits(ip_address(inside)), inside
    # Cloud metadata is link-local: no newsroom serves its feed there.
    for never in ("169.254.169.254", "fe80::1", "0.0.0.0", "::", "224.0.0.1"):
        assert not allowed.permits(ip_address(never)), never
    assert not AddressPolicy().permits(ip_address("127.0.0.1"))


# --- refused before any connection ------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1", "localhost", "2130706433", "0x7f.1", "017700000001", "[::1]",
        "[::ffff:127.0.0.1]", "10.0.0.1", "169.254.169.254", "100.64.0.1",
    ],
)  # fmt: skip
async def test_addfeed_refuses_inside_addresses(
    host: str, inside: Server, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    async with new_http_client(LIMITS) as client:
        poller = _poller(database, client)
        with caplog.at_level(logging.INFO, logger="bot.feeds"), pytest.raises(FeedError) as caught:
            await poller.add_feed(inside.url(host=host), 5, added_by=1)
        await poller.close()

    assert caught.value.key == "feeds.error.network"
    assert inside.hits == []
    assert await feeds_db.list_feeds(database.reader) == []
    assert "not a public address" in caplog.text  # the log says why; the editor does not


async def test_a_redirect_to_an_inside_address_is_refused(
    inside: Server, caplog: pytest.LogCaptureFixture
) -> None:
    async with (
        serve(PUBLIC_TEST_HOST, redirect_to=inside.url()) as outside,
        new_http_client(LIMITS, policy=TEST_POLICY) as client,
    ):
        with caplog.at_level(logging.INFO, logger="bot.feeds"), pytest.raises(FeedError) as caught:
            await fetch_feed(client, outside.url("/moved"), limits=LIMITS)

    assert outside.hits == ["/moved"]  # the "public" server was read, and it redirected
    assert inside.hits == []
    assert caught.value.key == "feeds.error.network"
    assert "127.0.0.1 is not a public address" in caplog.text


async def test_the_test_policy_does_let_the_public_test_host_through() -> None:
    async with (
        serve(PUBLIC_TEST_HOST) as outside,
        new_http_client(LIMITS, policy=TEST_POLICY) as client,
    ):
        result = await fetch_feed(client, outside.url(), limits=LIMITS)
    assert result.body == FEED


async def test_dns_rebinding_never_reaches_the_inside(inside: Server) -> None:
    """The name answers public when checked, private right after: the bot sticks to the first."""
    answers = [[PUBLIC_TEST_HOST], ["127.0.0.1"]]
    asked: list[tuple[str, int]] = []

    async def rebinding(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return answers[min(len(asked), len(answers)) - 1]

    policy = AddressPolicy(resolve=rebinding, is_public=_test_public)
    public_body = FEED.replace(b"Le Quotidien de Bamako", b"Le site public")
    # The same port on both addresses: only the address tells them apart.
    async with (
        serve(PUBLIC_TEST_HOST, inside.port, body=public_body) as outside,
        new_http_client(LIMITS, policy=policy) as client,
    ):
        result = await fetch_feed(client, f"http://rebind.example:{inside.port}/rss")

    assert result.body == public_body and outside.hits == ["/rss"]
    assert inside.hits == []
    assert asked == [("rebind.example", inside.port)]  # resolved once, then connected to it


async def test_every_address_of_a_name_must_be_public(inside: Server) -> None:
    async def mixed(host: str, port: int) -> list[str]:
        return [PUBLIC_TEST_HOST, "127.0.0.1"]

    async with (
        serve(PUBLIC_TEST_HOST, inside.port) as outside,
        new_http_client(
            LIMITS, policy=AddressPolicy(resolve=mixed, is_public=_test_public)
        ) as client,
    ):
        with pytest.raises(FeedError) as caught:
            await fetch_feed(client, f"http://both.example:{inside.port}/rss")
    assert caught.value.key == "feeds.error.network"
    assert outside.hits == [] and inside.hits == []


async def test_https_is_verified_for_the_name_while_connecting_to_the_checked_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(TLS_CERT, TLS_KEY)
    server_names: list[str | None] = []
    tls.sni_callback = lambda connection, name, context: server_names.append(name)
    monkeypatch.setenv("SSL_CERT_FILE", str(TLS_CERT))  # trust the test certificate

    async def names(host: str, port: int) -> list[str]:
        return [PUBLIC_TEST_HOST]  # feeds.example and other.example both live there

    policy = AddressPolicy(resolve=names, is_public=_test_public)
    async with (
        serve(PUBLIC_TEST_HOST, tls=tls) as outside,
        new_http_client(LIMITS, policy=policy) as client,
    ):
        result = await fetch_feed(client, f"https://feeds.example:{outside.port}/rss")
        with pytest.raises(FeedError) as caught:  # the certificate is not for this name
            await fetch_feed(client, f"https://other.example:{outside.port}/rss")

    assert result.body == FEED
    assert outside.host_headers == [f"feeds.example:{outside.port}"]
    assert server_names == ["feeds.example", "other.example"]  # SNI: the name, not the address
    assert caught.value.key == "feeds.error.network"


# --- no port-scan oracle ----------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _failure(url: str, policy: AddressPolicy, limits: FetchLimits = LIMITS) -> FeedError:
    async with new_http_client(limits, policy=policy) as client:
        with pytest.raises(FeedError) as caught:
            await fetch_feed(client, url, limits=limits)
    return caught.value


async def test_closed_port_refused_address_timeout_and_dns_failure_read_the_same(
    inside: Server,
) -> None:
    never = asyncio.Event()

    async def silent(request: web.Request) -> web.StreamResponse:
        await never.wait()
        raise AssertionError("unreachable")

    async def no_such_name(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    app = web.Application()
    app.router.add_get("/", silent)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    silent_port = runner.addresses[0][1]
    private = AddressPolicy(allow_private=True)
    try:
        began = time.monotonic()
        failures = {
            "closed port": await _failure(f"http://127.0.0.1:{_closed_port()}/", private),
            "refused address": await _failure(inside.url(), AddressPolicy()),
            "private address": await _failure("http://10.0.0.1/", AddressPolicy()),
            "timeout": await _failure(
                f"http://127.0.0.1:{silent_port}/", private, FetchLimits(total_timeout=0.3)
            ),
            "no such name": await _failure(
                "http://nowhere.example/", AddressPolicy(resolve=no_such_name)
            ),
        }
        assert time.monotonic() - began < 3
    finally:
        await runner.cleanup()

    for lang in ("fr", "en"):
        texts = {name: t(lang, error.key, **error.params) for name, error in failures.items()}
        assert len(set(texts.values())) == 1, texts
    assert {error.stored() for error in failures.values()} == {'{"key": "feeds.error.network"}'}
    assert inside.hits == []


# --- NEWSBOT_FEEDS_PRIVATE --------------------------------------------------------------


@pytest.mark.parametrize("allowed", [True, False])
async def test_feeds_private_decides_whether_loopback_feeds_are_read(
    allowed: bool, inside: Server, database: Database
) -> None:
    from bot.app import build_application

    settings = Settings(token=Secret("123456:" + "A" * 35), feeds_private=allowed)
    application = build_application(settings)
    application.bot_data.database = database
    application.bot_data.publisher_ = Publisher(database)
    poller = await start_feeds(application)
    try:
        if allowed:
            report = await poller.add_feed(inside.url(), 5, added_by=1)
            assert report.created and report.found == 3
        else:
            with pytest.raises(FeedError, match="network"):
                await poller.add_feed(inside.url(), 5, added_by=1)
    finally:
        await stop_feeds(application)
    assert inside.hits == (["/rss"] if allowed else [])


async def test_newsbot_import_follows_the_same_rule(inside: Server, tmp_path: Path) -> None:
    from bot.importer import run_import

    strict = Settings(db_path=tmp_path / "import.sqlite3")
    with pytest.raises(FeedError, match="network"):
        await run_import(strict, inside.url(), False, progress=None)
    assert inside.hits == []

    allowed = Settings(db_path=tmp_path / "import.sqlite3", feeds_private=True)
    report = await run_import(allowed, inside.url(), False, progress=None)
    assert report.new == 3 and inside.hits == ["/rss"]
