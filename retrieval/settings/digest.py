"""The settings of the daily digest: delivery defaults, event linking and summaries."""

from __future__ import annotations

from pathlib import Path

from pydantic import field_validator

from retrieval.settings.base import Section, env


class DigestSettings(Section):
    """The daily digest: delivery defaults, event linking and summaries."""

    time: str = env(
        "RNKBOT_DIGEST_TIME", "08:00", pattern=r"^([01]?\d|2[0-3]):[0-5]\d$",
        description="Default delivery time (HH:MM) for a /subscribe without one.",
    )
    timezone: str = env("RNKBOT_DIGEST_TIMEZONE", "Asia/Jakarta",
                        description="Default IANA time zone for a /subscribe without one (WIB, WITA, WIT work too).")
    db: Path | None = env("RNKBOT_DIGEST_DB", None,
                          description="Subscriptions database (SQLite, WAL mode); default: <data dir>/digest.sqlite3.")
    send_empty: bool = env(
        "RNKBOT_DIGEST_SEND_EMPTY", True,
        description="On a day with nothing new: true sends a short 'no new articles' message, false sends nothing.",
    )
    max_items: int = env("RNKBOT_DIGEST_MAX_ITEMS", 8, ge=1, le=30,
                         description="Most items in one digest, the biggest events first (most outlets, then most "
                                     "reports); the rest are counted, and `/digest all` shows them.")
    event_max_gap_days: float = env(
        "RNKBOT_EVENT_MAX_GAP_DAYS", 3.0, gt=0,
        description="An event never spans more than this many days of known dates (publication dates, else dates its "
                    "reports state): reports further apart are never one item. What counts as one event, not tuned; "
                    "the event model (retrieval/digest/data/event_model.json, `rnkbot fit-events`) was fit with it.",
    )
    summary_lead_sentences: int = env(
        "RNKBOT_DIGEST_SUMMARY_LEAD_SENTENCES", 5, ge=1,
        description="Sentences of each report's lead that must support an item's summary for the report to be cited "
                    "for it. Chosen on the seed corpus and tests/fixtures/digest (2026-11-22); no other value was measured.",
    )
    summary_candidates: int = env(
        "RNKBOT_DIGEST_SUMMARY_CANDIDATES", 3, ge=1,
        description="Lead sentences of each report tried as the item's summary. Chosen when the digest was written "
                    "(2026-11-22) on the seed corpus; not measured.",
    )
    min_summary_words: int = env(
        "RNKBOT_DIGEST_MIN_SUMMARY_WORDS", 6, ge=1,
        description="Shortest lead sentence (words) usable as a summary; shorter ones are headlines or datelines. "
                    "Same provenance as RNKBOT_DIGEST_SUMMARY_CANDIDATES.",
    )
    max_summary_words: int = env(
        "RNKBOT_DIGEST_MAX_SUMMARY_WORDS", 60, ge=1,
        description="Longest summary (words), quoted or phrased by the model. Same provenance as "
                    "RNKBOT_DIGEST_SUMMARY_CANDIDATES.",
    )
    cache_size: int = env(
        "RNKBOT_DIGEST_CACHE_SIZE", 256, ge=1,
        description="Event summaries kept in memory (least recently used dropped), so digests of one day for many "
                    "chats ask the model once per event.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from retrieval.text.times import parse_timezone

        return parse_timezone(value).key
