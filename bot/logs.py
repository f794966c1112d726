"""Logging set-up that keeps the bot token out of every line."""

from __future__ import annotations

import logging

__all__ = ["OneLineFormatter", "RedactingFilter", "setup_logging"]


class RedactingFilter(logging.Filter):
    """Replace secrets (the token appears in every Bot API URL) in each record."""

    def __init__(self, *secrets: str):
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        redacted = message
        for secret in self._secrets:
            redacted = redacted.replace(secret, "<token>")
            if record.exc_text:
                record.exc_text = record.exc_text.replace(secret, "<token>")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class OneLineFormatter(logging.Formatter):
    """Format a record on one line: an exception as its type and message, no traceback."""

    def __init__(self, fmt: str, *secrets: str):
        super().__init__(fmt)
        self._secrets = [secret for secret in secrets if secret]

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        error = record.exc_info[1] if record.exc_info else None
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            line = super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved
        if error is not None:
            line = f"{line} ({type(error).__name__}: {error})"
        for secret in self._secrets:
            line = line.replace(secret, "<token>")
        return " ".join(line.split())


def setup_logging(level: int = logging.INFO, *secrets: str, tracebacks: bool = True) -> None:
    """Log to stderr, quiet the HTTP libraries, and redact `secrets` everywhere.

    Without `tracebacks`, every record is one line (for the terminal sessions: the demo and
    `newsbot chat`).
    """
    fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(fmt) if tracebacks else OneLineFormatter(fmt, *secrets))
    handler.addFilter(RedactingFilter(*secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "aiohttp.access", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
