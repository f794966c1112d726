"""Run `newsbot import` over every file of a feed corpus and count what became of each.

Not a test and not part of the suite: the corpus is someone else's (feedparser's own tests
are 2,000-odd hostile, broken and exotic feeds) and is never committed. Get it, then run:

    pip download feedparser --no-binary :all: --no-deps -d /tmp/fp
    tar xzf /tmp/fp/feedparser-*.tar.gz -C /tmp/fp
    .venv/bin/python -m bench.feed_corpus /tmp/fp/feedparser-*/tests            # import
    .venv/bin/python -m bench.feed_corpus /tmp/fp/feedparser-*/tests --poller   # /addfeed, poll

Every file goes through the importer's own path (the parse worker with its time limit, the
Publisher, one database for the whole corpus). Outcomes: imported (read as a feed, even
empty), refused (a FeedError: one line an editor would read), crashed (a traceback, or the
worker's "internal error"), hung (the parse time limit, or the file's own deadline).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import logging
import sys
import tempfile
import time
from pathlib import Path

from bot.config import Settings
from bot.errors import FeedError
from bot.feeds import ParseWorker
from bot.i18n import t
from bot.importer import run_import

_FILE_DEADLINE_SECONDS = 60.0
_SKIPPED_SUFFIXES = frozenset({".py", ".pyc"})


def _files(root: Path) -> list[Path]:
    return sorted(
        path for path in root.rglob("*") if path.is_file() and path.suffix not in _SKIPPED_SUFFIXES
    )


async def _run(root: Path, parse_seconds: float, verbose: bool) -> int:
    files = _files(root)
    outcomes: collections.Counter[str] = collections.Counter()
    reasons: collections.Counter[str] = collections.Counter()
    problems: list[str] = []
    entries = stored = malformed = 0
    began = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch, ParseWorker(timeout=parse_seconds) as worker:
        settings = Settings(db_path=Path(scratch) / "corpus.sqlite3")
        for path in files:
            try:
                async with asyncio.timeout(_FILE_DEADLINE_SECONDS):
                    report = await run_import(
                        settings, str(path), False, progress=None, parser=worker
                    )
            except TimeoutError:
                outcomes["hung"] += 1
                problems.append(f"hung     {path.relative_to(root)}")
                continue
            except FeedError as error:
                if error.key == "feeds.error.too_slow":
                    outcomes["hung"] += 1
                    problems.append(f"hung     {path.relative_to(root)}")
                elif error.key == "feeds.error.internal":
                    outcomes["crashed"] += 1
                    problems.append(f"crashed  {path.relative_to(root)}")
                else:
                    outcomes["refused"] += 1
                    reasons[t("en", error.key, **error.params)] += 1
                continue
            except Exception as error:
                outcomes["crashed"] += 1
                problems.append(f"crashed  {path.relative_to(root)}: {error!r}")
                continue
            outcomes["imported"] += 1
            entries += report.found
            stored += report.new + report.updated + report.unchanged
            malformed += report.malformed
            if report.tally.total != report.found:
                problems.append(f"counts   {path.relative_to(root)}: {report}")
    print(f"| figure | value |\n| --- | --- |\n| files | {len(files)} |")
    for name in ("imported", "refused", "crashed", "hung"):
        print(f"| {name} | {outcomes[name]} |")
    print(f"| entries read | {entries} |\n| articles stored or unchanged | {stored} |")
    print(f"| imported with a malformed-feed warning | {malformed} |")
    print(f"| seconds | {time.monotonic() - began:.0f} |")
    print("\nRefused, by the one line shown:")
    for reason, count in reasons.most_common():
        print(f"- {count} × {reason}")
    if problems:
        print("\nProblems:")
        print("\n".join(problems if verbose else problems[:50]))
    return 1 if outcomes["crashed"] or outcomes["hung"] else 0


async def _run_poller(root: Path, parse_seconds: float, verbose: bool) -> int:
    """Serve each file on loopback; /addfeed it (FeedPoller.add_feed), then poll it again."""
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    from bot.feeds import AddressPolicy, FeedPoller, FetchLimits, new_http_client
    from bot.publishing import Publisher
    from db import connect

    files = _files(root)
    bodies = {f"/{index}": path.read_bytes() for index, path in enumerate(files)}

    async def serve(request: web.Request) -> web.Response:
        return web.Response(body=bodies[request.path], content_type="application/xml")

    app = web.Application()
    app.router.add_get("/{index}", serve)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    outcomes: collections.Counter[str] = collections.Counter()
    problems: list[str] = []
    began = time.monotonic()
    limits = FetchLimits(total_timeout=10.0)
    with tempfile.TemporaryDirectory() as scratch, ParseWorker(timeout=parse_seconds) as worker:
        db = await connect(Path(scratch) / "corpus.sqlite3")
        client = new_http_client(limits, policy=AddressPolicy(allow_private=True))
        poller = FeedPoller(db, Publisher(db), client, limits=limits, parser=worker)
        try:
            for index, path in enumerate(files):
                name = str(path.relative_to(root))
                try:
                    async with asyncio.timeout(_FILE_DEADLINE_SECONDS):
                        added = await poller.add_feed(
                            str(server.make_url(f"/{index}")), 5, added_by=None
                        )
                        # Forget the body just read, so the poll parses it again.
                        poller._bodies.clear()
                        polled = await poller.poll_feed(added.feed.id)
                except TimeoutError:
                    outcomes["hung"] += 1
                    problems.append(f"hung     {name}")
                    continue
                except FeedError as error:
                    kind = {"feeds.error.too_slow": "hung", "feeds.error.internal": "crashed"}
                    outcomes[kind.get(error.key, "refused")] += 1
                    if error.key in kind:
                        problems.append(f"{kind[error.key]:8} {name} (/addfeed)")
                    continue
                except Exception as error:
                    outcomes["crashed"] += 1
                    problems.append(f"crashed  {name}: {error!r}")
                    continue
                if polled is None or polled.status == "failed":
                    key = polled.error.key if polled and polled.error else "?"
                    outcomes["crashed" if key == "feeds.error.internal" else "poll failed"] += 1
                    problems.append(f"poll     {name}: {key}")
                else:
                    outcomes["added and polled"] += 1
        finally:
            await poller.close()
            await client.aclose()
            await db.close()
            await server.close()
    print(f"| figure | value |\n| --- | --- |\n| files | {len(files)} |")
    for name in ("added and polled", "refused", "poll failed", "crashed", "hung"):
        print(f"| {name} | {outcomes[name]} |")
    print(f"| seconds | {time.monotonic() - began:.0f} |")
    if problems:
        print("\nProblems:")
        print("\n".join(problems if verbose else problems[:50]))
    return 1 if outcomes["crashed"] or outcomes["hung"] else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="a folder of feed files (searched recursively)")
    parser.add_argument("--timeout", type=float, default=30.0, help="parse time limit, seconds")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every problem")
    parser.add_argument(
        "--poller", action="store_true", help="through /addfeed and the poller, over loopback HTTP"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.CRITICAL)  # the worker logs every crash it answers
    run = _run_poller if args.poller else _run
    return asyncio.run(run(args.corpus, args.timeout, args.verbose))


if __name__ == "__main__":
    sys.exit(main())
