"""An aiohttp transport for python-telegram-bot, for sending at broadcast speed.

python-telegram-bot's default transport (httpx) tops out well below Telegram's paid
broadcast rate of 1,000 messages a second on one core; aiohttp's client does several times
better. `AiohttpRequest` implements python-telegram-bot's BaseRequest and keeps what the
default one guarantees: the four timeouts (connect, read, write, pool) mapped to TimedOut,
transport failures to NetworkError, multipart uploads, and a bounded connection pool.
"""

from __future__ import annotations

import json

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import JSONDict, ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot import __version__
from bot.metrics import Metrics

__all__ = ["AiohttpRequest"]


class AiohttpRequest(BaseRequest):
    """python-telegram-bot requests over one aiohttp session."""

    def __init__(
        self,
        connection_pool_size: int = 16,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        metrics: Metrics | None = None,
    ):
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._metrics = metrics
        self._user_agent = f"newsbot/{__version__} (python-telegram-bot; aiohttp)"

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        """Parse Telegram's JSON; a lone UTF-16 surrogate escape ("\\ud800") becomes U+FFFD.

        JSON may carry one, but Python could not encode the string again: the bot would fail
        on the first database query or reply that used it.
        """
        data = BaseRequest.parse_json_payload(payload)
        if b"\\ud" not in payload.lower():
            return data
        text = json.dumps(data, ensure_ascii=False)
        cleaned = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return data if cleaned == text else json.loads(cleaned)

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (once)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, ttl_dns_cache=300)
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; return the HTTP status and the body."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        write = write_timeout
        if isinstance(write, DefaultValue):
            write = self._media_write_timeout if files else self._write_timeout
        # aiohttp has no write timeout: the whole exchange is capped by the sum instead.
        parts = [value for value in (read, write, connect, pool) if value is not None]
        timeout = aiohttp.ClientTimeout(
            total=sum(parts) if len(parts) == 4 else None,
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        headers = {"User-Agent": self._user_agent}
        body: aiohttp.FormData | bytes | None = None
        if files:
            form = aiohttp.FormData()
            for name, value in (request_data.json_parameters if request_data else {}).items():
                form.add_field(name, value)
            for name, upload in files.items():
                if isinstance(upload, tuple):
                    filename, content, *rest = upload
                    form.add_field(
                        name, content, filename=filename, content_type=rest[0] if rest else None
                    )
                else:
                    form.add_field(name, upload)
            body = form
        elif request_data is not None and request_data.parameters:
            # Nested objects (keyboards, command lists) travel as JSON, not JSON-in-strings.
            body = json.dumps(request_data.parameters).encode()
            headers["Content-Type"] = "application/json"
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                if response.status == 429 and self._metrics is not None:
                    self._metrics.too_many_requests.inc()
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error
