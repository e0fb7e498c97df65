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


def test_two_files_of_one_name_do_not_replace_each_other(tmp_path: Path):
    """A .txt file's name is its doc_id: "a/same.txt" and "b/same.txt" in one run were "1 added, 1
    updated", the second replacing the first unseen. Now the second is skipped and says why; a file
    named twice is read once; and an article replaced by a file of its name says which file did."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "same.txt").write_text(
        "Kozlov di Pyongyang\n\nMenteri Sumber Daya Alam Rusia Alexander Kozlov tiba di Pyongyang pada hari Minggu "
        "untuk memimpin sidang komisi antarpemerintah. Ia disambut oleh pejabat senior Korea Utara di bandara.\n")
    (tmp_path / "b" / "same.txt").write_text(
        "Jembatan Tumen\n\nRusia dan Korea Utara resmi memulai pembangunan jembatan jalan di atas Sungai Tumen pada "
        "30 April 2025. Jembatan sepanjang 850 meter itu dijadwalkan selesai pada musim panas 2026.\n")
    service = AnswerService(make_settings(tmp_path / "data"), cast(ChunkStore, InMemoryStore(FakeEmbeddings())), None,
                            lexical_model())
    report = service.sources().run([tmp_path / "a", tmp_path / "b"])
    assert report.added == ["same"] and report.updated == []
    assert report.skipped == [(str(tmp_path / "b" / "same.txt"),
                               f"its doc_id same is also {tmp_path / 'a' / 'same.txt'}'s (a file's name is its doc_id): "
                               "rename one of them")]
    record = service.store.article_record("same")
    assert record is not None and record["title"] == "Kozlov di Pyongyang"
    twice = service.sources().run([tmp_path / "a", tmp_path / "a" / "same.txt"])
    assert (twice.unchanged, twice.skipped) == (["same"], [])
    replaced = service.sources().run([tmp_path / "b"])
    assert replaced.updated == ["same"]
    assert f"  updated same from {tmp_path / 'b' / 'same.txt'}" in replaced.summary().splitlines()


def test_an_article_written_in_the_second_a_digest_closed_belongs_to_the_next_one(tmp_path: Path):
    """The index recorded whole seconds: an article ingested at 100.7 s read as 100 s, inside a
    digest window that closed at 100.5 s (before it was written), and no later window held it. The
    exact time is kept beside the whole seconds Chroma's metadata filter compares."""
    from datetime import UTC, datetime

    from retrieval.digest.builder import new_articles
    from retrieval.index.ingest import Ingester

    store = InMemoryStore(FakeEmbeddings())
    Ingester(cast(ChunkStore, store), clock=lambda: 100.7).ingest_paths(sorted(ARTICLES_DIR.glob("*.md"))[:1])
    at = datetime.fromtimestamp

    def seen(since: float, until: float) -> list[str]:
        return [a.meta.doc_id for a in new_articles(cast(ChunkStore, store), at(since, UTC), at(until, UTC))]

    assert seen(50, 100.5) == [], "the window closed before the article was written"
    assert len(seen(100.5, 200)) == 1, "the next window holds it"
    assert store.article_records()[0]["ingested_ts"] == 100, "whole seconds for the metadata filter"
