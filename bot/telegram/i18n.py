"""The bot's languages: who gets which, and its texts from the catalog (``prompts/messages.toml``).

Texts are Telegram HTML templates: values passed to :func:`t` are escaped here, so callers
give raw user or article text.
"""

from __future__ import annotations

from html import escape

from prompts import message
from retrieval.types import Language

LANGUAGES: tuple[Language, ...] = ("id", "en")


def html_escape(text: str) -> str:
    return escape(text, quote=False)


def t(lang: Language, key: str, **values: object) -> str:
    """The catalog's text ``key`` in ``lang``, with ``values`` HTML-escaped and filled in."""
    return message(lang, key, escape=html_escape, **values)


def guess_language(language_code: str | None) -> Language:
    """The UI language for a Telegram user who has not chosen one: Indonesian for ``id``, else English."""
    return "id" if (language_code or "").lower().startswith(("id", "in")) else "en"


def parse_language(arg: str | None) -> Language | None:
    """``/lang`` argument -> language, accepting a few spellings (``ID``, ``indonesia``, ``english``)."""
    a = (arg or "").strip().lower()
    if a in ("id", "ind", "indonesia", "indonesian", "bahasa"):
        return "id"
    if a in ("en", "eng", "english", "inggris"):
        return "en"
    return None
