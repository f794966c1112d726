"""How the bot gets its updates: getUpdates, setWebhook, deleteWebhook, getWebhookInfo.

The queue itself is ``bot.sandbox.updates.UpdateQueue``; pushing updates to a webhook
belongs beside it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.sandbox.errors import SandboxApiError, bad
from bot.sandbox.methods.registry import method
from bot.sandbox.updates import DEFAULT_UPDATES

if TYPE_CHECKING:
    from bot.sandbox.server import Sandbox

__all__: list[str] = []  # handlers register with the method table


@method("getUpdates")
async def _get_updates(sb: Sandbox, p: dict[str, Any]) -> Any:
    updates = sb.updates
    if updates.webhook_url:
        raise SandboxApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
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


@method("setWebhook", "url")
async def _set_webhook(sb: Sandbox, p: dict[str, Any]) -> Any:
    url = str(p.get("url") or "")
    if not url.startswith("https://"):
        raise bad("Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
    sb.updates.webhook_url = url
    if p.get("drop_pending_updates"):
        sb.updates.clear()
    if isinstance(p.get("allowed_updates"), list):
        sb.updates.allowed = frozenset(p["allowed_updates"]) or DEFAULT_UPDATES
    return True


@method("deleteWebhook")
async def _delete_webhook(sb: Sandbox, p: dict[str, Any]) -> Any:
    sb.updates.webhook_url = ""
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
    if updates.webhook_url:
        info["max_connections"] = 40
        info["allowed_updates"] = sorted(updates.allowed)
    return info
