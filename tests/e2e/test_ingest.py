"""Ingestion into the real Chroma with the real embedder: deterministic, idempotent, replacing."""

from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings

from corpus import ARTICLES_DIR
from corpus.documents import load_file, to_markdown
from retrieval.index.ingest import Ingester
from retrieval.index.opening import open_store
from retrieval.index.store import StoreError, VectorsRequired
from retrieval.models.embeddings import build_embeddings
from tests.conftest import make_settings


@pytest.fixture(scope="module")
def embeddings(tmp_path_factory):
    return build_embeddings(make_settings(tmp_path_factory.mktemp("emb")))


def test_second_run_changes_nothing_and_an_edit_replaces_old_chunks(tmp_path: Path, embeddings):
    store = open_store(make_settings(tmp_path / "d"), embeddings)
    ing = Ingester(store)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for p in sorted(ARTICLES_DIR.glob("*.md"))[:2]:
        (corpus / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    first = ing.ingest_paths([corpus])
    assert len(first.added) == 2
    ids_before = store.chunk_ids()
    second = ing.ingest_paths([corpus])
    assert (second.added, second.updated, len(second.unchanged)) == ([], [], 2)
    assert store.chunk_ids() == ids_before

    path = corpus / "000_9a6ab7c0c6407063.md"
    article = load_file(path)
    shorter = article.model_copy(update={"text": article.text.split("\n\n")[0] + "\n\nKalimat baru tentang Kozlov di Pyongyang."})
    path.write_text(to_markdown(shorter), encoding="utf-8")
    third = ing.ingest_paths([corpus])
    assert third.updated == ["000_9a6ab7c0c6407063"]
    texts = store.chunk_texts("000_9a6ab7c0c6407063")
    assert len(texts) == 1 and "Kalimat baru" in texts[0]
    sents = [s.text for s in store.sentences_of(["000_9a6ab7c0c6407063"])]
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
    settings = make_settings(tmp_path / "d")
    open_store(settings, embeddings)
    with pytest.raises(StoreError):
        VectorsRequired()(["text"])
    # Anyone opening the collections (another client, a later run) gets the guard, not Chroma's default.
    client = chromadb.PersistentClient(path=str(settings.store.chroma_dir), settings=ChromaSettings(anonymized_telemetry=False))
    for name in (settings.store.collection, f"{settings.store.collection}_sentences", f"{settings.store.collection}_log"):
        with pytest.raises(Exception, match="must not run"):
            client.get_collection(name).query(query_texts=["Kim Jong Un"], n_results=1)

