"""Where a feed fetch may connect: public addresses only, checked on every connection.

`AddressPolicy` admits public addresses, and loopback or private ones too when
NEWSBOT_FEEDS_PRIVATE lets feeds live on the newsroom's own network. `CheckedTransport`
resolves each host once per connection, checks every address and connects to the address
it checked: on the first request and on every redirect hop, with no window for DNS
rebinding.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import Any

import httpcore
import httpx

__all__ = [
    "AddressPolicy",
    "CheckedTransport",
    "IPAddress",
    "Resolver",
    "is_public_address",
    "resolve_host",
]

logger = logging.getLogger(__name__)


IPAddress = IPv4Address | IPv6Address
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]
"""Return the addresses of a host (a name or a numeric form) for a port."""

_SHARED_ADDRESS_SPACE = IPv4Network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)
_NAT64 = IPv6Network("64:ff9b::/96")


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """Return the IPv4 address an IPv6 one carries to (6to4, NAT64), if it does."""
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFF_FFFF)
    return None


def is_public_address(address: IPAddress) -> bool:
    """Tell whether an address is on the public internet, in any of its written forms.

    `is_global` alone lets multicast and some reserved IPv6 ranges through, and an IPv6
    address can carry an IPv4 one: IPv4-mapped addresses are judged as their IPv4 form,
    6to4 and NAT64 ones must be public both ways.
    """
    if isinstance(address, IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public_address(address.ipv4_mapped)
        embedded = _embedded_ipv4(address)
        if embedded is not None and not is_public_address(embedded):
            return False
    elif address in _SHARED_ADDRESS_SPACE:
        return False
    return address.is_global and not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _is_inside_address(address: IPAddress) -> bool:
    """Tell whether an address is one NEWSBOT_FEEDS_PRIVATE admits: loopback or private.

    Link-local (cloud metadata at 169.254.169.254), multicast and unspecified addresses
    stay refused even then: no newsroom serves its feed there.
    """
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_link_local or address.is_multicast or address.is_unspecified:
        return False
    if isinstance(address, IPv4Address) and address in _SHARED_ADDRESS_SPACE:
        return True
    return address.is_loopback or address.is_private


async def resolve_host(host: str, port: int) -> list[str]:
    """Return the addresses the system resolver gives for a host, numeric forms included.

    getaddrinfo reads every form a URL may spell an address in (2130706433, 0x7f.1,
    017700000001 are 127.0.0.1), so the check sees the address, never the spelling.
    """
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Where feed fetches may connect: public addresses, and inside ones when allowed.

    `resolve` turns a host into addresses and `is_public` judges one address; tests replace
    them to stage a "public" server on loopback or a resolver that changes its answer.
    """

    allow_private: bool = False
    resolve: Resolver = resolve_host
    is_public: Callable[[IPAddress], bool] = is_public_address

    def permits(self, address: IPAddress) -> bool:
        """Tell whether a fetch may connect to this address."""
        return self.is_public(address) or (self.allow_private and _is_inside_address(address))

    async def addresses(self, host: str, port: int) -> list[str]:
        """Resolve a host and return its addresses, or raise ConnectError if any is refused.

        One refused address refuses the host: a name that points inside is not a feed.
        """
        try:
            found = list(await self.resolve(host, port))
        except OSError as error:  # socket.gaierror: no such name, no resolver
            raise httpcore.ConnectError(f"cannot resolve {host}: {error}") from None
        if not found:
            raise httpcore.ConnectError(f"{host} has no address")
        for text in found:
            try:
                address = ip_address(text)
            except ValueError:
                address = None
            if address is None or not self.permits(address):
                logger.warning("Feed host %s refused: %s is not a public address", host, text)
                raise httpcore.ConnectError(f"{host}: {text} is not a public address")
        return found


class _CheckedBackend(httpcore.AsyncNetworkBackend):
    """Open TCP connections only to addresses the policy permits, and to the one it checked.

    httpcore asks its network backend for every new connection (the first request, each
    redirect hop to another host, a pooled connection that expired) with the URL's host.
    Resolving, checking and connecting here, in one step, leaves no moment for the name
    to change its answer; the URL keeps its host name, so the Host header, TLS SNI and
    certificate verification stay those of the name.
    """

    def __init__(self, policy: AddressPolicy):
        self._policy = policy
        self._network = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                addresses = await self._policy.addresses(host, port)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} took too long") from None
        failure: Exception = httpcore.ConnectError(f"{host} has no address")
        for address in addresses:
            try:
                return await self._network.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("feeds are fetched over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self._network.sleep(seconds)


class CheckedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, over a connection pool whose connections `_CheckedBackend` makes.

    httpx has no public way to hand its httpcore pool a network backend, so this builds the
    pool again as httpx does (its SSL context, its limits) with ours. Should a later httpx
    keep its pool under another name, construction fails here rather than fetch unchecked.
    """

    def __init__(self, policy: AddressPolicy, limits: httpx.Limits):
        super().__init__(limits=limits)
        if not isinstance(getattr(self, "_pool", None), httpcore.AsyncConnectionPool):
            raise RuntimeError("httpx no longer keeps its connection pool in _pool")
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_CheckedBackend(policy),
        )
