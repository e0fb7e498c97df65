"""Showing the answer while the model writes it.

The core calls ``on_partial(text)`` from a worker thread; :class:`Streamer` hands the text
to the event loop (``call_soon_threadsafe``) and a pump shows the latest draft at most once
per interval, skipping identical text. Private chats get ``sendMessageDraft`` (an
ephemeral preview); other chats get a placeholder message that is edited, never more often
than once a second whatever the configured interval (Telegram's limit for edits). A 429 is
waited out (``retry_after``) by PTB's ``AIORateLimiter``. Drafts are plain text; the final
answer is always sent as a real message by the caller.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Protocol

from telegram import Bot, ReplyParameters
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError

log = logging.getLogger(__name__)
DRAFT_LIMIT = 4000
MIN_EDIT_INTERVAL_S = 1.0  # between two edits of one message (and after sending it)


def draft_text(text: str) -> str:
    """The draft as shown: repeated lines (small models loop) dropped, at most DRAFT_LIMIT characters."""
    seen: set[str] = set()
    lines = []
    for line in text.strip().splitlines():
        key = line.strip()
        if key and key in seen:
            continue
        seen.add(key)
        lines.append(line)
    text = "\n".join(lines).strip()
    return text if len(text) <= DRAFT_LIMIT else text[: DRAFT_LIMIT - 1] + "…"


class ProgressView(Protocol):
    async def open(self) -> None: ...
    async def show(self, text: str) -> None: ...
    async def close(self) -> None: ...


class DraftView:
    """``sendMessageDraft`` in a private chat. If the server refuses drafts (an older self-hosted
    Bot API, say), the rest of the answer is shown through ``fallback`` (an edited placeholder)."""

    def __init__(self, bot: Bot, chat_id: int, draft_id: int, thread_id: int | None = None,
                 fallback: EditView | None = None) -> None:
        self.bot, self.chat_id, self.draft_id, self.thread_id = bot, chat_id, draft_id, thread_id
        self.fallback = fallback
        self.enabled = hasattr(bot, "send_message_draft")

    async def open(self) -> None:
        return None

    async def show(self, text: str) -> None:
        if self.enabled:
            try:
                await self.bot.send_message_draft(self.chat_id, self.draft_id, draft_text(text), message_thread_id=self.thread_id)
                return
            except TelegramError as exc:  # a preview is optional: never fail the answer for it
                log.info("drafts refused (%s); editing a placeholder instead", exc)
                self.enabled = False
                if self.fallback is not None:
                    await self.fallback.open()
        if self.fallback is not None:
            await self.fallback.show(text)

    async def close(self) -> None:
        if self.fallback is not None:
            await self.fallback.close()


class EditView:
    """A placeholder message (or the "queued" notice) edited with the draft, deleted at the end."""

    def __init__(self, bot: Bot, chat_id: int, placeholder: str, *, reply_to: int | None = None,
                 message_id: int | None = None, thread_id: int | None = None) -> None:
        self.bot, self.chat_id, self.placeholder = bot, chat_id, placeholder
        self.reply_to, self.message_id, self.thread_id = reply_to, message_id, thread_id
        self.shown: str | None = None
        self._last_change = time.monotonic()  # a reused notice was sent just before, at the latest

    async def open(self) -> None:
        if self.message_id is not None:
            return
        reply = ReplyParameters(self.reply_to, allow_sending_without_reply=True) if self.reply_to else None
        msg = await self.bot.send_message(self.chat_id, self.placeholder, reply_parameters=reply,
                                          message_thread_id=self.thread_id)
        self.message_id, self.shown, self._last_change = msg.message_id, self.placeholder, time.monotonic()

    async def show(self, text: str) -> None:
        """Edit the placeholder to ``text``, waiting first so that edits stay a second apart."""
        text = draft_text(text)
        if self.message_id is None or text == self.shown:
            return
        await asyncio.sleep(max(0.0, self._last_change + MIN_EDIT_INTERVAL_S - time.monotonic()))
        try:
            await self.bot.edit_message_text(text, chat_id=self.chat_id, message_id=self.message_id)
            self.shown = text
        except BadRequest as exc:  # "message is not modified", or the placeholder was deleted
            log.debug("draft edit skipped: %s", exc)
        finally:
            self._last_change = time.monotonic()

    async def close(self) -> None:
        if self.message_id is None:
            return
        try:
            await self.bot.delete_message(self.chat_id, self.message_id)
        except TelegramError as exc:  # an old placeholder left behind is harmless
            log.info("could not delete the placeholder: %s", exc)
        self.message_id = None


class Streamer:
    """Thread-safe sink for draft text, shown through a :class:`ProgressView` at a bounded rate."""

    def __init__(self, loop: asyncio.AbstractEventLoop, view: ProgressView, interval_s: float = 1.0) -> None:
        self.loop, self.view, self.interval_s = loop, view, interval_s
        self._latest = ""
        self._shown = ""
        self._event = asyncio.Event()
        self._task: asyncio.Task | None = None
        self.updates = 0

    def push(self, text: str) -> None:
        """Called by the core, possibly from another thread, with the whole draft so far."""
        if not self.loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed between the check and the call
                self.loop.call_soon_threadsafe(self._set, text)

    def _set(self, text: str) -> None:
        self._latest = text
        self._event.set()

    async def _pump(self) -> None:
        while True:
            await self._event.wait()
            self._event.clear()
            text = draft_text(self._latest)
            if text and text != self._shown:
                await self.view.show(text)
                self._shown = text
                self.updates += 1
                await asyncio.sleep(self.interval_s)

    def start(self) -> None:
        self._task = asyncio.create_task(self._pump(), name="rnkbot-draft-pump")

    async def stop(self) -> None:
        """Stop showing drafts (call before sending the final message)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def keep_typing(bot: Bot, chat_id: int, thread_id: int | None = None, every_s: float = 4.5) -> None:
    """Send the "typing…" action until cancelled (Telegram shows it for about 5 s)."""
    while True:
        try:
            await bot.send_chat_action(chat_id, ChatAction.TYPING, message_thread_id=thread_id)
        except TelegramError as exc:  # cosmetic
            log.debug("typing action failed: %s", exc)
        await asyncio.sleep(every_s)
