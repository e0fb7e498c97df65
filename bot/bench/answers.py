"""The bench's **answers** section: ``realdev`` questions through the real service (latency,
tokens a second, peak RSS, quality), the same prompts through llama-cpp-python alone, and the
usual recipe (``retrieval.evaluation.peer``) on the same questions.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.bench.common import _llm, _questions, _realdev_articles, _rss_mb, _settings, _stats

if TYPE_CHECKING:  # the sections import what they need themselves: each runs in a process of its own
    from retrieval.evaluation.qa import EvalItem
    from retrieval.models.llm import Generator, OnToken
    from retrieval.types import Answer


class _Recorder:
    """Wraps the generator: the prompts it got, tokens streamed and their times."""

    def __init__(self, generator: Generator) -> None:
        self.g = generator
        self.calls: list[dict[str, Any]] = []
        self._complete, self._chat = generator.complete, generator.chat
        generator.complete = self.complete  # type: ignore[method-assign]  # recorded from inside
        generator.chat = self.chat  # type: ignore[method-assign]

    def _wrap(self, record: dict[str, Any], on_text: OnToken | None) -> OnToken:
        def seen(text: str) -> None:
            record["times"].append(time.perf_counter())
            if on_text:
                on_text(text)
        return seen

    def complete(self, prompt: str, *, stop: list[str], max_tokens: int, on_text: OnToken | None = None) -> str:
        rec: dict[str, Any] = {"kind": "complete", "prompt": prompt, "stop": stop, "max_tokens": max_tokens, "times": [],
                               "start": time.perf_counter()}
        self.calls.append(rec)
        rec["text"] = self._complete(prompt, stop=stop, max_tokens=max_tokens, on_text=self._wrap(rec, on_text))
        rec["end"] = time.perf_counter()
        return str(rec["text"])

    def chat(self, system: str, user: str, *, max_tokens: int, on_text: OnToken | None = None) -> str:
        rec: dict[str, Any] = {"kind": "chat", "system": system, "user": user, "max_tokens": max_tokens, "times": [],
                               "start": time.perf_counter()}
        self.calls.append(rec)
        rec["text"] = self._chat(system, user, max_tokens=max_tokens, on_text=self._wrap(rec, on_text))
        rec["end"] = time.perf_counter()
        return str(rec["text"])


def _timed_answers(ask: Callable[[str, OnToken], Answer], items: list[EvalItem],
                   after: Callable[[], None] | None = None) -> tuple[list[Answer], list[dict]]:
    """Each question asked and timed; ``after`` runs after each one, outside its time."""
    answers: list[Answer] = []
    rows: list[dict] = []
    for it in items:
        first: list[float] = []

        def seen(_text: str, first: list[float] = first) -> None:
            if not first:
                first.append(time.perf_counter())

        t0 = time.perf_counter()
        a = ask(it.question, seen)
        total = time.perf_counter() - t0
        answers.append(a)
        rows.append({"id": it.id, "retrieve_s": a.timings.retrieve_s, "total_s": total,
                     "ttft_s": (first[0] - t0) if first else None, "refused": a.refused})
        if after is not None:
            after()
    return answers, rows


def _raw(llm: Any, call: dict[str, Any], max_tokens: int | None = None) -> str:
    """One recorded prompt through llama-cpp-python itself (the same ``Llama``, greedy, streamed)."""
    n = call["max_tokens"] if max_tokens is None else max_tokens
    if call["kind"] == "complete":
        return "".join(p["choices"][0]["text"] for p in llm(call["prompt"], max_tokens=n, temperature=0.0,
                                                             stop=call["stop"], stream=True))
    messages = [{"role": "system", "content": call["system"]}, {"role": "user", "content": call["user"]}]
    return "".join(p["choices"][0]["delta"].get("content") or ""
                   for p in llm.create_chat_completion(messages=messages, max_tokens=n, temperature=0.0, stream=True))


class _Engine:
    """The pipeline's prompts through llama-cpp-python alone, each replayed right after the question
    that made it, so a machine whose speed drifts (a shared one) slows both sides alike; replayed
    all at the end, the engine's time was read minutes after the pipeline's. Before each replay
    the prompt the pipeline's call came after is read again (untimed): llama.cpp reuses the longest
    prefix shared with the previous prompt (the few-shot examples), for it and for us alike. The
    replay then leaves the state the pipeline's own call did."""

    def __init__(self, llm: Any, last: dict[str, Any] | None) -> None:
        self.llm, self.last = llm, last
        self.seconds, self.prompts, self.same = 0.0, 0, 0

    def replay(self, calls: list[dict[str, Any]]) -> None:
        for call in calls:
            if self.last is not None:
                _raw(self.llm, self.last, max_tokens=1)
            t0 = time.perf_counter()
            text = _raw(self.llm, call)
            self.seconds += time.perf_counter() - t0
            self.prompts += 1
            self.same += text == call["text"]
            self.last = call


def _quality(items: list[EvalItem], answers: list[Answer]) -> dict:
    from retrieval.evaluation.qa import score

    by_q = iter(answers)
    overall = score(items, lambda _q, _history: next(by_q)).overall
    keys = ("answer_accuracy", "citation_precision", "citation_recall", "refusal_accuracy", "retrieval_recall_at_5")
    return {k: None if getattr(overall, k) is None else round(getattr(overall, k), 3) for k in keys}


def _latency(rows: list[dict]) -> dict:
    return {"retrieve_s": _stats([r["retrieve_s"] for r in rows]),
            "ttft_s": _stats([r["ttft_s"] for r in rows if r["ttft_s"]]),
            "total_s": _stats([r["total_s"] for r in rows]), "answered_with_model": sum(1 for r in rows if r["ttft_s"])}


def section_answers(work: Path, args: argparse.Namespace) -> dict:
    from corpus.language import detect_language
    from retrieval.evaluation.peer import PeerRecipe
    from retrieval.service import AnswerService

    settings = _settings(work / "realdev", llm=_llm(args), answering={"phrase": args.phrase})
    svc = AnswerService.build(settings)
    generator = svc.generator
    assert generator is not None, "the bench measures the model: RNKBOT_LLM_BACKEND=none has nothing to time"
    rec = _Recorder(generator)
    items = _questions(args)
    svc.ask("Kapan Kozlov bertemu Kim Jong Un?")  # load and warm once, as a running bot is
    warm = list(rec.calls)
    rec.calls.clear()

    # the service's generator is wrapped in a time limit (retrieval.models.guard): the Llama is inside
    llm = getattr(getattr(generator, "inner", generator), "_llm", None)
    engine = _Engine(llm, warm[-1] if warm else None) if llm is not None else None
    replayed = 0

    def replay_new_prompts() -> None:
        nonlocal replayed
        if engine is not None:
            engine.replay(rec.calls[replayed:])
            replayed = len(rec.calls)

    answers, rows = _timed_answers(lambda q, cb: svc.ask(q, on_partial=cb), items, after=replay_new_prompts)
    rss = _rss_mb()
    gens = [c for c in rec.calls if len(c["times"]) > 1]
    tok_s = [(len(c["times"]) - 1) / (c["times"][-1] - c["times"][0]) for c in gens if c["times"][-1] > c["times"][0]]
    out: dict[str, Any] = {"questions": len(items), "splits": args.split, "phrase": args.phrase, "latency": _latency(rows),
                           "peak_rss_mb": round(rss), "tokens_per_s": _stats(tok_s), "quality": _quality(items, answers)}
    if engine is not None and engine.prompts:
        pipeline = sum(r["total_s"] for r in rows if r["ttft_s"])
        out["engine"] = {"prompts": engine.prompts, "same_text": engine.same, "engine_s": round(engine.seconds, 3),
                         "pipeline_s": round(pipeline, 3),
                         "overhead_ratio": round(pipeline / engine.seconds, 3) if engine.seconds else None}

    # The usual recipe, on the same questions, corpus, model and embeddings.
    try:
        from corpus.documents import DocumentError, iter_files, load_file

        max_tokens = settings.llm.max_tokens
        peer = PeerRecipe(svc.store.embeddings, lambda prompt, on_text: generator.complete(
            prompt, stop=["\nQuestion:", "\n\n\n"], max_tokens=max_tokens, on_text=on_text),
            work / "peer-chroma", max_tokens)
        articles = []
        for path in iter_files(_realdev_articles(args.realdev)):
            with contextlib.suppress(DocumentError):
                articles.append(load_file(path))
        t0 = time.perf_counter()
        n_chunks = peer.index(articles)
        index_s = time.perf_counter() - t0
        answers, rows = _timed_answers(lambda q, cb: peer.ask(q, detect_language(q), cb), items)
        out["peer"] = {"chunks": n_chunks, "index_s": round(index_s, 2), "latency": _latency(rows),
                       "quality": _quality(items, answers)}
    except ImportError as exc:
        out["peer"] = {"skipped": f"{exc} (pip install -e '.[bench]')"}
    return out
