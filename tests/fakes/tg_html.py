"""A strict parser of Telegram's HTML parse mode, used by the fake Bot API and as a test oracle.

It accepts what https://core.telegram.org/bots/api#html-style documents and rejects the
rest the way Telegram does ("Bad Request: can't parse entities: ..."): unknown tags,
unbalanced tags, a bare ``<``, ``>`` or ``&`` that is not an entity, nested blockquotes.
It returns the plain text and the entities (offsets in UTF-16 code units).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape

_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>")
_ATTR = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>\"']+))?")

TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "tg-spoiler": "spoiler",
    "span": "spoiler", "a": "text_link", "code": "code", "pre": "pre", "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


class TelegramHTMLError(ValueError):
    """What Telegram answers with a 400 ``can't parse entities``."""


@dataclass
class Parsed:
    text: str
    entities: list[dict] = field(default_factory=list)

    @property
    def length(self) -> int:
        """Length in UTF-16 code units, the unit of Telegram's limits."""
        return len(self.text.encode("utf-16-le")) // 2


def _u16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def _attrs(raw: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for m in _ATTR.finditer(raw):
        v = m.group(2)
        if v is not None and v[:1] in "\"'":
            v = v[1:-1]
        out[m.group(1).lower()] = unescape(v) if v is not None else None
    return out


def _entity(name: str, attrs: dict[str, str | None], stack: list[tuple[str, dict, int]]) -> dict:
    if name not in TYPES:
        raise TelegramHTMLError(f"Unsupported start tag \"{name}\"")
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise TelegramHTMLError("Tag \"span\" must have class \"tg-spoiler\"")
    if name == "a" and not attrs.get("href"):
        raise TelegramHTMLError("Tag \"a\" must have attribute \"href\"")
    if name == "tg-emoji" and not attrs.get("emoji-id"):
        raise TelegramHTMLError("Tag \"tg-emoji\" must have attribute \"emoji-id\"")
    inside = [s[0] for s in stack]
    if any(t in ("code", "pre") for t in inside) and not (name == "code" and inside[-1:] == ["pre"]):
        raise TelegramHTMLError(f"Can't use tag \"{name}\" inside a code block")
    if name == "blockquote" and "blockquote" in inside:
        raise TelegramHTMLError("Can't nest blockquotes")
    ent: dict = {"type": TYPES[name]}
    if name == "a":
        ent["url"] = attrs["href"]
    if name == "blockquote" and "expandable" in attrs:
        ent["type"] = "expandable_blockquote"
    if name == "tg-emoji":
        ent["custom_emoji_id"] = attrs["emoji-id"]
    return ent


def parse_html(html: str) -> Parsed:
    """Parse ``html`` as Telegram would, or raise :class:`TelegramHTMLError`."""
    text: list[str] = []
    offset = 0
    entities: list[dict] = []
    stack: list[tuple[str, dict, int]] = []  # (tag, entity, start offset)
    i = 0
    while i < len(html):
        ch = html[i]
        if ch == "<":
            m = _TAG.match(html, i)
            if not m:
                raise TelegramHTMLError(f"Unexpected character \"<\" at byte offset {i}")
            closing, name = m.group(1) == "/", m.group(2).lower()
            if closing:
                if not stack or stack[-1][0] != name:
                    expected = stack[-1][0] if stack else ""
                    raise TelegramHTMLError(
                        f"Unmatched end tag at byte offset {i}, expected \"</{expected}>\", found \"</{name}>\"")
                _, ent, start = stack.pop()
                if offset > start:
                    entities.append(ent | {"offset": start, "length": offset - start})
            else:
                stack.append((name, _entity(name, _attrs(m.group(3)), stack), offset))
            i = m.end()
        elif ch == "&":
            m = _ENTITY.match(html, i)
            if not m:
                raise TelegramHTMLError(f"Unsupported HTML entity or bare \"&\" at byte offset {i}")
            piece = unescape(m.group(0))
            text.append(piece)
            offset += _u16(piece)
            i = m.end()
        elif ch == ">":
            raise TelegramHTMLError(f"Unexpected character \">\" at byte offset {i}")
        else:
            j = i
            while j < len(html) and html[j] not in "<&>":
                j += 1
            text.append(html[i:j])
            offset += _u16(html[i:j])
            i = j
    if stack:
        raise TelegramHTMLError(f"Can't find end tag corresponding to start tag \"{stack[-1][0]}\"")
    return Parsed("".join(text), sorted(entities, key=lambda e: (e["offset"], -e["length"])))
