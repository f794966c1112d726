"""Settings, read once from the environment, then from a `.env` file in the working directory."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.errors import ConfigError
from db.connection import DatabaseUrl

__all__ = ["ConfigError", "Secret", "Settings", "load_settings"]

DEFAULT_API_URL = "https://api.telegram.org/bot"
PAID_BROADCAST_RATE = 1000.0
_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,100}$")
_CHANNEL = re.compile(r"^(@[A-Za-z][A-Za-z0-9_]{3,31}|-100\d{6,16})$")
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as secret_token
_LISTEN = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+|):(?P<port>\d{1,5})$")
DEFAULT_LISTEN = ("127.0.0.1", 8080)


class Secret(str):
    """A string that never shows itself in a repr, a log or a traceback."""

    def __repr__(self) -> str:
        return "Secret('***')" if self else "Secret('')"


@dataclass(frozen=True)
class Settings:
    token: Secret = field(default_factory=lambda: Secret(""))
    api_url: str = DEFAULT_API_URL
    db_path: Path | DatabaseUrl = Path("newsbot.sqlite3")
    """A SQLite file, or a PostgreSQL server's URL (shown without its password)."""
    admins: frozenset[int] = frozenset()
    timezone: str = "Africa/Bamako"
    send_rate: float = 30.0
    paid_broadcast: bool = False
    channel: str | None = None
    feeds_private: bool = False
    """Feeds may live on loopback or private addresses (the newsroom's network, tests)."""
    site_name: str | None = None
    """The paper's name in the bot's words (welcome, description); None: "the newspaper"."""
    webhook_url: str | None = None
    """Updates arrive by webhook at this public URL instead of long polling."""
    webhook_secret_: Secret | None = None
    listen: tuple[str, int] | None = None
    """Where the bot's HTTP server (webhook, /healthz, /metrics) listens; see `listen_on`."""

    @property
    def webhook_secret(self) -> Secret:
        """The secret Telegram echoes with each update: set, or derived from the token.

        Derived, every instance of one bot agrees on it without being told.
        """
        if self.webhook_secret_:
            return self.webhook_secret_
        digest = hmac.new(b"newsbot webhook secret", self.token.encode(), hashlib.sha256)
        return Secret(digest.hexdigest())

    @property
    def listen_on(self) -> tuple[str, int] | None:
        """Return the HTTP server's host and port: NEWSBOT_LISTEN, else 127.0.0.1:8080 in
        webhook mode, else None (no server)."""
        if self.listen is not None:
            return self.listen
        return DEFAULT_LISTEN if self.webhook_url else None

    @property
    def effective_send_rate(self) -> float:
        """Messages per second the bot allows itself: paid broadcasts lift it to 1,000."""
        return max(self.send_rate, PAID_BROADCAST_RATE) if self.paid_broadcast else self.send_rate

    @property
    def concurrency(self) -> int:
        """Requests in flight that keep the effective rate busy without piling up."""
        return max(4, min(64, int(self.effective_send_rate // 15)))

    @property
    def batch_size(self) -> int:
        """Deliveries claimed at once: about a second of sending, so urgent ones wait little."""
        return max(20, min(1000, int(self.effective_send_rate)))

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def require_token(self) -> Secret:
        """Return the token, or fail the way start-up reports a missing one."""
        if not self.token:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN", "not set; get a token from @BotFather and set it"
            )
        return self.token


def _token(value: str) -> Secret:
    if not _TOKEN.match(value):
        # The value itself is never echoed: a half-pasted token is still a secret.
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN", "malformed; expected the form 123456789:AAE… from @BotFather"
        )
    return Secret(value)


def _api_url(value: str) -> str:
    if not re.match(r"^https?://[^\s/]+", value):
        raise ConfigError("TELEGRAM_API_URL", f"{value!r} is not an http(s) URL")
    return value


def _database(value: str) -> Path | DatabaseUrl:
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", value):
        return Path(value)
    try:
        return DatabaseUrl.parse(value)
    except ValueError as error:  # its message never shows the password
        raise ConfigError("NEWSBOT_DB", str(error)) from None


def _admins(value: str) -> frozenset[int]:
    ids = set()
    for part in value.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not re.fullmatch(r"\d{1,20}", part):
            raise ConfigError(
                "NEWSBOT_ADMINS", f"{part!r} is not a Telegram user id (digits, comma-separated)"
            )
        ids.add(int(part))
    return frozenset(ids)


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            "NEWSBOT_TIMEZONE", f"unknown time zone {value!r}; use an IANA name like Africa/Bamako"
        ) from None
    return value


def _send_rate(value: str) -> float:
    try:
        rate = float(value)
    except ValueError:
        rate = -1.0
    if not 0 < rate <= 10_000:
        raise ConfigError("NEWSBOT_SEND_RATE", f"{value!r} is not a number of messages per second")
    return rate


def _flag(variable: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(variable, f"{value!r} is not yes/no")


def _site_name(value: str) -> str:
    name = " ".join(value.split())
    if len(name) > 60 or any(char in name for char in "<>&"):
        raise ConfigError(
            "NEWSBOT_SITE_NAME", f"{value!r} is not a paper's name (at most 60 characters, no <>&)"
        )
    return name


def _channel(value: str) -> str:
    if not _CHANNEL.match(value):
        raise ConfigError("NEWSBOT_CHANNEL", f"{value!r} is not a channel id (-100…) or @username")
    return value


def _webhook_url(value: str) -> str:
    if not re.match(r"^https?://[^\s/?#]+(/[^\s?#]*)?$", value):
        raise ConfigError(
            "NEWSBOT_WEBHOOK_URL",
            f"{value!r} is not an http(s) URL without query (https://bot.example.org/telegram)",
        )
    return value


def _webhook_secret(value: str) -> Secret:
    if not _WEBHOOK_SECRET.match(value):
        # Never echoed: it is a secret.
        raise ConfigError(
            "NEWSBOT_WEBHOOK_SECRET", "must be 1 to 256 characters among A-Z, a-z, 0-9, _ and -"
        )
    return Secret(value)


def _listen(value: str) -> tuple[str, int]:
    match = _LISTEN.match(value)
    port = int(match["port"]) if match else -1
    if match is None or not 0 < port < 65536:
        raise ConfigError("NEWSBOT_LISTEN", f"{value!r} is not host:port (127.0.0.1:8080)")
    return match["host"].strip("[]") or "0.0.0.0", port


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env"
) -> Settings:
    """Read and check every setting; raise ConfigError naming the first bad variable."""
    values: dict[str, str | None] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update(dotenv_values(env_file))
    values.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        value = values.get(name)
        return value.strip() if value and value.strip() else None

    settings = Settings()
    changes: dict[str, object] = {}
    if (raw := get("TELEGRAM_BOT_TOKEN")) is not None:
        changes["token"] = _token(raw)
    if (raw := get("TELEGRAM_API_URL")) is not None:
        changes["api_url"] = _api_url(raw)
    if (raw := get("NEWSBOT_DB")) is not None:
        changes["db_path"] = _database(raw)
    if (raw := get("NEWSBOT_ADMINS")) is not None:
        changes["admins"] = _admins(raw)
    if (raw := get("NEWSBOT_TIMEZONE")) is not None:
        changes["timezone"] = _timezone(raw)
    if (raw := get("NEWSBOT_SEND_RATE")) is not None:
        changes["send_rate"] = _send_rate(raw)
    if (raw := get("NEWSBOT_PAID_BROADCAST")) is not None:
        changes["paid_broadcast"] = _flag("NEWSBOT_PAID_BROADCAST", raw)
    if (raw := get("NEWSBOT_CHANNEL")) is not None:
        changes["channel"] = _channel(raw)
    if (raw := get("NEWSBOT_FEEDS_PRIVATE")) is not None:
        changes["feeds_private"] = _flag("NEWSBOT_FEEDS_PRIVATE", raw)
    if (raw := get("NEWSBOT_SITE_NAME")) is not None:
        changes["site_name"] = _site_name(raw)
    if (raw := get("NEWSBOT_WEBHOOK_URL")) is not None:
        changes["webhook_url"] = _webhook_url(raw)
    if (raw := get("NEWSBOT_WEBHOOK_SECRET")) is not None:
        changes["webhook_secret_"] = _webhook_secret(raw)
    if (raw := get("NEWSBOT_LISTEN")) is not None:
        changes["listen"] = _listen(raw)
    return Settings(**{**settings.__dict__, **changes})
