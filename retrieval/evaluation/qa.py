"""Score a question set against the answer contract (``rnkbot eval``).

The format is that of ``shared/eval/dev.jsonl`` and ``shared/eval/realdev/questions.jsonl``:
one JSON object a line with ``question``, ``answerable``, ``facts`` (groups: a correct answer
holds a string of every group), ``gold_docs``, and optionally ``id``, ``lang``, ``kind``,
``split`` and ``history``: the questions asked before it in the same conversation, for a reply
("Kapan itu terjadi?"). Those are asked first, in order, each answer kept as a turn, and only
the last answer is scored. Scoring follows the realdev README:

- answer accuracy: answerable questions answered (not refused) whose answer holds every group;
- citation precision: cited doc_ids that are gold, over all citations of answerable questions;
- citation recall: answerable questions citing at least one gold doc;
- refusal accuracy: unanswerable questions refused;
- retrieval recall@5: answerable questions with a gold doc among the first five retrieved articles;
- lead accuracy: answers to answerable questions that open with a value stated by code (a date, a
  number, a name: ``Answer.direct``) whose value holds one of the facts the question asks for (a fact
  group none of whose strings the question already holds). Answer accuracy reads the whole answer,
  quotes included, so a wrong value stated first would pass it; this says how often the value
  the reader sees first is right.
- pointers: refused questions whose refusal names the article closest to an answer
  (``Answer.closest``); pointer accuracy: of those that the articles do answer, the share pointed
  at a gold article (a refusal the reader can still get the answer from).
- read: answers whose evidence the opt-in reader chose (``RNKBOT_READER``: a language model shown
  the likeliest passages where the evidence model refused); read accuracy: the share of those that
  are right answers (to an unanswerable question, none is).

Questions of kind ``off_topic_in_corpus`` (answerable only from an off-topic article in the
index) are reported apart: refusing them is right, and a correctly cited answer is acceptable.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from corpus.jsonl import JsonlError, read_objects
from retrieval.types import Answer, Turn

APART = ("off_topic_in_corpus",)


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
    kind: str = ""
    split: str = ""
    history: list[str] = field(default_factory=list)


@dataclass
class ItemResult:
    id: str
    kind: str
    lang: str
    answerable: bool
    correct: bool
    refused: bool
    cited: list[str]
    gold_cited: int
    retrieval_hit: bool
    latency_s: float
    answer: str
    direct: list[str] = field(default_factory=list)
    direct_ok: bool | None = None
    closest: str | None = None
    closest_gold: bool | None = None
    reader: bool = False


@dataclass
class Metrics:
    n: int
    answer_accuracy: float | None
    citation_precision: float | None
    citation_recall: float | None
    refusal_accuracy: float | None
    retrieval_recall_at_5: float | None
    median_latency_s: float | None
    leads: int = 0
    lead_accuracy: float | None = None
    pointers: int = 0
    pointer_accuracy: float | None = None
    read: int = 0
    read_accuracy: float | None = None


def metrics(results: list[ItemResult]) -> Metrics:
    ans = [r for r in results if r.answerable]
    unans = [r for r in results if not r.answerable]
    cited = sum(len(r.cited) for r in ans)
    lat = [r.latency_s for r in results]
    pointed = [r for r in ans if r.closest_gold is not None]
    return Metrics(
        n=len(results),
        answer_accuracy=_ratio(sum(r.correct for r in ans), len(ans)),
        citation_precision=_ratio(sum(r.gold_cited for r in ans), cited),
        citation_recall=_ratio(sum(r.gold_cited > 0 for r in ans), len(ans)),
        refusal_accuracy=_ratio(sum(r.refused for r in unans), len(unans)),
        retrieval_recall_at_5=_ratio(sum(r.retrieval_hit for r in ans), len(ans)),
        median_latency_s=statistics.median(lat) if lat else None,
        leads=len(led := [r for r in ans if r.direct_ok is not None]),
        lead_accuracy=_ratio(sum(bool(r.direct_ok) for r in led), len(led)),
        pointers=sum(r.closest is not None for r in results),  # judge() keeps a refusal's only
        pointer_accuracy=_ratio(sum(bool(r.closest_gold) for r in pointed), len(pointed)),
        read=len(read := [r for r in results if r.reader]),
        read_accuracy=_ratio(sum(r.answerable and r.correct for r in read), len(read)),
    )


@dataclass
class EvalReport:
    overall: Metrics
    by_kind: dict[str, Metrics]
    by_language: dict[str, Metrics]
    apart: dict[str, Metrics]
    items: list[ItemResult] = field(default_factory=list)

    # kept flat for the tools that read `rnkbot eval --json`
    @property
    def answer_accuracy(self) -> float | None:
        return self.overall.answer_accuracy

    def table(self) -> str:
        def fmt(v: float | None) -> str:
            return "  n/a" if v is None else f"{v:.3f}"

        head = (f"{'':24}{'n':>4}  {'acc':>5}  {'c.prec':>6}  {'c.rec':>5}  {'refuse':>6}  {'r@5':>5}  {'lat(s)':>6}"
                f"  {'lead':>9}  {'pointer':>9}")
        lines = [head]

        def row(name: str, m: Metrics) -> str:
            return (f"{name:24}{m.n:>4}  {fmt(m.answer_accuracy):>5}  {fmt(m.citation_precision):>6}  "
                    f"{fmt(m.citation_recall):>5}  {fmt(m.refusal_accuracy):>6}  {fmt(m.retrieval_recall_at_5):>5}  "
                    f"{fmt(m.median_latency_s):>6}  {fmt(m.lead_accuracy) + f'/{m.leads}':>9}  "
                    f"{fmt(m.pointer_accuracy) + f'/{m.pointers}':>9}")

        lines.append(row("all" + (" (without apart)" if self.apart else ""), self.overall))
        for lang, m in sorted(self.by_language.items()):
            lines.append(row(f"  lang {lang}", m))
        for kind, m in sorted(self.by_kind.items()):
            lines.append(row(f"  {kind}", m))
        for kind, m in sorted(self.apart.items()):
            lines.append(row(f"apart: {kind}", m))
        if self.overall.read:
            lines.append(f"reader (RNKBOT_READER): {self.overall.read} answers chosen by the language model, "
                         f"{fmt(self.overall.read_accuracy).strip()} of them right")
        misses = [r for r in self.items if not r.correct]
        if misses:
            lines.append("")
            lines.append("not correct:")
            lines += [f"  {r.id} [{r.kind or '-'}]: {'refused' if r.refused else 'answered'} cited={r.cited} :: "
                      f"{r.answer[:110]}" for r in misses]
        return "\n".join(lines)

    def as_json(self) -> dict:
        return {"overall": asdict(self.overall), **asdict(self.overall),
                "by_kind": {k: asdict(v) for k, v in self.by_kind.items()},
                "by_language": {k: asdict(v) for k, v in self.by_language.items()},
                "apart": {k: asdict(v) for k, v in self.apart.items()},
                "items": [asdict(r) for r in self.items]}


def load_items(path: Path, split: str | None = None) -> list[EvalItem]:
    """The question set: JSON objects with ``question`` (and ``id``, ``lang``, ``answerable``, ``facts``,
    ``gold_docs``, ``kind``, ``split``); only those of ``split`` when it is given."""
    items = [
        EvalItem(id=str(d.get("id", no)), lang=d.get("lang", ""), question=d["question"],
                 answerable=bool(d.get("answerable", True)), facts=d.get("facts", []), gold_docs=d.get("gold_docs", []),
                 kind=str(d.get("kind", "")), split=str(d.get("split", "")), history=_history(path, no, d))
        for no, d in read_objects(path, "question record", ("question",), EvalFileError)
    ]
    if split:
        items = [i for i in items if i.split == split]
        if not items:
            raise EvalFileError(path, 0, f"no question has split {split!r}")
    return items


def _history(path: Path, no: int, record: dict) -> list[str]:
    history = record.get("history", [])
    if not isinstance(history, list) or not all(isinstance(q, str) and q.strip() for q in history):
        raise EvalFileError(path, no, "'history' must be a list of the questions asked before, as strings")
    return history


def facts_match(answer: str, facts: list[list[str]]) -> bool:
    low = answer.lower()
    return all(any(alt.lower() in low for alt in group) for group in facts)


def answer_groups(item: EvalItem) -> list[list[str]]:
    """The fact groups the answer must add: those none of whose strings the question already holds
    (the others are anchors, such as "Kursk" in "how many died in Kursk?")."""
    q = item.question.lower()
    groups = [g for g in item.facts if not any(alt.lower() in q for alt in g)]
    return groups or item.facts


def lead_holds_a_fact(item: EvalItem, direct: list[str]) -> bool:
    """Do the values an answer leads with hold one of the facts asked for?"""
    return any(facts_match(v, [g]) for v in direct for g in answer_groups(item))


def _ratio(num: float, den: float) -> float | None:
    return None if den == 0 else num / den


def judge(it: EvalItem, a: Answer) -> ItemResult:
    cited = list(dict.fromkeys(c.doc_id for c in a.citations))
    top_docs = list(dict.fromkeys(r.doc_id for r in a.retrieved))[:5]
    hit = any(d in it.gold_docs for d in top_docs)
    if it.answerable:
        correct = not a.refused and facts_match(a.answer, it.facts)
    elif it.kind in APART:
        # refusing is right; a correctly cited answer from the off-topic article is acceptable too
        correct = a.refused or (bool(cited) and facts_match(a.answer, it.facts))
    else:
        correct = a.refused
    direct_ok = lead_holds_a_fact(it, a.direct) if it.answerable and a.direct and not a.refused else None
    closest = a.closest.doc_id if a.refused and a.closest is not None else None
    return ItemResult(it.id, it.kind, it.lang, it.answerable, correct, a.refused, cited,
                      sum(d in it.gold_docs for d in cited), hit, a.timings.total_s, a.answer, a.direct, direct_ok,
                      closest, closest in it.gold_docs if closest is not None and it.answerable else None,
                      a.reader and not a.refused)


def report(results: list[ItemResult]) -> EvalReport:
    main = [r for r in results if r.kind not in APART]
    kinds = sorted({r.kind for r in main if r.kind})
    langs = sorted({r.lang for r in main if r.lang})
    apart = sorted({r.kind for r in results if r.kind in APART})
    return EvalReport(
        overall=metrics(main),
        by_kind={k: metrics([r for r in main if r.kind == k]) for k in kinds},
        by_language={lang: metrics([r for r in main if r.lang == lang]) for lang in langs},
        apart={k: metrics([r for r in results if r.kind == k]) for k in apart},
        items=results,
    )


Ask = Callable[[str, list[Turn]], Answer]  # a question and the conversation before it -> its answer


def in_conversation(it: EvalItem, ask: Ask) -> Answer:
    """The answer to an item's question asked after its ``history``, each earlier question
    answered in turn and kept, as a chat keeps them."""
    turns: list[Turn] = []
    for earlier in it.history:
        turns.append(Turn(question=earlier, answer=ask(earlier, list(turns))))
    return ask(it.question, turns)


def score(items: Iterable[EvalItem], ask: Ask) -> EvalReport:
    return report([judge(it, in_conversation(it, ask)) for it in items])
