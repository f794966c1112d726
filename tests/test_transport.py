"""The aiohttp transport does all the default httpx transport does, against the sandbox."""

from __future__ import annotations

import asyncio
import socket

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.sandbox import Sandbox
from bot.transport import AiohttpRequest
from tests.conftest import BOT_TOKEN

# A 1×1 PNG, to upload as a file rather than pass a URL.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


def make_bot(sandbox: Sandbox, **timeouts: float) -> Bot:
    return Bot(
        BOT_TOKEN,
        base_url=sandbox.base_url,
        request=AiohttpRequest(**timeouts),
        get_updates_request=AiohttpRequest(connection_pool_size=1),
    )


async def test_messages_with_keyboards_and_html_go_through(sandbox: Sandbox) -> None:
    reader = sandbox.add_user("Awa")
    async with make_bot(sandbox) as bot:
        sent = await bot.send_message(
            reader.id,
            "<b>Gras</b> &amp; « guillemets »",
            parse_mode="HTML",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("Lire", callback_data="art:1")]]
            ),
        )
        edited = await bot.edit_message_text("Corrigé", reader.id, sent.message_id)
    [message] = reader.private_chat.bot_messages()
    assert message.text == "Corrigé" and edited.text == "Corrigé"
    assert sent.text == "Gras & « guillemets »"
    assert sent.entities[0].type == "bold"


async def test_files_are_uploaded_as_multipart(sandbox: Sandbox) -> None:
    reader = sandbox.add_user("Awa")
    async with make_bot(sandbox) as bot:
        sent = await bot.send_photo(reader.id, PNG, caption="Une photo")
    assert sent.photo and sent.caption == "Une photo"
    assert reader.private_chat.bot_messages()[0].photo


async def test_telegram_errors_keep_their_meaning(sandbox: Sandbox) -> None:
    async with make_bot(sandbox) as bot:
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(123456789, "Personne")


async def test_a_server_that_stops_answering_times_out(sandbox: Sandbox) -> None:
    reader = sandbox.add_user("Awa")
    async with make_bot(sandbox, read_timeout=0.3) as bot:
        sandbox.faults.hang = True
        with pytest.raises(TimedOut):
            await bot.send_message(reader.id, "Perdu ?")
        sandbox.faults.hang = False


async def test_an_unreachable_server_is_a_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError, match="ClientConnectorError"):
            await request.post(f"http://127.0.0.1:{port}/bot{BOT_TOKEN}/getMe")
    finally:
        await request.shutdown()


async def test_long_polling_waits_beyond_the_read_timeout(sandbox: Sandbox) -> None:
    reader = sandbox.add_user("Awa")
    async with make_bot(sandbox, read_timeout=0.2) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=2))
        await asyncio.sleep(0.5)  # longer than the read timeout: the poll must still be held
        assert not poll.done()
        await reader.send("/start")
        updates = await poll
    assert updates[0].message is not None and updates[0].message.text == "/start"
