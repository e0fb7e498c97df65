"""Conversations on fakes (the hand-set lexical evidence model of tests/unit/conftest.py): replies
to an answer or to a refusal, and messages that are no question (greetings, thanks, "what's new?")."""

from __future__ import annotations

import dataclasses

import pytest

from prompts import message
from retrieval.service import AnswerService
from retrieval.types import Turn
from tests.fakes.generator import FakeGenerator
from tests.unit.conftest import KOMPAS_000, TROOPS_ID, WHO_LED, ZARUDNITSKI, fake_service, lexical_model


def test_asked_what_it_says_after_a_refusal_the_named_report_opens_cited(tmp_path):
    """"What does it say?" after a refusal naming the closest report: that article's opening, quoted
    and cited; the refused question is not asked again with fewer words (which found another
    article's passage before). With no report named, the refusal stands."""
    service = fake_service(tmp_path / "data", None)
    service.answerer._model = dataclasses.replace(lexical_model(), pointer=0.0)
    refused = service.ask("When was Kim Jong Un born?")
    assert refused.refused and refused.closest is not None
    lead = [s for s in service.store.sentences_of([refused.closest.doc_id]) if s.index >= 0]
    for reply, language in (("What does it say?", "en"), ("Apa isinya?", "id"), ("Tell me more", "en")):
        said = service.ask(reply, history=[Turn(question=refused.question, answer=refused)])
        assert not said.refused and said.language == language
        assert [c.doc_id for c in said.citations] == [refused.closest.doc_id]
        assert said.citations[0].quote == f"{lead[0].text} {lead[1].text}"
        assert said.retrieved == [] and "[1]" in said.answer, "nothing searched: the named report is read"
    # a reply with words of its own asks something new: answered (or not) as any question is
    new = service.ask("What does it say about the treaty?", history=[Turn(question=refused.question, answer=refused)])
    assert len(new.retrieved) > 1, "searched like any question, not the named article's opening"
    service.answerer._model = dataclasses.replace(lexical_model(), pointer=1.01)
    bare = service.ask("When was Kim Jong Un born?")
    again = service.ask("What does it say?", history=[Turn(question=bare.question, answer=bare)])
    assert bare.closest is None and again.refused and again.citations == []
    assert again.answer == message("en", "refusal")



def test_a_follow_up_is_answered_from_the_article_it_follows(core: AnswerService, generator: FakeGenerator):
    generator.enqueue("", "")
    first = core.ask(TROOPS_ID)
    follow = core.ask("Kapan itu dilaporkan?", history=[Turn(question=first.question, answer=first)])
    assert not follow.refused and follow.citations[0].doc_id == KOMPAS_000



def test_a_reply_answered_from_another_article_quotes_what_its_own_words_ask(core: AnswerService,
                                                                             generator: FakeGenerator):
    """"and what does that treaty require?" after an answer about the signing: the sentence saying
    what it requires, not the one restating the signing (which shares the first question's words)."""
    generator.enqueue("", "")
    first = core.ask("What did Russia and North Korea sign in June 2024?")
    then = core.ask("and what does that treaty require?", history=[Turn(question=first.question, answer=first)])
    assert KOMPAS_000 in {c.doc_id for c in first.citations} and then.citations[0].doc_id == "002_620ccf5526c3d172"
    assert then.citations[0].quote.startswith("Perjanjian tersebut mengharuskan"), then.citations[0].quote



PETROV = ("Russian fisheries delegation in Pyongyang\n\n"
          "A Russian fisheries delegation led by Deputy Minister Ivan Petrov arrived in Pyongyang on Tuesday for "
          "talks on fishing quotas with officials of the North Korean government. Petrov said that the two sides "
          "had agreed to open a new shipping route between Vladivostok and Rajin in the spring.\n")



def test_a_follow_up_from_an_english_article_is_not_called_indonesian(tmp_path):
    """A reply answered from the English article the first answer cited names its language as the
    index has it (the citation the reply carries does not say it): an English reader is not told
    the quote is Indonesian, and the "what does it say?" reading of a refusal's report neither."""
    service = fake_service(tmp_path / "data", None)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "903_petrov.txt").write_text(PETROV, encoding="utf-8")
    assert service.ingester().ingest_paths([tmp_path / "in"]).added == ["903_petrov"]
    first = service.ask("Who led the Russian fisheries delegation to Pyongyang?")
    assert first.citations[0].doc_id == "903_petrov" and "Indonesian" not in first.answer, first.answer
    reply = service.ask("When did it arrive?", history=[Turn(question=first.question, answer=first)])
    assert not reply.refused and reply.citations[0].doc_id == "903_petrov", reply.answer
    assert "Indonesian" not in reply.answer, reply.answer
    asked_id = service.ask("Kapan delegasi itu tiba?", history=[Turn(question=first.question, answer=first)])
    assert "dalam bahasa Inggris" in asked_id.answer, asked_id.answer
    service.answerer._model = dataclasses.replace(lexical_model(), threshold=1.01, pointer=0.0)
    refused = service.ask("Who led the Russian fisheries delegation to Pyongyang?")
    assert refused.refused and refused.closest is not None and refused.closest.doc_id == "903_petrov"
    said = service.ask("What does it say?", history=[Turn(question=refused.question, answer=refused)])
    assert said.citations[0].doc_id == "903_petrov" and "Indonesian" not in said.answer, said.answer



FISHING_DEAL = ("Fishing agreement signed in Vladivostok\n\n"
                "The fishing agreement between Russia and North Korea was signed in Vladivostok on 14 May 2024 by "
                "the two fisheries ministers. It sets catch quotas for the Sea of Japan for five years.\n")



def test_a_reply_asking_what_the_cited_article_does_not_hold_is_answered_from_one_that_does(tmp_path):
    """A reply is answered from the article the earlier answer cited only when that article holds the
    reply's own words: "when was the fishing agreement signed?" after an answer about a delegation's
    visit is answered from the report of the signing, not with the day the delegation arrived."""
    service = fake_service(tmp_path / "data", None)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "903_petrov.txt").write_text(PETROV, encoding="utf-8")
    (tmp_path / "in" / "904_fishing_deal.txt").write_text(FISHING_DEAL, encoding="utf-8")
    service.ingester().ingest_paths([tmp_path / "in"])
    first = service.ask("Who led the Russian fisheries delegation to Pyongyang?")
    assert first.citations[0].doc_id == "903_petrov"
    history = [Turn(question=first.question, answer=first)]
    signed = service.ask("When was the fishing agreement signed?", history=history)
    assert signed.answer.startswith("14 May 2024 [1]. ") and signed.citations[0].doc_id == "904_fishing_deal", signed.answer
    arrived = service.ask("When did the delegation arrive?", history=history)
    assert arrived.answer.startswith("Tuesday [1]. ") and arrived.citations[0].doc_id == "903_petrov", arrived.answer



@pytest.mark.parametrize(("said", "key", "language"), [
    ("hi", "greeting", "en"), ("Hello bot!", "greeting", "en"), ("Halo", "greeting", "id"),
    ("selamat pagi 👋", "greeting", "id"), ("thanks!", "thanks", "en"), ("Terima kasih banyak 🙏", "thanks", "id"),
    ("tell me the latest news", "whats_new", "en"), ("What's new?", "whats_new", "en"),
    ("berita terbaru?", "whats_new", "id"), ("Ada berita apa hari ini?", "whats_new", "id"),
])
def test_a_greeting_a_thank_you_or_whats_new_gets_its_own_reply(core: AnswerService, generator: FakeGenerator,
                                                                said, key, language):
    """"hi" is no question about another subject ("Sorry, I only answer questions about ..."): it gets a
    greeting and an example question, "what's new?" the way to the digest, in the language it was
    said in unless the reader chose one."""
    answer = core.ask(said)
    assert answer.answer == message(language, key) and answer.language == language
    assert answer.refused and answer.citations == [] and answer.retrieved == [] and generator.prompts == []
    assert core.ask(said, language="id").answer == message("id", key)



def test_a_question_that_opens_with_a_greeting_is_answered(core: AnswerService):
    answer = core.ask("Hi, who led the Russian military delegation that visited Pyongyang?")
    assert not answer.refused and answer.citations[0].doc_id == ZARUDNITSKI
    assert core.ask("What is the latest news about the treaty?").answer != message("en", "whats_new")



def test_a_short_question_of_its_own_after_an_answer_is_not_lost_to_it(tmp_path):
    """"How many troops did North Korea send?" after an answer about a fisheries delegation says too
    little to be sure it is a question of its own, so it is first read as a reply to that answer;
    nothing there answers it, so it is answered as asked alone (the terminal chat sends every line
    as a reply), not refused with the delegation's report as the closest one."""
    service = fake_service(tmp_path / "data", None)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "903_petrov.txt").write_text(PETROV, encoding="utf-8")
    service.ingester().ingest_paths([tmp_path / "in"])
    first = service.ask("Who led the Russian fisheries delegation to Pyongyang?")
    history = [Turn(question=first.question, answer=first)]
    alone = service.ask("How many troops did North Korea send?")
    after = service.ask("How many troops did North Korea send?", history=history)
    assert not alone.refused and KOMPAS_000 in {c.doc_id for c in alone.citations}, alone.answer
    assert after.answer == alone.answer and after.citations == alone.citations


def test_a_reply_to_a_reply_is_still_about_the_first_question(core: AnswerService, generator: FakeGenerator):
    """"who said so?" then "kapan?": the third message follows the second as it was read (with the
    first question), not its three words alone, which said nothing to search for (it was refused as
    off the subject). A reply with no words of its own is about everything the first one asked."""
    generator.enqueue("", "", "", "")
    first = core.ask(TROOPS_ID)
    second = core.ask("who said so?", history=[Turn(question=first.question, answer=first)])
    assert second.read_as == f"{TROOPS_ID} who said so?" and "read_as" in second.contract()
    assert "read_as" not in first.contract(), "only a follow-up says how it was read"
    third = core.ask("kapan?", history=[Turn(question=first.question, answer=first),
                                        Turn(question=second.question, answer=second)])
    assert third.read_as == f"{TROOPS_ID} who said so? kapan?"
    assert not third.refused and third.citations[0].doc_id == KOMPAS_000, third.answer


@pytest.mark.parametrize("asked", ["and in English?", "In English please", "Bahasa Inggris?"])
def test_asked_for_the_answer_in_another_language_the_question_is_answered_again_in_it(core: AnswerService, asked):
    first = core.ask(TROOPS_ID)
    again = core.ask(asked, history=[Turn(question=first.question, answer=first)])
    assert first.language == "id" and again.language == "en"
    assert again.question == TROOPS_ID and again.citations == first.citations
    assert again.answer.startswith("About 10,000 troops [1]."), again.answer
    back = core.ask("dalam bahasa Indonesia dong", history=[Turn(question=again.question, answer=again)])
    assert back.answer == first.answer


def test_thanks_around_a_question_is_no_word_to_look_up(core: AnswerService):
    plain = core.ask(WHO_LED)
    for polite in (f"{WHO_LED} Thanks!", f"Thanks! {WHO_LED}", "Siapa yang memimpin delegasi militer Rusia ke Pyongyang? "
                   "Terima kasih banyak 🙏"):
        answer = core.ask(polite)
        assert not answer.refused and answer.citations[0].doc_id == plain.citations[0].doc_id == ZARUDNITSKI, polite


def test_a_long_chain_of_replies_keeps_its_first_question_and_a_bounded_length(core: AnswerService):
    history: list[Turn] = []
    first = core.ask(TROOPS_ID)
    history.append(Turn(question=first.question, answer=first))
    said = "lalu kapan itu sebenarnya terjadi menurut laporan?"
    for _ in range(30):  # 1,500 characters of replies
        reply = core.ask(said, history=history[-3:])
        history.append(Turn(question=reply.question, answer=reply))
    last = history[-1].answer
    assert last is not None and last.read_as is not None and last.read_as.startswith(TROOPS_ID)
    assert len(last.read_as) <= core.settings.answering.max_question_chars + len(said) + 1
