"""Ingestion into the real Chroma with the real embedder: deterministic, idempotent, replacing."""

import json
from pathlib import Path

import numpy as np
import pytest

from corpus import ARTICLES_DIR
from corpus.documents import load_file, to_markdown
from retrieval.models.embeddings import build_embeddings
from retrieval.index.ingest import Ingester, chunk_article
from retrieval.index.store import StoreError, VectorsRequired, open_store

from .conftest import make_settings


@pytest.fixture(scope="module")
def embeddings(tmp_path_factory):
    return build_embeddings(make_settings(tmp_path_factory.mktemp("emb")))


def test_chunks_are_whole_sentences_with_positions():
    article = load_file(ARTICLES_DIR / "001_dcd6b936241eaf9f.md")
    chunks, sentences = chunk_article(article)
    assert [c.chunk_id for c in chunks] == [f"001_dcd6b936241eaf9f:c{i:03d}" for i in range(len(chunks))]
    for c in chunks:
        assert article.text[c.start_char : c.end_char].split()[0] == c.text.split()[0]
        assert c.text.rstrip().endswith((".", '"', "”", "?", "!"))
        assert len(c.sentences) <= 4
    assert len({s for s, _, _ in sentences}) == len(sentences)
    assert chunks[1].sentences[0] == chunks[0].sentences[-1]  # one sentence of overlap


def test_second_run_changes_nothing_and_an_edit_replaces_old_chunks(tmp_path: Path, embeddings):
    store = open_store(make_settings(tmp_path / "d"), embeddings)
    ing = Ingester(store)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for p in sorted(ARTICLES_DIR.glob("*.md"))[:2]:
        (corpus / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    first = ing.ingest_paths([corpus])
    assert len(first.added) == 2
    ids_before = sorted(store.chunks.get(include=[])["ids"])
    second = ing.ingest_paths([corpus])
    assert (second.added, second.updated, len(second.unchanged)) == ([], [], 2)
    assert sorted(store.chunks.get(include=[])["ids"]) == ids_before

    path = corpus / "000_9a6ab7c0c6407063.md"
    article = load_file(path)
    shorter = article.model_copy(update={"text": article.text.split("\n\n")[0] + "\n\nKalimat baru tentang Kozlov di Pyongyang."})
    path.write_text(to_markdown(shorter), encoding="utf-8")
    third = ing.ingest_paths([corpus])
    assert third.updated == ["000_9a6ab7c0c6407063"]
    texts = store.chunks.get(where={"doc_id": "000_9a6ab7c0c6407063"}, include=["documents"])["documents"]
    assert len(texts) == 1 and "Kalimat baru" in texts[0]
    sents = store.sentences.get(where={"doc_id": "000_9a6ab7c0c6407063"}, include=["documents"])["documents"]
    assert not any("10.000 pasukan" in s for s in sents)  # stale sentences are gone too


def test_bad_files_are_reported_and_the_rest_goes_on(tmp_path: Path, embeddings):
    store = open_store(make_settings(tmp_path / "d"), embeddings)
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "good.md").write_text((ARTICLES_DIR / "004_b44b09399d88959f.md").read_text(encoding="utf-8"), encoding="utf-8")
    (corpus / "broken.md").write_text("---\ntitle: x\n", encoding="utf-8")
    (corpus / "junk.txt").write_text("Close Ads x\nBaca Juga: apa\n", encoding="utf-8")
    report = Ingester(store).ingest_paths([corpus, tmp_path / "missing"])
    assert report.added == ["004_b44b09399d88959f"]
    reasons = " | ".join(why for _, why in report.skipped)
    assert "no such file" in reasons and "front matter" in reasons and "no article text" in reasons


def test_chroma_never_embeds_on_its_own(tmp_path: Path, embeddings):
    store = open_store(make_settings(tmp_path / "d"), embeddings)
    assert isinstance(store.chunks._embedding_function, VectorsRequired)  # noqa: SLF001
    with pytest.raises(StoreError):
        VectorsRequired()(["text"])
    with pytest.raises(Exception, match="must not run"):
        store.chunks.query(query_texts=["Kim Jong Un"], n_results=1)


def test_each_text_is_embedded_once_and_chunk_vectors_are_pooled(tmp_path: Path, embeddings, monkeypatch):
    store = open_store(make_settings(tmp_path / "d"), embeddings)
    seen: list[str] = []
    real = embeddings.embed_passages
    monkeypatch.setattr(embeddings, "embed_passages", lambda texts: seen.extend(texts) or real(texts))
    article = load_file(ARTICLES_DIR / "004_b44b09399d88959f.md")
    Ingester(store).ingest_articles([article])
    sents = store.sentences_of([article.doc_id])
    assert sorted(seen) == sorted(s.text for s in sents) and len(set(seen)) == len(seen)  # once each, nothing else

    chunks = store.chunks.get(where={"doc_id": article.doc_id}, include=["embeddings", "metadatas"])
    by_text = {s.text: s.vector for s in sents}
    first = json.loads(chunks["metadatas"][0]["sentences_json"])
    mean = np.mean([by_text[t] for t in first], axis=0)
    assert np.allclose(chunks["embeddings"][0], mean / np.linalg.norm(mean), atol=1e-5)

    # a chunk ranks by its best sentence: a sentence's own vector finds its chunk first
    overlap = first[-1]  # the last sentence of chunk 0 opens chunk 1 too
    hits = dict(store.dense(by_text[overlap], 4))
    assert hits[f"{article.doc_id}:c000"] == pytest.approx(1.0, abs=1e-3) == hits[f"{article.doc_id}:c001"]
