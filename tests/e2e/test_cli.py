"""The `rnkbot` command line: contract output, batches, eval, clear errors."""

import json
import shutil

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
    assert len(rows) == 5, "one line out per line in, the blank one too"
    assert rows[0]["refused"] is True
    assert "invalid JSON" in rows[1]["error"]
    assert rows[2] == {"question": "", "error": "line 3: the question is empty"}
    assert not rows[3]["refused"] and "Ukraina" in rows[3]["answer"]
    assert "no string 'question'" in rows[4]["error"]


def test_eval_reports_every_metric(cli_env, capsys):
    f, g = cli_env / "set.jsonl", cli_env / "more.jsonl"  # several sets are scored as one
    f.write_text(
        json.dumps({"id": "a", "lang": "id", "question": "Sejak hari apa kunjungan delegasi Kozlov berlangsung?",
                    "answerable": True, "facts": [["Minggu", "Sunday"]], "gold_docs": ["001_dcd6b936241eaf9f"]}) + "\n",
        encoding="utf-8",
    )
    g.write_text(json.dumps({"id": "b", "lang": "en", "question": "What is Putin's favourite colour?",
                             "answerable": False, "facts": [], "gold_docs": []}) + "\n", encoding="utf-8")
    assert main(["eval", str(f), str(g), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [i["id"] for i in report["items"]] == ["a", "b"]
    assert report["answer_accuracy"] == 1.0 and report["refusal_accuracy"] == 1.0
    assert report["citation_precision"] == 1.0 and report["retrieval_recall_at_5"] == 1.0
    assert report["median_latency_s"] > 0


def test_ingest_builds_a_large_index_snapshot_and_answers_stay_the_same(monkeypatch, tmp_path, capsys):
    """`rnkbot ingest` builds the BM25 snapshot once the index is large (here: any size), and a
    question ranks and answers as it does from SQLite FTS5 alone."""
    data = tmp_path / "data"
    monkeypatch.setenv("RNKBOT_DATA_DIR", str(data))
    monkeypatch.setenv("RNKBOT_LLM_BACKEND", "none")
    monkeypatch.setenv("RNKBOT_LEXICAL_SNAPSHOT_MIN_CHUNKS", "1")
    monkeypatch.chdir(tmp_path)
    assert main(["ingest", "--quiet"]) == 0
    snapshot = data / "lexical-rnkbot_chunks.sqlite3.bm25s"
    assert (snapshot / "current.json").is_file()
    questions = ["Berapa tentara Korea Utara yang dikirim ke Rusia?", "Who is Alexander Kozlov?"]

    def asked() -> list[dict]:
        capsys.readouterr()
        out = []
        for q in questions:
            assert main(["ask", "--json", q]) == 0
            d = json.loads(capsys.readouterr().out)
            out.append({"answer": d["answer"], "retrieved": [(r["doc_id"], r["chunk_id"]) for r in d["retrieved"]]})
        return out

    with_snapshot = asked()
    shutil.rmtree(snapshot)
    monkeypatch.setenv("RNKBOT_LEXICAL_SNAPSHOT_MIN_CHUNKS", "1000000")  # none built again
    assert asked() == with_snapshot
    assert not snapshot.exists()
