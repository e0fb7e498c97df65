"""The settings of the index and of what enters it: where it lives (store), how articles are cut
into chunks (index), web ingestion (fetch) and the topic filter (topic).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import SecretStr

from corpus.fetch import FetchPolicy
from retrieval.settings.base import PROJECT_ROOT, Section, env


class StoreSettings(Section):
    """Where the index, the databases and the assembled model live."""

    data_dir: Path = env("RNKBOT_DATA_DIR", PROJECT_ROOT / "data",
                         description="Index, databases and the assembled model (default: ./data in the project).")
    corpus_dir: Path = env("RNKBOT_CORPUS_DIR", PROJECT_ROOT / "corpus" / "articles",
                           description="Folder `rnkbot ingest` reads when given no path (default: corpus/articles).")
    collection: str = env("RNKBOT_COLLECTION", "rnkbot_chunks", description="Chroma collection name.")
    chroma_host: str | None = env(
        "CHROMA_HOST", None,
        description="A Chroma server (`chroma run --path DIR --port 8000`) instead of the embedded store: "
                    "needed when more than one process writes the index.",
    )
    chroma_port: int = env("CHROMA_PORT", 8000, ge=1, le=65535, description="Port of the Chroma server.")
    chroma_auth_token: SecretStr | None = env(
        "RNKBOT_CHROMA_AUTH_TOKEN", None,
        description="Token sent to the Chroma server (CHROMA_HOST) with every request; check it in the proxy in front "
                    "of `chroma run` (docs/deploy.md).",
    )
    chroma_auth_header: Literal["Authorization", "X-Chroma-Token"] = env(
        "RNKBOT_CHROMA_AUTH_HEADER", "Authorization",
        description="How the Chroma token is sent: `Authorization` (`Bearer <token>`) or `X-Chroma-Token` (the token).",
    )
    lexical_db: Path | None = env(
        "RNKBOT_LEXICAL_DB", None,
        description="SQLite file of the lexical (BM25) index and document frequencies; default: "
                    "<data dir>/lexical-<collection>.sqlite3. Processes of one machine share it; each machine keeps its "
                    "own, filled from Chroma's change log.",
    )
    lexical_sync_s: float = env(
        "RNKBOT_LEXICAL_SYNC_S", 1.0, ge=0,
        description="At most this often (seconds) a question first looks in Chroma's change log for articles written "
                    "by processes with another lexical file (other machines). 0: before every question.",
    )

    lexical_snapshot_min_chunks: int = env(
        "RNKBOT_LEXICAL_SNAPSHOT_MIN_CHUNKS", 20000, ge=1,
        description="From this many chunks on, questions are ranked lexically with a BM25 snapshot (bm25s, built by "
                    "a separate process after ingestion and when 5% of the index changed; chunks newer than it are "
                    "ranked by SQLite FTS5) instead of FTS5 alone, whose cost grows with the corpus (`make bench`'s "
                    "scale rows show both).",
    )

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def lexical_db_path(self) -> Path:
        return self.lexical_db or self.data_dir / f"lexical-{self.collection}.sqlite3"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"


class IndexSettings(Section):
    """How articles are cut into chunks, the unit that retrieval ranks."""

    chunk_max_chars: int = env(
        "RNKBOT_CHUNK_MAX_CHARS", 700, ge=100,
        description="Most characters in a chunk of whole sentences (one long sentence may exceed it). Chosen with the "
                    "first answering core (2026-11-22) on the five seed articles; no other value was measured. A "
                    "change re-indexes every article the next time it is ingested.",
    )
    chunk_max_sentences: int = env(
        "RNKBOT_CHUNK_MAX_SENTENCES", 4, ge=1,
        description="Most sentences in a chunk; chunks overlap by one sentence. Chosen with the chunk size above, "
                    "same provenance.",
    )


class FetchSettings(Section):
    """Web ingestion: `rnkbot ingest URL`, --feed, --feeds, and the bot's feeds job."""

    timeout_s: float = env(
        "RNKBOT_FETCH_TIMEOUT_S", 20.0, gt=0,
        description="Time-out for fetching one page or feed (connect, each read, and the whole download).",
    )
    max_bytes: int = env(
        "RNKBOT_FETCH_MAX_BYTES", 5_000_000, ge=10_000,
        description="Largest page or feed downloaded (bytes); bigger ones are refused while streaming, never read whole.",
    )
    user_agent: str = env(
        "RNKBOT_FETCH_USER_AGENT", "rnkbot/0.1 (news digest bot; Russia-North Korea relations)",
        description="User-Agent header sent with every request; robots.txt rules are matched against it.",
    )
    respect_robots: bool = env(
        "RNKBOT_RESPECT_ROBOTS", True,
        description="Read each site's robots.txt and skip the pages it disallows for our user agent.",
    )
    feeds_file: Path | None = env(
        "RNKBOT_FEEDS_FILE", None,
        description="A feeds file (TOML, see feeds.toml) that the bot re-reads every RNKBOT_FEEDS_INTERVAL_MIN minutes; "
                    "unset: no feeds job.",
    )
    feeds_interval_min: float = env(
        "RNKBOT_FEEDS_INTERVAL_MIN", 60.0, ge=0,
        description="Minutes between two readings of the feeds by the bot (0: never, only /ingest and the CLI).",
    )

    def policy(self) -> FetchPolicy:
        """What :class:`corpus.fetch.Fetcher` needs of these settings."""
        return FetchPolicy(timeout_s=self.timeout_s, max_bytes=self.max_bytes, user_agent=self.user_agent,
                           respect_robots=self.respect_robots)


class TopicSettings(Section):
    """The topic filter that web articles must pass (README, 'Topic filter')."""

    threshold: float = env(
        "RNKBOT_TOPIC_THRESHOLD", 0.0, ge=-1.0, le=1.0,
        description="Least margin (similarity to the topic minus similarity to the nearest neighbouring topic) for a web "
                    "article to enter the corpus. Set on corpus/eval/topic.jsonl (`rnkbot eval-topic`): 0.01 loses two "
                    "true items (recall 0.92); training-set numbers, README 'Topic filter'.",
    )
    lead_chars: int = env(
        "RNKBOT_TOPIC_LEAD_CHARS", 1200, ge=100,
        description="Characters of the text embedded with the title for the topic margin. Chosen with the filter "
                    "(2026-11-22) while looking at corpus/eval/topic.jsonl; no other value was measured.",
    )
