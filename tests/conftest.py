"""Shared by every tier: each test gets its own data dir and no developer settings; settings
are built with :func:`make_settings`; ``web`` serves the fake news site.

The tiers: ``unit/`` (fakes only, seconds), ``contract/`` (the store on embedded Chroma, a
``chroma run`` server and the in-memory fake), ``e2e/`` (the real embedder, model and Chroma,
and a fake Telegram Bot API; their fixtures are in ``e2e/conftest.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from corpus import ARTICLES_DIR
from retrieval.settings import Settings
from tests.fakes.news_site import SiteServer
from tests.web_fixtures import FIXTURES, Site, publish

__all__ = ["FIXTURES", "make_settings"]
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
    values: dict[str, Any] = {"_env_file": None, "store": store, **sections}
    return Settings(**values)


@pytest.fixture
def web() -> Iterator[Site]:
    """The fake news site on 127.0.0.1: the seed articles in a site's clutter, off-topic pages,
    an RSS and an Atom feed, robots.txt (see tests/web_fixtures.py)."""
    with SiteServer() as site:
        yield publish(site)
