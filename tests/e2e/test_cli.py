"""The `rnkbot` command line: contract output, batches, eval, clear errors."""

import json

import pytest

from bot.cli import main


@pytest.fixture
def cli_env(monkeypatch, tmp_path, model_path, service):
    """CLI runs over the session's index and model (settings come from the environment)."""
    monkeypatch.setenv("RNKBOT_DATA_DIR", str(service.settings.store.data_dir))
    monkeypatch.setenv("RNKBOT_LLM_MODEL", str(model_path))
    monkeypatch.chdir(tmp_path)  # no stray .env
    return tmp_path


def test_ask_json_prints_one_contract_object(cli_env, capsys):
    # A question only the article's byline answers (English ones are a known limit: README).
    assert main(["ask", "--json", "Siapa penulis berita Kompas TV tentang kunjungan Menteri SDA Rusia ke Pyongyang?"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    d = json.loads(out[0])
    assert {"question", "language", "answer", "refused", "citations", "retrieved", "timings"} <= d.keys()
    assert d["language"] == "id" and not d["refused"] and "Ikhsan Abdul Hakim" in d["answer"]
    assert d["citations"][0]["doc_id"] == "000_9a6ab7c0c6407063"
    assert {"n", "doc_id", "title", "outlet", "published", "url", "quote"} <= d["citations"][0].keys()
    assert {"doc_id", "chunk_id", "score"} <= d["retrieved"][0].keys()
    assert {"retrieve_s", "generate_s", "total_s"} <= d["timings"].keys()


def test_batch_keeps_order_and_reports_bad_lines(cli_env, capsys):
    batch = cli_env / "q.txt"
    batch.write_text(
        '{"question": "Berapa jumlah penduduk Rusia?"}\n'
        "{not json\n"
        "\n"
        "Siapa yang melaporkan bahwa pasukan Korea Utara diterjunkan ke Kursk?\n"
        '{"id": 3}\n',
        encoding="utf-8",
    )
    assert main(["ask", "--json", "--batch", str(batch)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert len(rows) == 4
    assert rows[0]["refused"] is True
    assert "invalid JSON" in rows[1]["error"]
    assert not rows[2]["refused"] and "Ukraina" in rows[2]["answer"]
    assert "no string 'question'" in rows[3]["error"]


def test_eval_reports_every_metric(cli_env, capsys):
    f = cli_env / "set.jsonl"
    f.write_text(
        json.dumps({"id": "a", "lang": "id", "question": "Sejak hari apa kunjungan delegasi Kozlov berlangsung?",
                    "answerable": True, "facts": [["Minggu", "Sunday"]], "gold_docs": ["001_dcd6b936241eaf9f"]}) + "\n"
        + json.dumps({"id": "b", "lang": "en", "question": "What is Putin's favourite colour?", "answerable": False,
                      "facts": [], "gold_docs": []}) + "\n",
        encoding="utf-8",
    )
    assert main(["eval", str(f), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["answer_accuracy"] == 1.0 and report["refusal_accuracy"] == 1.0
    assert report["citation_precision"] == 1.0 and report["retrieval_recall_at_5"] == 1.0
    assert report["median_latency_s"] > 0
