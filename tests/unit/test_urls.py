"""Credentials in URLs (``http://user:password@host``) never reach a log line or an error message."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import cast

import pytest

import bot.cli
from bot.cli import main
from bot.logsetup import configure
from corpus.fetch import FetchError
from corpus.urls import hide_credentials, shown_url
from retrieval.index.health import location
from retrieval.models.embeddings import EmbeddingsError, OpenAICompatibleEmbeddings
from retrieval.models.llm import Generator, LLMError, OpenAICompatibleGenerator
from tests.conftest import make_settings
from tests.unit.conftest import fake_service

PASSWORD = "pw123-secret"
UNREACHABLE = f"http://user:{PASSWORD}@localhost:1/v1"


@pytest.mark.parametrize("url, shown", [
    (UNREACHABLE, "http://***@localhost:1/v1"),
    ("https://user:p@ss@feeds.example/rss?x=a@b#c", "https://***@feeds.example/rss?x=a@b#c"),  # the last @ ends it
    ("user:pw@chroma.internal", "***@chroma.internal"),  # a bare host (CHROMA_HOST)
    ("https://api.telegram.org/bot", "https://api.telegram.org/bot"),
    ("https://site.example/people/@kim", "https://site.example/people/@kim"),  # an @ in the path is no userinfo
    ("http://user:pa/ss@llm.internal/v1", "http://***@llm.internal/v1"),  # a raw "/" in the password
    ("http://host.example:8080/people/@kim", "http://host.example:8080/people/@kim"),  # a port, then a path
])
def test_shown_url_hides_userinfo_only(url: str, shown: str):
    assert shown_url(url) == shown


def test_credentials_in_text_are_hidden_and_addresses_kept():
    text = f"cannot reach {UNREACHABLE}: refused; mail kim@example.org; see https://h.example/a@b"
    assert hide_credentials(text) == ("cannot reach http://***@localhost:1/v1: refused; mail kim@example.org; "
                                      "see https://h.example/a@b")


def test_server_errors_name_the_server_without_its_password(tmp_path: Path):
    with pytest.raises(LLMError) as llm_error:
        OpenAICompatibleGenerator(UNREACHABLE, "m", api_key=None, timeout=2, style="chat", retries=0).complete(
            "q", stop=[], max_tokens=1)
    with pytest.raises(EmbeddingsError) as emb_error:
        OpenAICompatibleEmbeddings(UNREACHABLE, "m", timeout=2, retries=0).embed_query("q")
    store = make_settings(tmp_path, store={"chroma_host": f"user:{PASSWORD}@chroma"}).store
    messages = [str(llm_error.value), str(emb_error.value), location(store),
                str(FetchError(f"{UNREACHABLE}/page: HTTP 500"))]
    assert all(PASSWORD not in m and "***@" in m for m in messages), messages


def test_ask_with_a_password_in_the_llm_url_never_prints_it(tmp_path: Path, monkeypatch, capsys):
    """The WARNING 'cannot reach the LLM server at http://user:pw123@...' printed the password."""
    monkeypatch.chdir(tmp_path)
    llm = OpenAICompatibleGenerator(UNREACHABLE, "m", api_key=None, timeout=2, style="chat", retries=0)
    service = fake_service(tmp_path / "data", cast(Generator, llm))  # type: ignore[arg-type]
    monkeypatch.setattr(bot.cli, "_service", lambda settings, with_llm=True: service)
    assert main(["-v", "ask", "Who is Kozlov?"]) == 0
    err = capsys.readouterr().err
    assert "cannot reach the LLM server at http://***@localhost:1/v1" in err and PASSWORD not in err


def test_a_log_record_never_shows_a_url_password(capsys):
    configure("INFO")
    try:
        raise ConnectionError(f"refused by {UNREACHABLE}")
    except ConnectionError:
        logging.getLogger("rnkbot.test").exception("feed %s failed", UNREACHABLE)
    err = capsys.readouterr().err
    assert PASSWORD not in err and err.count("http://***@localhost:1/v1") == 2
