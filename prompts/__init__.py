"""Prompt templates and the one catalog of fixed texts users see, in Indonesian and English.

- :func:`template` reads ``prompts/<name>.txt`` (what the model is shown).
- :func:`message` looks a text up in ``messages.toml``: answers, refusals, digests, the Telegram
  bot's replies and command menu, the terminal's labels. Every front end takes its texts from it.

Files are read on first use (not at import time). Imports nothing else of rnkbot's.
"""

from __future__ import annotations

import re
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


# A straight double quote that opens a quotation (after a space or bracket, before a word) and one
# that closes it (after a word or punctuation, before a space, punctuation or the end).
_OPENS = re.compile(r'(?:^|(?<=[\s(\[—–/]))"(?=[^\s"])')
_CLOSES = re.compile(r'(?<=[^\s"])"(?=[\s.,;:!?)\]…—–]|$)')


def inner_quotes(text: str) -> str:
    """``text`` as it reads inside our own “ ”: its double quotation marks become single ones, so a
    passage that opens with a quotation reads “‘Kami siap,’ kata dia.” (not ““Kami siap,” kata
    dia.”) and a quotation closing inside it cannot be taken for the end of ours. Curly marks always
    change; straight ones (") only when each opens and the next closes in turn, else they stay as
    written (an odd one out cannot be told from its partner)."""
    text = text.replace("“", "‘").replace("”", "’")
    marks = [m.start() for m in re.finditer('"', text)]
    if not marks or len(marks) % 2:
        return text
    opens = {m.start() for m in _OPENS.finditer(text)}
    closes = {m.start() for m in _CLOSES.finditer(text)}
    if not all(i in (opens if k % 2 == 0 else closes) for k, i in enumerate(marks)):
        return text
    out = list(text)
    for k, i in enumerate(marks):
        out[i] = "‘" if k % 2 == 0 else "’"
    return "".join(out)


# Two sentences a page ran together, a period between a word and the next sentence's first word
# ("(KCNA).The parade", "pekan lalu.CSIS"); not a web address ("Okezone.Com", "Kompas.TV"), nor "e.g.Some".
_RUN_TOGETHER = re.compile(r"(\S+)\.([A-Z][A-Za-z]*)")
_NOT_A_SENTENCE = ("com", "net", "org", "co", "id", "tv")
_SPACE_BEFORE_COMMA = re.compile(r"(?<=\w) +,(?= )")  # "hubungan diplomatik , untuk"
_STRAY_PERIOD = re.compile(r"(?<=[^\s.][.!?]) \.(?=\s|$)(?! \.)")  # "kata dia. ." (". . ." is kept)


def _run_together(m: re.Match[str]) -> str:
    left, right = m.group(1), m.group(2)
    if not re.search(r"[a-z)]$", left) or re.search(r"[./@]|www", left) or right.lower() in _NOT_A_SENTENCE:
        return m.group(0)
    return f"{left}. {right}"


def quotable(passage: str) -> str:
    """A passage of an article as it is quoted to a reader: its words as written, the slips of
    spacing a page's extraction leaves mended (a space after a period that ran two sentences
    together, none before a comma, no period alone after a sentence's end), its quotation marks
    nested inside ours (:func:`inner_quotes`)."""
    text = _RUN_TOGETHER.sub(_run_together, passage)
    text = _STRAY_PERIOD.sub("", _SPACE_BEFORE_COMMA.sub(",", text))
    return inner_quotes(text)


# The tag an outlet's Indonesian edition carries in its name: "KBS World (Bahasa Indonesia)".
_INDONESIAN_EDITION = re.compile(r"\s*\(bahasa indonesia\)$", re.IGNORECASE)


def outlet_name(outlet: str, language: str, article_language: str | None) -> str:
    """An outlet's name as a reader of ``language`` is told it with an article of its: to an English
    reader, an Indonesian edition's "(Bahasa Indonesia)" says again, and in Indonesian, what the
    frame around it says already ("According to KBS World, in Indonesian: ..."), so it is left out."""
    if language == "en" and article_language == "id":
        return _INDONESIAN_EDITION.sub("", outlet) or outlet
    return outlet


def closest_report(language: str, article_language: str | None, *, title: str, source: str) -> str:
    """"The closest report I have: “<title>”<source>." for a refusal that names an article, with
    the article's language named to a reader of the other one; ``title`` and ``source`` as the
    caller renders them (plain text, or HTML for Telegram)."""
    if article_language in LANGUAGES and article_language != language:
        return message(language, "closest_foreign", title=title, source=source,
                       language=message(language, f"language_{article_language}"))
    return message(language, "closest", title=title, source=source)
