"""A digest as terminal text or Telegram HTML: pure functions, no I/O."""

from __future__ import annotations

import textwrap
from datetime import datetime, tzinfo

from prompts import message
from retrieval.digest.builder import Digest

from .render import esc, link_citations, source_line


def local_label(moment: datetime, *, zone: bool = True) -> str:
    """``2026-11-22 08:00 WIB`` (the zone's abbreviation, when it has one)."""
    text = moment.strftime("%Y-%m-%d %H:%M")
    return f"{text} {moment.tzname() or ''}".strip() if zone else text


def window_label(digest: Digest, tz: tzinfo) -> str:
    """``2026-11-21 08:00 – 2026-11-22 08:00 WIB`` in the reader's time zone."""
    since = datetime.fromisoformat(digest.since).astimezone(tz)
    until = datetime.fromisoformat(digest.until).astimezone(tz)
    return message(digest.language, "digest_window", since=local_label(since, zone=False), until=local_label(until))


def empty_text(digest: Digest, tz: tzinfo) -> str:
    return message(digest.language, "digest_empty", since=local_label(datetime.fromisoformat(digest.since).astimezone(tz)))


def digest_text(digest: Digest, tz: tzinfo) -> str:
    """For the terminal: title, window, one bullet per event, numbered sources with their quotes."""
    if digest.empty:
        return empty_text(digest, tz)
    lang = digest.language
    lines = [message(lang, "digest_title"), window_label(digest, tz), ""]
    for item in digest.items:
        lines.append(textwrap.fill(item.summary, width=100, initial_indent="• ", subsequent_indent="  "))
    lines += ["", f"{message(lang, 'sources')}:"]
    for c in digest.citations:
        head = f"[{c.n}] {c.title} — " + ", ".join(x for x in (c.outlet, (c.published or "")[:10], c.url) if x)
        lines.append(head.rstrip(" —"))
    return "\n".join(lines)


def digest_html(digest: Digest, tz: tzinfo) -> str:
    """For Telegram (unsplit; the sender splits long ones with ``render.split_html``)."""
    if digest.empty:
        return esc(empty_text(digest, tz))
    lang = digest.language
    parts = [f"<b>{esc(message(lang, 'digest_title'))}</b>\n<i>{esc(window_label(digest, tz))}</i>"]
    parts += [f"• {link_citations(item.summary, digest.citations)}" for item in digest.items]
    parts.append("\n".join([f"<b>{esc(message(lang, 'sources'))}</b>"]
                           + [source_line(c, lang) for c in digest.citations]))
    return "\n\n".join(parts)
