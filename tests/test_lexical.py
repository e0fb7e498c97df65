"""The lexical index (SQLite FTS5) and the corpus statistics kept at ingest, and how it stays
in step with Chroma: per write, and through the change log for another process's file."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus import ARTICLES_DIR
from corpus.documents import load_file
from retrieval.index.ingest import Ingester
from retrieval.index.lexical import LexicalChunk, LexicalIndex
from retrieval.index.search import HybridRetriever
from retrieval.index.store import open_store
from retrieval.models.embeddings import build_embeddings
from retrieval.text import stem_variants, tokens
from retrieval.text.lexicon import concepts, expand_terms

from .conftest import make_settings

SEEDS = sorted(ARTICLES_DIR.glob("*.md"))


@pytest.fixture(scope="module")
def embeddings(tmp_path_factory):
    return build_embeddings(make_settings(tmp_path_factory.mktemp("emb")))


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
    assert ix.n_docs() == len(SEEDS) == len(ix.doc_terms())
    questions = ["Who did Kozlov meet in Pyongyang?", "Berapa pasukan Korea Utara dikirim ke Rusia?",
                 "What did the United States say about the treaty?", "Kapan Aleksey Krivoruchko berkunjung?"]
    for q in questions:
        for c in concepts(q, group_names=True):
            scan = sum(1 for st in doc_stems.values() if any(all(v & st for v in form) for form in c.forms))
            assert ix.df_forms(c.forms) == scan, (q, c.surface)
    assert ix.df("pyongyang") == sum("pyongyang" in st for st in doc_stems.values())
    assert dict(ix.doc_terms())[SEEDS[0].stem] == frozenset(doc_stems[SEEDS[0].stem])


def test_ingest_keeps_the_lexical_index_and_the_statistics_current(tmp_path, embeddings):
    store = open_store(make_settings(tmp_path / "d"), embeddings)
    Ingester(store).ingest_paths([ARTICLES_DIR])
    stats = HybridRetriever(store).stats
    assert stats.n_docs() == 5 and store.lexical.chunk_count() == store.count()
    g = stats.generation
    store.delete_article(SEEDS[0].stem)
    assert stats.n_docs() == 4 and stats.generation == g + 1 and store.lexical.chunk_count() == store.count()


def test_another_process_catches_up_through_the_change_log(tmp_path, embeddings):
    """Two processes on one Chroma with a lexical file each (two machines): the second sees the
    first one's writes and deletes at its next question; a deleted file is rebuilt."""
    settings = make_settings(tmp_path / "d")
    writer = open_store(settings, embeddings)
    reader = open_store(settings.model_copy(update={"lexical_db": tmp_path / "elsewhere.sqlite3"}), embeddings)
    retriever = HybridRetriever(reader, k=3)
    Ingester(writer).ingest_paths([ARTICLES_DIR])
    assert reader.lexical.n_docs() == 0
    q = "Krivoruchko salam Putin"
    hits = retriever.retrieve(q, embeddings.query_vector(q))
    assert reader.lexical.n_docs() == 5 and hits[0].chunk.doc_id == "004_b44b09399d88959f"
    assert reader.sync_lexical() == 0  # nothing new: nothing done

    writer.delete_article("004_b44b09399d88959f")
    hits = retriever.retrieve(q, embeddings.query_vector(q))
    assert reader.lexical.n_docs() == 4 and "004_b44b09399d88959f" not in {h.chunk.doc_id for h in hits}

    rebuilt = open_store(settings.model_copy(update={"lexical_db": tmp_path / "new.sqlite3"}), embeddings)
    assert rebuilt.sync_lexical() == 4 and rebuilt.lexical.chunk_count() == writer.count()


def test_an_index_from_before_the_change_log_is_taken_over(tmp_path, embeddings):
    settings = make_settings(tmp_path / "d")
    store = open_store(settings, embeddings)
    Ingester(store).ingest_paths([ARTICLES_DIR])
    store.client.delete_collection(store.changes.name)  # what an index written by rnkbot 0.1 lacks
    store.lexical.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{settings.lexical_db_path}{suffix}").unlink(missing_ok=True)
    again = open_store(settings, embeddings)
    report = Ingester(again).ingest_paths([ARTICLES_DIR])
    assert len(report.unchanged) == 5 and again.lexical.n_docs() == 5  # nothing embedded again
