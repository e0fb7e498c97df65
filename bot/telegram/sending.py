"""Sending rendered HTML: split parts, reply to the question, retry transient server errors.

429 (``RetryAfter``) is handled by PTB's ``AIORateLimiter`` (it waits ``retry_after`` and
retries); here only 5xx/connection errors are retried. A 400 is never retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Bot, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, TimedOut

log = logging.getLogger(__name__)
T = TypeVar("T")
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def with_retries(call: Callable[[], Awaitable[T]], retries: int = 3, base_delay_s: float = 0.5) -> T:
    """Run ``call``, retrying server and connection errors (not 400s, not time-outs) with backoff."""
    for attempt in range(retries + 1):
        try:
            return await call()
        except (BadRequest, TimedOut):  # our fault, or maybe already delivered: do not repeat
            raise
        except NetworkError as exc:
            if attempt >= retries:
                raise
            delay = base_delay_s * 2**attempt
            log.warning("Bot API error %s; retrying in %.1f s", exc, delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


async def send_html(
    bot: Bot,
    chat_id: int,
    parts: list[str],
    *,
    reply_to: int | None = None,
    thread_id: int | None = None,
    retries: int = 3,
) -> list[Message]:
    """Send each HTML part as a message (the first one replying to ``reply_to``); return them."""
    sent: list[Message] = []
    for k, part in enumerate(parts):
        reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to and k == 0 else None

        async def call(part: str = part, reply: ReplyParameters | None = reply) -> Message:
            return await bot.send_message(
                chat_id, part, parse_mode=ParseMode.HTML, reply_parameters=reply,
                link_preview_options=NO_PREVIEW, message_thread_id=thread_id,
            )

        sent.append(await with_retries(call, retries))
    return sent
