"""How a quoted passage reads inside the answer's own quotation marks, in either reader's language,
in the terminal and in Telegram: its double quotation marks become single ones, so a passage that
opens or closes with a quotation never shows two marks in a row (““Kami siap,” kata ...”)."""

from __future__ import annotations

import numpy as np

from bot.render import render_answer
from bot.textui import format_answer
from prompts import inner_quotes, quotable
from retrieval.answering.compose import compose
from retrieval.types import Answer, ArticleMeta, Citation, Closest, Evidence, Sentence
from tests.fakes.tg_html import parse_html
from tests.unit.test_question import parse

META = ArticleMeta(doc_id="620_x", title="Jembatan baru dibuka", outlet="Warta Kita", language="id")


def evidence(text: str, meta: ArticleMeta = META) -> Evidence:
    s = Sentence(sentence_id=f"{meta.doc_id}:s0000", doc_id=meta.doc_id, chunk_id=f"{meta.doc_id}:c000", index=0,
                 text=text, vector=np.zeros(4, dtype=np.float32))
    return Evidence(key=1, article=meta, focus=s, sentences=(s,), probability=0.5)


OPENS_WITH_A_QUOTE = "“Jembatan ini adalah simbol persahabatan kita,” kata gubernur itu dalam sambutannya."


def test_a_passage_that_opens_with_a_quotation_shows_one_mark_in_either_language():
    for question, frame in (("Apa kata gubernur tentang jembatan baru itu?", "Menurut Warta Kita: "),
                            ("What did the governor say about the new bridge?", "According to Warta Kita, in Indonesian: ")):
        text = compose(parse(question), [evidence(OPENS_WITH_A_QUOTE)], None, max_tokens=64).text
        assert text == frame + "“‘Jembatan ini adalah simbol persahabatan kita,’ kata gubernur itu dalam sambutannya.” [1]"


def test_straight_quotation_marks_become_single_ones_only_when_they_pair_up():
    assert inner_quotes('"Kami siap membantu," tulis kantor berita itu.') == "‘Kami siap membantu,’ tulis kantor berita itu."
    assert inner_quotes('Ia menyebut kunjungan itu "bersejarah" dan "penting".') == \
        "Ia menyebut kunjungan itu ‘bersejarah’ dan ‘penting’."
    assert inner_quotes('He called the talks "very useful."') == "He called the talks ‘very useful.’"
    # one left open, or a closing one whose opening mark lies outside the passage: kept as written
    assert inner_quotes('Ia berkata, "Kami siap dan "bersatu," kata dia.') == 'Ia berkata, "Kami siap dan "bersatu," kata dia.'
    assert inner_quotes('kata dia." Lalu ia pergi ke "sana') == 'kata dia." Lalu ia pergi ke "sana'
    # a curly closing mark alone cannot end our quote early
    assert inner_quotes("Mungkin ada jalan lain,” kata menteri itu.") == "Mungkin ada jalan lain,’ kata menteri itu."


def test_a_closest_title_with_quotation_marks_reads_the_same_way():
    closest = Closest(doc_id="d", title='Menteri: "Kami siap"', outlet="Warta Kita", published=None, url=None, language="id")
    refusal = Answer(question="q", language="id", answer="Maaf.", refused=True, closest=closest)
    assert "“Menteri: ‘Kami siap’”" in parse_html(render_answer(refusal)).text


def test_quotes_already_in_the_answer_are_not_repeated_and_the_terminal_shows_them_nested():
    cited = Citation(n=1, doc_id="d", title="T", outlet="Warta Kita", published=None, url=None, quote=OPENS_WITH_A_QUOTE)
    text = compose(parse("Apa kata gubernur tentang jembatan baru itu?"), [evidence(OPENS_WITH_A_QUOTE)], None,
                   max_tokens=64).text
    ans = Answer(question="q", language="id", answer=text, refused=False, citations=[cited])
    assert "Kutipan pendukung" not in parse_html(render_answer(ans)).text, "quoted once, in the answer"
    assert "““" not in format_answer(ans) and "“‘Jembatan ini" in format_answer(ans)


EDITION = ArticleMeta(doc_id="621_x", title="Kereta langsung kembali beroperasi", outlet="Radio Timur (Bahasa Indonesia)",
                      language="id")
TRAIN = "Kereta itu tiba di stasiun tujuan setelah perjalanan sembilan hari."


def test_an_english_reader_is_not_told_twice_in_indonesian_that_a_passage_is_indonesian():
    """An Indonesian edition's "(Bahasa Indonesia)" is left out of an English frame, which says "in
    Indonesian" already; an Indonesian reader still reads the outlet's name as it is."""
    en = compose(parse("When did the direct train arrive?"), [evidence(TRAIN, EDITION)], None, max_tokens=64).text
    assert en.startswith("According to Radio Timur, in Indonesian: “Kereta itu")
    id_ = compose(parse("Kapan kereta langsung itu tiba?"), [evidence(TRAIN, EDITION)], None, max_tokens=64).text
    assert id_.startswith("Menurut Radio Timur (Bahasa Indonesia): “Kereta itu")
    closest = Closest(doc_id="d", title="Kereta langsung", outlet="Radio Timur (Bahasa Indonesia)", published=None,
                      url=None, language="id")
    refusal = Answer(question="q", language="en", answer="Sorry.", refused=True, closest=closest)
    assert "The closest report I have, in Indonesian: “Kereta langsung” — Radio Timur.\n" in \
        parse_html(render_answer(refusal)).text


def test_slips_of_spacing_a_page_left_are_mended_in_the_quote_and_its_words_kept():
    """Two sentences a page ran together get their space, a space before a comma and a period alone
    after a sentence's end go; web addresses, abbreviations and a spaced ellipsis stay as written."""
    ran = ("Kapal itu berlabuh di pelabuhan timur (PTK).Pejabat setempat membenarkan kedatangannya pekan lalu.NIS "
           "belum berkomentar.")
    text = compose(parse("Di mana kapal itu berlabuh?"), [evidence(ran)], None, max_tokens=64).text
    assert "timur (PTK). Pejabat setempat membenarkan kedatangannya pekan lalu. NIS belum berkomentar.” [1]" in text
    assert quotable("setelah 70 tahun hubungan diplomatik , untuk pertama kalinya") == \
        "setelah 70 tahun hubungan diplomatik, untuk pertama kalinya"
    assert quotable("“Kami siap,” kata menteri itu. .") == "‘Kami siap,’ kata menteri itu."
    for kept in ("dikutip dari Okezone.Com pada Senin", "tayang di Kompas.TV malam ini", "lihat www.Warta.com",
                 "U.S.Army", "harga Rp1.000.Sementara", "tunggu. . . lalu pergi",
                 "Moscow/Seoul : Talks began"):
        assert quotable(kept) == kept
