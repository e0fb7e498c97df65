"""A pass-through wrapper that records what the bot asks the REAL answer service (not a mock)."""

from __future__ import annotations

import threading
from typing import Any


class RecordingService:
    """Delegates every call to the wrapped service; remembers the arguments of ``ask``."""

    def __init__(self, service: Any) -> None:
        self._service = service
        self._lock = threading.Lock()
        self.asked: list[dict[str, Any]] = []

    def ask(self, question: str, **kwargs: Any):
        with self._lock:
            self.asked.append({"question": question, **kwargs})
        return self._service.ask(question, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._service, name)
