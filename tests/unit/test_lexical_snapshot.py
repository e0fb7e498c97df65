"""The BM25 snapshot of a large lexical index (retrieval.index.snapshot): it ranks as FTS5 does,
never returns what was deleted or replaced after it, sees what was written after it, is
ignored when it belongs to another file, and is rebuilt when enough changed."""

from __future__ import annotations

import fcntl
import shutil
from pathlib import Path

import pytest

from corpus import ARTICLES_DIR
from corpus.documents import load_file
from retrieval.index import snapshot as snapshot_mod
from retrieval.index.lexical import LexicalChunk, LexicalIndex
from retrieval.index.snapshot import snapshot_dir
from retrieval.text.lexicon import expand_terms

QUESTIONS = ["Kapan Kozlov bertemu Kim Jong Un di Pyongyang?", "Berapa tentara Korea Utara yang dikirim ke Rusia?",
             "Who is Alexander Kozlov?", "What did Russia and North Korea sign in June 2024?",
             "Apa isi perjanjian kemitraan strategis?"]


def _seed_chunks() -> list[tuple[str, str, list[LexicalChunk]]]:
    out = []
    for path in sorted(ARTICLES_DIR.glob("*.md")):
        a = load_file(path)
        paras = [p for p in a.text.split("\n\n") if p.strip()]
        out.append((a.doc_id, "h", [LexicalChunk(f"{a.doc_id}:c{i:03d}", f"{a.title} {p}") for i, p in enumerate(paras)]))
    return out


@pytest.fixture
def index(tmp_path: Path) -> LexicalIndex:
    ix = LexicalIndex(tmp_path / "lex.sqlite3", snapshot_min_chunks=1)
    ix.write_articles(_seed_chunks())
    return ix


def _fts5(ix: LexicalIndex, question: str, k: int = 10) -> list[tuple[str, float]]:
    """What FTS5 alone ranks (a second handle on the file, with snapshots off)."""
    assert isinstance(ix.path, Path)
    return LexicalIndex(ix.path).search(expand_terms(question), k)


def test_a_snapshot_ranks_as_fts5_does(index):
    before = {q: _fts5(index, q) for q in QUESTIONS}
    assert snapshot_mod.build(index.path) is not None
    assert index.snapshot() is not None
    for q in QUESTIONS:
        got = index.search(expand_terms(q), 10)
        assert got, q
        want = dict(before[q])
        assert {c for c, _ in got} == set(want), q
        for cid, score in got:  # the same BM25, on FTS5's scale (float32 in the snapshot)
            assert score == pytest.approx(want[cid], rel=1e-4), (q, cid)


def test_writes_after_the_snapshot_are_seen_and_deletions_never_returned(index):
    snapshot_mod.build(index.path)
    index.write_article("new", "n1", [LexicalChunk("new:c000", "Shoigu mengunjungi Pyongyang bersama Kozlov")])
    hits = [c for c, _ in index.search(expand_terms("Shoigu Pyongyang"), 5)]
    assert hits[0] == "new:c000"  # "Shoigu" is a word the snapshot has never seen
    victim = index.search(expand_terms("Kozlov"), 1)[0][0]
    doc = victim.split(":")[0]
    index.write_article(doc, "h2", [LexicalChunk(f"{doc}:c000", "Cuaca Jakarta cerah berawan")])  # replaced
    after = [c for c, _ in index.search(expand_terms("Kozlov"), 20)]
    assert after and victim not in after and all(not c.startswith(f"{doc}:") for c in after)
    assert [c for c, _ in index.search(expand_terms("cuaca Jakarta"), 5)] == [f"{doc}:c000"]
    index.delete_article("new")
    assert "new:c000" not in [c for c, _ in index.search(expand_terms("Shoigu Pyongyang"), 5)]


def test_deleted_best_chunks_make_it_look_deeper(index):
    snapshot_mod.build(index.path)
    full = [c for c, _ in _fts5(index, "Kozlov Pyongyang", 40)]
    gone = {c.split(":")[0] for c in full[:3]}
    for doc in gone:
        index.delete_article(doc)
    got = [c for c, _ in index.search(expand_terms("Kozlov Pyongyang"), 3)]
    assert len(got) == 3 and not any(c.split(":")[0] in gone for c in got)
    assert got == [c for c in full if c.split(":")[0] not in gone][:3]


def test_when_a_snapshot_is_wanted(tmp_path):
    ix = LexicalIndex(tmp_path / "lex.sqlite3", snapshot_min_chunks=30)
    seeds = _seed_chunks()
    ix.write_articles(seeds[:1])
    assert ix.chunk_count() < 30 and not ix.snapshot_wanted()  # small: FTS5 is fast enough
    ix.write_articles(seeds)
    assert ix.chunk_count() >= 30 and ix.snapshot_wanted()
    snapshot_mod.build(ix.path)
    assert not ix.snapshot_wanted()
    ix.write_article("x", "x", [LexicalChunk("x:c000", "satu kalimat baru")])  # under 5% of the chunks
    assert not ix.snapshot_wanted()
    doc, _, chunks = seeds[0]
    ix.delete_article(doc)  # well over 5%: the snapshot's statistics have aged
    assert ix.snapshot_wanted()
    assert not LexicalIndex(tmp_path / "lex.sqlite3").snapshot_wanted()  # snapshots off
    assert not LexicalIndex(":memory:", snapshot_min_chunks=1).snapshot_wanted()


def test_refresh_builds_in_another_process_and_publishes(index):
    assert index.snapshot() is None
    assert index.refresh_snapshot(wait=True)
    snap = index.snapshot()
    assert snap is not None and snap.info.n_chunks == index.chunk_count()
    assert not index.refresh_snapshot(wait=True)  # nothing changed: nothing to build
    assert [p.name for p in snapshot_dir(index.path).iterdir() if p.is_dir()] == [snap.info.version]


def test_a_snapshot_of_another_file_or_a_broken_one_is_ignored(index, caplog):
    assert isinstance(index.path, Path)
    snapshot_mod.build(index.path)
    want = _fts5(index, QUESTIONS[0])
    for leftover in index.path.parent.glob("lex.sqlite3*"):
        if leftover.is_file():
            leftover.unlink()
    fresh = LexicalIndex(index.path, snapshot_min_chunks=1)  # the index rebuilt: a new file, a new uid
    fresh.write_articles(_seed_chunks())
    assert fresh.snapshot() is None and fresh.snapshot_wanted()
    assert fresh.search(expand_terms(QUESTIONS[0]), 10) == want
    info = snapshot_mod.build(fresh.path)
    assert info is not None and fresh.snapshot() is not None
    shutil.rmtree(snapshot_dir(fresh.path) / info.version)  # its arrays lost
    (snapshot_dir(fresh.path) / "current.json").touch()
    again = LexicalIndex(fresh.path, snapshot_min_chunks=1)
    assert again.snapshot() is None and "cannot be read" in caplog.text
    assert again.search(expand_terms(QUESTIONS[0]), 10) == want


def test_one_build_at_a_time(index):
    folder = snapshot_dir(index.path)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        assert snapshot_mod.build(index.path) is None  # another process is building: it will publish
    assert snapshot_mod.build(index.path) is not None


def test_a_build_of_an_unchanged_index_publishes_nothing_new(index):
    first = snapshot_mod.build(index.path)
    assert first is not None and snapshot_mod.build(index.path) == first
    index.write_article("x", "x", [LexicalChunk("x:c000", "satu kalimat baru")])
    second = snapshot_mod.build(index.path)
    assert second is not None and second.version != first.version and second.n_chunks == first.n_chunks + 1


def test_the_builder_command_says_what_is_wrong(tmp_path, capsys):
    assert snapshot_mod.main([]) == 2
    assert snapshot_mod.main([str(tmp_path / "nothing.sqlite3")]) == 1
    assert "no lexical index" in capsys.readouterr().err
