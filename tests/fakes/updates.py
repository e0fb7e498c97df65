"""Building the updates a Telegram client would produce, and pushing them into the fake server."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from .bot_api import FakeBotAPI

_MENTION = re.compile(r"@[A-Za-z0-9_]{3,}")


def _u16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def entities_for(text: str) -> list[dict]:
    """The entities a client attaches: a leading ``/command`` and ``@mentions``."""
    ents: list[dict[str, Any]] = []
    m = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
    if m:
        ents.append({"type": "bot_command", "offset": 0, "length": _u16(m.group(0))})
    for m in _MENTION.finditer(text):
        if ents and m.start() < ents[0]["length"]:
            continue
        ents.append({"type": "mention", "offset": _u16(text[: m.start()]), "length": _u16(m.group(0))})
    return ents


@dataclass
class Person:
    """A Telegram user talking to the bot in one chat."""

    server: FakeBotAPI
    user_id: int
    chat: dict
    language_code: str = "en"
    first_name: str = "Tester"

    @property
    def user(self) -> dict:
        return {"id": self.user_id, "is_bot": False, "first_name": self.first_name, "language_code": self.language_code}

    @property
    def chat_id(self) -> int:
        return self.chat["id"]

    def _message(self, reply_to: dict | None = None, **content) -> dict:
        msg = {"message_id": self.server.next_message_id(self.chat_id), "date": int(time.time()),
               "chat": self.chat, "from": self.user, **content}
        if reply_to is not None:
            msg["reply_to_message"] = reply_to
        return msg

    def compose(self, text: str, reply_to: dict | None = None) -> dict:
        """A text message (with the entities a client would add), not sent."""
        content: dict = {"text": text}
        if ents := entities_for(text):
            content["entities"] = ents
        return self._message(reply_to, **content)

    async def say(self, text: str, reply_to: dict | None = None) -> dict:
        """Send a text message; returns the message."""
        msg = self.compose(text, reply_to)
        await self.server.push_update({"message": msg})
        return msg

    async def send(self, **content) -> dict:
        """Send a message with any content (``sticker=...``, ``photo=[...]``, ``voice=...``)."""
        msg = self._message(**content)
        await self.server.push_update({"message": msg})
        return msg

    async def send_sticker(self) -> dict:
        return await self.send(sticker={"file_id": "CAACAgIAAxk", "file_unique_id": "AgAD", "type": "regular",
                                        "width": 512, "height": 512, "is_animated": False, "is_video": False,
                                        "emoji": "👍"})

    async def send_photo(self, caption: str | None = None) -> dict:
        photo = [{"file_id": "AgACAgIAAxk", "file_unique_id": "AQAD", "width": 90, "height": 90}]
        return await self.send(photo=photo, **({"caption": caption} if caption else {}))

    async def send_voice(self) -> dict:
        return await self.send(voice={"file_id": "AwACAgIAAxk", "file_unique_id": "AgADv", "duration": 3})


def private_person(server: FakeBotAPI, user_id: int, language_code: str = "en") -> Person:
    chat = {"id": user_id, "type": "private", "first_name": "Tester"}
    return Person(server, user_id, chat, language_code)


def group_person(server: FakeBotAPI, chat_id: int, user_id: int, language_code: str = "en") -> Person:
    chat = {"id": chat_id, "type": "supergroup", "title": "RNK test group"}
    return Person(server, user_id, chat, language_code)
