"""/about and /stats texts (Telegram HTML), from plain data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.render import format_date
from prompts import message
from retrieval.types import Language

from .i18n import t
from .queue import AnswerQueue
from .stats import BotStats

if TYPE_CHECKING:
    from retrieval.service import CorpusStats


# Characters of outlet names /about lists: the corpus grows an outlet with almost every web page
# ingested, and the whole list in one message outgrew Telegram's 4096 characters (the reply failed).
ABOUT_OUTLETS_CHARS = 2000


def outlet_list(outlets: list[str], lang: Language, budget: int = ABOUT_OUTLETS_CHARS) -> str:
    """``outlets`` joined by commas, cut to about ``budget`` characters with "and N more"."""
    shown: list[str] = []
    used = 0
    for name in outlets:
        if shown and used + len(name) + 2 > budget:
            break
        shown.append(name)
        used += len(name) + 2
    rest = len(outlets) - len(shown)
    listed = ", ".join(shown) if shown else "—"
    return f"{listed}, {message(lang, 'about_more_outlets', n=rest)}" if rest else listed


def about_text(stats: CorpusStats, lang: Language) -> str:
    """What the bot knows: number of articles, outlets (as many as fit) and the date range."""
    outlets = outlet_list(stats.outlets, lang)
    return t(
        lang, "about", articles=stats.articles, n_outlets=len(stats.outlets), outlets=outlets,
        first=format_date(stats.first_published, lang) or "?", last=format_date(stats.last_published, lang) or "?",
    )


def stats_text(stats: BotStats, queue: AnswerQueue, lang: Language) -> str:
    """Counters for admins."""
    median = stats.median_latency()
    return t(
        lang, "stats", since=stats.since.strftime("%Y-%m-%d %H:%M UTC"), answered=stats.answered,
        refused=stats.refused, errors=stats.errors, median="—" if median is None else f"{median:.1f} s",
        queued=queue.waiting, busy=int(queue.busy),
    )
