"""A local Telegram Bot API emulator on loopback, for tests, ``newsbot demo`` and benchmarks.

The real bot talks to it over HTTP exactly as to Telegram (python-telegram-bot ``base_url``)::

    async with Sandbox(token="123456:TEST-token", bot_username="newsbot_test_bot") as sb:
        bot = telegram.Bot(sb.token, base_url=sb.base_url)
        awa = sb.add_user("Awa", "Keïta", username="awa", language_code="fr")
        await awa.send("/latest 3")                 # a message update with a bot_command entity
        [reply] = await sb.wait_for(awa.private_chat)
        query_id = await awa.press(reply, "Plus anciens ›")
        answer = await sb.wait_for_answer(query_id)

Sandbox(token, bot_username, *, rate_limits=True, limits=RateLimits(), seed=0,
        strict_html=True, privacy_mode=True, transcript_limit=None, callback_ttl=30.0,
        bot_first_name="Newsbot", control=True)
    ``await start(host="127.0.0.1", port=0) -> base_url``, ``await stop()``, ``async with``;
    ``base_url`` ("http://127.0.0.1:PORT/bot"), ``token``, ``bot_id``, ``bot_user``.
    People: ``add_user(first_name, last_name=None, username=None, language_code="fr", *,
    started=True) -> SandboxUser``, ``add_users(count, ...)``, ``add_group(title, admins,
    members, *, supergroup=False, creator=None, bot_member=True, bot_admin=False)`` (first
    admin is the creator), ``add_channel(title, username)`` (bot is admin),
    ``await add_bot_to_group(group, by=user, admin=False)``,
    ``await remove_bot_from_group(group, by=user)``, ``delete_chat(chat)``,
    ``migrate_group(group) -> new_id``, ``chat(id_or_@username)``, ``user(id)``,
    ``users``/``chats`` dicts, ``reset()``.
    Observing: ``await wait_for(chat, predicate=None, timeout=5.0, count=1, *, after=None)``
    returns the next bot messages or edits (SandboxMessage) in the chat (with ``after=chat.mark()``
    it also counts those since the mark); ``callback_answers[query_id]`` and
    ``await wait_for_answer(query_id)`` -> CallbackAnswer(text, show_alert, url, cache_time);
    ``inline_answers``; ``get_commands(scope=None, language_code="")``; ``pending_updates``;
    ``stats`` (SandboxStats: ``requests`` per method, ``responses`` per status,
    ``too_many_requests`` (429s sent), ``rate_limit_violations`` (requests over the limits),
    ``retry_after_ignored`` (requests sent before a promised retry_after elapsed),
    ``messages_delivered``/``_edited``/``_deleted``, ``updates_delivered``,
    ``unacknowledged``: client port -> (chat id, message id) of a message sent whose answer the
    client has not acknowledged by asking again on that connection).
    Time: ``clock`` (SandboxClock with ``offset``), ``advance(seconds)``.
    Faults (``faults``: Faults): ``error_rate`` (seeded 500/502, nothing done), ``slow_rate`` +
    ``slow_seconds`` (the work is done, the answer is late), ``hang`` (requests wait unanswered
    until cleared, then run), ``flood(chat=None, seconds=10)`` (429 for a chat or for all),
    ``methods`` (None: every method but getUpdates), ``clear()``. ``broken_photo_urls``: URLs
    sendPhoto cannot fetch.
SandboxUser: ``id``, ``private_chat``, ``await send(text, chat=None, *, reply_to=None) -> dict``,
    ``await start()``, ``await send_photo(chat=None, caption=None)``,
    ``await edit(message, text) -> dict`` (an edited_message or edited_channel_post update),
    ``await press(message, label_or_index) -> callback_query_id``,
    ``await inline_query(query, *, offset="", timeout=5.0) -> results``, ``block_bot()``,
    ``unblock_bot()``, ``deactivate()``.
SandboxChat: ``id``, ``type``, ``transcript`` (list of SandboxMessage), ``bot_messages()``,
    ``texts()``, ``message(id)``, ``mark()``, ``members``, ``bot_status``, ``last_action``.
SandboxMessage: ``message_id``, ``chat_id``, ``from_bot``, ``sender_id``, ``date``, ``text``,
    ``caption``, ``content``, ``entities``, ``photo``, ``reply_markup``, ``buttons`` ([[(label,
    callback_data or url)]]), ``labels()``, ``edited`` (count), ``history``, ``edit_date``,
    ``deleted``, ``service``, ``source`` (the HTML the bot sent).
``validate_html(text, *, strict=True, caption=False, limit=None) -> (plain, entities)`` raises
    ``HtmlError(description)`` with Telegram's exact 400 description.

Behaviour worth knowing:

- Rate limits count sends (sendMessage, sendPhoto) only; edits too with
  ``RateLimits(count_edits=True)``. Buckets: 30/s for the bot, 1/s with a burst of 3 per private
  chat, 20/min per group or channel. Beyond: 429 "Too Many Requests: retry after N".
- Privacy mode is on as for a new bot: in groups where the bot is not an admin it sees only
  commands (unsuffixed or ``@bot_username``), replies to its messages and service messages.
- As on Telegram, editing text or caption without ``reply_markup`` removes the inline keyboard.
- A second getUpdates ends a held one with 409, as when two bot instances run.
- ``setWebhook`` makes it POST each update as JSON to the URL (loopback only; there plain HTTP
  on any port is accepted), with ``X-Telegram-Bot-Api-Secret-Token``, at most
  ``max_connections`` at once and one at a time per chat, again after each non-2xx answer
  (backoff ``webhook.retry_base`` doubling to ``retry_cap``); ``getWebhookInfo`` tells the
  pending count and the last error; getUpdates is refused with 409 meanwhile. ``webhook``
  (WebhookSender or None): ``failures``, ``in_flight``, ``latencies`` of the 2xx answers.
- Strict HTML (default) also refuses what Telegram tolerates but readers would see as a bug
  (``&nbsp;``, bare ``&`` or ``>``, ignored attributes, ``<a>`` without URL, nesting inside
  pre/code). ``strict_html=False`` accepts exactly what Telegram accepts.
- Inline-message editing (``inline_message_id``) and Markdown parse modes are not emulated.

Layout: ``server`` (``Sandbox``: the world's state and this public API), ``world`` (people,
chats, messages; they talk to the sandbox through its ``Host`` protocol), ``http`` (the
aiohttp app: reading requests, shaping answers, injected faults), ``methods/`` (the Bot API,
one module per area: updates, sending, editing, chats, queries, settings), ``updates`` (the
update queue getUpdates long-polls), ``html`` (Telegram's HTML parser), ``policy`` (clock,
rate limits, faults, counters), ``errors``, ``control`` (the JSON control surface).

Separate process: ``python -m bot.sandbox --port 8081 [--no-rate-limits] [--seed N]`` prints
its base URL and serves the JSON control surface of ``bot.sandbox.control`` under /control.
"""

from bot.sandbox.errors import SandboxApiError
from bot.sandbox.html import HtmlError, validate_html
from bot.sandbox.policy import Faults, RateLimits, SandboxClock, SandboxStats
from bot.sandbox.server import Sandbox
from bot.sandbox.world import CallbackAnswer, SandboxChat, SandboxMessage, SandboxUser

__all__ = [
    "CallbackAnswer",
    "Faults",
    "HtmlError",
    "RateLimits",
    "Sandbox",
    "SandboxApiError",
    "SandboxChat",
    "SandboxClock",
    "SandboxMessage",
    "SandboxStats",
    "SandboxUser",
    "validate_html",
]
