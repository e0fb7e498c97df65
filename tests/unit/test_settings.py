"""Settings: one object nested by concern, read from the same variables as always; `.env.example`
copied as it is must give a working configuration, and it lists every setting."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from retrieval.settings import PROJECT_ROOT, Settings, env_example, fields, setting_name, variable


def test_env_example_as_is_means_the_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    shutil.copy(PROJECT_ROOT / ".env.example", tmp_path / ".env")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RNKBOT_DATA_DIR")
    s = Settings()
    assert s.store.data_dir == PROJECT_ROOT / "data", "an empty RNKBOT_DATA_DIR= is the default, not the current dir"
    assert s.llm.model is None and s.llm.base_url is None and s.telegram.bot_token is None
    assert s.digest_db_path == s.store.data_dir / "digest.sqlite3" and s.digest.timezone == "Asia/Jakarta"
    assert s.telegram.admins == []
    assert s == Settings(_env_file=None), "every value written in .env.example is the default"


def test_env_example_lists_every_setting_and_is_generated_from_them():
    assert (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8") == env_example(), \
        "regenerate it: rnkbot env-example > .env.example"


def test_every_setting_has_a_description_and_its_own_variable():
    names = [variable(f) for _, _, f in fields()]
    assert len(names) == len(set(names))
    assert all(f.description for _, _, f in fields())
    assert all(f.description for f in Settings.model_fields.values())


@pytest.mark.parametrize("name, value, where", [
    ("RNKBOT_DATA_DIR", "/srv/rnkbot", ("store", "data_dir")),
    ("RNKBOT_LLM_MODEL", "/models/x.gguf", ("llm", "model")),
    ("RNKBOT_LLM_BASE_URL", "http://127.0.0.1:8080/v1", ("llm", "base_url")),
    ("TELEGRAM_BASE_URL", "http://127.0.0.1:8081/bot", ("telegram", "base_url")),
    ("CHROMA_HOST", "chroma.local", ("store", "chroma_host")),
    ("CHROMA_PORT", "9000", ("store", "chroma_port")),
])
def test_the_variables_other_tools_set_keep_their_names(monkeypatch, name, value, where):
    monkeypatch.setenv(name, value)
    got = getattr(getattr(Settings(_env_file=None), where[0]), where[1])
    assert str(got) == value


def test_dotenv_is_read_and_the_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / ".env").write_text("RNKBOT_LLM_THREADS=3\nRNKBOT_DIGEST_MAX_ITEMS=5\nTELEGRAM_BOT_TOKEN=1:SECRET\n",
                                   encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RNKBOT_DIGEST_MAX_ITEMS", "4")
    s = Settings()
    assert (s.llm.threads, s.digest.max_items) == (3, 4)
    assert s.telegram.bot_token is not None and s.telegram.bot_token.get_secret_value() == "1:SECRET"
    assert "SECRET" not in repr(s)


def test_overrides_by_section_keep_the_rest():
    s = Settings(_env_file=None, llm={"threads": 2})
    changed = s.updated(llm={"max_tokens": 64}, digest={"max_items": 3})
    assert (changed.llm.threads, changed.llm.max_tokens, changed.digest.max_items) == (2, 64, 3)
    assert s.llm.max_tokens == 96, "the original is unchanged (settings are frozen)"
    with pytest.raises(ValidationError):
        s.updated(llm={"threads": 0})


@pytest.mark.parametrize("zone, expected", [("wib", "Asia/Jakarta"), ("europe/moscow", "Europe/Moscow")])
def test_digest_time_zone_is_checked_and_normalised(zone: str, expected: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RNKBOT_DIGEST_TIMEZONE", zone)
    assert Settings(_env_file=None).digest.timezone == expected


def test_a_bad_setting_is_refused_and_named_by_its_variable(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RNKBOT_DIGEST_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValidationError, match="not a time zone") as err:
        Settings(_env_file=None)
    assert setting_name(err.value.errors()[0]["loc"]) == "RNKBOT_DIGEST_TIMEZONE"
    monkeypatch.setenv("RNKBOT_DIGEST_TIMEZONE", "UTC")
    monkeypatch.setenv("RNKBOT_DIGEST_TIME", "8 am")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)


def test_a_server_backend_needs_its_url(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RNKBOT_EMBEDDING_BACKEND", "openai")
    with pytest.raises(ValidationError, match="RNKBOT_EMBEDDING_BASE_URL"):
        Settings(_env_file=None)
    monkeypatch.setenv("RNKBOT_EMBEDDING_BASE_URL", "http://127.0.0.1:8081/v1")
    assert Settings(_env_file=None).embedding.backend == "openai"


def test_secrets_never_appear_in_errors(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RNKBOT_WEBHOOK_SECRET", "has spaces/and-slash")
    with pytest.raises(ValidationError, match="1-256 characters of A-Z") as err:
        Settings(_env_file=None)
    assert "has spaces" not in str(err.value)
