"""The cleaner: site clutter never reaches the index; metadata only where the text states it."""

from pathlib import Path

import pytest

from corpus import ARTICLES_DIR
from corpus.clean import clean_article
from corpus.documents import DocumentError, from_markdown, load_file, to_markdown
from tests.conftest import FIXTURES

RAW = sorted((FIXTURES / "raw").glob("*.txt"))
CLUTTER = ["Baca Juga", "BACA JUGA", "Baca juga", "Close Ads", "WhatsApp", "BERITA LAINNYA", "FOLLOW US",
           "VIDEO TERPOPULER", "Bagikan artikel", "Tinggalkan Balasan", "Alamat email", "Login untuk",
           "Gabung Kompas.com+", "Komentar", "(Foto:", "(Sumber:", "[ah/rs]", "Direkomendasikan", "Editor"]


@pytest.mark.parametrize("raw", RAW, ids=lambda p: p.stem)
def test_seed_articles_lose_all_clutter(raw: Path):
    article = load_file(raw)
    assert article.doc_id == raw.stem
    for junk in CLUTTER:
        assert junk not in article.text, junk
    assert len(article.text) > 500


@pytest.mark.parametrize("raw", RAW, ids=lambda p: p.stem)
def test_committed_corpus_is_the_cleaner_output(raw: Path):
    """corpus/articles is what the cleaning code makes of the scraped pages, not hand edits."""
    committed = (ARTICLES_DIR / f"{raw.stem}.md").read_text(encoding="utf-8")
    assert committed == to_markdown(load_file(raw))


def test_metadata_only_where_the_text_gives_it():
    a = {p.stem[:3]: load_file(p) for p in RAW}
    assert (a["000"].outlet, a["000"].published_iso, a["000"].author) == (
        "Kompas TV", "2024-11-19T17:31:00+07:00", "Ikhsan Abdul Hakim")
    assert a["000"].title.startswith("Menteri SDA Rusia Bertamu ke Pyongyang")
    assert (a["003"].outlet, a["003"].published_iso, a["003"].author) == (
        "Kompas.com", "2023-09-22T16:00:00+07:00", "Tito Hilmawan Reditya")
    assert a["004"].outlet == "Kontan" and a["004"].published is None  # "Jumat (19/7/2024)" is the KCNA report's date
    assert a["001"].outlet == "Web Fakta" and a["001"].text.startswith("Pemimpin Korea Utara")  # glued site name removed
    assert a["002"].outlet is None  # the page never names its outlet
    assert all(x.url is None for x in a.values())  # never invented


def test_repeated_paragraph_kept_once():
    a = load_file(FIXTURES / "raw" / "002_620ccf5526c3d172.txt")
    assert a.text.count("mengharuskan kedua negara mengerahkan bantuan militer") == 1


def test_new_article_goes_through_the_same_cleaning():
    raw = """Beranda internasional dunia
Rusia dan Korea Utara Gelar Latihan Militer Bersama di Laut Jepang
Antaranews - 3 Maret 2025, 10:15 WIB
Penulis : Budi Santoso | Editor : Sari
Kapal perang kedua negara berlayar bersama. (Foto: ANTARA/Reuters)
VLADIVOSTOK, ANTARA - Angkatan laut Rusia dan Korea Utara menggelar latihan militer bersama pertama di Laut Jepang pada Senin.
Baca Juga: Kim Jong Un Tinjau Pabrik Rudal
Latihan itu melibatkan sedikitnya enam kapal perang dan berlangsung selama tiga hari, menurut kementerian pertahanan Rusia.
Bagikan artikel ini melalui
Close Ads x
"""
    a = clean_article(raw, "x_new")
    assert a.title == "Rusia dan Korea Utara Gelar Latihan Militer Bersama di Laut Jepang"
    assert a.outlet == "Antara" and a.author == "Budi Santoso" and a.published_iso == "2025-03-03T10:15:00+07:00"
    assert a.text.startswith("Angkatan laut Rusia")  # dateline stripped
    assert "Baca Juga" not in a.text and "Foto" not in a.text and "Bagikan" not in a.text
    assert "enam kapal perang" in a.text


def test_page_without_article_text_is_refused_clearly():
    with pytest.raises(ValueError, match="no article text"):
        clean_article("Beranda\nBaca Juga: sesuatu\nClose Ads x\n", "empty")


def test_markdown_round_trip_and_errors(tmp_path: Path):
    a = load_file(RAW[0])
    assert from_markdown(to_markdown(a), tmp_path / "x.md") == a
    bad = tmp_path / "bad.md"
    bad.write_text("no front matter\n", encoding="utf-8")
    with pytest.raises(DocumentError, match="front-matter"):
        load_file(bad)
    binary = tmp_path / "latin.txt"
    binary.write_bytes("Berita \xff\xfe".encode("latin-1"))
    with pytest.raises(DocumentError, match="not UTF-8"):
        load_file(binary)
