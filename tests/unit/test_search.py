"""HybridRetriever's picking: at most ``per_doc`` chunks of an article while other articles' chunks
remain, read from the store a few at a time, returned best first."""

from collections.abc import Sequence

import numpy as np

from retrieval.index.search import HybridRetriever
from retrieval.types import ArticleMeta, Chunk


class _Lexical:
    def __init__(self) -> None:
        self.snapshot_checks = 0

    def search(self, terms: list[str], k: int, *, concepts: object = ()) -> list[tuple[str, float]]:
        return []

    def refresh_snapshot(self, wait: bool = False) -> bool:
        assert not wait  # a question never waits for a build
        self.snapshot_checks += 1
        return False


class _Store:
    """Dense results in a fixed order; remembers which chunk ids were read."""

    def __init__(self, ranked: list[str], deleted: frozenset[str] = frozenset()) -> None:
        self.ranked, self.deleted = ranked, deleted
        self.lexical = _Lexical()
        self.read: list[str] = []

    def sync_lexical(self) -> None:
        pass

    def dense(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        return [(cid, 1.0 - i / 100) for i, cid in enumerate(self.ranked[:k])]

    def chunks_by_id(self, chunk_ids: Sequence[str]) -> dict[str, tuple[Chunk, ArticleMeta]]:
        self.read += chunk_ids
        out = {}
        for cid in chunk_ids:
            if cid not in self.deleted:
                doc = cid.split(":")[0]
                out[cid] = (Chunk(chunk_id=cid, doc_id=doc, index=0, text=cid, start_char=0, end_char=1),
                            ArticleMeta(doc_id=doc, title=doc))
        return out


def _ids(store: _Store, k: int) -> list[str]:
    retriever = HybridRetriever(store, k=k, per_doc=1)  # type: ignore[arg-type]
    return [r.chunk.chunk_id for r in retriever.retrieve("q", np.zeros(3, dtype=np.float32))]


def test_other_articles_come_first_even_when_they_rank_after_a_batch_of_one_article():
    ranked = [f"a:{i}" for i in range(10)] + ["b:0", "c:0", "d:0"]
    store = _Store(ranked)
    assert _ids(store, k=3) == ["a:0", "b:0", "c:0"]
    assert "d:0" not in store.read  # nothing after the k-th pick is read


def test_too_few_articles_fill_up_with_the_deferred_chunks_and_deleted_ones_are_skipped():
    """The k picked are returned best first (the answer contract's order), whatever order picked them."""
    store = _Store([f"a:{i}" for i in range(9)] + ["b:0"], deleted=frozenset({"a:1"}))
    assert _ids(store, k=4) == ["a:0", "a:2", "a:3", "b:0"]


def test_questions_check_for_a_stale_snapshot_now_and_then_not_every_time(monkeypatch):
    import retrieval.index.search as search

    clock = [100.0]
    monkeypatch.setattr(search.time, "monotonic", lambda: clock[0])
    store = _Store(["a:0"])
    retriever = HybridRetriever(store, k=1)  # type: ignore[arg-type]
    for _ in range(3):
        retriever.retrieve("q", np.zeros(3, dtype=np.float32))
    assert store.lexical.snapshot_checks == 1
    clock[0] += search.SNAPSHOT_CHECK_S
    retriever.retrieve("q", np.zeros(3, dtype=np.float32))
    assert store.lexical.snapshot_checks == 2
    retriever.refresh(force=True)
    assert store.lexical.snapshot_checks == 3
