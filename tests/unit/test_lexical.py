"""The lexical index (SQLite FTS5) and the corpus statistics it keeps: BM25 over chunks, writes
that replace and delete, and document frequencies equal to a scan of every article's stems.
(How the store keeps it in step with Chroma is in tests/contract.)"""

from __future__ import annotations

from pathlib import Path

from corpus import ARTICLES_DIR
from corpus.documents import load_file
from retrieval.index.fts_query import coordinated
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



def _coordination_index(tmp_path: Path) -> LexicalIndex:
    ix = LexicalIndex(tmp_path / "coord.sqlite3")
    texts = {
        "both": "Kozlov bertemu menteri di Pyongyang",
        "again": "Menteri bertemu Kozlov lagi setelah rapat panjang yang membahas banyak hal lain di kota",
        "loud": "Menteri menteri menteri bertemu bertemu bertemu",  # two concepts, often; no Kozlov
        "lunch": "Kozlov makan siang",
        "dinner": "Kozlov makan malam",
        "lavrov": "Lavrov tiba",
    } | {f"filler{i}": "Pyongyang cerah berawan" for i in range(6)}  # Pyongyang: in half the chunks or more
    for doc, text in texts.items():
        ix.write_article(doc, "h", [LexicalChunk(f"{doc}:c000", text)])
    return ix


def test_coordination_scores_the_chunks_with_the_concepts_together(tmp_path):
    """With the question's concepts, only chunks that have them together (or a rare one) are
    scored, each with the score the plain query gives it."""
    ix = _coordination_index(tmp_path)
    q = "Kozlov bertemu menteri di Pyongyang"
    plain = dict(ix.search(expand_terms(q), 20))
    assert list(plain)[:2] == ["loud:c000", "both:c000"]  # the minister met, often; but no Kozlov
    hits = ix.search(expand_terms(q), 2, concepts=concepts(q))
    assert [c for c, _ in hits] == ["both:c000", "again:c000"]  # Kozlov, bertemu and menteri together
    assert all(s == plain[c] for c, s in hits)
    # no two concepts are together in 2 chunks: the plain query (Lavrov, in one chunk, is in it)
    q = "Kozlov bertemu Lavrov makan"
    assert ix.search(expand_terms(q), 2, concepts=concepts(q)) == ix.search(expand_terms(q), 2)
    assert ix.search(expand_terms("Kozlov"), 3, concepts=concepts("Kozlov")) == ix.search(expand_terms("Kozlov"), 3)


def test_coordination_leaves_out_the_commonest_concept_first(tmp_path):
    ix = _coordination_index(tmp_path)
    asked: list[str] = []

    def has_k(query: str, k: int) -> bool:
        asked.append(query)
        return ix._has_k(query, k)

    q = "Kozlov bertemu menteri Pyongyang"
    terms = sorted(set(expand_terms(q)))
    dfs = ix._vocab("chunk_vocab", terms)
    weighted = {t: d for t, d in dfs.items() if d < ix.chunk_count() / 2}
    assert "pyongyang" in dfs and "pyongyang" not in weighted  # in half the chunks: never asked for
    menteri = '("menter" OR "menteri" OR "nter" OR "nteri" OR "ter" OR "teri")'
    assert coordinated(concepts(q), dfs, weighted, 3, has_k) == f'(("bertemu" OR "temu") AND {menteri})'
    assert len(asked) == 2 and "kozlov" in asked[0] and "kozlov" not in asked[1]  # all three, then without Kozlov
    assert coordinated(concepts(q), dfs, weighted, 20, has_k) is None  # too few chunks even for two
