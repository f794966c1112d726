"""Text that is not valid Unicode, and bytes that are not a request, as Telegram takes them.

Telegram replaces invalid UTF-16 (a lone surrogate) and invalid UTF-8 with U+FFFD, and
answers a body it cannot parse with a 400 in its usual shape. It never stops serving: one
bad message must not turn getUpdates into a 500 for every update after it.
"""

from __future__ import annotations

import json
import random

import httpx
import pytest

from bot.sandbox import Sandbox


async def _updates(http: httpx.AsyncClient, offset: int = 0) -> list[dict]:
    response = await http.post("getUpdates", json={"offset": offset, "timeout": 0})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] is True
    return list(body["result"])


@pytest.mark.parametrize(
    ("typed", "received"),
    [
        ("a\ud800b", "a\ufffdb"),
        ("\udfff", "\ufffd"),
        ("\udcff\udcfe salut", "\ufffd\ufffd salut"),  # what surrogateescape makes of \xff\xfe
        ("\ud83d\ude00 sourire", "😀 sourire"),  # a proper pair, split in two code points
    ],
)
async def test_a_lone_surrogate_from_a_user_arrives_as_a_replacement_character(
    http: httpx.AsyncClient, sandbox: Sandbox, typed: str, received: str
) -> None:
    awa = sandbox.add_user("Awa")
    await awa.send(typed)
    await awa.send("et ensuite")
    first, second = await _updates(http)
    assert first["message"]["text"] == received
    assert second["message"]["text"] == "et ensuite"
    assert awa.private_chat.transcript[0].text == received


async def test_getupdates_keeps_serving_after_a_broken_message(
    http: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    awa = sandbox.add_user("Awa")
    await awa.send("/start \ud800")
    [update] = await _updates(http)
    await awa.send("/latest")
    [later] = await _updates(http, update["update_id"] + 1)
    assert later["message"]["text"] == "/latest"


@pytest.mark.parametrize(
    "body",
    [
        b'{"chat_id": %d, "text": "x\\ud800y"}',  # a JSON escape of a lone surrogate
        b'{"chat_id": %d, "text": "x\xffy"}',  # invalid UTF-8 inside JSON
        b'{"chat_id": %d, "text": "x\xed\xa0\x80y"}',  # a surrogate encoded in UTF-8
    ],
)
async def test_a_bot_text_with_invalid_unicode_is_sent_with_replacement_characters(
    http: httpx.AsyncClient, sandbox: Sandbox, body: bytes
) -> None:
    awa = sandbox.add_user("Awa")
    response = await http.post(
        "sendMessage",
        content=body.replace(b"%d", str(awa.id).encode()),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    text = response.json()["result"]["text"]
    assert text.startswith("x\ufffd") and text.endswith("y")
    assert awa.private_chat.texts() == [text]


async def test_form_and_query_values_with_invalid_utf8_are_replaced(
    http: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    awa, issa = sandbox.add_user("Awa"), sandbox.add_user("Issa")
    by_form = await http.post(
        "sendMessage",
        content=f"chat_id={awa.id}&text=x%FF%FEy".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    by_query = await http.get(f"sendMessage?chat_id={issa.id}&text=x%ED%A0%80y")
    assert by_form.status_code == 200, by_form.text
    assert by_query.status_code == 200, by_query.text
    assert by_form.json()["result"]["text"] == "x\ufffd\ufffdy"
    assert by_query.json()["result"]["text"].startswith("x\ufffd")


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "multipart/form-data",
        "text/plain",
        "application/octet-stream",
    ],
)
async def test_any_bytes_get_a_telegram_shaped_answer(
    http: httpx.AsyncClient, sandbox: Sandbox, content_type: str
) -> None:
    awa = sandbox.add_user("Awa")
    rng = random.Random(content_type)
    bodies = [
        b"",
        b"\xff\xfe\x00",
        b"{",
        b"[1, 2]",
        b'"text"',
        b"null",
        b'{"chat_id": ' + str(awa.id).encode() + b', "text": }',
        b'--xyz\r\nContent-Disposition: form-data; name="text"\r\n\r\n\xff\r\n--xyz--\r\n',
        b"--xyz\r\n\r\n\r\n",
        b"chat_id=%ZZ&text=%",
        *(rng.randbytes(rng.randrange(1, 300)) for _ in range(30)),
    ]
    for method in ("sendMessage", "getUpdates", "getMe", "answerCallbackQuery"):
        for body in bodies:
            response = await http.post(method, content=body, headers={"Content-Type": content_type})
            assert response.status_code < 500, (method, body, response.text)
            answer = response.json()
            assert isinstance(answer, dict) and isinstance(answer.get("ok"), bool), answer
            if not answer["ok"]:
                assert answer["error_code"] == response.status_code
                assert answer["description"].startswith(("Bad Request", "Too Many Requests"))
    # And the server still serves, updates included.
    await awa.send("encore là ?")
    assert [u["message"]["text"] for u in await _updates(http)] == ["encore là ?"]


async def test_invalid_json_is_a_400_in_telegrams_shape(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "sendMessage", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: can't parse JSON object",
    }


async def test_a_reply_keyboard_with_lone_surrogates_is_stored_readable(
    http: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    awa = sandbox.add_user("Awa")
    markup = {"inline_keyboard": [[{"text": "\ud800", "callback_data": "x\udfff"}]]}
    response = await http.post(
        "sendMessage",
        content=json.dumps({"chat_id": awa.id, "text": "t", "reply_markup": markup}).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    [message] = awa.private_chat.bot_messages()
    assert message.labels() == ["\ufffd"]


async def test_a_body_past_the_size_limit_is_a_413_in_telegrams_shape(
    http: httpx.AsyncClient,
) -> None:
    response = await http.post(
        "sendMessage",
        content=b"x" * (61 * 1024 * 1024),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert response.json() == {
        "ok": False,
        "error_code": 413,
        "description": "Request Entity Too Large",
    }


async def test_an_edit_with_a_lone_surrogate_arrives_as_a_replacement_character(
    http: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    awa = sandbox.add_user("Awa")
    sent = await awa.send("avant")
    await awa.edit(sent, "après \ud800")
    _, edited = await _updates(http)
    assert edited["edited_message"]["text"] == "après \ufffd"
