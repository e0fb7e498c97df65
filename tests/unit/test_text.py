from corpus.language import fold
from retrieval.text import detect_language, numbers, split_sentences, stem_variants
from retrieval.text.lexicon import Matcher, concepts, matcher_of


def test_sentence_split_keeps_numbers_abbreviations_domains_and_quotes():
    text = ('Kim berkata "kita menang." Dia pergi ke A.S. pada 19/11/2024. Sekitar 10.000 pasukan dikirim. '
            "Kompas.com melaporkannya.")
    assert split_sentences(text) == [
        'Kim berkata "kita menang."', "Dia pergi ke A.S. pada 19/11/2024.", "Sekitar 10.000 pasukan dikirim.",
        "Kompas.com melaporkannya.",
    ]


def test_language_detection():
    assert detect_language("Siapa yang melaporkan bahwa pasukan Korea Utara diterjunkan ke Kursk?") == "id"
    assert detect_language("Who reported that North Korean troops were deployed to Kursk?") == "en"
    assert detect_language("Berapa jumlah penduduk Rusia?") == "id"


def test_numbers_normalised():
    assert "10000" in numbers("sekitar 10.000 pasukan") and "10000" in numbers("about 10,000 troops")
    assert {"19", "11", "2024"} <= numbers("Selasa (19/11/2024)")


def test_affixes_meet_their_roots():
    assert stem_variants("pertemuan") & stem_variants("bertemu")
    assert stem_variants("mengunjungi") & stem_variants("kunjungan")
    assert stem_variants("ditempatkan") & stem_variants("menempatkan")
    assert not stem_variants("pasukan") & stem_variants("makanan")


def test_glossary_bridges_english_to_indonesian():
    m = Matcher("Parlemen Rusia menyetujui kesepakatan tersebut secara aklamasi pada Kamis di Moskow.")
    question = "Did the Russian parliament approve it unanimously on Thursday in Moscow? food"
    found = {c.surface: m.has(c) for c in concepts(question)}
    assert found == {"Russian": True, "parliament": True, "approve": True, "unanimously": True, "Thursday": True,
                     "Moscow": True, "food": False}


def test_an_english_phrase_is_one_concept_not_its_words():
    """"Enter into force" is "mulai berlaku", not "enter" + "force" (troops, "pasukan")."""
    found = {c.surface: c for c in concepts("When did the treaty enter into force?")}
    assert set(found) == {"treaty", "enter into force"}
    in_force = Matcher("Perjanjian itu mulai berlaku pada hari Rabu (04/12).")
    troops = Matcher("Pasukan Korea Utara tiba di Kursk pada hari Rabu.")
    assert in_force.has(found["enter into force"]) and not troops.has(found["enter into force"])
    assert Matcher("The treaty entered into force on Wednesday.").has(found["enter into force"])
    # "how many" is the kind of answer asked for, no phrase to match; a capitalised run is still a name
    assert [c.surface for c in concepts("how many troops?")] == ["many", "troops"]
    assert [c.surface for c in concepts("Who met the Foreign Minister?", group_names=True)] == ["met", "Foreign Minister"]


def test_ordinals_and_single_digits_are_numbers_to_match():
    """"528th" is 528 (Indonesian writes "ke-528"), not 528 and a word "th" that no Indonesian article
    holds; "Pasal 4" asks about the number 4 too."""
    regiment = concepts("When did the 528th Engineer Regiment return?")
    assert [c.surface for c in regiment] == ["528", "Engineer", "Regiment", "return"]
    assert Matcher("Resimen Teknik ke-528 kembali dari Kursk.").has(regiment[0])
    article4 = [c for c in concepts("Apa isi Pasal 4 perjanjian?") if c.is_number]
    assert [c.surface for c in article4] == ["4"]
    assert Matcher("Pasal 4 dari perjanjian tersebut menyatakan bantuan militer.").has(article4[0])
    assert not Matcher("Pasal 3 dari perjanjian tersebut.").has(article4[0])

def test_fold_of_ascii_is_its_lower_case_and_accents_still_go():
    assert fold("Kim Jong-UN 10.000") == "kim jong-un 10.000"
    assert fold("Pyŏngyang") == "pyongyang"
    assert fold("Šojgu Café") == "sojgu cafe"


def test_a_shared_matcher_is_the_one_its_text_builds_and_a_union_leaves_it_as_it_was():
    text = "Kozlov bertemu Kim Jong Un di Pyongyang pada 19/11/2024."
    shared = matcher_of(text)
    assert matcher_of(text) is shared  # built once
    fresh = Matcher(text)
    assert (shared.stems, shared.names, shared.numbers) == (fresh.stems, fresh.names, fresh.numbers)
    assert matcher_of(text, frozenset({"2025"})).numbers == fresh.numbers | {"2025"}  # its own entry
    before = (shared.stems, shared.names, shared.numbers)
    both = Matcher.union(shared, Matcher("Shoigu tiba di Moskow tahun 2023."))
    assert "2023" in both.numbers and "shoigu" in both.names and both.stems > shared.stems
    assert (shared.stems, shared.names, shared.numbers) == before
    kim = concepts("Did Kim Jong Un meet Kozlov?", group_names=True)
    assert all(shared.has(c) == fresh.has(c) for c in kim)
