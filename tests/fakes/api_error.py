"""The error a fake Bot API method raises: it becomes ``{"ok": false, "error_code": ..., "description": ...}``."""

from __future__ import annotations


class ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters
