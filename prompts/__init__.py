"""Prompt templates and fixed answer texts, in Indonesian and English.

Templates are files beside this module, loaded on first use (not at import time).
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def template(name: str) -> str:
    """The text of ``prompts/<name>.txt``."""
    path = PROMPTS_DIR / f"{name}.txt"
    if not path.exists():
        raise FileNotFoundError(f"prompt template {path} is missing; reinstall rnkbot or restore prompts/")
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def _messages() -> dict[str, dict[str, str]]:
    with (PROMPTS_DIR / "messages.toml").open("rb") as fh:
        return tomllib.load(fh)


def message(language: str, key: str, **values: object) -> str:
    """A fixed answer text in ``language`` ("id" or "en"), with placeholders filled."""
    table = _messages()
    text = table.get(language, table["en"])[key]
    return text.format(**values) if values else text
