"""The model's time limit (retrieval.models.guard): a model that raises or hangs gives way to the
evidence-quoting answer in bounded time, and a timed-out call is stopped at its next token."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from retrieval.models.guard import TimeLimited, time_limited
from retrieval.models.llm import LLMError, PromptStyle
from tests.unit.conftest import fake_service

DISCUSSED = "What was discussed by the Russian military delegation in Pyongyang?"


class Scripted:
    """A generator whose behaviour the test picks: ``raise``, ``hang`` (no token until released),
    ``stream`` (a token every 20 ms for a long time) or ``ok``."""

    style: PromptStyle = "completion"
    name = "scripted"

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.release = threading.Event()
        self.tokens = 0
        self.finished = threading.Event()

    def complete(self, prompt: str, *, stop: list[str], max_tokens: int, on_text: Callable[[str], None] | None = None) -> str:
        try:
            if self.mode == "raise":
                raise ValueError("Requested tokens (3000) exceed context window of 2048")
            if self.mode == "hang":
                self.release.wait(10)
            if self.mode == "stream":
                text = ""
                for _ in range(500):
                    time.sleep(0.02)
                    text += " word"
                    self.tokens += 1
                    if on_text:
                        on_text(text)
                return text
            return "ok"
        finally:
            self.finished.set()

    def chat(self, system: str, user: str, *, max_tokens: int, on_text: Callable[[str], None] | None = None) -> str:
        return self.complete(user, stop=[], max_tokens=max_tokens, on_text=on_text)


def test_an_unforeseen_exception_becomes_llm_error():
    with pytest.raises(LLMError, match="exceed context window") as err:
        TimeLimited(Scripted("raise"), 1.0).complete("p", stop=[], max_tokens=8)
    assert isinstance(err.value.__cause__, ValueError)


def test_a_hung_model_times_out_and_the_next_calls_do_not_queue_behind_it():
    inner = Scripted("hang")
    guarded = TimeLimited(inner, 0.3)
    started = time.monotonic()
    with pytest.raises(LLMError, match="did not finish within 0.3 s"):
        guarded.complete("p", stop=[], max_tokens=8)
    assert time.monotonic() - started < 2
    started = time.monotonic()
    for _ in range(3):  # a digest asks once per item: each gives up at once while the model is stuck
        with pytest.raises(LLMError, match="still busy"):
            guarded.complete("p", stop=[], max_tokens=8)
    assert time.monotonic() - started < 3 * 0.3 + 1
    inner.release.set()
    assert inner.finished.wait(2)
    inner.mode = "ok"
    assert guarded.complete("p", stop=[], max_tokens=8) == "ok", "the model is used again once it is free"
    assert guarded.timeouts == 4


def test_a_timed_out_stream_stops_at_the_next_token_and_shows_no_more_drafts():
    inner = Scripted("stream")
    seen: list[str] = []
    with pytest.raises(LLMError):
        TimeLimited(inner, 0.3).complete("p", stop=[], max_tokens=8, on_text=seen.append)
    shown = len(seen)
    assert inner.finished.wait(2), "the worker ended at a token boundary"
    assert inner.tokens < 100 and len(seen) == shown, "nothing streamed to the user after the time-out"


def test_a_hanging_model_still_gets_the_user_a_quoted_answer_in_time(tmp_path: Path):
    inner = Scripted("hang")
    guarded = TimeLimited(inner, 0.5)
    service = fake_service(tmp_path / "data", guarded)  # type: ignore[arg-type]  # a FakeGenerator's slot
    started = time.monotonic()
    answer = service.ask(DISCUSSED)  # no date, number or name to state: the model is asked to phrase it
    assert guarded.timeouts == 1, "the model was asked, and given up on"
    assert time.monotonic() - started < 5
    assert not answer.refused and answer.answer.startswith("According to") and answer.citations
    inner.release.set()


def test_the_service_builds_its_model_with_the_time_limit(monkeypatch, tmp_path: Path):
    import retrieval.service as service_module
    from tests.conftest import make_settings
    from tests.fakes.embeddings import FakeEmbeddings
    from tests.fakes.store import InMemoryStore

    monkeypatch.setattr(service_module, "build_embeddings", lambda settings: FakeEmbeddings())
    monkeypatch.setattr(service_module, "open_store", lambda settings, emb: InMemoryStore(emb))
    monkeypatch.setattr(service_module, "build_generator", lambda settings: Scripted("ok"))
    built = service_module.AnswerService.build(make_settings(tmp_path, llm={"call_timeout_s": 7}))
    assert isinstance(built.generator, TimeLimited) and built.generator.timeout_s == 7
    assert time_limited(None, 1.0) is None
