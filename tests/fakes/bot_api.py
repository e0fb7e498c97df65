"""A fake Telegram Bot API server for tests (aiohttp, 127.0.0.1, a free port).

Point a real PTB application at it with ``base_url(server.base_url)``. It serves the
methods the bot uses, records every call, validates ``parse_mode=HTML`` text the way
Telegram does (allowed tags, balanced, entities escaped, at most 4096 characters after
parsing, not empty), long-polls ``getUpdates`` from a queue the test pushes into, and can
be told to fail the next calls of a method (429 with ``retry_after``, or a 5xx). Once the bot
has called ``setWebhook``, new updates are POSTed to its webhook (``webhook.py``) and
``getUpdates`` answers 409, as Telegram does.
Unknown methods answer 404 ``ok: false`` so gaps show up.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .api_error import ApiError
from .tg_html import TelegramHTMLError, parse_html
from .webhook import WebhookMethods

MAX_TEXT = 4096


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int = 200
    result: Any = None
    error: str | None = None
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return self.status == 200


_TEXT_FIELDS = frozenset({"text", "caption", "secret_token", "url"})


def _decode(value: str) -> Any:
    """PTB sends each form field JSON-encoded, except plain strings."""
    try:
        return json.loads(value)
    except ValueError:
        return value


class FakeBotAPI(WebhookMethods):
    """The server and its state. ``await start()`` returns the base URL for ``ApplicationBuilder``."""

    def __init__(self, token: str = "123456:TEST-token", bot_id: int = 123456, username: str = "rnk_test_bot") -> None:
        self.token, self.bot_id, self.username = token, bot_id, username
        self.bot_user = {"id": bot_id, "is_bot": True, "first_name": "RNK Bot", "username": username,
                         "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
        self.calls: list[Call] = []
        self.chats: dict[int, dict] = {}
        self.messages: dict[tuple[int, int], dict] = {}  # (chat_id, message_id) -> message
        self.commands: dict[tuple[str, str], list[dict]] = {}
        self._updates: list[dict] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count] = {}
        self._failures: dict[str, list[tuple[int, int]]] = {}
        self.blocked: set[int] = set()  # chats whose user blocked the bot: every send gets 403
        self._changed = asyncio.Condition()
        self.deliveries = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle -------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # --- test controls ---------------------------------------------------------------
    def fail_next(self, method: str, times: int = 1, status: int = 429, retry_after: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with ``status``: 429 (with ``retry_after``), 400 or 5xx."""
        self._failures.setdefault(method, []).extend([(status, retry_after)] * times)

    def next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    async def push_update(self, update: dict) -> dict:
        update = {"update_id": next(self._update_ids), **update}
        msg = update.get("message")
        if msg:
            self.chats[msg["chat"]["id"]] = msg["chat"]
            self.messages[(msg["chat"]["id"], msg["message_id"])] = msg
        if self.webhook is not None:
            await self.deliver(update)
            return update
        async with self._changed:
            self._updates.append(update)
            self._changed.notify_all()
        return update

    def calls_of(self, method: str, chat_id: int | None = None, ok: bool | None = True) -> list[Call]:
        return [c for c in self.calls if c.method == method
                and (chat_id is None or c.params.get("chat_id") == chat_id) and (ok is None or c.ok == ok)]

    def sent_to(self, chat_id: int) -> list[dict]:
        """Messages the bot sent to ``chat_id`` (as stored, with later edits), in order."""
        return [c.result for c in self.calls_of("sendMessage", chat_id)]

    async def wait_for(self, predicate: Callable[[Call], bool], timeout: float = 60.0, count: int = 1) -> list[Call]:
        """Wait until ``count`` recorded calls satisfy ``predicate``; return them."""
        async def matched() -> list[Call]:
            async with self._changed:
                while len(found := [c for c in self.calls if predicate(c)]) < count:
                    await self._changed.wait()
                return found
        return await asyncio.wait_for(matched(), timeout)

    # --- HTTP ------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params)
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            if method.startswith("send") and params.get("chat_id") in self.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            failures = self._failures.get(method)
            if failures:
                status, retry_after = failures.pop(0)
                if status == 429:
                    raise ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})
                if status == 400:
                    raise ApiError(400, "Bad Request: injected failure")
                raise ApiError(status, "Internal Server Error")
            handler = getattr(self, f"m_{method}", None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            call.result = await handler(params) if method == "getUpdates" else handler(params)
            body = {"ok": True, "result": call.result}
        except ApiError as exc:
            call.status, call.error = exc.status, exc.description
            body = {"ok": False, "error_code": exc.status, "description": exc.description}
            if exc.parameters:
                body["parameters"] = exc.parameters
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        return web.json_response(body, status=call.status)

    @staticmethod
    async def _params(request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return await request.json()
        form = await request.post()
        # PTB sends strings as they are: a text that happens to be JSON ("[1]") stays a string
        return {k: v if k in _TEXT_FIELDS or not isinstance(v, str) else _decode(v) for k, v in form.items()}

    # --- validation --------------------------------------------------------------------
    def _text(self, params: dict, *, allow_empty: bool = False) -> tuple[str, list[dict]]:
        text = params.get("text")
        if text is None or text == "":
            if allow_empty:
                return "", []
            raise ApiError(400, "Bad Request: message text is empty")
        text = str(text)
        if params.get("parse_mode") == "HTML":
            try:
                parsed = parse_html(text)
            except TelegramHTMLError as exc:
                raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
            plain, entities = parsed.text, parsed.entities
        elif params.get("parse_mode"):
            raise ApiError(400, f"Bad Request: unsupported parse_mode {params['parse_mode']}")
        else:
            plain, entities = text, []
        if not plain.strip() and not allow_empty:
            raise ApiError(400, "Bad Request: message text is empty")
        if len(plain.encode("utf-16-le")) // 2 > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return plain, entities

    def _chat(self, params: dict) -> dict:
        chat = self.chats.get(int(params.get("chat_id") or 0))
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _new_message(self, chat: dict, text: str, entities: list[dict], params: dict) -> dict:
        message_id = self.next_message_id(chat["id"])
        msg: dict[str, Any] = {"message_id": message_id, "date": int(time.time()), "chat": chat,
               "from": self.bot_user, "text": text}
        if entities:
            msg["entities"] = entities
        reply = params.get("reply_parameters") or {}
        if reply.get("message_id"):
            original = self.messages.get((chat["id"], reply["message_id"]))
            if original is None and not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
            if original is not None:
                msg["reply_to_message"] = original
        self.messages[(int(chat["id"]), message_id)] = msg
        return msg

    # --- methods -----------------------------------------------------------------------
    def m_getMe(self, params: dict) -> dict:
        return self.bot_user

    async def m_getUpdates(self, params: dict) -> list[dict]:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 5.0)
        limit = int(params.get("limit") or 100)
        async with self._changed:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if not self._updates and timeout:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait_for(lambda: bool(self._updates)), timeout)
            return self._updates[:limit]

    def m_setMyCommands(self, params: dict) -> bool:
        commands = params.get("commands") or []
        if not commands or any(not c.get("command") or not c.get("description") for c in commands):
            raise ApiError(400, "Bad Request: invalid commands")
        scope = json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)
        self.commands[(scope, params.get("language_code") or "")] = commands
        return True

    def m_getMyCommands(self, params: dict) -> list[dict]:
        scope = json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)
        return self.commands.get((scope, params.get("language_code") or ""), [])

    def m_sendChatAction(self, params: dict) -> bool:
        self._chat(params)
        if params.get("action") not in {"typing", "upload_photo", "record_video", "upload_document"}:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def m_sendMessage(self, params: dict) -> dict:
        chat = self._chat(params)
        text, entities = self._text(params)
        return self._new_message(chat, text, entities, params)

    def m_sendMessageDraft(self, params: dict) -> bool:
        chat = self._chat(params)
        if chat["type"] != "private":
            raise ApiError(400, "Bad Request: TEXTDRAFT_PEER_INVALID")
        if not params.get("draft_id"):
            raise ApiError(400, "Bad Request: draft_id must be non-zero")
        self._text(params, allow_empty=True)
        return True

    def m_editMessageText(self, params: dict) -> dict:
        chat = self._chat(params)
        msg = self.messages.get((int(chat["id"]), int(params.get("message_id") or 0)))
        if msg is None or msg.get("from", {}).get("id") != self.bot_id:
            raise ApiError(400, "Bad Request: message to edit not found")
        text, entities = self._text(params)
        if text == msg["text"] and entities == msg.get("entities", []):
            raise ApiError(400, "Bad Request: message is not modified")
        msg.update(text=text, entities=entities, edit_date=int(time.time()))
        return msg

    def m_deleteMessage(self, params: dict) -> bool:
        chat = self._chat(params)
        if self.messages.pop((int(chat["id"]), int(params.get("message_id") or 0)), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    def m_answerCallbackQuery(self, params: dict) -> bool:
        return True

    def m_close(self, params: dict) -> bool:
        return True
