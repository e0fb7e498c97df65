"""bot.render: Telegram HTML that Telegram's parser accepts, escaping, links, splitting."""

from __future__ import annotations

import random
import re

import pytest

from bot.render import (
    MAX_TEXT_LENGTH,
    format_date,
    link_citations,
    render_answer,
    render_sources,
    split_html,
    visible_length,
)
from prompts import message
from retrieval.types import Answer, Citation, Closest
from tests.fakes.tg_html import TelegramHTMLError, parse_html


def cite(n: int, url: str | None = None, quote: str = "Putin menyampaikan salam.", **kw) -> Citation:
    base = {"doc_id": f"doc{n}", "title": f"Title {n}", "outlet": "Kontan", "published": "2024-11-19T17:31:00+07:00"}
    return Citation(n=n, url=url, quote=quote, **(base | kw))


def answer(text: str, citations: list[Citation], **kw) -> Answer:
    return Answer(**({"question": "q", "language": "en", "answer": text, "refused": False, "citations": citations} | kw))


def test_markers_become_links_only_where_the_url_is_known():
    html = link_citations("A [1] and B [2].", [cite(1, "https://ex.com/a?x=1&y=2"), cite(2)])
    parsed = parse_html(html)
    assert parsed.text == "A [1] and B [2]."
    assert [(e["type"], e["url"]) for e in parsed.entities] == [("text_link", "https://ex.com/a?x=1&y=2")]
    assert parsed.text[parsed.entities[0]["offset"]:][:3] == "[1]"


def test_multi_number_markers_and_unknown_numbers():
    html = link_citations("Both [1, 2]; unknown [7].", [cite(1, "https://a"), cite(2, "https://b")])
    parsed = parse_html(html)
    assert parsed.text == "Both [1][2]; unknown [7]."
    assert [e["url"] for e in parsed.entities] == ["https://a", "https://b"]


def test_user_and_article_text_is_escaped_in_text_and_attributes():
    nasty = cite(1, url='https://ex.com/?q="><script>&a', title="<b>Bold</b> & co", quote="x < y > z & \"q\"")
    html = render_answer(answer("Tom & <Jerry> [1]", [nasty], question="<script>"))
    parsed = parse_html(html)  # raises if anything leaked
    assert "Tom & <Jerry> [1]" in parsed.text
    assert "<b>Bold</b> & co" in parsed.text
    assert "“x < y > z & ‘q’”" in parsed.text  # its own quotation marks nested inside ours
    assert any(e.get("url") == 'https://ex.com/?q="><script>&a' for e in parsed.entities)


def test_answer_has_numbered_sources_and_expandable_quotes():
    a = answer("Putin sent greetings [1].", [cite(1, outlet="Kontan", quote="Krivoruchko menyampaikan salam dari Putin.")])
    parsed = parse_html(render_answer(a))
    assert "Sources\n[1] Title 1 — Kontan, 19 Nov 2024" in parsed.text
    quotes = [e for e in parsed.entities if e["type"] == "expandable_blockquote"]
    assert len(quotes) == 1
    quoted = parsed.text[quotes[0]["offset"]:quotes[0]["offset"] + quotes[0]["length"]]
    assert "Krivoruchko menyampaikan salam dari Putin." in quoted


def test_indonesian_labels_and_dates():
    a = answer("Salam dari Putin [1].", [cite(1, published="2024-05-03")], language="id")
    text = parse_html(render_answer(a)).text
    assert "Sumber" in text and "Kutipan pendukung" in text and "3 Mei 2024" in text
    assert format_date("2024-08-17T10:00:00+07:00", "id") == "17 Agu 2024"
    assert format_date("not a date", "en") == "not a date"
    assert format_date(None, "en") is None


def test_refusal_is_plain_and_in_the_users_language():
    refusal = answer("Sorry, the articles I have don't answer that.", [], refused=True)
    parsed = parse_html(render_answer(refusal, "en"))
    assert parsed.text == "Sorry, the articles I have don't answer that." and parsed.entities == []
    in_id = parse_html(render_answer(refusal, "id")).text  # user chose Indonesian: our own words
    assert in_id == message("id", "refusal") and "Sources" not in in_id


def test_a_refusal_naming_the_closest_article_links_it_in_the_readers_language():
    closest = Closest(doc_id="d1", title="Kim & <Putin> meet", outlet="KBS", published="2024-06-19",
                      url="https://example.org/a?x=1&y=2", language="id")
    refusal = answer("Sorry, the articles I have don't answer that. The closest report I have: “Kim & <Putin> meet” — "
                     "KBS (2024-06-19).", [], refused=True, closest=closest)
    parsed = parse_html(render_answer(refusal, "id"))
    assert parsed.text.startswith(message("id", "refusal") + "\n\nLaporan terdekat yang saya miliki: “Kim & <Putin> meet”")
    assert "KBS" in parsed.text
    assert [e["url"] for e in parsed.entities if e["type"] == "text_link"] == ["https://example.org/a?x=1&y=2"]
    assert parsed.text.endswith("\nBalas pesan ini dengan “apa isinya?” untuk membaca pembukaannya.")
    # /sources: it cites nothing, and the article it named is still worth a look
    sources = parse_html(render_sources(refusal, "en"))
    assert sources.text.startswith("No sources: the answer to") and "The closest report I have, in Indonesian" in sources.text
    assert [e["url"] for e in sources.entities if e["type"] == "text_link"] == ["https://example.org/a?x=1&y=2"]
    # to a reader of the other language, the article's is named
    in_en = parse_html(render_answer(refusal, "en")).text
    assert "The closest report I have, in Indonesian: “Kim & <Putin> meet” — KBS" in in_en
    unsafe = answer("x", [], refused=True, closest=closest.model_copy(update={"url": "javascript:alert(1)"}))
    assert [e for e in parse_html(render_answer(unsafe, "en")).entities if e["type"] == "text_link"] == []
    # what the named report says, under it, in the article's words (escaped; its quotes nested in ours)
    says = refusal.model_copy(update={"closest": closest.model_copy(update={"quote": 'Kim <tiba> & "berkata" siap.'})})
    lines = parse_html(render_answer(says, "en")).text.split("\n")
    assert lines[3] == "That report says: “Kim <tiba> & ‘berkata’ siap.”", lines


def test_sources_view_lists_doc_ids_and_quotes():
    a = answer("x [1] [2]", [cite(1, quote="Quote one & more"), cite(2, url="https://b", quote="Quote two")])
    parsed = parse_html(render_sources(a, "en"))
    assert "doc1" in parsed.text and "doc2" in parsed.text
    assert "Quote one & more" in parsed.text
    assert sum(e["type"] == "expandable_blockquote" for e in parsed.entities) == 2


def test_split_keeps_short_text_whole():
    assert split_html("<b>short</b> text") == ["<b>short</b> text"]


def test_split_prefers_paragraphs_and_never_cuts_words():
    text = "\n\n".join(" ".join(f"w{p}x{i}" for i in range(60)) for p in range(5))
    paragraphs = text.split("\n\n")
    parts = split_html(text, limit=1000)  # two paragraphs fit, three do not
    assert [parse_html(p).text for p in parts] == [
        "\n\n".join(paragraphs[0:2]), "\n\n".join(paragraphs[2:4]), paragraphs[4]]


def test_split_reopens_tags_and_keeps_links_whole():
    body = " ".join(f'word{i} <a href="https://x/{i}">[{i}]</a>' for i in range(400))
    html = f"<blockquote expandable><b>{body}</b></blockquote>"
    parts = split_html(html, limit=500)
    assert len(parts) > 5
    for p in parts:
        parsed = parse_html(p)
        assert parsed.length <= 500
        assert p.startswith("<blockquote expandable><b>") and p.endswith("</b></blockquote>")
        for e in parsed.entities:
            if e["type"] == "text_link":
                assert parsed.text[e["offset"]:e["offset"] + e["length"]] == f"[{e['url'].rsplit('/', 1)[1]}]"


def test_split_cuts_only_a_word_longer_than_the_limit_and_never_inside_an_entity():
    html = "start " + "&amp;" * 5000 + " end"
    parts = split_html(html)
    assert "".join(parse_html(p).text for p in parts).replace(" ", "") == "start" + "&" * 5000 + "end"
    assert all(visible_length(p) <= MAX_TEXT_LENGTH for p in parts)


@pytest.mark.parametrize("seed", range(20))
def test_split_random_documents_parse_and_lose_nothing(seed):
    rnd = random.Random(seed)
    pieces = ["kata", "<b>tebal sekali</b>", "&amp;", "&lt;tag&gt;", "[1]", '<a href="https://e.com/?a=1&amp;b=2">[2]</a>',
              "\n\n", "\n", "😀", "<i>miring</i>", "x" * rnd.randint(1, 300)]
    body = " ".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 2500)))
    html = f"{body}\n\n<blockquote expandable>{body}</blockquote>"
    limit = rnd.choice([64, 300, MAX_TEXT_LENGTH])
    parts = split_html(html, limit)
    for p in parts:
        assert parse_html(p).length <= limit
    squash = lambda s: re.sub(r"\s", "", s)  # noqa: E731
    assert squash("".join(parse_html(p).text for p in parts)) == squash(parse_html(html).text)


def test_the_oracle_rejects_what_telegram_rejects():
    for bad in ["<script>x</script>", "a < b", "a & b", "<b>open", "<b><i>x</b></i>", '<span class="x">y</span>',
                "<a>no href</a>", "<blockquote><blockquote>x</blockquote></blockquote>", "<code><b>x</b></code>"]:
        with pytest.raises(TelegramHTMLError):
            parse_html(bad)


def test_sources_without_citations_names_the_question_escaped():
    parsed = parse_html(render_sources(answer("Sorry.", [], question="<b>x</b> & y", refused=True), "en"))
    assert parsed.text == "No sources: the answer to <b>x</b> & y did not cite any article."
