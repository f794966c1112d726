"""Simulated people and chats: updates they produce, and how their chats refuse the bot."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.sandbox import Sandbox
from tests.sandbox.conftest import Api


async def _updates(api: Api) -> list[dict[str, Any]]:
    _, body = await api("getUpdates")
    updates = body["result"]
    if updates:
        await api("getUpdates", offset=updates[-1]["update_id"] + 1)
    return updates


async def test_private_command_has_bot_command_entity(api: Api, sandbox: Sandbox) -> None:
    awa = sandbox.add_user("Awa", "Keïta", username="awa", language_code="fr")
    sent = await awa.send("/latest 3 #Mali @lejournal https://example.ml")
    [update] = await _updates(api)
    message = update["message"]
    assert message == sent
    assert message["from"]["language_code"] == "fr"
    assert message["chat"]["id"] == awa.id == awa.private_chat.id
    assert [(e["type"], e["offset"], e["length"]) for e in message["entities"]] == [
        ("bot_command", 0, 7),
        ("hashtag", 10, 5),
        ("mention", 16, 10),
        ("url", 27, 18),
    ]


async def test_group_privacy_mode_delivers_commands_for_this_bot_only(
    api: Api, sandbox: Sandbox
) -> None:
    awa = sandbox.add_user("Awa")
    group = sandbox.add_group("Rédaction Kati", admins=[awa])
    await awa.send("/latest@newsbot_test_bot", chat=group)
    await awa.send("bonjour tout le monde", chat=group)
    await awa.send("/latest@other_bot", chat=group)
    await awa.send("/help", chat=group)
    updates = await _updates(api)
    assert [u["message"]["text"] for u in updates] == ["/latest@newsbot_test_bot", "/help"]
    assert updates[0]["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 24}]
    assert updates[0]["message"]["chat"] == {
        "id": group.id,
        "type": "group",
        "title": "Rédaction Kati",
    }
    assert len(group.transcript) == 4


async def test_press_produces_callback_query_and_records_answer(api: Api, sandbox: Sandbox) -> None:
    awa = sandbox.add_user("Awa")
    _, sent = await api(
        "sendMessage",
        chat_id=awa.id,
        text="Derniers articles",
        reply_markup={
            "inline_keyboard": [
                [
                    {"text": "‹ Récents", "callback_data": "page:0"},
                    {"text": "Plus anciens ›", "callback_data": "page:2"},
                ],
                [{"text": "Site", "url": "https://example.ml"}],
            ]
        },
    )
    [bot_message] = awa.private_chat.bot_messages()
    query_id = await awa.press(bot_message, "Plus anciens ›")
    by_index = await awa.press(sent["result"], 0)
    updates = await _updates(api)
    query = updates[0]["callback_query"]
    assert query["id"] == query_id
    assert query["data"] == "page:2"
    assert query["message"]["message_id"] == sent["result"]["message_id"]
    assert query["chat_instance"]
    assert updates[1]["callback_query"]["data"] == "page:0"
    with pytest.raises(ValueError, match="no callback_data"):
        await awa.press(bot_message, "Site")
    with pytest.raises(LookupError):
        await awa.press(bot_message, "Absent")

    status, body = await api("answerCallbackQuery", callback_query_id=query_id, text="x" * 201)
    assert (status, body["description"]) == (400, "Bad Request: MESSAGE_TOO_LONG")
    assert (await api("answerCallbackQuery", callback_query_id=query_id, text="Page 2"))[0] == 200
    assert (await sandbox.wait_for_answer(query_id)).text == "Page 2"
    status, body = await api("answerCallbackQuery", callback_query_id=query_id)
    assert status == 400
    assert body["description"].startswith("Bad Request: query is too old")
    sandbox.advance(3600)
    status, _ = await api("answerCallbackQuery", callback_query_id=by_index)
    assert status == 400


async def test_inline_query_returns_the_bots_answer(api: Api, sandbox: Sandbox) -> None:
    awa = sandbox.add_user("Awa")

    async def answer() -> None:
        _, body = await api("getUpdates", timeout=5)  # held until the query arrives
        updates = body["result"]
        query = updates[0]["inline_query"]
        assert query["query"] == "sécurité"
        results = [
            {
                "type": "article",
                "id": str(n),
                "title": f"Article {n}",
                "input_message_content": {"message_text": f"<b>{n}</b>", "parse_mode": "HTML"},
            }
            for n in range(3)
        ]
        too_many = [dict(results[0], id=str(n)) for n in range(51)]
        assert (await api("answerInlineQuery", inline_query_id=query["id"], results=too_many))[1][
            "description"
        ] == "Bad Request: RESULTS_TOO_MUCH"
        long_id = [dict(results[0], id="x" * 65)]
        assert (await api("answerInlineQuery", inline_query_id=query["id"], results=long_id))[1][
            "description"
        ] == "Bad Request: RESULT_ID_INVALID"
        twice = [results[0], results[0]]
        assert (await api("answerInlineQuery", inline_query_id=query["id"], results=twice))[1][
            "description"
        ] == "Bad Request: RESULT_ID_DUPLICATE"
        bad_html = [
            dict(results[0], input_message_content={"message_text": "<p>", "parse_mode": "HTML"})
        ]
        assert (await api("answerInlineQuery", inline_query_id=query["id"], results=bad_html))[
            0
        ] == 400
        assert (await api("answerInlineQuery", inline_query_id=query["id"], results=results))[
            0
        ] == 200

    answering = asyncio.create_task(answer())
    results = await awa.inline_query("sécurité")
    await answering
    assert [r["title"] for r in results] == ["Article 0", "Article 1", "Article 2"]


async def test_add_and_remove_bot_send_my_chat_member(api: Api, sandbox: Sandbox) -> None:
    awa = sandbox.add_user("Awa")
    group = sandbox.add_group("Kati", admins=[awa], bot_member=False)
    status, body = await api("sendMessage", chat_id=group.id, text="x")
    assert (status, body["description"]) == (
        403,
        "Forbidden: bot is not a member of the group chat",
    )
    await sandbox.add_bot_to_group(group, by=awa)
    updates = await _updates(api)
    change = updates[0]["my_chat_member"]
    assert (change["old_chat_member"]["status"], change["new_chat_member"]["status"]) == (
        "left",
        "member",
    )
    assert change["from"]["id"] == awa.id
    assert updates[1]["message"]["new_chat_members"][0]["id"] == sandbox.bot_id
    assert (await api("sendMessage", chat_id=group.id, text="Bonjour"))[0] == 200
    await sandbox.remove_bot_from_group(group, by=awa)
    [update] = await _updates(api)
    assert update["my_chat_member"]["new_chat_member"]["status"] == "left"
    assert (await api("sendMessage", chat_id=group.id, text="x"))[0] == 403

    supergroup = sandbox.add_group("Bamako", admins=[awa], supergroup=True)
    await sandbox.remove_bot_from_group(supergroup, by=awa)
    status, body = await api("sendMessage", chat_id=supergroup.id, text="x")
    assert (status, body["description"]) == (
        403,
        "Forbidden: bot was kicked from the supergroup chat",
    )


async def test_blocked_user(api: Api, sandbox: Sandbox) -> None:
    awa = sandbox.add_user("Awa")
    awa.block_bot()
    [update] = await _updates(api)
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    assert update["my_chat_member"]["chat"]["type"] == "private"
    status, body = await api("sendMessage", chat_id=awa.id, text="alerte")
    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")
    awa.unblock_bot()
    [update] = await _updates(api)
    assert update["my_chat_member"]["new_chat_member"]["status"] == "member"
    assert (await api("sendMessage", chat_id=awa.id, text="alerte"))[0] == 200


async def test_user_who_never_started_and_deactivated_user(api: Api, sandbox: Sandbox) -> None:
    shy = sandbox.add_user("Shy", started=False)
    status, body = await api("sendMessage", chat_id=shy.id, text="x")
    assert (status, body["description"]) == (
        403,
        "Forbidden: bot can't initiate conversation with a user",
    )
    await shy.send("/start")
    assert (await api("sendMessage", chat_id=shy.id, text="x"))[0] == 200
    shy.deactivate()
    status, body = await api("sendMessage", chat_id=shy.id, text="x")
    assert (status, body["description"]) == (403, "Forbidden: user is deactivated")


async def test_deleted_chat_is_not_found(api: Api, sandbox: Sandbox) -> None:
    group = sandbox.add_group("Kati", admins=[sandbox.add_user("Awa")])
    assert (await api("sendMessage", chat_id=group.id, text="x"))[0] == 200
    sandbox.delete_chat(group)
    status, body = await api("sendMessage", chat_id=group.id, text="x")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")


async def test_migrated_group(api: Api, sandbox: Sandbox) -> None:
    awa = sandbox.add_user("Awa")
    group = sandbox.add_group("Kati", admins=[awa])
    new_id = sandbox.migrate_group(group)
    assert str(new_id).startswith("-100")
    assert len(str(new_id)) == 14
    status, body = await api("sendMessage", chat_id=group.id, text="x")
    assert status == 400
    assert body["description"] == "Bad Request: group chat was upgraded to a supergroup chat"
    assert body["parameters"] == {"migrate_to_chat_id": new_id}
    status, body = await api("sendMessage", chat_id=new_id, text="Bienvenue")
    assert status == 200
    assert body["result"]["chat"]["type"] == "supergroup"
    updates = await _updates(api)
    assert updates[0]["message"]["migrate_to_chat_id"] == new_id
    assert updates[0]["message"]["chat"]["id"] == group.id
    assert updates[1]["message"]["migrate_from_chat_id"] == group.id
    assert updates[1]["message"]["chat"]["id"] == new_id
    _, member = await api("getChatMember", chat_id=new_id, user_id=awa.id)
    assert member["result"]["status"] == "creator"


async def test_wait_for_sees_new_messages_and_edits(api: Api, sandbox: Sandbox) -> None:
    awa = sandbox.add_user("Awa")
    mark = awa.private_chat.mark()
    _, sent = await api("sendMessage", chat_id=awa.id, text="un")
    [first] = await sandbox.wait_for(awa.private_chat, after=mark)
    assert first.text == "un"
    waiting = asyncio.create_task(
        sandbox.wait_for(awa.private_chat, lambda m: m.edited > 0, timeout=5)
    )
    await asyncio.sleep(0.05)
    await api("sendMessage", chat_id=awa.id, text="deux")
    await api(
        "editMessageText",
        chat_id=awa.id,
        message_id=sent["result"]["message_id"],
        text="un (corrigé)",
    )
    [edited] = await waiting
    assert edited.text == "un (corrigé)"
    with pytest.raises(TimeoutError, match="expected 1 bot message"):
        await sandbox.wait_for(awa, timeout=0.1)


async def test_bulk_users_and_bounded_transcripts() -> None:
    async with Sandbox(transcript_limit=3, rate_limits=False) as sb:
        users = sb.add_users(2000)
        assert len({u.id for u in users}) == 2000
        user = users[0]
        for n in range(5):
            await user.send(f"m{n}")
        assert [m.text for m in user.private_chat.transcript] == ["m2", "m3", "m4"]
