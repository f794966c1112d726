"""Logging set-up that keeps the bot token out of every line."""

from __future__ import annotations

import logging

__all__ = ["RedactingFilter", "setup_logging"]


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


def setup_logging(level: int = logging.INFO, *secrets: str) -> None:
    """Log to stderr, quiet the HTTP libraries, and redact `secrets` everywhere."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(*secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "aiohttp.access", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
