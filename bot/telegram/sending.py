"""Sending rendered HTML: split parts, reply to the question, retry transient server errors.

429 (``RetryAfter``) is handled by PTB's ``AIORateLimiter`` (it waits ``retry_after`` and
retries); here only 5xx/connection errors are retried, with exponential back-off (tenacity).
A 400 is never retried, nor a time-out (the message may have been delivered).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Bot, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, TimedOut
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt, wait_exponential

log = logging.getLogger(__name__)
T = TypeVar("T")
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def transient(exc: BaseException) -> bool:
    """A server or connection error worth repeating the call for; not our fault (400), not a time-out."""
    return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest | TimedOut)


def _log_retry(state: RetryCallState) -> None:
    delay = state.next_action.sleep if state.next_action else 0.0
    exc = state.outcome.exception() if state.outcome else None
    log.warning("Bot API error %s; retrying in %.1f s", exc, delay)


async def with_retries(call: Callable[[], Awaitable[T]], retries: int = 3, base_delay_s: float = 0.5) -> T:
    """Run ``call``; retry :func:`transient` errors up to ``retries`` times after
    ``base_delay_s``, twice that, and so on. The last error is raised as it is."""
    retrying = AsyncRetrying(
        retry=retry_if_exception(transient), stop=stop_after_attempt(retries + 1),
        wait=wait_exponential(multiplier=base_delay_s, exp_base=2), before_sleep=_log_retry, reraise=True,
    )
    return await retrying(call)


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
