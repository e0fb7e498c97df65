"""Files given to ``rnkbot ingest PATH`` are written a batch at a time (one embedder call and one
index write per batch, not per file), and a file that can't be read is reported without costing the
others their place."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import cast

from corpus import ARTICLES_DIR
from retrieval.index.store import ChunkStore
from retrieval.service import AnswerService
from tests.conftest import make_settings
from tests.fakes.embeddings import FakeEmbeddings
from tests.fakes.store import InMemoryStore
from tests.unit.conftest import lexical_model


def test_files_are_written_in_batches_and_a_bad_file_is_only_reported(tmp_path: Path, monkeypatch):
    folder = tmp_path / "articles"
    shutil.copytree(ARTICLES_DIR, folder)
    (folder / "zz_broken.md").write_text("---\ntitle: [unclosed\n---\nbody", encoding="utf-8")
    store = InMemoryStore(FakeEmbeddings())
    calls: list[list[str]] = []
    real = store.write_chunks

    def write_chunks(writes):
        calls.append([w.meta.doc_id for w in writes])
        return real(writes)

    monkeypatch.setattr(store, "write_chunks", write_chunks)
    service = AnswerService(make_settings(tmp_path / "data"), cast(ChunkStore, store), None, lexical_model())
    sources = service.sources()
    sources.ingester.batch_size = 2
    report = sources.run([folder])
    assert len(report.added) == 5 and [p for p, _ in report.skipped] == [str(folder / "zz_broken.md")]
    assert [len(c) for c in calls] == [2, 2, 1]  # five files, two at a time
    assert sorted(d for c in calls for d in c) == sorted(p.stem for p in ARTICLES_DIR.glob("*.md"))
