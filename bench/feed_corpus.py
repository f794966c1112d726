"""Run `newsbot import` over every file of a feed corpus and count what became of each.

Not a test and not part of the suite: the corpus is someone else's (feedparser's own tests
are 2,000-odd hostile, broken and exotic feeds) and is never committed. Get it, then run:

    pip download feedparser --no-binary :all: --no-deps -d /tmp/fp
    tar xzf /tmp/fp/feedparser-*.tar.gz -C /tmp/fp
    .venv/bin/python -m bench.feed_corpus /tmp/fp/feedparser-*/tests

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="a folder of feed files (searched recursively)")
    parser.add_argument("--timeout", type=float, default=30.0, help="parse time limit, seconds")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every problem")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.CRITICAL)  # the worker logs every crash it answers
    return asyncio.run(_run(args.corpus, args.timeout, args.verbose))


if __name__ == "__main__":
    sys.exit(main())
