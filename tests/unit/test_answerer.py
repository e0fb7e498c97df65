"""The answerer on fakes: what the model writes is kept only when verified, renumbered to what it
cites, and replaced by quoted evidence when it fails; refusals need no model at all."""

from __future__ import annotations

import re

from prompts import message
from retrieval.models.llm import LLMError
from retrieval.service import AnswerService
from tests.fakes.generator import FakeGenerator

WHO_LED = "Who led the Russian military delegation that visited Pyongyang?"  # two passages: 004 [1], 001 [2]
ZARUDNITSKI = "001_dcd6b936241eaf9f"


def markers(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\[(\d+)\]", text)}


def test_the_model_sees_numbered_evidence_and_the_question(core: AnswerService, generator: FakeGenerator):
    generator.enqueue("")
    core.ask(WHO_LED)
    [prompt] = generator.prompts
    assert prompt.kind == "complete" and prompt.text.rstrip().endswith(f"Question: {WHO_LED}\nAnswer:")
    assert "[1] " in prompt.text and "[2] " in prompt.text and "Zarudnitski" in prompt.text


def test_a_verified_sentence_is_kept_and_its_citations_renumbered(core: AnswerService, generator: FakeGenerator):
    generator.enqueue("The delegation was led by Vladimir Zarudnitski [2].")
    drafts: list[str] = []
    answer = core.ask(WHO_LED, on_partial=drafts.append)
    assert answer.answer == "The delegation was led by Vladimir Zarudnitski [1]."
    assert [(c.n, c.doc_id) for c in answer.citations] == [(1, ZARUDNITSKI)], "only what the answer cites, from 1"
    assert "Zarudnitski" in answer.citations[0].quote
    assert drafts[0] == "The" and drafts[-1] == "The delegation was led by Vladimir Zarudnitski [2].", "the draft streams"


def test_an_unsupported_name_falls_back_to_quoting_the_evidence(core: AnswerService, generator: FakeGenerator):
    generator.enqueue("The delegation was led by Sergei Shoigu [2].")
    answer = core.ask(WHO_LED)
    assert "Shoigu" not in answer.answer and not answer.refused
    assert answer.answer.startswith("According to Kontan (in Indonesian): “")
    assert markers(answer.answer) == {c.n for c in answer.citations} == {1, 2}
    for c in answer.citations:
        assert f"“{c.quote}” [{c.n}]" in answer.answer, "each passage is quoted verbatim with its number"


def test_a_failing_model_falls_back_to_quoting_too(core: AnswerService, generator: FakeGenerator):
    generator.enqueue(LLMError("the model server is down"))
    answer = core.ask(WHO_LED)
    assert not answer.refused and answer.answer.startswith("According to") and len(answer.citations) == 2


def test_the_quote_frame_is_in_the_question_language(core: AnswerService, generator: FakeGenerator):
    generator.enqueue("")
    answer = core.ask("Berapa pasukan yang dikirim Korea Utara untuk membantu Rusia?")
    assert answer.language == "id"
    assert answer.answer == ("Menurut Kompas TV (2024-11-19): “Korea Utara dilaporkan telah mengirim sekitar 10.000 "
                             "pasukan untuk membantu Rusia memerangi Ukraina.” [1]")


def test_without_a_model_answers_quote_the_evidence(tmp_path):
    from tests.unit.conftest import fake_service

    answer = fake_service(tmp_path / "data", None).ask(WHO_LED)
    assert answer.answer.startswith("According to") and len(answer.citations) == 2


def test_refusals_need_no_model_and_cite_nothing(core: AnswerService, generator: FakeGenerator):
    for question, lang in [("When was Kim Jong Un born?", "en"), ("Siapa pelatih tim nasional sepak bola Korea Utara?", "id")]:
        answer = core.ask(question)
        assert answer.refused and answer.citations == [] and answer.language == lang
        assert answer.answer in (message(lang, "refusal"), message(lang, "off_topic"))
    empty = core.ask("   ")
    assert empty.refused and empty.answer == message("en", "empty")
    assert generator.prompts == [], "the model is never asked when the evidence does not answer"


def test_a_forced_language_and_a_long_question(core: AnswerService, generator: FakeGenerator):
    generator.enqueue("")
    answer = core.ask(WHO_LED + " " + "again " * 400, language="id")
    assert answer.language == "id" and answer.answer.startswith("Menurut")
    assert len(answer.question) <= core.settings.answering.max_question_chars
