"""Finding the bot's replies among the calls the fake Bot API recorded."""

from __future__ import annotations

import os
from collections.abc import Callable

from prompts import LANGUAGES, catalog

from .bot_api import Call, FakeBotAPI


def replies_to(msg: dict) -> Callable[[Call], bool]:
    """Any successful sendMessage replying to ``msg``."""
    def pred(c: Call) -> bool:
        reply = c.params.get("reply_parameters") or {}
        return (c.method == "sendMessage" and c.ok and c.params.get("chat_id") == msg["chat"]["id"]
                and reply.get("message_id") == msg["message_id"])
    return pred


def answers(msg: dict) -> Callable[[Call], bool]:
    """The bot's final (HTML) answer to ``msg``: a sendMessage replying to it with parse_mode HTML."""
    is_reply = replies_to(msg)
    return lambda c: is_reply(c) and c.params.get("parse_mode") == "HTML"


async def answer_to(server: FakeBotAPI, msg: dict, timeout: float = 90.0) -> Call:
    """Wait for the bot's answer to ``msg``."""
    return (await server.wait_for(answers(msg), timeout))[0]


async def any_reply_to(server: FakeBotAPI, msg: dict, timeout: float = 30.0) -> Call:
    return (await server.wait_for(replies_to(msg), timeout))[0]


def text_of(call: Call) -> str:
    """The plain text Telegram shows (entities parsed)."""
    return call.result["text"]


def links_of(call: Call) -> list[tuple[str, str]]:
    """``(linked text, URL)`` of each link in the message the bot sent."""
    raw = text_of(call).encode("utf-16-le")  # entity offsets count UTF-16 units
    return [(raw[2 * e["offset"]:2 * (e["offset"] + e["length"])].decode("utf-16-le"), e["url"])
            for e in call.result.get("entities", []) if e["type"] == "text_link"]


def message_of(call: Call) -> dict:
    """The message object the bot sent, for building a reply to it."""
    return call.result


async def first_sent_after(server: FakeBotAPI, chat_id: int, since: float, timeout: float = 30.0) -> Call:
    """The first message sent to ``chat_id`` at or after ``since`` (``time.monotonic()``)."""
    pred = lambda c: c.method == "sendMessage" and c.ok and c.params.get("chat_id") == chat_id and c.at >= since  # noqa: E731
    return (await server.wait_for(pred, timeout))[0]


async def command_reply(server: FakeBotAPI, person, command: str, timeout: float = 30.0) -> Call:
    """Send ``command`` as ``person`` and return the bot's next message to that chat."""
    import time

    since = time.monotonic()
    await person.say(command)
    return await first_sent_after(server, person.chat_id, since, timeout)


def refuses(text: str, refusals: set[str]) -> bool:
    """Is ``text`` one of the core's refusals: alone, or followed by the article closest to an
    answer that the refusal names (a paragraph of its own, "The closest report I have ...")?"""
    named = tuple(os.path.commonprefix([catalog()[lang]["closest"], catalog()[lang]["closest_foreign"]])
                  for lang in LANGUAGES)
    return text in refusals or any(text.startswith(r + "\n\n") and text[len(r) + 2:].startswith(named)
                                   for r in refusals)
