"""The unit tier: no model, no embedder, no Chroma. The real pipeline runs on fakes
(tests/fakes: a generator with queued replies, hashed-bag embeddings, the index in memory)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest

from corpus import ARTICLES_DIR
from retrieval.answering.features import FEATURES
from retrieval.answering.model import EvidenceModel
from retrieval.index.store import ChunkStore
from retrieval.service import AnswerService
from tests.conftest import make_settings
from tests.fakes.embeddings import FakeEmbeddings
from tests.fakes.generator import FakeGenerator
from tests.fakes.store import InMemoryStore

# Questions about the seed corpus the unit tests share, and the articles that answer them.
WHO_LED = "Who led the Russian military delegation that visited Pyongyang?"
ZARUDNITSKI = "001_dcd6b936241eaf9f"
TROOPS_ID = "Berapa pasukan yang dikirim Korea Utara untuk membantu Rusia?"
KOMPAS_000 = "000_9a6ab7c0c6407063"
SEOUL_FEARED = "What did Seoul fear Russia would give North Korea in return for its troops?"


def lexical_model() -> EvidenceModel:
    """An evidence model with weights set by hand on word-level features only (the fake embedder's
    vectors mean little), so unit tests pin composition, verification and refusals, not the fitted
    weights (those are tested end to end)."""
    weights = {"cov_sent": 5.0, "cov_ctx": 2.0, "type_ok": 1.5, "shape_ok": 1.0, "focus_in_sent": 1.0,
               "is_byline": -3.0, "rare_miss_ctx": -3.0, "instruction": -5.0}
    n = len(FEATURES)
    return EvidenceModel(FEATURES, np.zeros(n), np.ones(n), np.array([weights.get(f, 0.0) for f in FEATURES]),
                         -5.0, threshold=0.5, companion=0.9)


def fake_service(data_dir: Path, generator: FakeGenerator | None, **sections: dict[str, Any]) -> AnswerService:
    """The answering core over the seed corpus, on the in-memory index, the fake embedder and the
    hand-set :func:`lexical_model`."""
    store = InMemoryStore(FakeEmbeddings())
    service = AnswerService(make_settings(data_dir, **sections), cast(ChunkStore, store), generator, lexical_model())
    report = service.ingester().ingest_paths([ARTICLES_DIR])
    assert len(report.added) == 5, report.summary()
    return service


@pytest.fixture
def generator() -> FakeGenerator:
    return FakeGenerator()


@pytest.fixture
def core(tmp_path: Path, generator: FakeGenerator) -> AnswerService:
    return fake_service(tmp_path / "data", generator)
