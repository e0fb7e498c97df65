"""/about and /stats texts (Telegram HTML), from plain data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.render import format_date
from retrieval.types import Language

from .i18n import t
from .queue import AnswerQueue
from .stats import BotStats

if TYPE_CHECKING:
    from retrieval.service import CorpusStats


def about_text(stats: CorpusStats, lang: Language) -> str:
    """What the bot knows: number of articles, outlets and the date range."""
    outlets = ", ".join(stats.outlets) if stats.outlets else "—"
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
