"""The terminal's plain-text answer: wrapped text, then sources; a refusal naming the closest
article gives its address to open, and says how to read its opening here."""

from __future__ import annotations

from bot.textui import format_answer
from retrieval.types import Answer, Citation, Closest


def test_an_answer_lists_its_sources_with_quotes():
    cited = Citation(n=1, doc_id="d", title="Title", outlet="KBS", published="2024-06-19T00:00:00", url="https://x.org/a",
                     quote="Kim met Putin.")
    text = format_answer(Answer(question="q", language="en", answer="Kim met Putin [1].", refused=False, citations=[cited]))
    assert text.startswith("Kim met Putin [1].\n\nSources:\n[1] Title — KBS, 2024-06-19, https://x.org/a")
    assert "“Kim met Putin.”" in text


def test_a_refusal_naming_the_closest_article_gives_its_address():
    closest = Closest(doc_id="d", title="Title", outlet="KBS", published=None, url="https://x.org/a")
    refusal = Answer(question="q", language="en", answer="Sorry. The closest report I have: “Title” — KBS.",
                     refused=True, closest=closest)
    assert format_answer(refusal) == ("Sorry. The closest report I have: “Title” — KBS.\nhttps://x.org/a\n"
                                      "Ask “what does it say?” to read its opening.")
    bare = refusal.model_copy(update={"closest": None})
    assert format_answer(bare) == "Sorry. The closest report I have: “Title” — KBS."
