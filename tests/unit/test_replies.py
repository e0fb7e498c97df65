"""A message after an answer: whether it replies to it, what it then asks (its kind, its own words,
what a pronoun stands for) and what it is not answered by (the value the answer gave)."""

from __future__ import annotations

import pytest

from retrieval.answering.direct import direct_answer
from retrieval.types import Answer, Turn
from tests.unit.test_question import parse


def test_a_short_reply_after_an_answer_is_a_follow_up_of_it():
    first = Turn(question="Kapan Kozlov mengunjungi Pyongyang?", answer=None)
    q = parse("Kapan kunjungan itu terjadi?", history=[first])
    assert q.follows is first and q.search_text.startswith("Kapan Kozlov")
    assert parse("Kapan kunjungan itu terjadi?").follows is None
    long_new = "Berapa banyak peluru artileri yang dikirim Korea Utara ke Rusia sepanjang tahun 2024 menurut intelijen?"
    assert parse(long_new, history=[first]).follows is None


@pytest.mark.parametrize(("text", "follows", "points"), [
    ("How many North Korean soldiers died in Kursk?", False, False),  # names what it is about
    ("Kapan Putin mengunjungi Pyongyang?", False, False),
    ("Siapa yang memimpin delegasi Rusia?", True, False),  # the two countries say nothing of which event
    ("Where was the ceremony held?", True, False),
    ("berapa lama?", True, False),
    ("Kapan perjanjian itu ditandatangani di Pyongyang oleh kedua pemimpin?", True, True),
    ("and what does that treaty require?", True, True),
    ("Dan Shoigu?", True, True),
])
def test_a_message_after_an_answer_is_a_reply_when_it_points_back_or_says_little(text, follows, points):
    q = parse(text, history=[Turn(question="When will the Tumen River bridge be finished?")])
    assert (q.follows is not None, q.points_back) == (follows, points)


@pytest.mark.parametrize("reply", ["What does it say?", "Tell me more", "Apa isinya?", "Ceritakan lebih lanjut!",
                                   "What does the article say?", "and?", "Apa kata laporan itu?"])
def test_a_reply_asking_only_what_was_said_is_recognised(reply):
    first = Turn(question="What did Japan say about the troops?", answer=None)
    assert parse(reply, history=[first]).asks_what_it_says
    assert not parse(reply).asks_what_it_says, "only a reply to something said"


@pytest.mark.parametrize("reply", ["What does it say about Japan?", "Kapan itu terjadi?", "Who said it?"])
def test_a_reply_with_words_of_its_own_asks_something_new(reply):
    first = Turn(question="What did Japan say about the troops?", answer=None)
    assert not parse(reply, history=[first]).asks_what_it_says


def test_a_follow_up_that_keeps_the_kind_asked_gets_a_name_first():
    """"And the deputy?" has no question word of its own: it asks what the question it follows asked
    (who), so a name answers it, as it answers that question; an agency question's follow-up does not."""
    who = parse("And the deputy?", history=[Turn(question="Who led the Russian delegation to Pyongyang?")])
    assert who.qtype == "person"
    assert direct_answer(who, "The deputy, Aleksey Krivoruchko, was received by Kim.") == "Aleksey Krivoruchko"
    agency = parse("And the other one?", history=[Turn(question="Which agency held the two soldiers?")])
    assert agency.qtype == "person" and direct_answer(agency, "It was the SBU, said Volodymyr Zelensky.") is None


def _signed(quote: str) -> Turn:
    from retrieval.types import Citation
    said = Answer(question="What did Russia and North Korea sign in June 2024?", language="en", answer=quote,
                  refused=False, citations=[Citation(n=1, doc_id="000", title="t", outlet=None, published=None,
                                                     url=None, quote=quote)])
    return Turn(question=said.question, answer=said)


def test_a_reply_naming_the_thing_by_a_pronoun_asks_about_what_the_answer_named():
    """"What does it require?" after "what did they sign?": "it" is what the answer's quote says was
    signed, read in the reply's language where the glossary knows the word, and searched for too."""
    first = _signed("Kim Jong-un dan Vladimir Putin menandatangani perjanjian kerja sama baru pada Juni 2024 lalu.")
    q = parse("What does it require?", history=[first])
    own = {c.surface for c in q.own}
    assert "require" in own and own - {"require"}, own
    assert any("perjanjian" in v for c in q.own for f in c.forms for v in f), "the treaty, in Indonesian too"
    assert q.search_text.endswith(f"What does {(own - {'require'}).pop()} require?")
    # no pronoun, a long message, an earlier "when" question, or a quote without the earlier verb: as before
    for text, turn in (("What does the pact require?", first), ("Is it true that the pact requires talks within "
                       "three days of an attack?", first), ("What does it require?", _signed(
                       "Putin dan Kim bertemu di Pyongyang pada Juni 2024 lalu.")),
                       ("What does it require?", Turn(question="When did they sign it?", answer=first.answer))):
        assert "perjanjian" not in parse(text, history=[turn]).search_text
    plain = parse("What does it require?", history=[_signed("Putin dan Kim bertemu di Pyongyang.")])
    assert {c.surface for c in plain.own} == {"require"}


def test_a_reply_with_a_question_word_of_its_own_asks_that():
    """"apa yang ditandatangani?" after "kapan ...?" asks what was signed (no date leads its answer);
    "what about Shoigu?" and a reply without a question word ask what the question they follow asked."""
    first = Turn(question="Kapan Putin mengunjungi Pyongyang?")
    assert parse("apa yang ditandatangani?", history=[first]).qtype == "other"
    assert parse("berapa lama?", history=[first]).qtype == "number"
    assert parse("And what about Shoigu?", history=[first]).qtype == "time"
    assert parse("Bagaimana dengan Shoigu?", history=[first]).qtype == "time"
    assert parse("dan tahun 2023?", history=[first]).qtype == "time"


def test_a_reply_is_not_answered_by_the_value_the_answer_it_follows_led_with():
    """"Who invited him?" after an answer led by "Sergei Lavrov": "him" is Lavrov, so the sentence
    naming him doesn't make him the answer again (he was led with: a wrong name, stated first). A
    question asked alone, or after an answer led by nothing, still gets the name."""
    from retrieval.answering.direct import names

    sentence = "Russian Foreign Minister Sergei Lavrov arrived in Pyongyang on Wednesday for a two-day visit."
    led = Answer(question="Which Russian minister visited Pyongyang in October 2023?", language="en", refused=False,
                 answer=f"Sergei Lavrov [1]. {sentence} [1]", direct=["Sergei Lavrov"])
    reply = parse("Who invited him?", history=[Turn(question=led.question, answer=led)])
    assert reply.follows is not None and names(sentence, reply) == []
    assert names(sentence, parse("Who invited him?")) == ["Sergei Lavrov"]
    # a reply with no words of its own asks it again ("kapan itu?" after a day): the value may answer
    again = parse("siapa itu?", history=[Turn(question=led.question, answer=led)])
    assert again.follows is not None and not again.own and names(sentence, again) == ["Sergei Lavrov"]
    unled = led.model_copy(update={"direct": []})
    assert names(sentence, parse("Who invited him?", history=[Turn(question=led.question, answer=unled)])) == [
        "Sergei Lavrov"]
