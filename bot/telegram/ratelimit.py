"""Per-user question rate limit: a sliding one-minute window."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    """At most ``per_minute`` questions per user in any 60 s window (0 disables the limit)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic, window_s: float = 60.0) -> None:
        self.per_minute = per_minute
        self.window_s = window_s
        self._clock = clock
        self._hits: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}  # user id -> when they were last told to slow down

    def check(self, user_id: int) -> float:
        """Record a question and return 0, or return the seconds to wait (the question is not recorded)."""
        if self.per_minute <= 0:
            return 0.0
        now = self._clock()
        hits = self._hits.setdefault(user_id, deque())
        while hits and now - hits[0] >= self.window_s:
            hits.popleft()
        if len(hits) >= self.per_minute:
            return max(self.window_s - (now - hits[0]), 0.001)
        hits.append(now)
        self._forget_idle(now)
        return 0.0

    def first_refusal(self, user_id: int) -> bool:
        """Whether to tell the user about a refused question: once per window, not for each
        message of a flood (the bot would flood the chat in turn)."""
        now = self._clock()
        last = self._warned.get(user_id)
        if last is not None and now - last < self.window_s:
            return False
        self._warned[user_id] = now
        return True

    def forget(self, user_id: int) -> None:
        """Drop what is held about the user (``/forget``)."""
        self._hits.pop(user_id, None)
        self._warned.pop(user_id, None)

    @staticmethod
    def wait_seconds(wait: float) -> int:
        """A wait shown to a user: whole seconds, at least 1."""
        return max(1, math.ceil(wait))

    def _forget_idle(self, now: float) -> None:
        if len(self._hits) > 10_000:
            for uid in [u for u, h in self._hits.items() if not h or now - h[-1] >= self.window_s]:
                del self._hits[uid]
            for uid in [u for u, at in self._warned.items() if now - at >= self.window_s]:
                del self._warned[uid]
