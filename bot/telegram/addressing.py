"""Is a message meant for the bot, and what is the question? Pure functions over PTB objects."""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import Message, MessageEntity
from telegram.constants import ChatType


@dataclass(frozen=True)
class Addressed:
    """A question for the bot; ``reply_to`` is the id of the bot's message it replies to, if any."""

    question: str
    reply_to: int | None = None


def replied_bot_message(message: Message, bot_id: int) -> int | None:
    """The id of the bot's message that ``message`` replies to, else ``None``."""
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return replied.message_id
    return None


def _without_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """Remove UTF-16 ``(offset, length)`` spans from ``text``."""
    raw = text.encode("utf-16-le")
    for offset, length in sorted(spans, reverse=True):
        raw = raw[: offset * 2] + raw[(offset + length) * 2 :]
    return raw.decode("utf-16-le")


def bot_mentions(message: Message, bot_username: str, bot_id: int) -> list[tuple[int, int]]:
    """UTF-16 spans of the message's mentions of the bot (``@username`` or a text mention)."""
    spans = []
    for ent, value in message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
        by_name = ent.type == MessageEntity.MENTION and value.lower() == f"@{bot_username}".lower()
        by_id = ent.type == MessageEntity.TEXT_MENTION and ent.user is not None and ent.user.id == bot_id
        if by_name or by_id:
            spans.append((ent.offset, ent.length))
    return spans


def addressed_question(message: Message, bot_username: str, bot_id: int) -> Addressed | None:
    """The question in a text message if the bot should answer it.

    Private chats: every text. Groups: only when the bot is mentioned or replied to.
    """
    text = message.text or ""
    reply_to = replied_bot_message(message, bot_id)
    if message.chat.type == ChatType.PRIVATE:
        return Addressed(text.strip(), reply_to)
    spans = bot_mentions(message, bot_username, bot_id)
    if not spans and reply_to is None:
        return None
    question = _without_spans(text, spans) if spans else text
    return Addressed(re.sub(r"[ \t]{2,}", " ", question).strip(" \t\n,:;"), reply_to)


def command_question(message: Message, bot_id: int) -> Addressed:
    """The question of ``/ask <question>`` (newlines kept). With no text, a reply's text is the question."""
    text = message.text or ""
    parts = text.split(maxsplit=1)
    question = parts[1].strip() if len(parts) > 1 else ""
    reply_to = replied_bot_message(message, bot_id)
    replied = message.reply_to_message
    if not question and replied is not None and reply_to is None and replied.text:
        question = replied.text.strip()
    return Addressed(question, reply_to)


def cut_question(question: str, max_chars: int) -> tuple[str, bool]:
    """Cut a long question at a word boundary to at most ``max_chars`` characters."""
    if len(question) <= max_chars:
        return question, False
    head = question[:max_chars]
    space = head.rfind(" ")
    if space > max_chars // 2:
        head = head[:space]
    return head.rstrip(), True
