"""Sending rendered HTML: split parts, reply to the question, retry what is safe to retry.

What Telegram has not acted on is retried with exponential back-off (tenacity), what it may
have acted on is not, so that no message is sent twice:

- 429 (``RetryAfter``): PTB's ``AIORateLimiter`` waits ``retry_after`` and retries;
- 5xx: Telegram answered that it failed: retried;
- the connection could not be made or the request not written (connect, pool and write
  time-outs, refused connections): retried, nothing reached Telegram;
- the connection dropped without an answer ("Server disconnected", a reset): retried. Almost
  always this is a kept-alive connection the other side had closed, so the request was never
  read; in the rare case that Telegram had read it, the message shows twice (never lost);
- a *read* time-out (the request reached Telegram, the answer did not come back in time): not
  retried, since the message was almost surely delivered; in the rare case it was not, it is
  lost (never doubled). Sending a message is not idempotent in the Bot API, so one of the two
  risks has to be taken in this one case; the likelier outcome decides;
- 400 (our mistake), 403 (blocked), 401: never retried.

:func:`send_html` reports each part as it is taken (``on_sent``), so the answer journal and the
digest outbox know, after a crash, which parts are still to send.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
from telegram import Bot, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, TimedOut
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt, wait_exponential

log = logging.getLogger(__name__)
T = TypeVar("T")
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# Time-outs before the request was sent: nothing reached Telegram.
_NOT_SENT = (httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteTimeout)


def transient(exc: BaseException) -> bool:
    """A failure worth repeating the call for: Telegram cannot have acted on the request (see the module docstring)."""
    if isinstance(exc, TimedOut):
        return isinstance(exc.__cause__, _NOT_SENT) or "pool timeout" in str(exc).lower()
    return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest)


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
    first: int = 0,
    on_sent: Callable[[int, Message | None], Awaitable[None]] | None = None,
) -> list[Message]:
    """Send each HTML part from index ``first`` as a message (part 0 replying to ``reply_to``);
    after each, ``await on_sent(number of parts out, the message)``. Returns the messages Telegram
    confirmed (a part whose confirmation timed out is counted as sent, with no message)."""
    sent: list[Message] = []
    for k in range(first, len(parts)):
        part = parts[k]
        reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to and k == 0 else None

        async def call(part: str = part, reply: ReplyParameters | None = reply) -> Message:
            return await bot.send_message(
                chat_id, part, parse_mode=ParseMode.HTML, reply_parameters=reply,
                link_preview_options=NO_PREVIEW, message_thread_id=thread_id,
            )

        message: Message | None = None
        try:
            message = await with_retries(call, retries)
            sent.append(message)
        except TimedOut as exc:  # a read time-out: Telegram has the request and almost surely sent it
            if transient(exc):  # ... unless it never got there (connect time-outs, retried to the end)
                raise
            log.warning("Bot API call timed out after it was sent (%s): counted as delivered, not repeated", exc)
        if on_sent is not None:
            await on_sent(k + 1, message)
    return sent
