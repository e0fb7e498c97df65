"""Prompt templates and the one catalog of fixed texts users see, in Indonesian and English.

- :func:`template` reads ``prompts/<name>.txt`` (what the model is shown).
- :func:`message` looks a text up in ``messages.toml``: answers, refusals, digests, the Telegram
  bot's replies and command menu, the terminal's labels. Every front end takes its texts from it.

Files are read on first use (not at import time). Imports nothing else of rnkbot's.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from functools import cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent
LANGUAGES = ("id", "en")
FALLBACK = "en"  # for a language the catalog does not have


@cache
def template(name: str) -> str:
    """The text of ``prompts/<name>.txt``."""
    path = PROMPTS_DIR / f"{name}.txt"
    if not path.exists():
        raise FileNotFoundError(f"prompt template {path} is missing; reinstall rnkbot or restore prompts/")
    return path.read_text(encoding="utf-8")


@cache
def catalog() -> dict[str, dict[str, str]]:
    """``{language: {key: text}}`` from ``messages.toml``; both languages have the same keys."""
    path = PROMPTS_DIR / "messages.toml"
    with path.open("rb") as fh:
        table = tomllib.load(fh)
    keys = {lang: set(table.get(lang, {})) for lang in LANGUAGES}
    if keys["id"] != keys["en"]:
        raise ValueError(f"{path}: [id] and [en] must have the same keys; only in one: {sorted(keys['id'] ^ keys['en'])}")
    return {lang: table[lang] for lang in LANGUAGES}


def message(language: str, key: str, /, *, escape: Callable[[str], str] | None = None, **values: object) -> str:
    """The text ``key`` in ``language`` (English for any other), with its ``{placeholders}`` filled.

    ``escape`` is applied to every value first: the Telegram bot passes an HTML escape, so its
    callers give raw user or article text.
    """
    table = catalog()
    text = table.get(language, table[FALLBACK])[key]
    if not values:
        return text
    if escape is not None:
        values = {k: escape(str(v)) for k, v in values.items()}
    return text.format(**values)


def closest_report(language: str, article_language: str | None, *, title: str, source: str) -> str:
    """"The closest report I have: “<title>”<source>." for a refusal that names an article, with
    the article's language named to a reader of the other one; ``title`` and ``source`` as the
    caller renders them (plain text, or HTML for Telegram)."""
    if article_language in LANGUAGES and article_language != language:
        return message(language, "closest_foreign", title=title, source=source,
                       language=message(language, f"language_{article_language}"))
    return message(language, "closest", title=title, source=source)
