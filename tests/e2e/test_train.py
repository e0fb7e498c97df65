"""`rnkbot train` end to end: questions over the session's index, seed questions over an index of the
seeds alone (in a temporary folder), a model written with the corpus size it was fit on."""

import json

from bot.cli import main
from retrieval.answering.model import load_model

OURS = [  # over the seeds, written for this test (the session's index holds the seeds)
    ("id", "Siapa Menteri Sumber Daya Alam Rusia yang berkunjung ke Pyongyang?", [["Kozlov"]], "000_9a6ab7c0c6407063"),
    ("en", "When did Putin visit Pyongyang?", [["Juni", "June"]], "004_b44b09399d88959f"),
    ("id", "Siapa Wakil Menteri Pertahanan Rusia yang bertemu Kim Jong Un?", [["Krivoruchko"]], "004_b44b09399d88959f"),
    ("en", "Which North Korean foreign minister visited Moscow?", [["Choe Son Hui"]], "002_620ccf5526c3d172"),
    ("id", "Berapa pasukan yang dikirim Korea Utara ke Rusia?", [["10.000"]], "000_9a6ab7c0c6407063"),
    ("en", "What is the capital of Australia?", [], None),
    ("id", "Berapa harga beras di Jakarta?", [], None),
]
SEEDS = [
    ("id", "Siapa yang menulis berita Kompas TV tentang Kozlov?", [["Ikhsan Abdul Hakim"]], "000_9a6ab7c0c6407063"),
    ("en", "Whose greetings did Krivoruchko pass on to Kim Jong Un?", [["Putin"]], "004_b44b09399d88959f"),
    ("en", "What is Kim Jong Un's favourite film?", [], None),
]


def _write(path, rows, prefix):
    path.write_text("".join(
        json.dumps({"id": f"{prefix}{i}", "lang": lang, "question": q, "answerable": gold is not None, "facts": facts,
                    "gold_docs": [gold] if gold else []}) + "\n"
        for i, (lang, q, facts, gold) in enumerate(rows)), encoding="utf-8")
    return path


def test_train_fits_on_both_sets_and_leaves_the_index_as_it_was(monkeypatch, tmp_path, service):
    monkeypatch.setenv("RNKBOT_DATA_DIR", str(service.settings.store.data_dir))
    monkeypatch.chdir(tmp_path)
    docs_before = service.retriever.stats.n_docs()
    out, report = tmp_path / "model.json", tmp_path / "report.json"
    assert main(["train", str(_write(tmp_path / "ours.jsonl", OURS, "o")),
                 "--seed-questions", str(_write(tmp_path / "seeds.jsonl", SEEDS, "s")),
                 "--retrieve-k", "4,8", "--out", str(out), "--report", str(report)]) == 0
    model = load_model(out)
    assert model.info["questions"] == len(OURS) + len(SEEDS)
    assert model.info["with_a_positive"] >= 5  # the answers were found and labelled in both indexes
    assert model.corpus_docs == docs_before  # the main index's size, not the temporary seed index's
    assert 0.0 < model.threshold < 1.0
    written = json.loads(report.read_text())
    assert written["thresholds"]
    # each number of chunks retrieved per question was fit and scored; the model keeps the one chosen
    assert set(written["retrieve_k_grid"]) == {"4", "8"} and model.retrieve_k in (4, 8)
    assert written["retrieve_k"] == model.retrieve_k
    service.retriever.refresh()
    assert service.retriever.stats.n_docs() == docs_before  # the seed index was built elsewhere


def _conversations(path, rows):
    path.write_text("".join(
        json.dumps({"id": f"c{i}", "lang": "id", "question": reply, "history": [first], "answerable": gold is not None,
                    "facts": facts, "gold_docs": [gold] if gold else []}) + "\n"
        for i, (first, reply, facts, gold) in enumerate(rows)), encoding="utf-8")
    return path


REPLIES = [  # over the seeds, written for this test
    ("Berapa pasukan yang dikirim Korea Utara ke Rusia?", "Kapan itu dilaporkan?", [["2024"]], "000_9a6ab7c0c6407063"),
    ("When did Putin visit Pyongyang?", "Who did he meet there?", [["Kim Jong Un", "Kim Jong-un"]],
     "004_b44b09399d88959f"),
    ("Siapa Menteri Sumber Daya Alam Rusia yang berkunjung ke Pyongyang?", "Apa warna dasinya?", [], None),
]


def test_fit_replies_writes_the_floor_beside_the_model_it_was_fit_for(monkeypatch, tmp_path, service):
    """Replies are asked after their earlier questions on the real stack; the floor chosen and how
    each floor tried scored go into a copy of the model, which is otherwise the packaged one."""
    monkeypatch.setenv("RNKBOT_DATA_DIR", str(service.settings.store.data_dir))
    monkeypatch.setenv("RNKBOT_LLM_BACKEND", "none")
    out = tmp_path / "model.json"
    assert main(["fit-replies", str(_conversations(tmp_path / "replies.jsonl", REPLIES)), "--out", str(out)]) == 0
    fitted, packaged = load_model(out), load_model()
    report = fitted.info["replies"]
    assert report["replies"] == 3 and fitted.reply_floor == report["floor"]
    assert fitted.reply_floor in {t["floor"] for t in report["tried"]}
    assert (fitted.threshold, fitted.pointer, fitted.coef.tolist()) == (packaged.threshold, packaged.pointer,
                                                                         packaged.coef.tolist())
    questions = _write(tmp_path / "questions.jsonl", OURS, "o")  # no history: nothing to fit on
    assert main(["fit-replies", str(questions), "--out", str(tmp_path / "none.json")]) == 2
    assert not (tmp_path / "none.json").exists()
