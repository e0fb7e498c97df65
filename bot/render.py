"""Answers as Telegram HTML: pure functions, no I/O.

Everything that comes from a user or an article is escaped (``html.escape(quote=False)``
in text, ``quote=True`` inside attributes). Long messages are split with
:func:`split_html`, which never cuts a tag, a citation link or a word and keeps the
tags balanced in every part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from html import escape, unescape
from typing import Literal

from prompts import closest_report, inner_quotes, message, outlet_name, quotable
from retrieval.types import Answer, Citation, Closest, Language

MAX_TEXT_LENGTH = 4096  # telegram.constants.MessageLimit.MAX_TEXT_LENGTH, after entity parsing
_MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]")
_LINKABLE = re.compile(r"https?://[^/?#\s]+", re.IGNORECASE)


def esc(text: str) -> str:
    """Escape text for Telegram HTML (outside attributes)."""
    return escape(text, quote=False)


def format_date(published: str | None, lang: Language) -> str | None:
    """``2024-11-19T17:31:00+07:00`` -> ``19 Nov 2024`` (``Mei``, ``Agu``... in Indonesian)."""
    if not published:
        return None
    try:
        d = datetime.fromisoformat(published)
    except ValueError:
        return published
    return f"{d.day} {message(lang, 'short_months').split()[d.month - 1]} {d.year}"


def link_url(url: str | None) -> str | None:
    """``url`` if it can be a link: http(s) only. An article's metadata is not trusted: a
    ``javascript:`` or ``file:`` URL would be refused by Telegram (the whole message with it)."""
    if url and _LINKABLE.match(url) and not any(ch.isspace() for ch in url):
        return url
    return None


def link_citations(text: str, citations: list[Citation]) -> str:
    """Escape ``text`` and turn ``[n]`` / ``[1, 2]`` markers into links where the source URL is known."""
    by_n = {c.n: c for c in citations}
    out: list[str] = []
    pos = 0
    for m in _MARKER.finditer(text):
        out.append(esc(text[pos:m.start()]))
        for n in (int(x) for x in re.split(r"\s*[,;]\s*", m.group(1))):
            url = link_url(by_n[n].url) if n in by_n else None
            out.append(f'<a href="{escape(url, quote=True)}">[{n}]</a>' if url else f"[{n}]")
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def _article(title: str, url: str | None, outlet: str | None, published: str | None, lang: Language) -> tuple[str, str]:
    """An article's title (linked when the URL is known) and `` — Outlet, 19 Nov 2024`` (or "")."""
    link = link_url(url)
    linked = f'<a href="{escape(link, quote=True)}">{esc(title)}</a>' if link else esc(title)
    extra = ", ".join(x for x in (outlet, format_date(published, lang)) if x)
    return linked, f" — {esc(extra)}" if extra else ""


def _closest(c: Closest, lang: Language) -> str:
    """"The closest report I have: “<linked title>” — Outlet, date." for a refusal that named one,
    and under it what that report says (its sentence most likely to answer), when the core gave it."""
    outlet = outlet_name(c.outlet, lang, c.language) if c.outlet else None
    title, source = _article(inner_quotes(c.title), c.url, outlet, c.published, lang)
    line = closest_report(lang, c.language, title=title, source=source)
    return f"{line}\n{message(lang, 'closest_says', escape=esc, quote=quotable(c.quote))}" if c.quote else line


def source_line(c: Citation, lang: Language) -> str:
    """``[1] Title — Outlet, 19 Nov 2024`` with the title linked when the URL is known."""
    title, source = _article(c.title, c.url, c.outlet, c.published, lang)
    return f"[{c.n}] {title}{source}"


def render_answer(answer: Answer, lang: Language | None = None) -> str:
    """The whole reply (unsplit): linked answer, numbered sources, quotes folded away."""
    lang = lang or answer.language
    if answer.refused or not answer.answer.strip():
        return render_refusal(answer, lang)
    parts = [link_citations(answer.answer.strip(), answer.citations)]
    if answer.citations:
        lines = [f"<b>{message(lang, 'sources')}</b>"] + [source_line(c, lang) for c in answer.citations]
        parts.append("\n".join(lines))
        quotes = [f"[{c.n}] “{esc(q)}”" for c in answer.citations
                  if (q := quotable(c.quote.strip())) and q not in answer.answer]  # not when quoted already
        if quotes:
            parts.append(f"<blockquote expandable><b>{message(lang, 'quotes')}</b>\n" + "\n".join(quotes) + "</blockquote>")
    return "\n\n".join(parts)


def render_refusal(answer: Answer, lang: Language) -> str:
    """A refusal, plainly: the core's own words when they are in the user's language; when the core
    named the article closest to an answer, that one on a line of its own, linked."""
    if answer.closest is not None:
        return f"{esc(message(lang, 'refusal'))}\n\n{_closest(answer.closest, lang)}\n{message(lang, 'closest_hint_reply')}"
    if answer.answer.strip() and answer.language == lang:
        return esc(answer.answer.strip())
    return esc(message(lang, "refusal"))


def render_sources(answer: Answer, lang: Language) -> str:
    """``/sources``: every cited article with its id and the quote that supports the answer."""
    question = answer.question.strip()[:200]
    if not answer.citations:  # a refusal: the article it named, if any, is still worth a look
        none = message(lang, "no_sources", escape=esc, question=question)
        return none if answer.closest is None else f"{none}\n\n{_closest(answer.closest, lang)}"
    blocks = [f"<b>{message(lang, 'sources')}</b> — <i>{esc(question)}</i>"]
    for c in answer.citations:
        block = f"{source_line(c, lang)}\n<code>{esc(c.doc_id)}</code>"
        if c.quote.strip():
            block += f"\n<blockquote expandable>{esc(c.quote.strip())}</blockquote>"
        blocks.append(block)
    return "\n\n".join(blocks)


# --- splitting -------------------------------------------------------------------------

_TOKEN = re.compile(r"<[^>]*>|\s+|[^<\s]+")  # every character lands in one token: nothing is lost
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts."""
    return len(text.encode("utf-16-le")) // 2


def visible_length(html_text: str) -> int:
    """Length of the message Telegram sees after parsing the HTML entities."""
    return utf16_len(unescape(re.sub(r"<[^>]*>", "", html_text)))


@dataclass
class _Tok:
    raw: str
    kind: Literal["tag", "space", "word"]
    size: int = 0  # visible UTF-16 length

    @property
    def tag(self) -> tuple[bool, str]:
        """(is_closing, name) of a tag token."""
        m = re.match(r"<(/?)\s*([a-zA-Z0-9-]+)", self.raw)
        return (m.group(1) == "/", m.group(2).lower()) if m else (False, "")


def _tokens(html_text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    for m in _TOKEN.finditer(html_text):
        raw = m.group(0)
        if raw.startswith("<"):
            toks.append(_Tok(raw, "tag"))
        else:
            toks.append(_Tok(raw, "space" if raw.isspace() else "word", utf16_len(unescape(raw))))
    return toks


def _apply(stack: list[_Tok], tok: _Tok) -> None:
    closing, name = tok.tag
    if not closing:
        stack.append(tok)
    elif stack and stack[-1].tag[1] == name:
        stack.pop()


def _cut_word(tok: _Tok, budget: int) -> tuple[_Tok, _Tok]:
    """Split an over-long word at ``budget`` visible units, never inside an HTML entity."""
    pieces = [m.group(0) for m in re.finditer(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|.", tok.raw, re.S)]
    used, i = 0, 0
    while i < len(pieces):
        w = utf16_len(unescape(pieces[i]))
        if used + w > budget:
            break
        used, i = used + w, i + 1
    i = max(i, 1)
    head, tail = "".join(pieces[:i]), "".join(pieces[i:])
    return _Tok(head, "word", utf16_len(unescape(head))), _Tok(tail, "word", utf16_len(unescape(tail)))


def split_html(html_text: str, limit: int = MAX_TEXT_LENGTH) -> list[str]:
    """Split Telegram HTML into parts of at most ``limit`` visible characters.

    Breaks fall on whitespace outside links, preferably at a paragraph, then a line;
    open tags are closed at the end of a part and reopened at the start of the next.
    Only a single word longer than ``limit`` is ever cut.
    """
    toks = _tokens(html_text)
    parts: list[str] = []
    stack: list[_Tok] = []  # tags open at the start of the current part
    i = 0
    while i < len(toks):
        while i < len(toks) and toks[i].kind == "space":  # no part starts with whitespace
            i += 1
        if i >= len(toks):
            break
        size, j, st = 0, i, list(stack)
        breaks: list[tuple[int, int, int, list[_Tok]]] = []  # (index, priority, size, stack)
        overflow = False
        while j < len(toks):
            t = toks[j]
            if t.kind == "tag":
                _apply(st, t)
            else:
                if t.kind == "space" and not any(s.tag[1] == "a" for s in st):
                    breaks.append((j, t.raw.count("\n"), size, list(st)))
                if size + t.size > limit:
                    overflow = True
                    break
                size += t.size
            j += 1
        if not overflow:
            end, end_stack = len(toks), st
        else:
            good = [b for b in breaks if b[0] > i and b[2] > 0]
            best = None
            for prio in (2, 1):
                cands = [b for b in good if min(b[1], 2) >= prio and b[2] >= limit // 2]
                if cands:
                    best = cands[-1]
                    break
            best = best or (good[-1] if good else None)
            if best is None or toks[j].kind == "word" and best[2] < limit // 4:
                if toks[j].kind != "word" or size >= limit:  # a space overflowing, or no room left: break here
                    end, end_stack = j, st
                else:  # one word larger than what is left: cut it
                    head, tail = _cut_word(toks[j], limit - size)
                    toks[j:j + 1] = [head, tail]
                    end, end_stack = j + 1, st
            else:
                end, end_stack = best[0], best[3]
        body = "".join(s.raw for s in stack) + "".join(t.raw for t in toks[i:end])
        body += "".join(f"</{s.tag[1]}>" for s in reversed(end_stack))
        body = _drop_empty(body).strip()
        if visible_length(body) and body.strip():
            parts.append(body)
        stack, i = end_stack, end
    return parts or [html_text]


def _drop_empty(html_text: str) -> str:
    prev = None
    while prev != html_text:
        prev, html_text = html_text, re.sub(r"<([a-zA-Z0-9-]+)(?:\s[^>]*)?>\s*</\1>", "", html_text)
    return html_text
