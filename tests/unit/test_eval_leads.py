"""`rnkbot eval`'s lead accuracy: the value an answer states first is scored on its own, since
answer accuracy reads the whole answer and a wrong value followed by a quote holding the right
one would pass it."""

from __future__ import annotations

from retrieval.evaluation.qa import EvalItem, judge, report
from retrieval.types import Answer, Citation, Closest

ITEM = EvalItem(id="q1", lang="id", question="Kapan perjanjian pertahanan Rusia-Korea Utara mulai berlaku di Moskow?",
                answerable=True, facts=[["4 Desember", "04/12"], ["Moskow", "Moscow"]], gold_docs=["519_x"], kind="date")
QUOTE = "Perjanjian itu mulai berlaku pada hari Rabu (04/12) di Moskow; KCNA melaporkannya Kamis (05/12)."
CITED = [Citation(n=1, doc_id="519_x", title="t", outlet="KBS", published=None, url=None, quote=QUOTE)]


def answer(direct: list[str], lead: str) -> Answer:
    return Answer(question=ITEM.question, language="id", answer=f"{lead}Menurut KBS: “{QUOTE}” [1]", refused=False,
                  citations=CITED, direct=direct)


def test_a_wrong_value_first_passes_answer_accuracy_but_not_lead_accuracy():
    wrong = judge(ITEM, answer(["Kamis, 5 Desember"], "Kamis, 5 Desember [1]. "))
    right = judge(ITEM, answer(["Rabu, 4 Desember"], "Rabu, 4 Desember [1]. "))
    plain = judge(ITEM, answer([], ""))
    assert wrong.correct and right.correct and plain.correct, "the quote holds the facts every time"
    assert (wrong.direct_ok, right.direct_ok, plain.direct_ok) == (False, True, None)
    m = report([wrong, right, plain]).overall
    assert (m.leads, m.lead_accuracy, m.answer_accuracy) == (2, 0.5, 1.0)


def test_the_direct_values_stay_out_of_the_json_contract():
    a = answer(["Rabu, 4 Desember"], "Rabu, 4 Desember [1]. ")
    assert "direct" not in a.contract() and a.direct == ["Rabu, 4 Desember"]


def test_a_refusal_pointing_at_a_gold_article_counts_for_the_pointer_not_for_the_answer():
    """`rnkbot eval` counts refusals that name the closest article and how often, for questions
    the articles answer, that article is a gold one; the refusal stays a wrong answer."""
    def refusal(doc_id: str | None) -> Answer:
        closest = Closest(doc_id=doc_id, title="t", outlet=None, published=None, url=None) if doc_id else None
        return Answer(question=ITEM.question, language="id", answer="Maaf. “t”: 4 Desember di Moskow", refused=True,
                      closest=closest)

    to_gold, elsewhere, bare = judge(ITEM, refusal("519_x")), judge(ITEM, refusal("520_y")), judge(ITEM, refusal(None))
    assert not any(r.correct for r in (to_gold, elsewhere, bare)), "the title names the facts: a refusal is still no answer"
    assert (to_gold.closest_gold, elsewhere.closest_gold, bare.closest_gold) == (True, False, None)
    m = report([to_gold, elsewhere, bare]).overall
    assert (m.pointers, m.pointer_accuracy) == (2, 0.5)


def test_answers_the_reader_chose_are_counted_with_how_many_are_right():
    """With RNKBOT_READER, `rnkbot eval` says how many answers the language model's reading chose and
    how many of those are right; an answer to an unanswerable question is never right."""
    unanswerable = EvalItem(id="q2", lang="id", question="Kapan Kim Jong Un lahir?", answerable=False, facts=[],
                            gold_docs=[], kind="unanswerable_absent")
    read = answer([], "").model_copy(update={"reader": True})
    results = [judge(ITEM, read), judge(unanswerable, read), judge(ITEM, answer([], ""))]
    assert [r.reader for r in results] == [True, True, False]
    m = report(results).overall
    assert (m.read, m.read_accuracy) == (2, 0.5)
    assert "reader (RNKBOT_READER): 2 answers chosen by the language model, 0.500 of them right" in report(results).table()
    assert report([judge(ITEM, answer([], ""))]).overall.read == 0


def test_a_reply_is_asked_after_its_history_and_only_its_answer_is_scored():
    """An item with ``history`` is a reply in a conversation: the earlier questions are asked first,
    each with the turns before it, and the reply sees them all; the earlier answers are not scored."""
    from retrieval.evaluation.qa import score

    asked: list[tuple[str, list[str]]] = []

    def ask(question: str, history: list) -> Answer:
        asked.append((question, [t.question for t in history]))
        if question == ITEM.question:
            return answer([], "")
        return Answer(question=question, language="id", answer="Maaf.", refused=True)

    reply = EvalItem(id="f1", lang="id", question=ITEM.question, answerable=True, facts=ITEM.facts,
                     gold_docs=["519_x"], kind="follow_up", history=["Apa yang ditandatangani?", "Oleh siapa?"])
    m = score([reply], ask).overall
    assert asked == [("Apa yang ditandatangani?", []), ("Oleh siapa?", ["Apa yang ditandatangani?"]),
                     (ITEM.question, ["Apa yang ditandatangani?", "Oleh siapa?"])]
    assert (m.n, m.answer_accuracy) == (1, 1.0), "the refused earlier answers are not items of their own"
