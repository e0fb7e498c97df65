"""The value an answer opens with, read off the chosen sentence by code: which day a wire story's
weekday is, and spans of time in the reader's language with what qualifies them."""

from __future__ import annotations

import datetime as dt

import pytest

from retrieval.answering.direct import direct_answer
from tests.unit.test_question import parse

LAVROV = "SEOUL, Oct. 19 (Xinhua) -- Russian Foreign Minister Sergei Lavrov arrived in Pyongyang on Wednesday for a visit."


def test_a_datelines_date_is_the_filing_day_not_the_answer():
    """"SEOUL, Oct. 19 (Xinhua) -- ... arrived on Wednesday": 19 October is when the story was filed;
    the Wednesday before it (18 October 2023) is when Lavrov arrived."""
    assert direct_answer(parse("When did Lavrov arrive in Pyongyang?"), LAVROV, dt.date(2023, 10, 20)) == \
        "Wednesday (18 October 2023)"
    assert direct_answer(parse("Kapan Lavrov tiba di Pyongyang?"), LAVROV, None) == "Rabu", \
        "no year known: the weekday alone"
    assert direct_answer(parse("When did Lavrov arrive?"), "Lavrov arrived in Pyongyang on Oct. 18, said Xinhua.",
                         dt.date(2023, 10, 20)) == "18 October", "a date in the sentence itself is no dateline"


@pytest.mark.parametrize(("question", "sentence", "expected"), [
    ("How long did the talks last?", "Putin and Kim ended their talks that lasted more than five hours.",
     "more than five hours"),
    ("Berapa lama pembicaraan itu berlangsung?", "Putin and Kim ended their talks that lasted more than five hours.",
     "lebih dari lima jam"),
    ("Berapa lama pembicaraan itu berlangsung?", "The talks lasted about two hours.", "sekitar dua jam"),
    ("How long did the talks last?", "Pembicaraan itu berlangsung sekitar tiga jam.", "about three hours"),
    ("Berapa lama tur itu?", "Tur selama empat hari itu dimulai di Pyongyang.", "empat hari"),
])
def test_a_span_of_time_is_given_in_the_readers_language_with_its_qualifier(question, sentence, expected):
    assert direct_answer(parse(question), sentence) == expected
