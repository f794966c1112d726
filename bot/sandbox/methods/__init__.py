"""The Bot API methods the sandbox serves, one module per area of the API.

- ``updates``: getUpdates and the webhook methods (webhook delivery goes there too)
- ``sending``: sendMessage, sendPhoto, sendChatAction, each into a forum topic
  (``message_thread_id``; a closed or deleted topic refused)
- ``editing``: editMessageText, editMessageCaption, editMessageReplyMarkup, deleteMessage
- ``chats``: getChat, the member methods, leaveChat, and the forum topics:
  create/close/reopen/deleteForumTopic
- ``queries``: answerCallbackQuery, answerInlineQuery
- ``settings``: getMe, logOut, close, set/get/deleteMyCommands, set/getMy(Short)Description

Each handler registers itself with ``@method(name, *required)`` from ``registry``; what
several areas check alike (target chat, text, keyboards, replies) is in ``checks``.
"""

from bot.sandbox.methods import chats, editing, queries, sending, settings, updates
from bot.sandbox.methods.registry import Method, find, implemented_methods

__all__ = [
    "Method",
    "chats",
    "editing",
    "find",
    "implemented_methods",
    "queries",
    "sending",
    "settings",
    "updates",
]
