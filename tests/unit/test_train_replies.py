"""Fitting the reply floor on labelled replies: each floor is scored as ``rnkbot eval`` scores the
replies, the best is kept, and a reply answered from the followed article's best typed sentence is
answered only at or above it."""

from __future__ import annotations

import dataclasses
import json

import pytest

from retrieval.answering.model import EvidenceModel
from retrieval.evaluation.qa import EvalItem
from retrieval.evaluation.train_replies import NEVER, fit_reply_floor
from retrieval.service import AnswerService
from retrieval.types import Answer, Citation, Turn
from tests.unit.conftest import KOMPAS_000, TROOPS_ID, lexical_model


def _reply(n: int, answerable: bool, fact: str = "") -> EvalItem:
    return EvalItem(id=f"r{n}", lang="en", question=f"reply {n}", answerable=answerable,
                    facts=[[fact]] if fact else [], gold_docs=["d"], history=[f"first {n}"])


def _answer(question: str, text: str, confidence: float) -> Answer:
    cite = Citation(n=1, doc_id="d", title="t", outlet="o", published=None, url=None, quote=text)
    return Answer(question=question, language="en", answer=f"{text} [1]", refused=False, citations=[cite],
                  confidence=confidence)


def test_the_floor_answering_the_answerable_and_refusing_the_rest_is_kept():
    """Reply 1 is answered right from a sentence 0.2 likely, reply 2 (unanswerable) from one 0.05
    likely, reply 3 alike at every floor: 0.2 answers the first and refuses the second. Each
    reply whose answer a floor changes is answered again at each floor tried, after its history."""
    items = [_reply(1, True, "Monday"), _reply(2, False), _reply(3, True, "June")]
    fallback = {"reply 1": ("Monday", 0.2), "reply 2": ("Tuesday", 0.05)}
    asked: list[tuple[float, str, int]] = []

    def ask_at(floor: float):
        def ask(question: str, history: list[Turn]) -> Answer:
            asked.append((floor, question, len(history)))
            if question == "reply 3":
                return _answer(question, "June", 0.9)
            if question in fallback and fallback[question][1] >= floor:
                return _answer(question, *fallback[question])
            return Answer(question=question, language="en", answer="Sorry.", refused=True)
        return ask

    floor, report = fit_reply_floor([*items, EvalItem("q", "en", "not a reply", True, [["x"]], [])], ask_at)
    assert floor == 0.2 and report["replies"] == 3 and report["changed_by_floor"] == 2
    assert report["chosen"] == {"floor": 0.2, "answer_accuracy": 1.0, "refusal_accuracy": 1.0, "answered": 2}
    assert [t["floor"] for t in report["tried"]] == [0.0, 0.05, 0.2, NEVER]
    assert ("not a reply" not in {q for _, q, _ in asked}), "only items with a history are replies"
    assert {(f, q, n) for f, q, n in asked if q == "reply 3"} == {(0.0, "reply 3", 1), (NEVER, "reply 3", 1)}
    assert (0.05, "reply 1", 1) in asked and (0.2, "reply 2", 1) in asked
    assert len(report["halves"]) == 2 and all(h["fit_on"] + h["scored_on"] == 3 for h in report["halves"])


def test_of_floors_that_score_alike_the_lowest_is_kept():
    """No reply changes with the floor: 0 (the fallback as it was) is kept."""
    def ask_at(floor: float):
        return lambda question, history: _answer(question, "Monday", 0.3)

    assert fit_reply_floor([_reply(1, True, "Monday")], ask_at)[0] == 0.0


def test_with_no_replies_there_is_nothing_to_fit():
    with pytest.raises(ValueError, match="history"):
        fit_reply_floor([EvalItem("q", "en", "x", True, [], [])], lambda floor: lambda q, h: _answer(q, "x", 1.0))


def test_the_reply_floor_round_trips_and_an_older_model_file_keeps_the_fallback_as_it_was():
    model = dataclasses.replace(lexical_model(), reply_floor=0.061)
    assert EvidenceModel.from_json(json.loads(json.dumps(model.to_json()))).reply_floor == 0.061
    older = {k: v for k, v in model.to_json().items() if k != "reply_floor"}
    assert EvidenceModel.from_json(older).reply_floor == 0.0


def test_a_short_reply_is_answered_from_the_followed_article_only_at_the_floor(core: AnswerService):
    """"kapan itu?" after the troops answer clears no threshold by its two words: the followed
    article's likeliest sentence holding a time answers it when that sentence reaches the floor,
    and the answer records how likely it was (not in the JSON contract); just above, the reply is
    refused."""
    first = core.ask(TROOPS_ID)
    history = [Turn(question=first.question, answer=first)]
    core.answerer._model = dataclasses.replace(lexical_model(), reply_floor=0.0)
    low = core.ask("kapan itu?", history=history)
    assert not low.refused and low.citations[0].doc_id == KOMPAS_000 and low.confidence is not None
    assert low.confidence < lexical_model().threshold and "confidence" not in low.contract()
    core.answerer._model = dataclasses.replace(lexical_model(), reply_floor=low.confidence)
    assert core.ask("kapan itu?", history=history).answer == low.answer
    core.answerer._model = dataclasses.replace(lexical_model(), reply_floor=low.confidence + 1e-6)
    above = core.ask("kapan itu?", history=history)
    assert above.refused and above.confidence is None
