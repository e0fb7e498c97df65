"""Counters behind the admins' /stats command."""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass
class BotStats:
    """Questions answered, refusals, errors and recent answer latencies (seconds)."""

    answered: int = 0
    refused: int = 0
    errors: int = 0
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=500))
    since: datetime = field(default_factory=lambda: datetime.now(UTC))

    def record_answer(self, refused: bool, latency_s: float) -> None:
        self.answered += 1
        self.refused += int(refused)
        self.latencies.append(latency_s)

    def record_error(self) -> None:
        self.errors += 1

    def median_latency(self) -> float | None:
        return statistics.median(self.latencies) if self.latencies else None
