"""Answering what users asked: answerCallbackQuery, answerInlineQuery."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.sandbox.errors import bad
from bot.sandbox.methods.checks import message_text, reply_markup
from bot.sandbox.methods.registry import method
from bot.sandbox.world import CallbackAnswer

if TYPE_CHECKING:
    from bot.sandbox.server import Sandbox

__all__: list[str] = []  # handlers register with the method table

_INLINE_RESULT_TYPES = frozenset(
    {
        "article",
        "photo",
        "gif",
        "mpeg4_gif",
        "video",
        "audio",
        "voice",
        "document",
        "location",
        "venue",
        "contact",
        "game",
        "sticker",
    }
)


@method("answerCallbackQuery", "callback_query_id")
async def _answer_callback_query(sb: Sandbox, p: dict[str, Any]) -> Any:
    query_id = str(p["callback_query_id"])
    sb.open_query(query_id)
    text = p.get("text")
    if text is not None and len(str(text)) > 200:
        raise bad("Bad Request: MESSAGE_TOO_LONG")
    answer = CallbackAnswer(
        text=str(text) if text is not None else None,
        show_alert=bool(p.get("show_alert")),
        url=p.get("url"),
        cache_time=int(p.get("cache_time") or 0),
    )
    sb.callback_answers[query_id] = answer
    sb.answer_query(query_id, answer)
    return True


@method("answerInlineQuery", "inline_query_id", "results")
async def _answer_inline_query(sb: Sandbox, p: dict[str, Any]) -> Any:
    query_id = str(p["inline_query_id"])
    sb.open_query(query_id)
    results = p["results"]
    if not isinstance(results, list):
        raise bad("Bad Request: can't parse inline query results JSON object")
    if len(results) > 50:
        raise bad("Bad Request: RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        if not isinstance(result, dict) or result.get("type") not in _INLINE_RESULT_TYPES:
            raise bad("Bad Request: can't parse inline query result JSON object")
        result_id = result.get("id")
        if not isinstance(result_id, str) or not 1 <= len(result_id.encode("utf-8")) <= 64:
            raise bad("Bad Request: RESULT_ID_INVALID")
        if result_id in seen:
            raise bad("Bad Request: RESULT_ID_DUPLICATE")
        seen.add(result_id)
        if result["type"] == "article" and not result.get("title"):
            raise bad("Bad Request: RESULT_TITLE_EMPTY")
        content = result.get("input_message_content")
        if isinstance(content, dict) and "message_text" in content:
            message_text(sb, content["message_text"], content, "entities", caption=False)
        elif result["type"] == "article":
            raise bad("Bad Request: can't parse InputMessageContent JSON object")
        if "reply_markup" in result:
            reply_markup(result["reply_markup"])
    answer = {"results": results, "next_offset": p.get("next_offset") or ""}
    sb.inline_answers[query_id] = answer
    sb.answer_query(query_id, answer)
    return True
