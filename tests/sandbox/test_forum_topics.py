"""Forum topics in the sandbox: where messages go, and what Telegram refuses."""

from __future__ import annotations

from bot.sandbox import Sandbox
from tests.sandbox.conftest import Api


def _forum(sandbox: Sandbox) -> tuple[int, int, int]:
    admin = sandbox.add_user("Boubacar")
    forum = sandbox.add_group("Veille", admins=[admin], supergroup=True, forum=True)
    return forum.id, sandbox.create_topic(forum, "Politique", admin), admin.id


async def test_a_topic_message_names_its_thread_and_a_reply_stays_in_it(
    sandbox: Sandbox, api: Api
) -> None:
    forum_id, thread, admin_id = _forum(sandbox)
    asked = await sandbox.user(admin_id).send("/latest", forum_id, thread=thread)
    assert (asked["message_thread_id"], asked["is_topic_message"]) == (thread, True)
    assert asked["chat"]["is_forum"] is True
    _, body = await api(
        "sendMessage",
        chat_id=forum_id,
        text="Réponse",
        reply_parameters={"message_id": asked["message_id"]},
    )
    assert body["result"]["message_thread_id"] == thread  # no thread given: the reply's own
    _, body = await api("sendMessage", chat_id=forum_id, text="Dans General")
    assert "message_thread_id" not in body["result"]
    assert [m.content for m in sandbox.chat(forum_id).in_topic(thread)] == ["Réponse"]
    assert [m.content for m in sandbox.chat(forum_id).in_topic(None)] == ["Dans General"]


async def test_a_closed_or_deleted_topic_refuses_sends_as_telegram_does(
    sandbox: Sandbox, api: Api
) -> None:
    forum_id, thread, _ = _forum(sandbox)
    sandbox.close_topic(forum_id, thread)
    status, body = await api("sendMessage", chat_id=forum_id, text="x", message_thread_id=thread)
    assert (status, body["description"]) == (400, "Bad Request: TOPIC_CLOSED")
    sandbox.close_topic(forum_id, thread, closed=False)
    status, _ = await api("sendMessage", chat_id=forum_id, text="x", message_thread_id=thread)
    assert status == 200
    sandbox.delete_topic(forum_id, thread)
    for missing in (thread, 999):
        status, body = await api(
            "sendMessage", chat_id=forum_id, text="x", message_thread_id=missing
        )
        assert (status, body["description"]) == (400, "Bad Request: message thread not found")
    assert sandbox.stats.messages_delivered == 1


async def test_the_bot_manages_topics_only_as_an_admin_of_a_forum(
    sandbox: Sandbox, api: Api
) -> None:
    forum_id, _, _ = _forum(sandbox)
    status, body = await api("createForumTopic", chat_id=forum_id, name="Sport")
    assert status == 400 and "rights" in body["description"]
    sandbox.chat(forum_id).bot_status = "administrator"
    status, body = await api("createForumTopic", chat_id=forum_id, name="Sport")
    assert status == 200
    thread = body["result"]["message_thread_id"]
    assert sandbox.chat(forum_id).topics[thread].name == "Sport"
    group = sandbox.add_group("Pas un forum", supergroup=True, bot_admin=True)
    status, body = await api("createForumTopic", chat_id=group.id, name="Sport")
    assert (status, body["description"]) == (400, "Bad Request: the chat is not a forum")
