"""What people type, made safe to handle: one cleaning step shared by the CLI, the terminal chat
and the Telegram bot. Pure functions, no I/O.

A question may arrive with invisible characters (zero-width spaces and joiners, bidi controls
pasted from right-to-left text, a byte-order mark), control characters (a NUL, an escape
sequence from a terminal), unpaired surrogates (a broken client's JSON) or in decomposed
Unicode. :func:`clean_question` removes or normalises those and nothing else: HTML, Markdown,
emoji, right-to-left and mixed scripts stay as typed (the renderer escapes them; the core
answers or refuses them like any text).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SPACES = re.compile(r"[^\S\n]+")  # runs of whitespace other than newlines
_NEWLINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Question:
    """A cleaned question: ``text`` (possibly cut), whether it was cut, and the length before."""

    text: str
    cut: bool = False
    original_chars: int = 0

    @property
    def empty(self) -> bool:
        return not self.text

    @property
    def has_words(self) -> bool:
        """Whether it holds any letter or digit (emoji or punctuation only is not a question)."""
        return has_words(self.text)


def _keep(ch: str) -> str:
    """The character as kept: controls become a space (newlines and tabs are whitespace), format
    characters (zero-width, bidi controls, BOM, soft hyphen), surrogates and non-characters go."""
    if ch in "\n\t":
        return ch
    if ch == "\r":
        return "\n"
    category = unicodedata.category(ch)
    if category == "Cc":
        return " "
    if category in ("Cf", "Cs") or (category == "Cn" and (0xFDD0 <= ord(ch) <= 0xFDEF or ord(ch) & 0xFFFE == 0xFFFE)):
        return ""
    return ch


def clean_text(text: str) -> str:
    """NFC, invisible and control characters removed, spaces tidied, newlines kept (at most one blank line)."""
    text = "".join(_keep(ch) for ch in text.replace("\r\n", "\n"))
    text = unicodedata.normalize("NFC", text)
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _NEWLINES.sub("\n\n", text).strip()


def has_words(text: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


def clean_question(text: str | None, max_chars: int) -> Question:
    """Clean ``text`` and cut it at a word boundary to at most ``max_chars`` characters."""
    raw = text or ""
    cleaned = clean_text(raw)
    cut_text, was_cut = cut_at_word(cleaned, max_chars)
    return Question(cut_text, was_cut, len(cleaned))


def cut_at_word(text: str, max_chars: int) -> tuple[str, bool]:
    """Cut ``text`` at a word boundary to at most ``max_chars`` characters."""
    if len(text) <= max_chars:
        return text, False
    head = text[:max_chars]
    space = max(head.rfind(" "), head.rfind("\n"))
    if space > max_chars // 2:
        head = head[:space]
    return head.rstrip(), True
