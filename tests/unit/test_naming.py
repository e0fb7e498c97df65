"""A "what is the name of X?" question is answered only by a sentence that names X: the thing
asked is read from the question, and a name must stand next to it in the quoted sentence."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.answering.evidence import answer_mask, choose
from retrieval.answering.features import passages
from retrieval.answering.naming import asked_thing, names_the_thing, thing_named
from tests.fakes.passages import article_view, flat_question
from tests.unit.conftest import lexical_model


@pytest.mark.parametrize(("question", "thing"), [
    ("What is the name of the daughter who accompanied Kim Jong Un to the Russian embassy?", "daughter"),
    ("What was the name of the first North Korean soldier captured alive by Ukraine?", "soldier"),
    ("What was the name of the joint Russia–North Korea military exercise held in 2025?", "exercise"),
    ("What was the name of the North Korean general the NIS believed was killed?", "general"),
    ("What is the name of the existing rail bridge near the new road bridge?", "bridge"),
    ("Siapa nama komandan Resimen Teknik ke-528?", "komandan"),
    ("Apa nama agen perjalanan di Vladivostok itu?", "agen"),
    ("Who is Alexander Kozlov?", None),
    ("Dengan sebutan apa Kim menjuluki Putin?", None),
])
def test_the_thing_whose_name_is_asked_is_read_from_the_question(question: str, thing: str | None):
    assert thing_named(question) == thing


BRIDGE = "What is the name of the bridge built across the river?"
DAUGHTER = "What is the name of Kim's daughter?"


@pytest.mark.parametrize(("question", "sentence", "named"), [
    (BRIDGE, "Jembatan itu dibangun di dekat Jembatan Persahabatan yang sudah ada.", True),  # the name right after
    (BRIDGE, "The new bridge stands next to the Friendship Bridge, built in 1959.", True),  # the thing in the name
    (BRIDGE, "Sebuah jembatan bernama Persahabatan dibangun pada 1959.", True),  # after a linking word
    (DAUGHTER, "Kim datang bersama putrinya, Kim Ju Ae, ke kedutaan.", True),  # set off by commas
    (DAUGHTER, "Kim datang bersama putrinya pada hari Jumat ke kedutaan Rusia.", False),  # a day is no name
    (BRIDGE, "Dalam seremoni pembangunan jembatan, Mishustin menyampaikan pidato.", False),  # the speaker, not the bridge
    (BRIDGE, "Jembatan baru itu, yang diberi nama Persahabatan II, dibuka 2026.", True),  # a naming phrase
    (BRIDGE, "The second bridge, known as Tumen Two, opens in 2026.", True),
    (BRIDGE, "Jembatan itu dibangun. Sebuah kapal bernama Angara lewat.", False),  # another sentence's name
    (BRIDGE, "Jembatan Rusia itu dibangun di atas sungai.", False),  # a country is no name
    (BRIDGE, "Presiden Putin meresmikan jembatan baru.", False),  # nothing names the bridge
])
def test_a_sentence_names_the_thing_only_with_a_name_next_to_it(question: str, sentence: str, named: bool):
    q = flat_question(question)
    assert names_the_thing(q, sentence, asked_thing(q)) is named


def test_a_name_question_is_answered_by_the_sentence_that_names_the_thing_or_refused():
    """The likeliest sentence says the daughter came along but not her name: the sentence naming
    her answers when it clears the threshold; without one the question is refused, as one the
    articles touch (a pointer may still name the closest report). Other questions keep every
    candidate."""
    q = flat_question("What is the name of the daughter who accompanied Kim to the embassy?")
    told = "Kim mengunjungi kedutaan Rusia bersama putrinya pada hari Jumat."
    arts = [article_view("a", [told, "Putin tidak hadir.", "Di kedutaan ia disambut putrinya, Kim Ju Ae, dan diplomat."])]
    ps = passages(q, arts)
    assert answer_mask(q, ps).tolist() == [False, False, True]
    evidence, reason = choose(lexical_model(), q, ps, np.array([0.9, 0.1, 0.6]), k=3)
    assert reason == "" and evidence[0].focus.text.startswith("Di kedutaan ia disambut putrinya, Kim Ju Ae")
    unnamed = passages(q, [article_view("a", [told, "Putin tidak hadir."])])
    assert choose(lexical_model(), q, unnamed, np.array([0.9, 0.1]), k=3) == ([], "refusal")
    other = flat_question("Who accompanied Kim to the embassy?")
    assert answer_mask(other, passages(other, arts)).all()
