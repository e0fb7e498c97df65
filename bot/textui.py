"""Plain-text rendering of an answer for the terminal."""

from __future__ import annotations

import textwrap

from prompts import message, quotable
from retrieval.types import Answer


def format_sources(ans: Answer) -> str:
    lang = ans.language
    lines = [f"{message(lang, 'sources')}:"]
    for c in ans.citations:
        head = f"[{c.n}] {c.title} — {c.outlet or message(lang, 'outlet_unknown')}"
        if c.published:
            head += f", {c.published[:10]}"
        if c.url:
            head += f", {c.url}"
        lines.append(head)
        lines.append(textwrap.indent(textwrap.fill(f"“{quotable(c.quote)}”", width=96), "    "))
    return "\n".join(lines)


def format_answer(ans: Answer) -> str:
    body = textwrap.fill(ans.answer, width=100)
    if ans.closest is not None:  # the article a refusal points at: to open, or to ask what it says
        body += (f"\n{ans.closest.url}" if ans.closest.url else "") + f"\n{message(ans.language, 'closest_hint_ask')}"
    return body if not ans.citations else f"{body}\n\n{format_sources(ans)}"
