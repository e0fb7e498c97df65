"""One contract, every backend: embedded Chroma, a Chroma server (`chroma run`), and the in-memory
fake the unit tier runs on (so that its answers can be trusted). The real e5 embedder throughout."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from corpus import ARTICLES_DIR
from corpus.documents import load_file
from retrieval.index.ingest import Ingester
from retrieval.index.search import HybridRetriever
from retrieval.index.store import open_store
from retrieval.models.embeddings import build_embeddings
from tests.conftest import make_settings
from tests.fakes.store import InMemoryStore


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def embeddings(tmp_path_factory):
    return build_embeddings(make_settings(tmp_path_factory.mktemp("emb")))


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    if not Path(exe).exists():
        pytest.fail("the `chroma` command (from the chromadb package) is missing: reinstall with `make install`")
    port = _free_port()
    proc = subprocess.Popen(
        [exe, "run", "--path", str(tmp_path_factory.mktemp("chroma-server")), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("chroma server did not start within 60 s")
    yield port
    proc.terminate()
    proc.wait(timeout=20)


class StoreContract:
    """What the answering core needs from any store."""

    @pytest.fixture
    def store(self, tmp_path, embeddings):
        raise NotImplementedError

    def test_ingest_search_and_sentences(self, store):
        report = Ingester(store).ingest_paths([ARTICLES_DIR])
        assert len(report.added) == 5 and store.count() > 5
        assert {m.doc_id for m in store.articles()} == {p.stem for p in ARTICLES_DIR.glob("*.md")}
        q = store.embeddings.query_vector("Krivoruchko menyampaikan salam dari Putin")
        hits = HybridRetriever(store, k=5).retrieve("Krivoruchko salam Putin", q)
        assert hits[0].chunk.doc_id == "004_b44b09399d88959f"
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        sents = store.sentences_of(["004_b44b09399d88959f"])
        assert any("Kamis" in s.text for s in sents) and all(s.vector.shape == (384,) for s in sents)
        assert abs(float(np.linalg.norm(sents[0].vector)) - 1.0) < 1e-3

    def test_reingest_is_a_no_op_and_delete_removes_everything(self, store):
        ing = Ingester(store)
        article = load_file(ARTICLES_DIR / "002_620ccf5526c3d172.md")
        first = ing.ingest_articles([article])
        assert first.added == ["002_620ccf5526c3d172"]
        n = store.count()
        assert ing.ingest_articles([article]).unchanged == ["002_620ccf5526c3d172"] and store.count() == n
        store.delete_article(article.doc_id)
        assert store.count() == 0 and store.sentences_of([article.doc_id]) == []

    def test_an_update_replaces_stale_records_and_a_copy_is_found(self, store):
        ing = Ingester(store)
        article = load_file(ARTICLES_DIR / "000_9a6ab7c0c6407063.md")
        doc = article.doc_id
        assert ing.ingest_articles([article]).added == [doc]
        before = store.chunk_ids(doc)
        assert store.is_complete(doc, store.doc_hash(doc) or "") and store.sentence_count() > len(before)
        new_text = article.text.split("\n\n")[0] + "\n\nKalimat baru tentang Kozlov di Pyongyang."
        shorter = article.model_copy(update={"text": new_text})
        assert ing.ingest_articles([shorter]).updated == [doc]
        assert len(store.chunk_ids(doc)) < len(before) and "Kalimat baru" in store.chunk_texts(doc)[-1]
        assert not any("10.000 pasukan" in s.text for s in store.sentences_of([doc])), "stale sentences are gone"
        record = store.article_record(doc)
        assert record is not None and record["content_hash"] == store.doc_hash(doc) and record["n_chunks"] == 1
        copy = shorter.model_copy(update={"doc_id": "copy_of_000"})
        assert ing.ingest_articles([copy]).duplicates == [("copy_of_000", f"same text as {doc}")]
        assert store.chunk_ids("copy_of_000") == [] and store.chunk_ids() == store.chunk_ids(doc)

    def test_metadata_survives_without_nulls(self, store):
        Ingester(store).ingest_articles([load_file(ARTICLES_DIR / "002_620ccf5526c3d172.md")])
        (meta,) = store.articles()
        assert meta.outlet is None and meta.url is None and meta.title.startswith("Makin Erat")


class TestEmbeddedChroma(StoreContract):
    @pytest.fixture
    def store(self, tmp_path, embeddings):
        return open_store(make_settings(tmp_path / "data"), embeddings)


@pytest.mark.chroma_server
class TestChromaServer(StoreContract):
    @pytest.fixture
    def store(self, tmp_path, embeddings, chroma_server):
        name = f"t{time.monotonic_ns()}"  # a fresh collection per test on the shared server
        return open_store(make_settings(tmp_path / "data", store={"chroma_host": "127.0.0.1", "chroma_port": chroma_server,
                                                                  "collection": name}), embeddings)


class TestInMemoryFake(StoreContract):
    @pytest.fixture
    def store(self, tmp_path, embeddings):
        return InMemoryStore(embeddings)
