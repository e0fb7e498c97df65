"""``kill -9`` during ingestion, then a restart: no half-written article is ever retrieved, and the
next run finishes the job. ``rnkbot ingest`` runs as a child process (tests/fakes/cli_child.py:
the real CLI, store and embedded Chroma, with the hashed-bag embedder so no model is loaded); it
is killed once at the worst moment (an article's sentences written, its chunks not yet) and once
at a random moment of a longer run."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest

from corpus import ARTICLES_DIR
from corpus.documents import load_file, to_markdown
from retrieval.index import health
from retrieval.index.opening import open_store
from retrieval.index.search import HybridRetriever
from retrieval.models.embeddings import VectorEmbeddings
from retrieval.settings import Settings
from tests.conftest import make_settings
from tests.fakes.embeddings import FakeEmbeddings
from tests.fakes.processes import kill9, run_cli, start_cli, wait_for_file


def make_corpus(folder: Path, n: int, start: int = 0) -> list[str]:
    """``n`` distinct articles made from the seed articles (new ids, a distinguishing sentence)."""
    folder.mkdir(parents=True, exist_ok=True)
    seeds = [load_file(p) for p in sorted(ARTICLES_DIR.glob("*.md"))]
    ids = []
    for i in range(start, start + n):
        seed = seeds[i % len(seeds)]
        article = seed.model_copy(update={"doc_id": f"copy_{i:03d}", "title": f"{seed.title} ({i})",
                                          "text": f"Laporan nomor {i} tentang kunjungan ke Pyongyang.\n\n{seed.text}"})
        (folder / f"copy_{i:03d}.md").write_text(to_markdown(article), encoding="utf-8")
        ids.append(article.doc_id)
    return ids


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Path, Settings, list[str]]]:
    ids = make_corpus(tmp_path / "articles", 24)
    settings = make_settings(tmp_path / "data", llm={"backend": "none"})
    yield tmp_path, settings, ids
    health.forget_client(settings.store.chroma_dir)


def check_store(settings: Settings, *, settled: bool = True) -> tuple[set[str], set[str]]:
    """Open the index as a restarted process would; every article retrieval can reach must be
    whole: all its chunk and sentence records of one version. ``settled`` (after a run that
    finished): its change-log record is written too. A kill between an article's records and its
    log record (the last step) leaves it whole but unlogged; the next run logs it.
    Returns (articles retrieval can reach, doc ids that only have sentences)."""
    store = open_store(settings, cast(VectorEmbeddings, FakeEmbeddings()))
    try:
        records = store.article_records()
        reachable = {str(r["doc_id"]) for r in records}
        expected = {str(r["doc_id"]): str(r["content_hash"]) for r in records}
        assert store.complete(expected, logged=settled) == reachable, "a half-written article"
        retriever = HybridRetriever(store, k=50)
        query = "kunjungan ke Pyongyang Kim Jong Un Rusia"
        found = {r.chunk.doc_id for r in retriever.retrieve(query, store.embeddings.query_vector(query), k=50)}
        assert found <= reachable
        orphans = {s.doc_id for s in store.sentences_of(sorted({f"copy_{i:03d}" for i in range(100)}))} - reachable
        return reachable, orphans
    finally:
        health.close_client(store.client)
        health.forget_client(settings.store.chroma_dir)


def env(settings: Settings, **hooks: object) -> dict[str, object]:
    return {"RNKBOT_DATA_DIR": settings.store.data_dir, "RNKBOT_LLM_BACKEND": "none", **hooks}


async def test_kill9_between_an_articles_sentences_and_its_chunks(world):
    """Files are written 32 at a time: killed between the second batch's sentences and its chunks,
    the first batch is whole and nothing reaches the second; the next run writes the second again."""
    tmp, settings, ids = world
    ids = ids + make_corpus(tmp / "articles", 40, start=len(ids))  # 64 articles: two batches of 32
    marker = tmp / "paused"
    proc = start_cli(tmp, "ingest", "--quiet", str(tmp / "articles"),
                     env=env(settings, TESTHOOK_PAUSE_BEFORE_CHUNKS=2, TESTHOOK_MARKER=marker))
    await wait_for_file(marker, proc=proc)
    kill9(proc)
    cut = set(marker.read_text(encoding="utf-8").splitlines())
    assert len(cut) == 32
    reachable, orphans = check_store(settings, settled=False)
    assert not cut & reachable and orphans == cut, "their sentences are in, but nothing reaches them"
    assert reachable == set(ids) - cut and len(reachable) == 32, "the batch before it is whole"
    again = run_cli(tmp, "ingest", "--quiet", str(tmp / "articles"), env=env(settings))
    assert again.returncode == 0, again.stderr.decode()
    assert again.stdout.decode().startswith("32 added, 0 updated, 32 unchanged"), again.stdout.decode()
    reachable, orphans = check_store(settings)
    assert reachable == set(ids) and orphans == set()


async def test_kill9_at_a_random_moment(world):
    tmp, settings, ids = world
    ids = ids + make_corpus(tmp / "articles", 120, start=len(ids))
    proc = start_cli(tmp, "ingest", "--quiet", str(tmp / "articles"), env=env(settings))
    await wait_for_file(settings.store.chroma_dir / "chroma.sqlite3", proc=proc)  # it has started writing
    # 144 articles: writing got faster (48 once took 7 s, later under 2 s), so the random moment stays mid-run
    time.sleep(random.Random().uniform(0.2, 1.2))
    kill9(proc)
    assert proc.returncode == -9, "killed mid-run"
    reachable, _ = check_store(settings, settled=False)  # wherever it was cut: consistent
    assert len(reachable) < len(ids)
    again = run_cli(tmp, "ingest", "--quiet", str(tmp / "articles"), env=env(settings))
    assert again.returncode == 0, again.stderr.decode()
    reachable, orphans = check_store(settings)
    assert reachable == set(ids) and orphans == set()


async def test_kill9_while_an_article_is_updated(world):
    tmp, settings, ids = world
    assert run_cli(tmp, "ingest", "--quiet", str(tmp / "articles"), env=env(settings)).returncode == 0
    changed = tmp / "articles" / "copy_005.md"
    changed.write_text(changed.read_text(encoding="utf-8").replace("Laporan nomor 5", "Laporan baru nomor 5"),
                       encoding="utf-8")
    marker = tmp / "paused"
    proc = start_cli(tmp, "ingest", "--quiet", str(tmp / "articles"),
                     env=env(settings, TESTHOOK_PAUSE_BEFORE_CHUNKS=1, TESTHOOK_MARKER=marker))
    await wait_for_file(marker, proc=proc)
    kill9(proc)
    reachable, orphans = check_store(settings, settled=False)
    assert "copy_005" not in reachable and orphans == {"copy_005"}, "neither the old version nor half the new one"
    again = run_cli(tmp, "ingest", "--quiet", str(tmp / "articles"), env=env(settings))
    assert again.stdout.decode().startswith("1 added, 0 updated, 23 unchanged"), again.stdout.decode()
    reachable, orphans = check_store(settings)
    assert reachable == set(ids) and orphans == set()
