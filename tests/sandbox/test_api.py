"""The Bot API surface: transport, validation, errors, long polling and commands."""

from __future__ import annotations

import asyncio
import json
import time

import httpx

from bot.sandbox import Sandbox
from tests.sandbox.conftest import Api


async def test_wrong_token_is_unauthorized(sandbox: Sandbox) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(sandbox.base_url + "999:wrong/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_unknown_method_is_not_found(http: httpx.AsyncClient) -> None:
    response = await http.post("sendTelepathy")
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_method_names_are_case_insensitive_and_get_works(
    http: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    response = await http.get("GETME")
    assert response.status_code == 200
    assert response.json()["result"]["username"] == "newsbot_test_bot"
    assert response.json()["result"]["is_bot"] is True
    assert sandbox.stats.requests["getMe"] == 1


async def test_json_form_and_query_bodies_are_all_understood(
    http: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    user = sandbox.add_user("Awa")
    by_json = await http.post("sendMessage", json={"chat_id": user.id, "text": "json"})
    by_form = await http.post("sendMessage", data={"chat_id": str(user.id), "text": "123"})
    by_query = await http.get("sendMessage", params={"chat_id": user.id, "text": "query"})
    assert [r.status_code for r in (by_json, by_form, by_query)] == [200, 200, 200]
    # A numeric-looking text stays text.
    assert by_form.json()["result"]["text"] == "123"
    assert user.private_chat.texts() == ["json", "123", "query"]


async def test_sent_message_is_shaped_like_telegrams(api: Api, sandbox: Sandbox) -> None:
    user = sandbox.add_user("Awa", "Keïta", username="awa")
    status, body = await api(
        "sendMessage",
        chat_id=user.id,
        text="<b>Mali</b> : https://example.ml",
        parse_mode="HTML",
        reply_markup={"inline_keyboard": [[{"text": "Lire", "url": "https://example.ml"}]]},
    )
    assert status == 200
    message = body["result"]
    assert message["message_id"] == 1
    assert abs(message["date"] - time.time()) < 5
    assert message["chat"] == {
        "id": user.id,
        "type": "private",
        "first_name": "Awa",
        "last_name": "Keïta",
        "username": "awa",
    }
    assert message["from"]["is_bot"] is True
    assert message["text"] == "Mali : https://example.ml"
    assert message["entities"] == [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "url", "offset": 7, "length": 18},
    ]
    assert message["reply_markup"]["inline_keyboard"][0][0]["text"] == "Lire"
    [kept] = user.private_chat.bot_messages()
    assert kept.buttons == [[("Lire", "https://example.ml")]]
    assert kept.source == "<b>Mali</b> : https://example.ml"


async def test_text_limits_and_empty_text(api: Api, sandbox: Sandbox) -> None:
    user = sandbox.add_user("Awa")
    assert (await api("sendMessage", chat_id=user.id, text="é" * 4096))[0] == 200
    status, body = await api("sendMessage", chat_id=user.id, text="é" * 4097)
    assert (status, body["description"]) == (400, "Bad Request: message is too long")
    status, body = await api("sendMessage", chat_id=user.id, text="   ")
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")
    status, body = await api("sendMessage", chat_id=user.id, text="<p>x</p>", parse_mode="HTML")
    assert status == 400
    assert body["description"].startswith("Bad Request: can't parse entities: Unsupported start")


async def test_keyboard_validation(api: Api, sandbox: Sandbox) -> None:
    user = sandbox.add_user("Awa")

    async def send(button: dict[str, object]) -> tuple[int, str]:
        status, body = await api(
            "sendMessage",
            chat_id=user.id,
            text="x",
            reply_markup={"inline_keyboard": [[button]]},
        )
        return status, body.get("description", "")

    assert (await send({"text": "ok", "callback_data": "a" * 64}))[0] == 200
    assert await send({"text": "long", "callback_data": "é" * 33}) == (
        400,
        "Bad Request: BUTTON_DATA_INVALID",
    )
    assert await send({"text": "empty", "callback_data": ""}) == (
        400,
        "Bad Request: BUTTON_DATA_INVALID",
    )
    status, description = await send({"text": "two", "callback_data": "a", "url": "https://x.ml"})
    assert status == 400
    assert "exactly one of the optional fields" in description
    status, description = await send({"text": "none"})
    assert (status, description) == (
        400,
        "Bad Request: can't parse inline keyboard button: "
        "Text buttons are unallowed in the inline keyboard",
    )
    assert await send({"text": "ftp", "url": "ftp://x.ml"}) == (
        400,
        "Bad Request: BUTTON_URL_INVALID",
    )
    assert user.private_chat.texts() == ["x"]


async def test_unknown_chat_is_not_found(api: Api) -> None:
    status, body = await api("sendMessage", chat_id=42, text="x")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")
    status, body = await api("sendMessage", chat_id="@nobody", text="x")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")


async def test_channel_by_username(api: Api, sandbox: Sandbox) -> None:
    channel = sandbox.add_channel("Le Journal", username="lejournal")
    status, body = await api("sendMessage", chat_id="@lejournal", text="Édition du jour")
    assert status == 200
    assert body["result"]["sender_chat"]["id"] == channel.id
    assert "from" not in body["result"]
    assert channel.texts() == ["Édition du jour"]


async def test_edit_errors_and_success(api: Api, sandbox: Sandbox) -> None:
    user = sandbox.add_user("Awa")
    _, sent = await api("sendMessage", chat_id=user.id, text="avant")
    message_id = sent["result"]["message_id"]
    status, body = await api("editMessageText", chat_id=user.id, message_id=999, text="x")
    assert (status, body["description"]) == (400, "Bad Request: message to edit not found")
    status, body = await api(
        "editMessageText", chat_id=user.id, message_id=message_id, text="avant"
    )
    assert status == 400
    assert body["description"] == (
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message"
    )
    status, body = await api(
        "editMessageText",
        chat_id=user.id,
        message_id=message_id,
        text="<i>après</i>",
        parse_mode="HTML",
    )
    assert status == 200
    assert body["result"]["text"] == "après"
    assert "edit_date" in body["result"]
    markup = {"inline_keyboard": [[{"text": "Suite", "callback_data": "next"}]]}
    status, _ = await api(
        "editMessageReplyMarkup", chat_id=user.id, message_id=message_id, reply_markup=markup
    )
    assert status == 200
    status, body = await api(
        "editMessageReplyMarkup", chat_id=user.id, message_id=message_id, reply_markup=markup
    )
    assert status == 400
    assert body["description"].startswith("Bad Request: message is not modified")
    status, body = await api(
        "editMessageCaption", chat_id=user.id, message_id=message_id, caption="x"
    )
    assert (status, body["description"]) == (
        400,
        "Bad Request: there is no caption in the message to edit",
    )
    [kept] = user.private_chat.bot_messages()
    assert kept.text == "après"
    assert kept.edited == 2
    assert kept.buttons == [[("Suite", "next")]]
    # Like Telegram, an edit of the text that omits reply_markup drops the keyboard.
    await api("editMessageText", chat_id=user.id, message_id=message_id, text="sans boutons")
    assert kept.buttons == []
    assert kept.edited == 3
    assert kept.history[0]["text"] == "avant"


async def test_user_messages_cannot_be_edited(api: Api, sandbox: Sandbox) -> None:
    user = sandbox.add_user("Awa")
    sent = await user.send("bonjour")
    status, body = await api(
        "editMessageText", chat_id=user.id, message_id=sent["message_id"], text="x"
    )
    assert (status, body["description"]) == (400, "Bad Request: message can't be edited")


async def test_delete_rules(api: Api, sandbox: Sandbox) -> None:
    user = sandbox.add_user("Awa")
    _, first = await api("sendMessage", chat_id=user.id, text="un")
    _, second = await api("sendMessage", chat_id=user.id, text="deux")
    status, body = await api(
        "deleteMessage", chat_id=user.id, message_id=first["result"]["message_id"]
    )
    assert (status, body["result"]) == (200, True)
    status, body = await api(
        "deleteMessage", chat_id=user.id, message_id=first["result"]["message_id"]
    )
    assert (status, body["description"]) == (400, "Bad Request: message to delete not found")
    sandbox.advance(48 * 3600 + 1)
    status, body = await api(
        "deleteMessage", chat_id=user.id, message_id=second["result"]["message_id"]
    )
    assert (status, body["description"]) == (400, "Bad Request: message can't be deleted")
    assert [m.deleted for m in user.private_chat.transcript] == [True, False]
    assert sandbox.stats.messages_deleted == 1


async def test_send_photo_by_url_upload_and_file_id(
    http: httpx.AsyncClient, api: Api, sandbox: Sandbox
) -> None:
    user = sandbox.add_user("Awa")
    status, body = await api(
        "sendPhoto",
        chat_id=user.id,
        photo="https://example.ml/a.jpg",
        caption="<b>Une</b>",
        parse_mode="HTML",
    )
    assert status == 200
    photo = body["result"]["photo"]
    assert body["result"]["caption"] == "Une"
    assert body["result"]["caption_entities"] == [{"type": "bold", "offset": 0, "length": 3}]
    status, body = await api("sendPhoto", chat_id=user.id, photo=photo[-1]["file_id"])
    assert status == 200
    assert body["result"]["photo"] == photo
    uploaded = await http.post(
        "sendPhoto",
        data={"chat_id": str(user.id)},
        files={"photo": ("a.jpg", b"\xff\xd8jpeg", "image/jpeg")},
    )
    assert uploaded.status_code == 200
    status, body = await api("sendPhoto", chat_id=user.id, photo="not-a-file-id")
    assert (status, body["description"]) == (
        400,
        "Bad Request: wrong file identifier/HTTP URL specified",
    )
    status, body = await api(
        "sendPhoto", chat_id=user.id, photo="https://example.ml/a.jpg", caption="c" * 1025
    )
    assert (status, body["description"]) == (400, "Bad Request: message caption is too long")
    sandbox.broken_photo_urls.add("https://example.ml/404.jpg")
    status, body = await api("sendPhoto", chat_id=user.id, photo="https://example.ml/404.jpg")
    assert (status, body["description"]) == (400, "Bad Request: failed to get HTTP URL content")


async def test_reply_to_missing_message(api: Api, sandbox: Sandbox) -> None:
    user = sandbox.add_user("Awa")
    asked = await user.send("question")
    status, body = await api(
        "sendMessage",
        chat_id=user.id,
        text="réponse",
        reply_parameters={"message_id": asked["message_id"]},
    )
    assert status == 200
    assert body["result"]["reply_to_message"]["text"] == "question"
    status, body = await api(
        "sendMessage", chat_id=user.id, text="x", reply_parameters={"message_id": 999}
    )
    assert (status, body["description"]) == (400, "Bad Request: message to be replied not found")


async def test_commands_are_kept_per_scope_and_language(api: Api, sandbox: Sandbox) -> None:
    group = sandbox.add_group("Rédaction", admins=[sandbox.add_user("Awa")])
    fr = [{"command": "latest", "description": "Derniers articles"}]
    en = [{"command": "latest", "description": "Latest articles"}]
    assert (await api("setMyCommands", commands=fr))[0] == 200
    assert (await api("setMyCommands", commands=en, language_code="en"))[0] == 200
    scope = {"type": "chat", "chat_id": group.id}
    assert (
        await api(
            "setMyCommands",
            commands=[{"command": "publish", "description": "Publier"}],
            scope=scope,
        )
    )[0] == 200
    assert (await api("getMyCommands"))[1]["result"] == fr
    assert (await api("getMyCommands", language_code="en"))[1]["result"] == en
    assert (await api("getMyCommands", scope=scope))[1]["result"][0]["command"] == "publish"
    assert sandbox.get_commands(scope, "") == [{"command": "publish", "description": "Publier"}]
    assert (await api("deleteMyCommands", language_code="en"))[0] == 200
    assert (await api("getMyCommands", language_code="en"))[1]["result"] == []
    for bad, description in [
        ([{"command": "Latest", "description": "x"}], "Bad Request: BOT_COMMAND_INVALID"),
        ([{"command": "a" * 33, "description": "x"}], "Bad Request: BOT_COMMAND_INVALID"),
        ([{"command": "ok", "description": ""}], "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"),
        (
            [{"command": "ok", "description": "d" * 257}],
            "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID",
        ),
        (
            [{"command": f"c{n}", "description": "x"} for n in range(101)],
            "Bad Request: BOT_COMMANDS_TOO_MUCH",
        ),
    ]:
        status, body = await api("setMyCommands", commands=bad)
        assert (status, body["description"]) == (400, description)


async def test_chat_members_and_administrators(api: Api, sandbox: Sandbox) -> None:
    awa, binta, cheick = (sandbox.add_user(n) for n in ("Awa", "Binta", "Cheick"))
    group = sandbox.add_group("Rédaction", admins=[awa, binta], members=[cheick])
    statuses = [
        (await api("getChatMember", chat_id=group.id, user_id=u.id))[1]["result"]["status"]
        for u in (awa, binta, cheick, sandbox.add_user("Dramane"))
    ]
    assert statuses == ["creator", "administrator", "member", "left"]
    _, body = await api("getChatAdministrators", chat_id=group.id)
    assert {m["user"]["id"] for m in body["result"]} == {awa.id, binta.id}
    assert (await api("getChatMemberCount", chat_id=group.id))[1]["result"] == 4
    _, body = await api("getChatMember", chat_id=group.id, user_id=sandbox.bot_id)
    assert body["result"]["status"] == "member"
    _, body = await api("getChat", chat_id=group.id)
    assert body["result"]["title"] == "Rédaction"
    assert body["result"]["type"] == "group"
    status, body = await api("getChatAdministrators", chat_id=awa.id)
    assert status == 400


async def test_chat_action_is_checked_and_recorded(api: Api, sandbox: Sandbox) -> None:
    user = sandbox.add_user("Awa")
    assert (await api("sendChatAction", chat_id=user.id, action="typing"))[0] == 200
    assert user.private_chat.last_action == "typing"
    status, body = await api("sendChatAction", chat_id=user.id, action="dancing")
    assert (status, body["description"]) == (400, "Bad Request: wrong parameter action in request")


async def test_leave_chat_then_sends_are_forbidden(api: Api, sandbox: Sandbox) -> None:
    group = sandbox.add_group("Rédaction", admins=[sandbox.add_user("Awa")], supergroup=True)
    assert (await api("leaveChat", chat_id=group.id))[0] == 200
    status, body = await api("sendMessage", chat_id=group.id, text="x")
    assert (status, body["description"]) == (
        403,
        "Forbidden: bot is not a member of the supergroup chat",
    )
    [update] = (await api("getUpdates"))[1]["result"]
    assert update["my_chat_member"]["new_chat_member"]["status"] == "left"


# -- long polling ----------------------------------------------------------------------------


async def test_held_get_updates_returns_when_an_update_arrives(api: Api, sandbox: Sandbox) -> None:
    user = sandbox.add_user("Awa")
    started = time.monotonic()
    poll = asyncio.create_task(api("getUpdates", timeout=20))
    await asyncio.sleep(0.3)
    assert not poll.done(), "getUpdates answered before any update existed"
    await user.send("/start")
    status, body = await asyncio.wait_for(poll, 5)
    elapsed = time.monotonic() - started
    assert status == 200
    assert [u["message"]["text"] for u in body["result"]] == ["/start"]
    assert 0.3 <= elapsed < 5


async def test_get_updates_times_out_empty(api: Api) -> None:
    started = time.monotonic()
    status, body = await api("getUpdates", timeout=1)
    assert (status, body["result"]) == (200, [])
    assert 0.9 <= time.monotonic() - started < 5


async def test_offset_confirms_and_limit_caps(api: Api, sandbox: Sandbox) -> None:
    user = sandbox.add_user("Awa")
    for n in range(5):
        await user.send(f"m{n}")
    _, body = await api("getUpdates", limit=2)
    first = body["result"]
    assert [u["message"]["text"] for u in first] == ["m0", "m1"]
    # Without a higher offset nothing is confirmed: the same updates come back.
    _, body = await api("getUpdates", limit=2)
    assert body["result"] == first
    _, body = await api("getUpdates", offset=first[-1]["update_id"] + 1)
    assert [u["message"]["text"] for u in body["result"]] == ["m2", "m3", "m4"]
    assert sandbox.pending_updates == 3
    _, body = await api("getUpdates", offset=-1)
    assert [u["message"]["text"] for u in body["result"]] == ["m4"]
    assert sandbox.pending_updates == 1
    ids = [u["update_id"] for u in first]
    assert ids[1] == ids[0] + 1


async def test_allowed_updates_filter_is_remembered(api: Api, sandbox: Sandbox) -> None:
    user = sandbox.add_user("Awa")
    await api("getUpdates", allowed_updates=["callback_query"])
    await user.send("ignored")
    _, body = await api("getUpdates")
    assert body["result"] == []
    await api("getUpdates", allowed_updates=[])
    await user.send("seen")
    _, body = await api("getUpdates")
    assert [u["message"]["text"] for u in body["result"]] == ["seen"]


async def test_second_poller_terminates_the_first(api: Api) -> None:
    first = asyncio.create_task(api("getUpdates", timeout=10))
    await asyncio.sleep(0.2)
    second = asyncio.create_task(api("getUpdates", timeout=1))
    status, body = await asyncio.wait_for(first, 5)
    assert status == 409
    assert body["description"].startswith("Conflict: terminated by other getUpdates request")
    assert (await second)[0] == 200


async def test_webhook_blocks_get_updates(api: Api) -> None:
    status, body = await api("setWebhook", url="http://insecure.example")
    assert status == 400
    assert (await api("setWebhook", url="https://bot.example/hook"))[0] == 200
    _, info = await api("getWebhookInfo")
    assert info["result"]["url"] == "https://bot.example/hook"
    status, body = await api("getUpdates")
    assert status == 409
    assert "webhook is active" in body["description"]
    assert (await api("deleteWebhook", drop_pending_updates=True))[0] == 200
    assert (await api("getUpdates"))[0] == 200


async def test_response_bodies_are_json_with_status_equal_to_error_code(
    http: httpx.AsyncClient,
) -> None:
    response = await http.post("sendMessage", data={"chat_id": "1"})
    assert response.headers["content-type"].startswith("application/json")
    body = json.loads(response.content)
    assert response.status_code == body["error_code"] == 400
    assert body["ok"] is False
