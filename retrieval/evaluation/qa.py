"""Score a question set (format of ``shared/eval/dev.jsonl``; see its README)."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from corpus.jsonl import JsonlError, read_objects
from retrieval.types import Answer


class EvalFileError(JsonlError):
    """The question set cannot be read; the message names the line."""


@dataclass
class EvalItem:
    id: str
    lang: str
    question: str
    answerable: bool
    facts: list[list[str]]
    gold_docs: list[str]


@dataclass
class ItemResult:
    id: str
    correct: bool
    refused: bool
    cited: list[str]
    retrieval_hit: bool
    latency_s: float
    answer: str


@dataclass
class EvalReport:
    n: int
    answer_accuracy: float | None
    citation_precision: float | None
    citation_recall: float | None
    refusal_accuracy: float | None
    retrieval_recall_at_5: float | None
    median_latency_s: float | None
    items: list[ItemResult] = field(default_factory=list)

    def table(self) -> str:
        def fmt(v):
            return "n/a" if v is None else f"{v:.3f}"

        rows = [
            ("questions", str(self.n)),
            ("answer accuracy", fmt(self.answer_accuracy)),
            ("citation precision", fmt(self.citation_precision)),
            ("citation recall", fmt(self.citation_recall)),
            ("refusal accuracy", fmt(self.refusal_accuracy)),
            ("retrieval recall@5", fmt(self.retrieval_recall_at_5)),
            ("median latency (s)", fmt(self.median_latency_s)),
        ]
        width = max(len(k) for k, _ in rows)
        lines = [f"{k.ljust(width)}  {v}" for k, v in rows]
        misses = [r for r in self.items if not r.correct]
        if misses:
            lines.append("")
            lines.append("not correct:")
            lines += [f"  {r.id}: {'refused' if r.refused else 'answered'} cited={r.cited} :: {r.answer[:110]}" for r in misses]
        return "\n".join(lines)

    def as_json(self) -> dict:
        return asdict(self)


def load_items(path: Path) -> list[EvalItem]:
    """The question set: JSON objects with ``question`` (and ``id``, ``lang``, ``answerable``, ``facts``, ``gold_docs``)."""
    return [
        EvalItem(id=str(d.get("id", no)), lang=d.get("lang", ""), question=d["question"],
                 answerable=bool(d.get("answerable", True)), facts=d.get("facts", []), gold_docs=d.get("gold_docs", []))
        for no, d in read_objects(path, "question record", ("question",), EvalFileError)
    ]


def facts_match(answer: str, facts: list[list[str]]) -> bool:
    low = answer.lower()
    return all(any(alt.lower() in low for alt in group) for group in facts)


def _ratio(num: float, den: float) -> float | None:
    return None if den == 0 else num / den


def score(items: Iterable[EvalItem], ask: Callable[[str], Answer]) -> EvalReport:
    items = list(items)
    results: list[ItemResult] = []
    cited_total = cited_good = 0
    acc = recall = refusal_ok = r_at5 = 0
    n_ans = n_unans = 0
    for it in items:
        a = ask(it.question)
        cited = [c.doc_id for c in a.citations]
        top_docs = list(dict.fromkeys(r.doc_id for r in a.retrieved))[:5]
        if it.answerable:
            n_ans += 1
            correct = not a.refused and facts_match(a.answer, it.facts)
            acc += correct
            recall += any(d in it.gold_docs for d in cited)
            r_at5 += any(d in it.gold_docs for d in top_docs)
            cited_total += len(cited)
            cited_good += sum(d in it.gold_docs for d in cited)
        else:
            n_unans += 1
            correct = a.refused
            refusal_ok += a.refused
            cited_total += len(cited)  # any citation on an unanswerable question is a wrong one
        results.append(ItemResult(it.id, correct, a.refused, cited, any(d in it.gold_docs for d in top_docs),
                                  a.timings.total_s, a.answer))
    lat = [r.latency_s for r in results]
    return EvalReport(
        n=len(items),
        answer_accuracy=_ratio(acc, n_ans),
        citation_precision=_ratio(cited_good, cited_total),
        citation_recall=_ratio(recall, n_ans),
        refusal_accuracy=_ratio(refusal_ok, n_unans),
        retrieval_recall_at_5=_ratio(r_at5, n_ans),
        median_latency_s=statistics.median(lat) if lat else None,
        items=results,
    )
