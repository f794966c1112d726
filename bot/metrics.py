"""What the on-call person reads at GET /metrics: the bot's counters, in Prometheus' format.

One `Metrics` per application, each with its own registry (never prometheus_client's
global one): a process may hold several applications (the tests do), and each counts only
its own. The services count with one small call where the event happens; the alerts still
pending are read from the database when /metrics is scraped.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import exposition as _exposition

__all__ = ["CONTENT_TYPE", "Metrics"]

CONTENT_TYPE = _exposition.CONTENT_TYPE_LATEST

# From an article's publication to its alert in the chat: seconds for a small newsroom,
# minutes for a big broadcast at Telegram's 30 messages a second, hours across quiet hours.
_DELAY_BUCKETS = (1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 12 * 3600)


class Metrics:
    """The bot's counters, gauges and histogram, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.updates = Counter(
            "newsbot_updates_handled",
            "Updates received from Telegram and handled",
            registry=registry,
        )
        self.replies = Counter(
            "newsbot_replies_sent",
            "Replies to readers and editors that Telegram accepted (sends, edits, answers)",
            registry=registry,
        )
        self.reply_retries = Counter(
            "newsbot_reply_retries",
            "Replies sent again after a 5xx, a network error or a timeout",
            registry=registry,
        )
        self.alerts = Counter(
            "newsbot_alerts", "Alerts by outcome (sent, failed)", ["outcome"], registry=registry
        )
        self.alerts_pending = Gauge(
            "newsbot_alerts_pending",
            "Alerts waiting in the outbox (read from the database at scrape time)",
            registry=registry,
        )
        self.too_many_requests = Counter(
            "newsbot_telegram_429", "429 Too Many Requests answers from Telegram", registry=registry
        )
        self.delivery_delay = Histogram(
            "newsbot_delivery_delay_seconds",
            "Seconds from an article's publication to its alert sent",
            buckets=_DELAY_BUCKETS,
            registry=registry,
        )
        self.feed_polls = Counter(
            "newsbot_feed_polls",
            "Feed polls by outcome (ok, not_modified, unchanged, failed)",
            ["outcome"],
            registry=registry,
        )
        for outcome in ("sent", "failed"):
            self.alerts.labels(outcome)
        for outcome in ("ok", "not_modified", "unchanged", "failed"):
            self.feed_polls.labels(outcome)

    def alert_sent(self, published_at: float | None, sent_at: float) -> None:
        """Count one alert sent, and how long after publication it arrived."""
        self.alerts.labels("sent").inc()
        if published_at is not None:
            self.delivery_delay.observe(max(0.0, sent_at - published_at))

    def alerts_failed(self, count: int = 1) -> None:
        """Count alerts given up on."""
        if count:
            self.alerts.labels("failed").inc(count)

    def feed_polled(self, outcome: str) -> None:
        """Count one poll of one feed: ok, not_modified, unchanged or failed."""
        self.feed_polls.labels(outcome).inc()

    def render(self, pending: int | None) -> bytes:
        """Return the text exposition, with the outbox's pending count as just read."""
        if pending is not None:
            self.alerts_pending.set(pending)
        return generate_latest(self.registry)
