"""A time limit around any :class:`~retrieval.models.llm.Generator`.

The answerer and the digest fall back to quoting the evidence when the generator raises
:class:`LLMError`. :class:`TimeLimited` makes sure that is what happens when the model is slow,
hangs, or fails in a way its client did not foresee:

- the wrapped call runs in a worker thread; the caller waits at most ``timeout_s`` and then gets
  ``LLMError`` (so the user gets the quoting answer instead of waiting on a stuck model);
- any other exception of the wrapped call becomes ``LLMError`` (the cause is chained and logged);
- **the call that timed out is not abandoned mid-flight.** llama.cpp cannot be interrupted
  safely from another thread, so the worker is *told* to stop: from the time-out on, its
  streaming callback raises at the next token, which ends llama-cpp-python's generator loop
  cleanly between two tokens (and stops any draft from reaching the user). A model stuck
  *inside* one step (no token comes) keeps its worker until that step returns. Meanwhile the
  next call does not start a second model call beside it (a ``Llama`` is not thread-safe,
  and piling up workers would only make it slower): while a timed-out call has not returned it
  waits at most ``STUCK_WAIT_S`` for the model and then gives up at once (a digest asks the
  model once per item: it must not wait a whole time limit for each), so every answer and
  digest comes (by quoting) in bounded time, and the model is used again as soon as it is free.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from retrieval.models.llm import Generator, LLMError, OnToken

log = logging.getLogger(__name__)
STUCK_WAIT_S = 1.0  # how long a call waits for a model still busy with a call that timed out


class _Stop(Exception):
    """Raised inside the worker's streaming callback to end a call that has timed out."""


class TimeLimited:
    """A :class:`Generator` that gives up after ``timeout_s`` seconds (see the module docstring)."""

    def __init__(self, inner: Generator, timeout_s: float) -> None:
        self.inner = inner
        self.timeout_s = timeout_s
        self.style = inner.style
        self.name = inner.name
        self._free = threading.Lock()  # held by the worker for as long as the model runs
        self._stuck = threading.Event()  # set from a time-out until that call's worker returns
        self.timeouts = 0

    def complete(self, prompt: str, *, stop: list[str], max_tokens: int, on_text: OnToken | None = None) -> str:
        return self._run(lambda cb: self.inner.complete(prompt, stop=stop, max_tokens=max_tokens, on_text=cb), on_text)

    def chat(self, system: str, user: str, *, max_tokens: int, on_text: OnToken | None = None) -> str:
        return self._run(lambda cb: self.inner.chat(system, user, max_tokens=max_tokens, on_text=cb), on_text)

    def _run(self, call: Callable[[OnToken], str], on_text: OnToken | None) -> str:
        deadline = time.monotonic() + self.timeout_s
        wait = min(STUCK_WAIT_S, self.timeout_s) if self._stuck.is_set() else self.timeout_s
        if not self._free.acquire(timeout=wait):
            self.timeouts += 1
            raise LLMError(f"the model is still busy with an earlier request after {wait:g} s; answering from the evidence")
        cancelled = threading.Event()
        result: dict[str, object] = {}

        def stream(text: str) -> None:
            if cancelled.is_set():
                raise _Stop
            if on_text is not None:
                on_text(text)

        def work() -> None:
            try:
                result["text"] = call(stream)
            except _Stop:
                log.debug("a timed-out model call stopped at a token boundary")
            except BaseException as exc:  # handed to the caller below
                result["error"] = exc
            finally:
                self._stuck.clear()
                self._free.release()

        worker = threading.Thread(target=work, name="rnkbot-llm", daemon=True)
        worker.start()
        worker.join(max(0.0, deadline - time.monotonic()))
        if worker.is_alive():
            cancelled.set()
            self._stuck.set()
            self.timeouts += 1
            raise LLMError(f"the model did not finish within {self.timeout_s:g} s (RNKBOT_LLM_CALL_TIMEOUT_S); "
                           "answering from the evidence")
        error = result.get("error")
        if isinstance(error, LLMError):
            raise error
        if isinstance(error, BaseException):
            log.debug("model call failed", exc_info=error)
            raise LLMError(f"the model failed: {type(error).__name__}: {error}") from error
        text = result.get("text")
        return text if isinstance(text, str) else ""


def time_limited(generator: Generator | None, timeout_s: float) -> Generator | None:
    """``generator`` with a time limit (``None`` stays ``None``: no model, answers quote)."""
    return None if generator is None else TimeLimited(generator, timeout_s)
