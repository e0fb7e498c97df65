"""Properties (hypothesis) of what users are shown, for any input:

- the renderer and splitter: for any answer text and any sources, every message is Telegram HTML
  that Telegram's parser accepts, at most 4096 characters after parsing, nothing is lost, and
  every ``[n]`` that is a link points to source n's URL (and only http(s) URLs are links);
- the answer contract: for any question and anything the model writes, every ``[n]`` in an answer
  names one of its citations (numbered 1..k), and every citation's quote is found in its article.

Example counts are modest so the unit tier stays fast; hypothesis keeps the failing examples it
finds in its database and replays them first.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.render import MAX_TEXT_LENGTH, link_url, render_answer, split_html
from corpus import ARTICLES_DIR
from corpus.article import Article
from corpus.documents import load_file
from retrieval.service import AnswerService
from retrieval.types import Answer, Citation
from tests.fakes.generator import FakeGenerator
from tests.fakes.tg_html import parse_html
from tests.unit.conftest import fake_service

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MARKER = re.compile(r"\[(\d{1,3})\]")

# Text as it comes: any Unicode (hypothesis leaves out lone surrogates, which bot.inputs removes),
# plus the pieces that break HTML, markers, long words and paragraph breaks.
tricky = st.sampled_from(["<", ">", "&", "&amp;", "<b>", "</a>", '"', "[1]", "[2]", "[1, 2]", "[99]", "\n", "\n\n",
                          "😀", "👨‍👩‍👧", "مرحبا", "김정은", "x" * 300, "word " * 40, "\u200b", "\t"])
texts = st.lists(st.one_of(st.text(max_size=40), tricky), max_size=40).map("".join)
urls = st.one_of(st.none(), st.sampled_from([
    "https://news.example/a?x=1&y=2", 'https://e.example/"><script>', "javascript:alert(1)", "http://h.example/p q",
    "ftp://files.example/x", "https://ok.example/" + "p" * 500]))


@st.composite
def answers(draw) -> Answer:
    n = draw(st.integers(min_value=0, max_value=6))
    citations = [Citation(n=i, doc_id=draw(texts), title=draw(texts), outlet=draw(st.one_of(st.none(), texts)),
                          published=draw(st.one_of(st.none(), st.sampled_from(["2024-11-19T17:31:00+07:00", "kemarin", ""]))),
                          url=draw(urls), quote=draw(texts))
                 for i in range(1, n + 1)]
    return Answer(question=draw(texts), language=draw(st.sampled_from(["id", "en"])), answer=draw(texts),
                  refused=draw(st.booleans()), citations=citations)


def links_point_to_their_sources(parsed_parts, answer: Answer) -> None:
    urls_of = {c.n: link_url(c.url) for c in answer.citations}
    titles = {c.title.strip() for c in answer.citations}  # a title may itself read "[0]"
    for parsed in parsed_parts:
        raw = parsed.text.encode("utf-16-le")
        for e in parsed.entities:
            if e["type"] != "text_link":
                continue
            shown = raw[2 * e["offset"]:2 * (e["offset"] + e["length"])].decode("utf-16-le")
            assert e["url"].lower().startswith(("http://", "https://")), e
            m = MARKER.fullmatch(shown)
            if m and shown.strip() not in titles:  # a [n] marker: to source n
                assert e["url"] == urls_of.get(int(m.group(1))), (shown, e["url"])
            else:  # a title in the source list: one of the sources
                assert e["url"] in urls_of.values()


@FAST
@given(answers())
def test_every_message_is_valid_telegram_html_under_the_limit_and_links_point_to_their_sources(answer: Answer):
    html = render_answer(answer)
    whole = parse_html(html)  # the unsplit rendering is valid too
    parts = split_html(html)
    parsed = [parse_html(p) for p in parts]
    assert all(0 < p.length <= MAX_TEXT_LENGTH for p in parsed)
    squash = lambda s: re.sub(r"\s", "", s)  # noqa: E731  # splits fall on whitespace
    assert squash("".join(p.text for p in parsed)) == squash(whole.text), "nothing lost or added"
    links_point_to_their_sources(parsed, answer)


@st.composite
def html_documents(draw, depth: int = 0) -> str:
    pieces = []
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        kind = draw(st.sampled_from(["text", "text", "b", "i", "a", "quote"] if depth < 2 else ["text"]))
        if kind == "text":
            pieces.append(draw(texts).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
        elif kind == "a":
            pieces.append(f'<a href="https://l.example/{draw(st.integers(0, 99))}">[{draw(st.integers(1, 9))}]</a>')
        elif kind == "quote":
            pieces.append(f"<blockquote expandable>{draw(html_documents(depth=2))}</blockquote>")
        else:
            pieces.append(f"<{kind}>{draw(html_documents(depth=depth + 1))}</{kind}>")
    return " ".join(pieces)


@FAST
@given(html_documents(), st.sampled_from([40, 64, 300, 1000, MAX_TEXT_LENGTH]))
# found by hypothesis: a word that ends exactly at the limit, then a form feed and one more word
@example(html="0000000000 00000000000000000\U00010000&lt;/a&gt;00\U00010000\U00010000\U0001cc69"
              "0000000\U00010000\x0c0", limit=40)
def test_the_splitter_keeps_tags_balanced_links_whole_and_parts_under_any_limit(html: str, limit: int):
    parts = split_html(html, limit)
    parsed = [parse_html(p) for p in parts]
    assert all(p.length <= limit for p in parsed)
    for p in parsed:
        for e in p.entities:
            if e["type"] == "text_link":
                shown = p.text.encode("utf-16-le")[2 * e["offset"]:2 * (e["offset"] + e["length"])].decode("utf-16-le")
                assert MARKER.fullmatch(shown), "a link is never cut"
    squash = lambda s: re.sub(r"\s", "", s)  # noqa: E731
    assert squash("".join(p.text for p in parsed)) == squash(parse_html(html).text)


# --- the answer contract ----------------------------------------------------------------
QUESTIONS = [
    "Who led the Russian military delegation that visited Pyongyang?",
    "Whose greetings did Krivoruchko pass on to Kim Jong Un?",
    "Siapa penulis berita Kompas TV tentang kunjungan Kozlov?",
    "Berapa pasukan yang dikirim Korea Utara untuk membantu Rusia?",
    "Sejak hari apa kunjungan delegasi Kozlov berlangsung?",
    "What is Kim Jong Un's favourite food?",
    "Kapan Putin dan Kim menandatangani perjanjian?",
]


@cache
def world() -> tuple[AnswerService, FakeGenerator, dict[str, Article]]:
    """The fake core over the seed corpus, built once (hypothesis calls the test many times)."""
    import tempfile

    generator = FakeGenerator()
    service = fake_service(Path(tempfile.mkdtemp(prefix="rnkbot-prop-")), generator)
    articles = {a.doc_id: a for a in (load_file(p) for p in sorted(ARTICLES_DIR.glob("*.md")))}
    return service, generator, articles


def _norm(text: str) -> str:
    return " ".join(text.split())


def found_in_article(quote: str, article: Article) -> bool:
    """The quote is the article's words: passages of its text (" … " where it leaves text out), or
    its byline (title, outlet, date, author)."""
    return all(_found(part, article) for part in _norm(quote).split(" … "))


def _found(quote: str, article: Article) -> bool:
    if quote in _norm(article.text):
        return True
    facts = re.findall(r"(Judul berita|Media|Terbit|Penulis): (.+?)\.(?= (?:Media|Terbit|Penulis):|$)", _norm(quote))
    known = {article.title, article.outlet, article.author, article.published_date}
    return bool(facts) and all(value in known for _, value in facts)


model_output = st.one_of(
    st.just(""), texts,
    st.builds(lambda q, n: f"{q} [{n}]", st.sampled_from([
        "The delegation was led by Vladimir Zarudnitski", "Putin sent greetings", "Kozlov visited on Sunday",
        "Korea Utara mengirim 10.000 pasukan"]), st.integers(min_value=0, max_value=5)),
)


@FAST
@given(st.one_of(st.sampled_from(QUESTIONS), texts), model_output)
def test_every_marker_names_a_citation_and_every_quote_is_in_its_article(question: str, reply: str):
    service, generator, articles = world()
    generator.replies.clear()
    generator.enqueue(reply)
    answer = service.ask(question)
    numbers = [c.n for c in answer.citations]
    assert numbers == list(range(1, len(numbers) + 1)), "citations are numbered 1..k"
    assert {int(n) for n in MARKER.findall(answer.answer)} <= set(numbers), "every [n] has its source"
    for c in answer.citations:
        assert found_in_article(c.quote, articles[c.doc_id]), (c.doc_id, c.quote)
        assert c.title == articles[c.doc_id].title
    for part in split_html(render_answer(answer)):
        assert parse_html(part).length <= MAX_TEXT_LENGTH
