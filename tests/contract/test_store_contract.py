"""One contract, every backend: embedded Chroma, a Chroma server (`chroma run`), and the in-memory
fake the unit tier runs on (so that its answers can be trusted). The real e5 embedder throughout.
The store keeps the lexical index (SQLite FTS5) and the corpus statistics in step with every write."""

from __future__ import annotations

import time

import numpy as np
import pytest

from corpus import ARTICLES_DIR
from corpus.documents import load_file
from retrieval.index.ingest import Ingester, plan_article
from retrieval.index.opening import open_store
from retrieval.index.search import HybridRetriever
from tests.conftest import make_settings
from tests.fakes.store import InMemoryStore

SEEDS = sorted(ARTICLES_DIR.glob("*.md"))


def _cut_after_the_sentences(ing: Ingester, store, article, monkeypatch) -> None:
    """Ingest ``article`` with the write killed after its sentences, before its chunks."""

    def cut(writes):
        raise OSError("killed after the sentences")

    monkeypatch.setattr(store, "write_chunks", cut)
    with pytest.raises(OSError):
        ing.ingest_articles([article])
    monkeypatch.undo()


def _filtered_reads(monkeypatch, *collections) -> list[object]:
    """The ``where`` of every read of these collections by metadata filter, from now on."""
    filtered: list[object] = []
    for collection in collections:
        real_get = collection.get

        def get(*args, _real=real_get, **kwargs):
            if kwargs.get("where") is not None:
                filtered.append(kwargs["where"])
            return _real(*args, **kwargs)

        monkeypatch.setattr(collection, "get", get)
    return filtered


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

    def test_an_update_cut_short_is_never_half_old_half_new(self, store, monkeypatch):
        ing = Ingester(store)
        article = load_file(ARTICLES_DIR / "000_9a6ab7c0c6407063.md")
        doc = article.doc_id
        assert ing.ingest_articles([article]).added == [doc]
        old_hash = store.doc_hash(doc)
        changed = article.model_copy(update={"text": article.text + "\n\nKalimat baru tentang Kozlov di Pyongyang."})

        _cut_after_the_sentences(ing, store, changed, monkeypatch)
        assert store.chunk_ids(doc) == [], "the old version left retrieval before its sentences were overwritten"
        query = "Kozlov Pyongyang kunjungan delegasi"
        hits = HybridRetriever(store, k=10).retrieve(query, store.embeddings.query_vector(query))
        assert doc not in {h.chunk.doc_id for h in hits}, "nothing of it is reachable, old or new"
        assert not store.is_complete(doc, old_hash or "")
        assert ing.ingest_articles([changed]).added == [doc], "the next run writes it whole"
        assert store.is_complete(doc, store.doc_hash(doc) or "") and "Kalimat baru" in store.chunk_texts(doc)[-1]

    def test_a_shorter_version_after_a_longer_one_cut_short_leaves_no_stale_record(self, store, monkeypatch):
        """A write cut after its sentences leaves them in the store with no chunk pointing at them;
        the next, shorter version must drop every one past its own (many more than one read's
        window: stale records are found by id, from the end of the new version on)."""
        ing = Ingester(store)
        article = load_file(ARTICLES_DIR / "000_9a6ab7c0c6407063.md")
        doc = article.doc_id
        ing.ingest_articles([article])
        extra = "\n\n".join(f"Kalimat tambahan nomor {i} tentang pertemuan di Vladivostok." for i in range(40))
        longer = article.model_copy(update={"text": f"{article.text}\n\n{extra}"})

        _cut_after_the_sentences(ing, store, longer, monkeypatch)
        assert len(store.sentences_of([doc])) > len(plan_article(article).sentences) + 40
        shorter = article.model_copy(update={"text": article.text.split("\n\n")[0]})
        assert ing.ingest_articles([shorter]).added == [doc]
        plan = plan_article(shorter)
        sentences = [s for s in store.sentences_of([doc]) if s.index >= 0]
        assert [s.text for s in sentences] == [t for t, _, _ in plan.sentences]
        assert store.chunk_ids(doc) == [c.chunk_id for c in plan.chunks]
        assert store.is_complete(doc, store.doc_hash(doc) or "")

    def test_ingest_keeps_the_lexical_index_and_the_statistics_current(self, store):
        Ingester(store).ingest_paths([ARTICLES_DIR])
        stats = HybridRetriever(store).stats
        assert stats.n_docs() == 5 and store.lexical.chunk_count() == store.count()
        g = stats.generation
        store.delete_article(SEEDS[0].stem)
        assert stats.n_docs() == 4 and stats.generation == g + 1 and store.lexical.chunk_count() == store.count()
        assert store.sync_lexical() == 0  # this process wrote it all: nothing to catch up on
        hits = store.lexical.search(["krivoruchko"], 3)
        assert hits and all(cid.startswith("004_b44b09399d88959f") for cid, _ in hits)

    def test_each_text_is_embedded_once_and_a_chunk_ranks_by_its_best_sentence(self, store, monkeypatch):
        seen: list[str] = []
        real = store.embeddings.embed_passages

        def counted(texts: list[str]) -> np.ndarray:
            seen.extend(texts)
            return real(texts)

        monkeypatch.setattr(store.embeddings, "embed_passages", counted)
        article = load_file(ARTICLES_DIR / "004_b44b09399d88959f.md")
        Ingester(store).ingest_articles([article])
        sents = store.sentences_of([article.doc_id])
        assert sorted(seen) == sorted(s.text for s in sents) and len(set(seen)) == len(seen)  # once each, nothing else

        by_text = {s.text: s.vector for s in sents}
        plan = plan_article(article)

        # a sentence's own vector finds its chunk first: both chunks, where two chunks share it
        overlap = next(text for (text, _, _), owners in zip(plan.sentences, plan.members, strict=True)
                       if owners == [f"{article.doc_id}:c000", f"{article.doc_id}:c001"])  # ends chunk 0, opens chunk 1
        hits = dict(store.dense(by_text[overlap], 4))
        assert hits[f"{article.doc_id}:c000"] == pytest.approx(1.0, abs=1e-3) == hits[f"{article.doc_id}:c001"]

    def test_dense_answers_what_there_is_without_counting_first(self, store):
        v = store.embeddings.query_vector("Krivoruchko menyampaikan salam dari Putin")
        assert store.dense(v, 8) == []  # nothing indexed yet
        article = load_file(ARTICLES_DIR / "004_b44b09399d88959f.md")
        Ingester(store).ingest_articles([article])
        hits = store.dense(v, 1000)  # far more than there are
        assert {cid for cid, _ in hits} == set(store.chunk_ids(article.doc_id))
        assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)

    def test_every_chunk_reads_back_with_its_articles_metadata(self, store):
        """Only an article's first chunk record carries its metadata; a hit on a later chunk still
        gets the title, outlet and date to cite, and the lexical index (rebuilt from Chroma's
        records, as another process does) the title it indexes every chunk with."""
        Ingester(store).ingest_paths([ARTICLES_DIR])
        article = load_file(ARTICLES_DIR / "004_b44b09399d88959f.md")
        ids = store.chunk_ids(article.doc_id)
        got = store.chunks_by_id(ids[::-1])
        assert len(ids) > 2 and set(got) == set(ids)
        want = (article.title, article.outlet, article.published)
        assert all((m.title, m.outlet, m.published) == want and c.doc_id == article.doc_id for c, m in got.values())
        assert [got[i][0].index for i in ids] == list(range(len(ids)))
        assert store.chunk_texts(article.doc_id) == [c.text for c in plan_article(article).chunks]  # from its sentences
        store.lexical.delete_article(article.doc_id)
        assert store.ensure_lexical(article.doc_id, store.doc_hash(article.doc_id) or "")
        assert "Pejabat" in article.title  # a word of its title, not of every chunk's text
        assert set(ids) <= {cid for cid, _ in store.lexical.search(["pejabat"], 50)}

    def test_metadata_survives_without_nulls(self, store):
        Ingester(store).ingest_articles([load_file(ARTICLES_DIR / "002_620ccf5526c3d172.md")])
        (meta,) = store.articles()
        assert meta.outlet is None and meta.url is None and meta.title.startswith("Makin Erat")


class TestEmbeddedChroma(StoreContract):
    @pytest.fixture
    def store(self, tmp_path, embeddings):
        return open_store(make_settings(tmp_path / "data"), embeddings)

    @staticmethod
    def _chunk_dims(store) -> set[int]:
        got = store._chunks.get(include=["embeddings"])
        return {len(v) for v in got["embeddings"]}

    def test_chunk_records_carry_a_two_float_placeholder_not_a_vector(self, store):
        """Nothing searches chunks by vector; their vectors would be loaded into every process."""
        Ingester(store).ingest_articles([load_file(SEEDS[0])])
        assert self._chunk_dims(store) == {2}
        assert self._chunk_dims(store) == {len(v) for v in store._changes.get(include=["embeddings"])["embeddings"]}

    def test_only_the_first_chunk_record_carries_the_articles_metadata(self, store):
        """Chroma indexes every metadata value and document: an article's metadata rides on its
        first chunk record only, later ones hold their place, the article's id and the write's
        hash; no chunk record holds the article's body or its own text (its sentences' records do)."""
        article = load_file(SEEDS[0])
        Ingester(store).ingest_articles([article])
        got = store._chunks.get(include=["metadatas", "documents"])
        metas = got["metadatas"]
        assert all(d is None for d in got["documents"]), "a chunk's text is stored in its sentences' records only"
        docs = store.chunk_texts(article.doc_id)
        assert len(docs) == len(metas)
        first = [m for m in metas if m["index"] == 0]
        assert len(metas) > 1 and len(first) == 1 and first[0]["title"] == article.title and first[0]["n_chunks"] == len(metas)
        later = [m for m in metas if m["index"] > 0]
        assert all(set(m) == {"doc_id", "content_hash", "index", "start_char", "end_char"} for m in later)
        assert all("text" not in m and "sentences_json" not in m for m in metas)
        longest = max(len(str(v)) for m in metas for v in m.values())
        assert longest < len(article.text) / 2, "an article's body is in its chunk records' metadata"
        assert "".join(docs).count(article.text.split("\n\n")[1][:60]) >= 1  # the body is in the documents

    def test_retrieval_and_the_change_check_read_chunk_records_by_id(self, store, monkeypatch):
        """A read by metadata filter grows with the collection (about 90 ms at 100k chunks for a
        question's articles, 2 ms by id): a question's chunks and their articles' first chunks,
        and ingestion's look-up of stored versions, are read by id."""
        Ingester(store).ingest_paths([ARTICLES_DIR])
        filtered = _filtered_reads(monkeypatch, store._chunks)
        query = "Krivoruchko menyampaikan salam dari Putin"
        hits = HybridRetriever(store, k=8).retrieve(query, store.embeddings.query_vector(query))
        assert any(h.chunk.index > 0 for h in hits) and all(h.meta.title for h in hits)
        assert store.doc_hashes([p.stem for p in SEEDS]).keys() == {p.stem for p in SEEDS}
        assert store.article_record(SEEDS[0].stem) is not None
        assert filtered == []

    def test_sentence_records_hold_their_text_as_metadata_not_as_documents(self, store):
        """Chroma builds a full-text index of every document, which nothing here searches."""
        article = load_file(SEEDS[0])
        Ingester(store).ingest_articles([article])
        got = store._sentences.get(include=["documents", "metadatas"])
        assert got["ids"] and all(d is None for d in got["documents"])
        texts = [m["text"] for m in got["metadatas"] if m["index"] >= 0]
        assert sorted(texts) == sorted(t for t, _, _ in plan_article(article).sentences)
        assert {s.text for s in store.sentences_of([article.doc_id])} == {m["text"] for m in got["metadatas"]}

    def test_writes_find_an_articles_old_records_by_id(self, store, monkeypatch):
        """Adding, updating and re-reading unchanged articles reads their stored records by id: a
        read by a ``doc_id`` filter costs more the larger the index (27 ms for 32 articles'
        sentences at 100k chunks)."""
        ing = Ingester(store)
        filtered = _filtered_reads(monkeypatch, store._chunks, store._sentences)
        articles = [load_file(p) for p in SEEDS]
        assert len(ing.ingest_articles(articles).added) == len(SEEDS)
        changed = [a.model_copy(update={"text": a.text.split("\n\n")[0] + "\n\nKalimat baru."}) for a in articles]
        assert len(ing.ingest_articles(changed).updated) == len(SEEDS)
        assert len(ing.ingest_articles(changed).unchanged) == len(SEEDS)
        assert [w for w in filtered if "doc_id" in str(w)] == []
        assert all(store.is_complete(a.doc_id, store.doc_hash(a.doc_id) or "") for a in changed)

    def test_an_index_with_article_metadata_on_every_chunk_still_reads(self, store, monkeypatch):
        """An index written before 2026-11-24 carries the article's metadata (and the chunk's
        sentences) on every chunk record, and its sentences' texts as documents: it reads the
        same, and an update writes the new shape."""
        import retrieval.index.store as store_module

        def every_chunk(base, chunk):
            return dict(base) | {"index": chunk.index, "start_char": chunk.start_char, "end_char": chunk.end_char,
                                 "sentences_json": "[]"}

        article = load_file(ARTICLES_DIR / "004_b44b09399d88959f.md")
        monkeypatch.setattr(store_module, "chunk_metadata", every_chunk)
        Ingester(store).ingest_articles([article])
        monkeypatch.undo()
        doc = article.doc_id
        texts = store.chunk_texts(doc)
        old = store._chunks.get(where={"doc_id": doc}, include=["embeddings", "metadatas"])  # and each chunk's text
        by_index = sorted(zip(old["ids"], old["embeddings"], old["metadatas"], strict=True), key=lambda r: r[2]["index"])
        store._chunks.upsert(ids=[i for i, _, _ in by_index], embeddings=[e for _, e, _ in by_index],
                             metadatas=[m for _, _, m in by_index], documents=texts)
        sents = store._sentences.get(include=["embeddings", "metadatas"])  # their text as documents
        store._sentences.delete(ids=sents["ids"])
        store._sentences.add(ids=sents["ids"], embeddings=sents["embeddings"],
                             metadatas=[{k: v for k, v in m.items() if k != "text"} for m in sents["metadatas"]],
                             documents=[m["text"] for m in sents["metadatas"]])
        assert not any("text" in m for m in store._sentences.get(include=["metadatas"])["metadatas"])
        sentence_texts = sorted(s.text for s in store.sentences_of([doc]))
        assert sentence_texts == sorted(m["text"] for m in sents["metadatas"])
        assert all("title" in m for m in store._chunks.get(include=["metadatas"])["metadatas"])
        assert store.is_complete(doc, store.doc_hash(doc) or "")
        assert {m.title for _, m in store.chunks_by_id(store.chunk_ids(doc)).values()} == {article.title}
        assert store.chunk_texts(doc) == texts
        store.lexical.delete_article(doc)
        assert store.ensure_lexical(doc, store.doc_hash(doc) or "") and store.lexical.chunk_count() == len(texts)
        assert Ingester(store).ingest_articles([article]).unchanged == [doc]
        changed = article.model_copy(update={"text": article.text + "\n\nKalimat baru tentang Kozlov di Pyongyang."})
        assert Ingester(store).ingest_articles([changed]).updated == [doc]
        got = store._chunks.get(include=["metadatas", "documents"])
        assert sum("title" in m for m in got["metadatas"]) == 1 and all(d is None for d in got["documents"])
        assert "Kalimat baru" in store.chunk_texts(doc)[-1]
        got = store._sentences.get(include=["metadatas", "documents"])
        assert all("text" in m for m in got["metadatas"]) and all(d is None for d in got["documents"])

    def test_an_index_written_with_pooled_chunk_vectors_keeps_them(self, tmp_path, embeddings):
        """Chroma fixes a collection's dimension: an older index goes on with 384-d chunk vectors."""
        settings = make_settings(tmp_path / "data")
        old = open_store(settings, embeddings)
        old._chunks.add(ids=["legacy:c000"], embeddings=np.ones((1, 384), dtype=np.float32) / np.sqrt(384),
                        documents=["legacy"], metadatas=[{"doc_id": "legacy", "index": 0}])
        store = open_store(settings, embeddings)  # a later process opening that index
        report = Ingester(store).ingest_articles([load_file(SEEDS[0])])
        assert report.added == [SEEDS[0].stem] and self._chunk_dims(store) == {384}


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
