"""Reading JSON Lines files (question sets, labelled topic items, question batches).

One reader for all of them, so every bad line is reported the same way: the file, the line
number and what is wrong. Imports nothing else of rnkbot's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import RnkbotError


class JsonlError(RnkbotError, ValueError):
    """A line of a JSONL file that cannot be used; the message names the file and the line."""

    def __init__(self, path: Path, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path, self.line, self.reason = path, line, reason


def numbered_lines(path: Path, *, blank: bool = False) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` of every line, numbered from 1 as an editor shows them; blank lines
    only with ``blank`` (a question batch answers every line in its place, a labelled set skips them).

    Lines end at ``\n`` only (a ``\r`` before it goes): :meth:`str.splitlines` also breaks at form
    feeds and U+2028, which a JSON string may hold, and would number lines unlike an editor."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if lines[-1] == "":  # the newline that ends the last line starts no line of its own
        lines.pop()
    for number, line in enumerate(lines, start=1):
        line = line.removesuffix("\r")
        if blank or line.strip():
            yield number, line


def parse_line(path: Path, number: int, text: str, error: type[JsonlError] = JsonlError) -> Any:
    """One line's JSON value; ``error`` ("invalid JSON (...)") if it is not JSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(path, number, f"invalid JSON ({exc.msg} at column {exc.colno})") from exc


def read_objects(
    path: Path, record: str, required: tuple[str, ...], error: type[JsonlError] = JsonlError,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for every non-blank line of a file of JSON objects that must have
    the ``required`` keys. The first line that is not one raises ``error``, e.g.
    ``set.jsonl:3: not a question record: invalid JSON (Expecting value at column 1)``."""
    for number, text in numbered_lines(path):
        try:
            value = parse_line(path, number, text, error)
        except JsonlError as exc:
            raise error(path, number, f"not a {record}: {exc.reason}") from exc
        if not isinstance(value, dict):
            raise error(path, number, f"not a {record}: a JSON object is needed, not {type(value).__name__}")
        missing = [key for key in required if key not in value]
        if missing:
            raise error(path, number, f"not a {record}: missing {', '.join(missing)}")
        yield number, value
