"""The lexical index (SQLite FTS5) and the corpus statistics it keeps: BM25 over chunks, writes
that replace and delete, and document frequencies equal to a scan of every article's stems.
(How the store keeps it in step with Chroma is in tests/contract.)"""

from __future__ import annotations

from pathlib import Path

from corpus import ARTICLES_DIR
from corpus.documents import load_file
from retrieval.index.lexical import LexicalChunk, LexicalIndex
from retrieval.text import stem_variants, tokens
from retrieval.text.lexicon import concepts, expand_terms

SEEDS = sorted(ARTICLES_DIR.glob("*.md"))


def _index(tmp_path: Path) -> LexicalIndex:
    ix = LexicalIndex(tmp_path / "lex.sqlite3")
    ix.write_article("a", "h1", [LexicalChunk("a:c000", "Kozlov mengunjungi Pyongyang pada 2024 hari"),
                                 LexicalChunk("a:c001", "Kunjungan itu membahas kerja sama ekonomi")])
    ix.write_article("b", "h2", [LexicalChunk("b:c000", "Putin dan Kim menandatangani perjanjian di Pyongyang")])
    ix.write_article("c", "h3", [LexicalChunk("c:c000", "Cuaca Jakarta cerah berawan")])
    return ix


def test_search_ranks_by_bm25_with_stems_and_numbers(tmp_path):
    ix = _index(tmp_path)
    hits = ix.search(expand_terms("Kozlov mengunjungi"), 5)
    assert hits[0][0] == "a:c000" and all(s > 0 for _, s in hits)
    assert [c for c, _ in ix.search(expand_terms("2024"), 5)] == ["a:c000"]
    assert ix.search(expand_terms("perjanjian"), 5)[0][0] == "b:c000"
    assert ix.search([], 5) == [] and ix.search(["tidakada"], 5) == []


def test_writes_replace_and_delete_and_bump_the_counter(tmp_path):
    ix = _index(tmp_path)
    g = ix.generation
    ix.write_article("a", "h9", [LexicalChunk("a:c000", "Teks baru tentang Lavrov")])
    assert ix.generation == g + 1 and ix.doc_hash("a") == "h9" and ix.chunk_count() == 3
    assert ix.search(expand_terms("Kozlov"), 5) == []
    ix.delete_article("b")
    assert ix.generation == g + 2 and ix.doc_hash("b") is None and ix.n_docs() == 2
    ix.delete_article("b")  # nothing to delete: nothing changed
    assert ix.generation == g + 2
    again = LexicalIndex(tmp_path / "lex.sqlite3")  # another process opening the same file sees it all
    assert again.generation == g + 2 and again.doc_hashes(["a", "b", "c"]) == {"a": "h9", "c": "h3"}


def test_document_frequencies_match_a_scan_of_every_article(tmp_path):
    """df_forms is the count the answerer used to compute by scanning every article's stems."""
    ix = LexicalIndex(tmp_path / "lex.sqlite3")
    doc_stems: dict[str, set[str]] = {}
    for path in SEEDS:
        a = load_file(path)
        text = f"{a.title} {a.outlet or ''} {a.author or ''} {a.text}"
        ix.write_article(a.doc_id, "h", [LexicalChunk(f"{a.doc_id}:c000", text)])
        doc_stems[a.doc_id] = set().union(*(stem_variants(t) for t in tokens(text)))
    assert ix.n_docs() == len(SEEDS)
    questions = ["Who did Kozlov meet in Pyongyang?", "Berapa pasukan Korea Utara dikirim ke Rusia?",
                 "What did the United States say about the treaty?", "Kapan Aleksey Krivoruchko berkunjung?"]
    for q in questions:
        for c in concepts(q, group_names=True):
            scan = sum(1 for st in doc_stems.values() if any(all(v & st for v in form) for form in c.forms))
            assert ix.df_forms(c.forms) == ix.doc_freq(c) == scan, (q, c.surface)
    assert ix.df("pyongyang") == sum("pyongyang" in st for st in doc_stems.values())
    assert ix.terms_of(SEEDS[0].stem) == frozenset(doc_stems[SEEDS[0].stem]) and ix.terms_of("none") is None

