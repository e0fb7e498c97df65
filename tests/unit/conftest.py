"""The unit tier: no model, no embedder, no Chroma. The real pipeline runs on fakes
(tests/fakes: a generator with queued replies, hashed-bag embeddings, the index in memory)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest

from corpus import ARTICLES_DIR
from retrieval.index.store import ChunkStore
from retrieval.service import AnswerService
from tests.conftest import make_settings
from tests.fakes.embeddings import FakeEmbeddings
from tests.fakes.generator import FakeGenerator
from tests.fakes.store import InMemoryStore


def fake_service(data_dir: Path, generator: FakeGenerator | None, **sections: dict[str, Any]) -> AnswerService:
    """The answering core over the seed corpus, on the in-memory index and the fake embedder."""
    store = InMemoryStore(FakeEmbeddings())
    service = AnswerService(make_settings(data_dir, **sections), cast(ChunkStore, store), generator)
    report = service.ingester().ingest_paths([ARTICLES_DIR])
    assert len(report.added) == 5, report.summary()
    return service


@pytest.fixture
def generator() -> FakeGenerator:
    return FakeGenerator()


@pytest.fixture
def core(tmp_path: Path, generator: FakeGenerator) -> AnswerService:
    return fake_service(tmp_path / "data", generator)
