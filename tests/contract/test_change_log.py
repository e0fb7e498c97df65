"""The lexical index kept in step with Chroma through its change log, on both Chroma modes: a
process with a lexical file of its own (another machine) sees what others wrote and deleted at
its next question, a lost file is rebuilt, and an index from before the log is taken over.
(The in-memory fake has no other processes, so these are Chroma's alone.)"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from corpus import ARTICLES_DIR
from retrieval.index.ingest import Ingester
from retrieval.index.opening import open_store
from retrieval.index.search import HybridRetriever
from retrieval.settings import Settings
from tests.conftest import make_settings

KRIVORUCHKO = "004_b44b09399d88959f"


class ChangeLogContract:
    @pytest.fixture
    def settings(self, tmp_path: Path) -> Settings:
        raise NotImplementedError

    def test_another_process_catches_up_through_the_change_log(self, settings, tmp_path, embeddings):
        """Two processes on one Chroma with a lexical file each (two machines): the second sees the
        first one's writes and deletes at its next question; a deleted file is rebuilt."""
        writer = open_store(settings, embeddings)
        reader = open_store(settings.updated(store={"lexical_db": tmp_path / "elsewhere.sqlite3"}), embeddings)
        retriever = HybridRetriever(reader, k=3)
        Ingester(writer).ingest_paths([ARTICLES_DIR])
        assert reader.lexical.n_docs() == 0
        q = "Krivoruchko salam Putin"
        hits = retriever.retrieve(q, embeddings.query_vector(q))
        assert reader.lexical.n_docs() == 5 and hits[0].chunk.doc_id == KRIVORUCHKO
        assert reader.sync_lexical() == 0  # nothing new: nothing done

        writer.delete_article(KRIVORUCHKO)
        hits = retriever.retrieve(q, embeddings.query_vector(q))
        assert reader.lexical.n_docs() == 4 and KRIVORUCHKO not in {h.chunk.doc_id for h in hits}

        rebuilt = open_store(settings.updated(store={"lexical_db": tmp_path / "new.sqlite3"}), embeddings)
        assert rebuilt.sync_lexical() == 4 and rebuilt.lexical.chunk_count() == writer.count()

    def test_a_later_sync_reads_only_what_can_have_landed_since_the_last_one(self, settings, tmp_path, embeddings,
                                                                              monkeypatch):
        """The first sync of a process reads the whole window behind the cursor; the next ones only
        records stamped within the window before the previous sync began: none when nothing was
        written, and a record stamped before that sync but landing after it (a slow writer) still."""
        from retrieval.index import changelog as changelog_module

        window = 2 * 10**9
        monkeypatch.setattr(changelog_module, "LOG_WINDOW_NS", window)
        writer = open_store(settings, embeddings)
        reader = open_store(settings.updated(store={"lexical_db": tmp_path / "elsewhere.sqlite3"}), embeddings)
        Ingester(writer).ingest_paths([ARTICLES_DIR])
        read: list[int] = []
        get = reader._changes.get

        def counting_get(*args, **kwargs):
            got = get(*args, **kwargs)
            read.append(len(got["ids"]))
            return got

        monkeypatch.setattr(reader._changes, "get", counting_get)
        assert reader.sync_lexical() == 5 and read == [5]
        time.sleep(2 * window / 10**9)  # the writes are now older than the window before the last sync
        assert reader.sync_lexical() == 0 and read[-1] == 5  # still within the window of the cursor
        assert reader.sync_lexical() == 0 and read[-1] == 0  # the window before the previous sync: nothing

        stamped = time.time_ns()  # a writer stamps its record, then is slow to write it
        assert reader.sync_lexical() == 0 and read[-1] == 0
        with monkeypatch.context() as m:
            m.setattr(changelog_module.time, "time_ns", lambda: stamped)
            writer.delete_article(KRIVORUCHKO)
        assert reader.sync_lexical() == 1 and read[-1] == 1 and reader.lexical.n_docs() == 4

    def test_an_index_from_before_the_change_log_is_taken_over(self, settings, embeddings):
        store = open_store(settings, embeddings)
        Ingester(store).ingest_paths([ARTICLES_DIR])
        store.client.delete_collection(f"{settings.store.collection}_log")  # what an index written by rnkbot 0.1 lacks
        store.lexical.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{settings.store.lexical_db_path}{suffix}").unlink(missing_ok=True)
        again = open_store(settings, embeddings)
        report = Ingester(again).ingest_paths([ARTICLES_DIR])
        assert len(report.unchanged) == 5 and again.lexical.n_docs() == 5  # nothing embedded again


class TestEmbeddedChroma(ChangeLogContract):
    @pytest.fixture
    def settings(self, tmp_path: Path) -> Settings:
        return make_settings(tmp_path / "data")


@pytest.mark.chroma_server
class TestChromaServer(ChangeLogContract):
    @pytest.fixture
    def settings(self, tmp_path: Path, chroma_server: int) -> Settings:
        name = f"t{time.monotonic_ns()}"  # a fresh collection per test on the shared server
        return make_settings(tmp_path / "data", store={"chroma_host": "127.0.0.1", "chroma_port": chroma_server,
                                                       "collection": name})
