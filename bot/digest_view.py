"""A digest as terminal text or Telegram HTML: pure functions, no I/O.

In Telegram every item is a message of its own (the first one under the digest's title), with
its own sources, so that a reply to it is a question about that event.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime, tzinfo

from prompts import message
from retrieval.digest.builder import Digest, DigestItem

from .render import esc, link_citations, source_line, split_html


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


def more_text(digest: Digest) -> str | None:
    """"And K more reports on J other events: /digest all", when the item cap left some out."""
    if not digest.more_items:
        return None
    return message(digest.language, "digest_more", reports=digest.more_reports, items=digest.more_items)


def digest_text(digest: Digest, tz: tzinfo) -> str:
    """For the terminal: title, window, one bullet per event, numbered sources with their quotes."""
    if digest.empty:
        return empty_text(digest, tz)
    lang = digest.language
    lines = [message(lang, "digest_title"), window_label(digest, tz), ""]
    for item in digest.items:
        lines.append(textwrap.fill(item.summary, width=100, initial_indent="• ", subsequent_indent="  "))
    more = more_text(digest)
    if more:
        lines += ["", more.replace("/digest all", "rnkbot digest --all")]
    lines += ["", f"{message(lang, 'sources')}:"]
    for c in digest.citations:
        head = f"[{c.n}] {c.title} — " + ", ".join(x for x in (c.outlet, (c.published or "")[:10], c.url) if x)
        lines.append(head.rstrip(" —"))
    return "\n".join(lines)


@dataclass(frozen=True)
class DigestMessage:
    """One Telegram message of a digest; ``item`` is the item it shows (``None``: no item)."""

    html: str
    item: DigestItem | None = None


def _item_html(digest: Digest, item: DigestItem) -> str:
    lang = digest.language
    mine = [c for c in digest.citations if c.n in set(item.sources)]
    sources = "\n".join([f"<b>{esc(message(lang, 'sources'))}</b>"] + [source_line(c, lang) for c in mine])
    return f"• {link_citations(item.summary, digest.citations)}\n\n{sources}"


def digest_messages(digest: Digest, tz: tzinfo) -> list[DigestMessage]:
    """For Telegram: the title and window with the first item, then one message per item, each
    with its own sources; the "more reports" line ends the last one. Long items are split."""
    if digest.empty:
        return [DigestMessage(esc(empty_text(digest, tz)))]
    head = f"<b>{esc(message(digest.language, 'digest_title'))}</b>\n<i>{esc(window_label(digest, tz))}</i>"
    more = more_text(digest)
    out: list[DigestMessage] = []
    for k, item in enumerate(digest.items):
        body = _item_html(digest, item)
        if k == 0:
            body = f"{head}\n\n{body}"
        if k == len(digest.items) - 1 and more:
            body = f"{body}\n\n<i>{esc(more)}</i>"
        out += [DigestMessage(part, item) for part in split_html(body)]
    return out
