"""The sample articles shipped for the demo and the tests (invented news, the site's style)."""

from __future__ import annotations

import json
from datetime import datetime
from importlib import resources

from bot.publishing import Publisher
from bot.site import parse_article_message
from db.models import ArticleDraft

__all__ = ["load_samples", "sample_drafts"]


def sample_drafts() -> list[tuple[str, ArticleDraft]]:
    """Return (source key, draft) for each sample article, oldest first."""
    raw = json.loads(resources.files("bot.data").joinpath("sample_articles.json").read_text())
    drafts = []
    for number, item in enumerate(raw, start=1):
        draft = parse_article_message(item["text"])
        published = datetime.fromisoformat(item["published_at"])
        drafts.append(
            (
                f"sample:{number}",
                ArticleDraft(
                    title=draft.title,
                    lead=draft.lead,
                    body=draft.body,
                    author=draft.author,
                    topics=draft.topics,
                    url=item.get("url") or draft.url,
                    image_url=item.get("image_url") or draft.image_url,
                    published_at=published,
                ),
            )
        )
    drafts.sort(key=lambda pair: pair[1].published_at or datetime.min)
    return drafts


async def load_samples(publisher: Publisher) -> list[int]:
    """Store the sample articles silently (no alerts); return their ids."""
    ids = []
    for source_key, draft in sample_drafts():
        result = await publisher.publish(
            draft, source_key=source_key, origin="import", notify=False
        )
        ids.append(result.article_id)
    return ids
