"""Settings: `.env.example` copied as it is must give a working configuration."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.telegram.config import load_bot_config
from retrieval.settings import PROJECT_ROOT, Settings


def test_env_example_as_is_means_the_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    shutil.copy(PROJECT_ROOT / ".env.example", tmp_path / ".env")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RNKBOT_DATA_DIR")
    s = Settings()
    assert s.data_dir == PROJECT_ROOT / "data", "an empty RNKBOT_DATA_DIR= is the default, not the current dir"
    assert s.llm_model is None and s.llm_base_url is None and s.telegram_bot_token is None
    assert s.digest_db_path == s.data_dir / "digest.sqlite3" and s.digest_timezone == "Asia/Jakarta"
    assert load_bot_config().admins == []


@pytest.mark.parametrize("zone, expected", [("wib", "Asia/Jakarta"), ("europe/moscow", "Europe/Moscow")])
def test_digest_time_zone_is_checked_and_normalised(zone: str, expected: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RNKBOT_DIGEST_TIMEZONE", zone)
    assert Settings(_env_file=None).digest_timezone == expected


def test_a_bad_digest_setting_is_refused(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RNKBOT_DIGEST_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValidationError, match="not a time zone"):
        Settings(_env_file=None)
    monkeypatch.setenv("RNKBOT_DIGEST_TIMEZONE", "UTC")
    monkeypatch.setenv("RNKBOT_DIGEST_TIME", "8 am")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)
