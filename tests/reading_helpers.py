"""Helpers for the reading tests: pressing buttons, walking pages, publishing test articles."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bot.sandbox import CallbackAnswer, SandboxChat, SandboxMessage, SandboxUser
from db.models import ArticleDraft
from tests.conftest import Harness

_ARTICLE_BUTTON = re.compile(r"art:(\d+)")


async def press(
    bot: Harness,
    user: SandboxUser,
    message: SandboxMessage,
    label: str | int,
    *,
    chat: SandboxChat | None = None,
    expect_message: bool = True,
) -> tuple[CallbackAnswer, SandboxMessage | None]:
    """Press a button; return the callback answer and the message shown or changed next."""
    where = chat or user.private_chat
    mark = where.mark()
    query_id = await user.press(message, label)
    answer = await bot.sandbox.wait_for_answer(query_id, timeout=10)
    if not expect_message:
        return answer, None
    [shown] = await bot.sandbox.wait_for(where, timeout=10, after=mark)
    return answer, shown


def article_ids(message: SandboxMessage) -> list[int]:
    """Return the ids of the articles a list's numbered buttons open, in order."""
    return [
        int(match[1])
        for row in message.buttons
        for _, data in row
        if data and (match := _ARTICLE_BUTTON.fullmatch(data))
    ]


def numbers(message: SandboxMessage) -> list[int]:
    """Return the numbers on a list's article buttons."""
    return [
        int(label)
        for row in message.buttons
        for label, data in row
        if data and data.startswith("art:")
    ]


async def walk(
    bot: Harness, user: SandboxUser, message: SandboxMessage, label: str
) -> list[list[int]]:
    """Press `label` until it is gone; return the article ids of each page, the first included."""
    pages = [article_ids(message)]
    while label in message.labels():
        before = message.message_id
        _, shown = await press(bot, user, message, label)
        assert shown is not None
        assert shown.message_id == before, "a page must replace the list in place"
        message = shown
        pages.append(article_ids(message))
    return pages


async def publish(
    bot: Harness,
    key: str,
    title: str,
    *,
    lead: str = "Un paragraphe d’introduction assez long pour faire un extrait.",
    body: str = "",
    author: str = "La rédaction",
    topics: tuple[str, ...] = ("Mali",),
    published_at: datetime | None = None,
    image_url: str | None = None,
    url: str | None = None,
) -> int:
    """Store an article silently; return its id."""
    draft = ArticleDraft(
        title=title,
        lead=lead,
        body=body,
        author=author,
        topics=topics,
        published_at=published_at,
        image_url=image_url,
        url=url,
    )
    result = await bot.publisher.publish(draft, source_key=key, origin="import", notify=False)
    return result.article_id


def moment(day: int, hour: int = 12, minute: int = 0) -> datetime:
    """Return a UTC time in December 2026, after every sample article."""
    return datetime(2026, 12, 1, tzinfo=UTC) + timedelta(days=day - 1, hours=hour, minutes=minute)
