"""The reply floor, fit on labelled replies (`rnkbot fit-replies`).

A short reply to an answer ("kapan itu?", "How many were there?") has too few words of its own to
clear the evidence model's threshold, so the best sentence of the articles that answer cited which
holds the kind of answer the reply asks for answers it (:func:`retrieval.answering.evidence.choose`)
when that sentence is at least ``reply_floor`` likely. The floor is chosen here as the evidence
model's own threshold is: every reply of a labelled conversation set (items with a ``history``) is
answered as ``rnkbot eval`` answers it, once with no floor and once with the fallback off; the
replies whose answer differs between the two are answered again at each probability where the
choice could change (their answers' confidences), and the floor that maximises answer accuracy +
refusal accuracy is kept (the lowest of equals: the fallback as it was before a floor existed).
Each half of the replies is also fit alone and scored on the other half, to show how well the
choice carries to replies it was not chosen on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from retrieval.evaluation.qa import Ask, EvalItem, in_conversation, judge, metrics
from retrieval.types import Answer

NEVER = 1.01  # above every probability: the fallback is off


@dataclass(frozen=True)
class FloorOutcome:
    floor: float
    answer_accuracy: float
    refusal_accuracy: float
    answered: int

    @property
    def score(self) -> float:
        return self.answer_accuracy + self.refusal_accuracy


def _outcome(floor: float, items: Sequence[EvalItem], answers: Sequence[Answer]) -> FloorOutcome:
    m = metrics([judge(it, a) for it, a in zip(items, answers, strict=True)])
    return FloorOutcome(floor, m.answer_accuracy or 0.0, m.refusal_accuracy or 0.0, sum(not a.refused for a in answers))


def _best(outcomes: Sequence[FloorOutcome]) -> FloorOutcome:
    return max(outcomes, key=lambda o: (round(o.score, 9), -o.floor))


def fit_reply_floor(items: Sequence[EvalItem], ask_at: Callable[[float], Ask]) -> tuple[float, dict]:
    """The floor, and a report of every floor tried (``ask_at(floor)``: how a question is answered
    with that floor). Only items with a ``history`` are replies; other items are left out."""
    replies = [it for it in items if it.history]
    if not replies:
        raise ValueError("no replies to fit the reply floor on: the items need a 'history' (earlier questions)")
    off = [in_conversation(it, ask_at(NEVER)) for it in replies]
    lowest = [in_conversation(it, ask_at(0.0)) for it in replies]
    differ = [i for i, (a, b) in enumerate(zip(lowest, off, strict=True)) if (a.refused, a.answer) != (b.refused, b.answer)]
    floors = sorted({0.0, NEVER} | {c for i in differ if (c := lowest[i].confidence) is not None})
    table: dict[float, list[Answer]] = {0.0: lowest, NEVER: off}
    for floor in floors:
        if floor not in table:
            ask, answers = ask_at(floor), list(off)
            for i in differ:  # the others answer alike at every floor
                answers[i] = in_conversation(replies[i], ask)
            table[floor] = answers

    def fit_on(idx: Sequence[int]) -> FloorOutcome:
        chosen = [replies[i] for i in idx]
        return _best([_outcome(f, chosen, [table[f][i] for i in idx]) for f in floors])

    outcomes = [_outcome(f, replies, table[f]) for f in floors]
    best = _best(outcomes)
    half = len(replies) // 2
    halves = (list(range(half)), list(range(half, len(replies))))
    check = []
    for fit_idx, other in (halves, halves[::-1]):
        if fit_idx and other:
            chosen = fit_on(fit_idx)
            scored = _outcome(chosen.floor, [replies[i] for i in other], [table[chosen.floor][i] for i in other])
            check.append({"fit_on": len(fit_idx), "floor": chosen.floor, "scored_on": len(other),
                          "answer_accuracy": round(scored.answer_accuracy, 4),
                          "refusal_accuracy": round(scored.refusal_accuracy, 4)})
    report = {"replies": len(replies), "changed_by_floor": len(differ), "floor": best.floor,
              "chosen": asdict(best), "tried": [asdict(o) for o in outcomes], "halves": check}
    return best.floor, report
