"""Which evidence answers a reply to an earlier answer (``choose`` with a history), on fakes: a
sentence the earlier answer quoted answers again only when it holds what the reply asks."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.answering.evidence import choose
from retrieval.answering.features import passages
from retrieval.answering.replies import referent_words
from retrieval.types import Answer, Citation, Turn
from tests.fakes.passages import article_view, flat_question
from tests.unit.conftest import lexical_model

KINZHAL = "Shoigu showed Kim the newest missile, the hypersonic Kinzhal, which is fired from MiG-31 aircraft."


@pytest.mark.parametrize(("reply", "about"), [
    ("Apa isi pasal tiga itu?", {"pasal", "tiga"}),
    ("Which aircraft does that plant build?", {"plant", "build"}),
    ("Kapan kunjungan tersebut?", {"kunjungan"}),
    ("Which aircraft fires it?", set()),
])
def test_the_words_a_reply_points_back_with_are_what_it_is_about(reply, about):
    assert referent_words(reply) == about


def _after(quote: str) -> list[Turn]:
    earlier = Answer(question="Which hypersonic missile did Shoigu present to Kim?", language="en", answer="… [1]",
                     refused=False, citations=[Citation(n=1, doc_id="a", title="title a", outlet=None, published=None,
                                                        url=None, quote=quote)])
    return [Turn(question=earlier.question, answer=earlier)]


def test_a_quoted_sentence_holding_what_the_reply_asks_answers_it_again():
    """"Which aircraft fires it?": the sentence quoted for the missile says which aircraft fires it,
    so it answers, though it was quoted already. Another article's sentence about the visit does
    not say it and stays out."""
    history = _after(KINZHAL)
    arts = [article_view("a", [KINZHAL, "Kim arrived at the airport in Artyom."]),
            article_view("b", ["Kim toured the aircraft plant and watched the fighter jets fly."])]
    q = flat_question("Which aircraft fires it?", history)
    assert q.follows is not None
    ps = passages(q, arts)
    probs = np.array([0.8 if p.sentence.text == KINZHAL else 0.3 for p in ps])
    evidence, _ = choose(lexical_model(), q, ps, probs, k=2)
    assert evidence and evidence[0].focus.text == KINZHAL


def test_a_quoted_sentence_holding_only_what_the_reply_points_back_to_does_not_answer_it_again():
    """"Apa isi pasal tiga itu?" after an answer quoting "... pasal tiga, pasal empat": the quoted
    sentence names article three but doesn't say what it holds, so it is no answer; the sentence
    that says what article three states is."""
    said = "Rudenko mengatakan perjanjian itu menjelaskan semuanya: pasal tiga, pasal empat."
    states = "Pasal tiga menyatakan kedua negara segera membuka saluran komunikasi bila ada ancaman."
    history = _after(said)
    arts = [article_view("a", [said, "Perjanjian itu ditandatangani di Pyongyang."]), article_view("b", [states])]
    q = flat_question("Apa isi pasal tiga itu?", history)
    assert q.follows is not None
    ps = passages(q, arts)
    probs = np.array([0.9 if p.sentence.text == said else 0.6 if p.sentence.text == states else 0.05 for p in ps])
    evidence, _ = choose(lexical_model(), q, ps, probs, k=2)
    assert all(e.focus.text != said for e in evidence)
    assert evidence and evidence[0].focus.text == states
