"""Hostile feed servers the feed tests leave out: silence, an endless body, quadratic entities.

tests/test_feeds.py already covers billion laughs and external entities (refused), a gzip
bomb (cut at the cap, peak memory measured), a 13 MB body, a server dripping bytes and
redirect loops; these add the cases with no end at all and measure time and memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web

from bot.feeds import FeedError, FetchLimits, fetch_feed, parse_feed

CAP = 1024 * 1024


@pytest.fixture
async def server() -> AsyncIterator[str]:
    """A hostile feed server on loopback; its base URL."""

    async def silent(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(3600)  # accepts, reads the request, never answers
        raise AssertionError("unreachable")

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await response.prepare(request)
        chunk = b"<item><title>x</title></item>" * 2000
        with contextlib.suppress(ConnectionError):  # until the client hangs up
            while True:  # no Content-Length, no end
                await response.write(chunk)
                await asyncio.sleep(0)
        return response

    async def deflate_bomb(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Encoding": "deflate"})
        await response.prepare(request)
        squeezer = zlib.compressobj(9)
        zeros = b"\0" * (1024 * 1024)
        # After a full flush the compressor starts afresh: one block, repeated, stays valid.
        first = squeezer.compress(zeros) + squeezer.flush(zlib.Z_FULL_FLUSH)
        block = squeezer.compress(zeros) + squeezer.flush(zlib.Z_FULL_FLUSH)
        await response.write(first)
        with contextlib.suppress(ConnectionError):
            while True:  # an endless stream that inflates a thousandfold
                await response.write(block)
                await asyncio.sleep(0)  # the client shares this event loop
        return response

    app = web.Application()
    app.router.add_get("/silent", silent)
    app.router.add_get("/endless", endless)
    app.router.add_get("/deflate", deflate_bomb)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


async def test_a_server_that_never_answers_is_given_up_in_time(
    server: str, http: httpx.AsyncClient
) -> None:
    began = time.monotonic()
    with pytest.raises(FeedError) as caught:
        await fetch_feed(http, f"{server}/silent", limits=FetchLimits(total_timeout=0.5))
    assert caught.value.key == "feeds.error.timeout"
    assert time.monotonic() - began < 1.5


@pytest.mark.parametrize("path", ["/endless", "/deflate"])
async def test_an_endless_body_is_cut_at_the_cap_in_bounded_memory(
    path: str, server: str, http: httpx.AsyncClient
) -> None:
    began = time.monotonic()
    tracemalloc.start()
    try:
        with pytest.raises(FeedError) as caught:
            await fetch_feed(http, f"{server}{path}", limits=FetchLimits(max_bytes=CAP))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.key == "feeds.error.too_big"
    assert peak < 8 * CAP  # the cap and buffers, not what the server would go on sending
    assert time.monotonic() - began < 5


def test_quadratic_entity_expansion_is_refused_quickly() -> None:
    """One 50 kB entity used 50,000 times (no nesting, so no depth limit trips): 2.5 GB."""
    entity = "x" * 50_000
    body = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE rss [<!ENTITY big "{entity}">]>\n'
        '<rss version="2.0"><channel><title>t</title><item><title>'
        + "&big;" * 50_000
        + "</title></item></channel></rss>"
    ).encode()
    began = time.monotonic()
    tracemalloc.start()
    try:
        with pytest.raises(FeedError, match="unsafe"):
            parse_feed(body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - began < 2
    assert peak < 20 * len(body)
