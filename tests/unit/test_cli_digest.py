"""``rnkbot digest``'s window: it ends when the digest reads the index, so that the articles the
first run indexes (a fresh data dir) are in the digest of that same run."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

import pytest

import bot.cli
from bot.cli import main
from retrieval.digest.builder import Digest
from retrieval.service import AnswerService
from tests.unit.conftest import fake_service

BUILD_S = 120.0  # how long the first run's automatic index build takes, here


class _Clock(datetime):
    """``datetime`` for :mod:`bot.cli`, running ``BUILD_S`` behind until the index is built: the
    command's start is that long before the articles are stamped as ingested (real time)."""

    behind = BUILD_S

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _Clock:
        return cls.fromtimestamp(time.time() - cls.behind, tz)


@pytest.fixture
def first_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI on a fresh data dir: ``_service`` indexes the seed corpus (as ``ensure_index`` does),
    which takes ``BUILD_S``."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setattr(_Clock, "behind", BUILD_S)

    def build_index(settings, with_llm: bool = True) -> AnswerService:
        service = fake_service(tmp_path / "data", None)  # ingested_ts: now, the build's end
        _Clock.behind = 0.0
        return service

    monkeypatch.setattr(bot.cli, "datetime", _Clock)
    monkeypatch.setattr(bot.cli, "_service", build_index)


@pytest.mark.parametrize("since", [None, "36h"])
def test_the_first_digest_shows_what_the_first_run_indexed(first_run, capsys, since: str | None):
    assert main(["digest", "--json", "--lang", "en", *(["--since", since] if since else [])]) == 0
    d = Digest.model_validate_json(capsys.readouterr().out)
    assert d.articles == 5 and len(d.items) == 3, "the window ends after the build, not when the command started"
    until = datetime.fromisoformat(d.until)
    assert abs(until.timestamp() - time.time()) < 60, "the window ends after the build"
    assert until - datetime.fromisoformat(d.since) == timedelta(hours=36 if since else 24), \
        "the span is counted back from the window's end"
