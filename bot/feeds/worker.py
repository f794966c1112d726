"""The parse worker: `parse_feed` in a child process, with a time limit.

A runaway regex holds the GIL, so a thread would not keep the event loop free; a process
does. The worker is started with spawn: the function it runs (`_serve_parses`) and the
parse function it is given must stay importable at their module paths.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Any, Unpack

from bot.errors import FeedError
from bot.feeds.parsing import ParsedFeed, ParseOptions, parse_feed

__all__ = ["PARSE_TIMEOUT_SECONDS", "ParseFunction", "ParseWorker"]

logger = logging.getLogger(__name__)

PARSE_TIMEOUT_SECONDS = 30.0
"""Time one document may take in the parse worker; a 4 MB feed of 1,500 items takes 5 s."""

_WORKER_START_SECONDS = 60.0  # a fresh interpreter importing the bot, on a slow disk
_WORKER_REAP_SECONDS = 5.0


ParseFunction = Callable[..., ParsedFeed]
"""`parse_feed`, or a stand-in with its signature (tests); must be importable by name."""
_Request = tuple[bytes, ParseOptions]
_Outcome = tuple[Any, ...]  # ("ok", ParsedFeed) | ("error", key, params) | ("crash", traceback)


def _serve_parses(connection: Connection, parse: ParseFunction) -> None:
    """Run in the worker: parse each request that arrives and answer with plain data."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the bot; the bot stops us
    connection.send("ready")
    while True:
        try:
            body, options = connection.recv()
        except EOFError:
            return  # the bot closed its end: nothing more will come
        outcome: _Outcome
        try:
            outcome = ("ok", parse(body, **options))
        except FeedError as error:
            outcome = ("error", error.key, error.params)
        except Exception:
            outcome = ("crash", traceback.format_exc())
        connection.send(outcome)


def _exchange(connection: Connection, request: _Request) -> _Outcome:
    """Send one request to the worker and wait for its answer (in a thread: both block)."""
    connection.send(request)
    outcome: _Outcome = connection.recv()
    return outcome


class ParseWorker:
    """Parse feeds in a child process, one at a time, killing any parse that overruns.

    feedparser is pure Python with regexes that can run for minutes on one hostile field,
    and a regex holds the GIL: a thread does not protect the event loop, a process does.
    The process starts on first use and is reused (a parse costs a pickle each way, not a
    start-up). Its start method is spawn, a fresh interpreter: fork would copy this
    threaded process's locks mid-use. A parse that takes longer than `timeout` kills the
    process and fails with feeds.error.too_slow; the next parse starts another. Start-up
    waits for the child's "ready" outside the time limit, so a first parse is not cut short.
    """

    def __init__(
        self, *, timeout: float = PARSE_TIMEOUT_SECONDS, parse: ParseFunction = parse_feed
    ):
        self._timeout = timeout
        self._parse = parse
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None
        self._process: BaseProcess | None = None
        self._connection: Connection | None = None

    @property
    def pid(self) -> int | None:
        """The worker process's id, None while none runs."""
        return self._process.pid if self._process is not None else None

    def __enter__(self) -> ParseWorker:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _serialized(self) -> asyncio.Lock:
        # One lock per event loop: a worker may outlive the loop it first served (tests).
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        return self._lock

    async def parse(self, body: bytes, **options: Unpack[ParseOptions]) -> ParsedFeed:
        """Parse a document in the worker; raise FeedError as `parse_feed` does, or too_slow."""
        options["now"] = options.get("now") or datetime.now(UTC)  # the bot's clock, not the child's
        request: _Request = (body, options)
        url = options.get("url")
        # Only one parse at a time, so the time limit counts the parse, not the queue.
        async with self._serialized():
            connection = await self._running()
            try:
                async with asyncio.timeout(self._timeout):
                    outcome = await asyncio.to_thread(_exchange, connection, request)
            except TimeoutError:
                logger.warning("Feed %s: parsing took over %s s, worker killed", url, self._timeout)
                await self._stop()
                raise FeedError("feeds.error.too_slow") from None
            except (EOFError, OSError) as error:
                logger.error("Feed %s: the parse worker died (%r)", url, error)
                await self._stop()
                raise FeedError("feeds.error.internal") from None
            except BaseException:  # cancelled mid-parse: its answer would reach the next one
                await self._stop()
                raise
        kind, *details = outcome
        if kind == "ok":
            parsed: ParsedFeed = details[0]
            return parsed
        if kind == "error":
            failure = FeedError(details[0])
            failure.params = details[1]  # escaped already, when the worker raised it
            raise failure
        logger.error("Feed %s: parsing failed in the worker:\n%s", url, details[0])
        raise FeedError("feeds.error.internal")

    async def _running(self) -> Connection:
        """Return the connection to a live worker, starting one if needed."""
        if self._process is not None and self._connection is not None:
            if self._process.is_alive():
                return self._connection
            await self._stop()
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        process = context.Process(
            target=_serve_parses,
            args=(theirs, self._parse),
            name="newsbot-feed-parser",
            daemon=True,  # never outlives the bot
        )
        await asyncio.to_thread(process.start)
        theirs.close()  # the child's end lives in the child: its death is our EOF
        self._process, self._connection = process, ours
        try:
            async with asyncio.timeout(_WORKER_START_SECONDS):
                await asyncio.to_thread(ours.recv)
        except BaseException as error:
            await self._stop()
            if isinstance(error, (TimeoutError, EOFError, OSError)):
                logger.error("The feed parse worker did not start: %r", error)
                raise FeedError("feeds.error.internal") from None
            raise
        return ours

    def _discard(self) -> BaseProcess | None:
        """Forget the worker and kill it; return it, to be reaped."""
        process, self._process, self._connection = self._process, None, None
        # The connection is not closed here: a thread may still be reading it, and gets
        # EOF once the child is dead; the last reference to go closes it.
        if process is not None and process.is_alive():
            process.kill()
        return process

    async def _stop(self) -> None:
        if (process := self._discard()) is not None:
            await asyncio.to_thread(process.join, _WORKER_REAP_SECONDS)

    def close(self) -> None:
        """Stop the worker process, if one runs."""
        if (process := self._discard()) is not None:
            process.join(_WORKER_REAP_SECONDS)
