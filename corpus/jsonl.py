"""Reading JSON Lines files (question sets, labelled topic items, question batches).

One reader for all of them, so every bad line is reported the same way: the file, the line
number and what is wrong. Imports nothing else of rnkbot's.
"""

from __future__ import annotations

import codecs
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


def raw_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """``(line number, bytes)`` of every line, blank ones too, numbered from 1 as an editor shows them.

    Lines end at ``\n`` only (a ``\r`` before it goes): :meth:`str.splitlines` also breaks at
    U+0085 and U+2028, which a JSON string may hold, and would number lines unlike an editor. A
    byte-order mark at the start (Windows Notepad writes one) goes. Bytes, not text, so a line
    that is not UTF-8 is one bad line (:func:`decode_line`), not a file that cannot be read."""
    data = path.read_bytes().removeprefix(codecs.BOM_UTF8)
    lines = data.split(b"\n")
    if lines[-1] == b"":  # the newline that ends the last line starts no line of its own
        lines.pop()
    for number, line in enumerate(lines, start=1):
        yield number, line.removesuffix(b"\r")


def decode_line(path: Path, number: int, raw: bytes, error: type[JsonlError] = JsonlError) -> str:
    """The line as text; ``error`` naming the first byte that is not UTF-8 (and its column) if it cannot be."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(path, number, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at column {exc.start + 1}): "
                                  "save the file as UTF-8") from None


def numbered_lines(path: Path, error: type[JsonlError] = JsonlError) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` of every non-blank line (a labelled set skips them); the first line
    that is not UTF-8 raises ``error``."""
    for number, raw in raw_lines(path):
        text = decode_line(path, number, raw, error)
        if text.strip():
            yield number, text


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
    for number, text in numbered_lines(path, error):
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
