"""How the bot gets its updates: getUpdates, setWebhook, deleteWebhook, getWebhookInfo.

The queue itself is ``bot.sandbox.updates.UpdateQueue``; ``WebhookSender`` beside it POSTs
the updates to a webhook.

One deviation from Telegram, because the sandbox lives on loopback: a webhook on loopback may
be plain HTTP on any port (Telegram asks for HTTPS on port 443, 80, 88 or 8443, which the
sandbox still asks of any other host).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bot.sandbox.errors import SandboxApiError, bad
from bot.sandbox.methods.registry import method
from bot.sandbox.updates import DEFAULT_UPDATES, WEBHOOK_CONFLICT, WebhookSender, loopback

if TYPE_CHECKING:
    from bot.sandbox.server import Sandbox

__all__: list[str] = []  # handlers register with the method table


@method("getUpdates")
async def _get_updates(sb: Sandbox, p: dict[str, Any]) -> Any:
    updates = sb.updates
    if updates.webhook_url:
        raise SandboxApiError(409, WEBHOOK_CONFLICT)
    try:
        offset = int(p.get("offset") or 0)
        limit = int(p.get("limit") or 100)
        timeout = float(p.get("timeout") or 0)
    except (TypeError, ValueError):
        raise bad("Bad Request: wrong parameter in request") from None
    limit = min(max(limit, 1), 100)
    allowed = p.get("allowed_updates")
    if isinstance(allowed, list):
        # An empty list means "the default set"; the choice is kept for later calls.
        updates.allowed = frozenset(allowed) if allowed else DEFAULT_UPDATES
    updates.confirm(offset)
    await updates.wait(timeout)
    batch = updates.batch(limit)
    sb.stats.updates_delivered += len(batch)
    return batch


_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_WEBHOOK_PORTS = (80, 88, 443, 8443)


@method("setWebhook", "url")
async def _set_webhook(sb: Sandbox, p: dict[str, Any]) -> Any:
    url = str(p.get("url") or "")
    parts = urlsplit(url)
    if not loopback(url):
        if parts.scheme != "https":
            raise bad("Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        if (parts.port or 443) not in _WEBHOOK_PORTS:
            raise bad(
                "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
            )
    elif parts.scheme not in ("http", "https"):
        raise bad("Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
    secret = str(p.get("secret_token") or "")
    if secret and not _SECRET.match(secret):
        raise bad("Bad Request: secret token contains unallowed characters")
    try:
        max_connections = int(p.get("max_connections") or 40)
    except (TypeError, ValueError):
        raise bad("Bad Request: wrong parameter max_connections in request") from None
    max_connections = min(max(max_connections, 1), 100)  # Telegram keeps it within 1-100
    updates = sb.updates
    if p.get("drop_pending_updates"):
        updates.clear()
    if isinstance(p.get("allowed_updates"), list):
        updates.allowed = frozenset(p["allowed_updates"]) or DEFAULT_UPDATES
    await sb.set_webhook(
        WebhookSender(
            updates,
            url,
            secret_token=secret,
            max_connections=max_connections,
            now=sb.now,
            on_delivered=sb.stats.count_updates,
        )
    )
    return True


@method("deleteWebhook")
async def _delete_webhook(sb: Sandbox, p: dict[str, Any]) -> Any:
    await sb.set_webhook(None)
    if p.get("drop_pending_updates"):
        sb.updates.clear()
    return True


@method("getWebhookInfo")
async def _get_webhook_info(sb: Sandbox, p: dict[str, Any]) -> Any:
    updates = sb.updates
    info: dict[str, Any] = {
        "url": updates.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(updates),
    }
    sender = sb.webhook
    if sender is not None:
        if sender.last_error_date is not None:
            info["last_error_date"] = sender.last_error_date
            info["last_error_message"] = sender.last_error_message
        info["max_connections"] = sender.max_connections
        info["ip_address"] = "127.0.0.1" if loopback(sender.url) else "149.154.167.220"
        if updates.allowed != DEFAULT_UPDATES:
            info["allowed_updates"] = sorted(updates.allowed)
    return info
