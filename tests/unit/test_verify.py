"""Verification: what the model adds beyond the evidence never survives."""

from retrieval.answering.verify import verify

EV = {1: "Krivoruchko menyampaikan salam dari Presiden Rusia Vladimir Putin kepada Kim, yang mengucapkan terima kasih "
         "sebesar-besarnya dalam pertemuan yang digelar pada Kamis tersebut."}
Q = "Whose greetings did Krivoruchko pass on to Kim Jong Un?"


def ok(text, ev=EV, q=Q, lang="en"):
    return [c for c in verify(text, ev, q, lang) if c.ok]


def test_supported_translation_survives_with_its_marker():
    kept = ok("Krivoruchko passed on greetings from Russian President Vladimir Putin [1].")
    assert len(kept) == 1 and kept[0].keys == (1,) and kept[0].text.endswith("[1].")


def test_invented_place_and_date_are_dropped():
    assert not ok("Krivoruchko passed on greetings from Putin in Vladivostok [1].")
    assert not ok("Krivoruchko passed on greetings from Putin on 12 March 2021 [1].")


def test_citation_to_evidence_that_does_not_exist_is_stripped():
    multi = {1: EV[1], 2: "Korea Utara dilaporkan telah mengirim sekitar 10.000 pasukan."}
    kept = ok("Krivoruchko passed on greetings from Putin [7].", ev=multi)
    assert kept == []  # [7] was never given, and with two sources no marker is assumed
    kept = ok("Krivoruchko passed on greetings from Putin [1][7].", ev=multi)
    assert kept and kept[0].keys == (1,) and "[7]" not in kept[0].text


def test_wrong_number_is_dropped_even_when_cited():
    ev = {1: "Korea Utara dilaporkan telah mengirim sekitar 10.000 pasukan untuk membantu Rusia."}
    assert ok("North Korea reportedly sent about 10,000 troops to help Russia [1].", ev=ev, q="How many troops?")
    assert not ok("North Korea reportedly sent about 12,000 troops to help Russia [1].", ev=ev, q="How many troops?")


def test_a_number_taken_from_another_sentence_of_the_evidence_is_dropped():
    ev = {1: "Pada Februari, Putin mengirimkan sebuah limosin Aurus Senat tercanggih kepada Kim Jong-un. "
             "Aurus digunakan sebagai iring-iringan mobil pejabat tinggi sejak Putin pertama kali menggunakannya "
             "pada upacara pelantikan pada 2018."}
    q = "Kapan Putin mengirim limosin Aurus kepada Kim?"
    assert not ok("Pada 2018, Putin mengirimkan sebuah limosin Aurus Senat kepada Kim Jong-un [1].", ev=ev, q=q,
                  lang="id"), "2018 is the year of the inauguration, not of the gift"
    assert ok("Putin pertama kali menggunakan Aurus pada upacara pelantikan pada 2018 [1].", ev=ev, q=q, lang="id")


def test_wrong_language_and_echo_and_prompt_text_are_dropped():
    assert not ok("Krivoruchko menyampaikan salam dari Putin [1].")  # Indonesian reply to an English question
    assert not ok("Whose greetings did Krivoruchko pass on to Kim Jong Un [1]?")
    kept = ok("Krivoruchko passed on greetings from Putin [1].\nQuestion: Who is Putin?\nAnswer: Putin is a spy [1].")
    assert len(kept) == 1 and "spy" not in kept[0].text


# --- one sentence at a time ---------------------------------------------------------------
def test_check_sentence_says_why_it_refuses():
    from retrieval.answering.verify import check_sentence

    ev = {1: EV[1]}
    assert check_sentence("Putin [1].", ev, Q, "en").reason == "too short to be an answer"
    assert check_sentence("Putin sent greetings to Kim [3].", {1: EV[1], 2: "x"}, Q, "en").reason == \
        "cites no evidence that exists"
    assert "names not in the evidence" in check_sentence("Shoigu passed on greetings to Kim [1].", ev, Q, "en").reason
    assert "numbers not in the evidence" in check_sentence("Krivoruchko met Kim 3 times [1].", ev, Q, "en").reason
    assert check_sentence("Krivoruchko menyampaikan salam dari Putin [1].", ev, Q, "en").reason == "not in the reply language"
    # the Indonesian evidence copied, with no function word of either language to tell, is no English
    headline = {1: "Kim Jong Un akhirnya nikmati limosin mewah pemberian Presiden Putin, yang dikirim dari Moskow."}
    assert check_sentence("Kim Jong Un akhirnya nikmati limosin mewah pemberian Presiden Putin [1].", headline,
                          "When did Kim first ride the limousine?", "en").reason == "not in the reply language"
    assert check_sentence("Kim finally rode the limousine Putin gave him [1].", headline,
                          "When did Kim first ride the limousine?", "en").reason != "not in the reply language"


def test_a_lone_source_is_cited_even_when_the_model_forgets_the_marker():
    from retrieval.answering.verify import check_sentence

    checked = check_sentence("Krivoruchko passed on greetings from Russian President Vladimir Putin.", {1: EV[1]}, Q, "en")
    assert checked.ok and checked.keys == (1,) and checked.text.endswith("Putin [1].")


def test_generation_is_cut_where_a_base_model_starts_a_new_example():
    from retrieval.answering.verify import clean_generation

    assert clean_generation("  Putin sent greetings [1].\nQuestion: next?") == "Putin sent greetings [1]."
    assert clean_generation("Putin sent greetings [1]. Evidence: [2] more") == "Putin sent greetings [1]."
    assert verify("", EV, Q, "en") == [] and verify("\n\n", EV, Q, "en") == []
