"""bot.inputs: what people type is cleaned of what cannot be shown or matched, and nothing else."""

from __future__ import annotations

import pytest

from bot.inputs import clean_question, clean_text, has_words


@pytest.mark.parametrize("raw, clean", [
    ("  Siapa   Kozlov?  ", "Siapa Kozlov?"),
    ("Siapa\u200b Koz\u200dlov?\ufeff", "Siapa Kozlov?"),  # zero-width space, joiner, BOM
    ("\u202eSiapa\u202c Kozlov\u2066?\u2069", "Siapa Kozlov?"),  # bidi overrides and isolates
    ("Who\x00 met\x1b[31m Kim?\x07", "Who met [31m Kim?"),  # NUL, an escape sequence, a bell
    ("Who met\r\nKim?\n\n\n\nWhen?", "Who met\nKim?\n\nWhen?"),
    ("Cafe\u0301 Pyongyang", "Café Pyongyang"),  # decomposed -> NFC
    ("Broken \ud800 surrogate", "Broken surrogate"),
    ("\ufdd0noncharacter\uffff", "noncharacter"),
])
def test_invisible_and_control_characters_go(raw, clean):
    assert clean_text(raw) == clean


@pytest.mark.parametrize("text", [
    "<b>hi</b> & <script>alert(1)</script> Who met Kim?",
    "*bold* _italic_ `code` [link](http://x) ~~strike~~ ||spoiler||",
    "ما هي العلاقات بين روسيا وكوريا الشمالية؟",  # Arabic, right to left
    "Что подписали Путин и Ким? 김정은 푸틴 조약 Putin and Kim",  # mixed scripts
    "Siapa 👋🏽 bertemu Kim? 👨‍👩‍👧",
])
def test_html_markdown_scripts_and_emoji_stay_as_typed(text):
    assert clean_text(text) == text.replace("\u200d", "")  # the family emoji loses only its joiners


def test_emoji_or_punctuation_only_has_no_words():
    assert not has_words("🙂🙂🙂 ?!…") and not clean_question("🇮🇩🇷🇺", 100).has_words
    assert has_words("Kim?") and has_words("2024") and has_words("김정은")


def test_empty_and_invisible_only_questions_are_empty():
    for raw in ("", "   ", "\u200b\u200b", "\n\t\n", None):
        assert clean_question(raw, 100).empty


def test_long_questions_are_cut_at_a_word():
    q = clean_question("kata " * 3000, 1000)
    assert q.cut and len(q.text) <= 1000 and q.text.endswith("kata") and q.original_chars == len(("kata " * 3000).strip())
    one_word = clean_question("x" * 5000, 1000)
    assert one_word.cut and one_word.text == "x" * 1000
