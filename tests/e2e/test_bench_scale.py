"""``make bench``'s scale section end to end on a small size: the synthetic index is built, a batch
is ingested with the real embedder (the issue's per-article cost as the index grows), and a fresh
process holding the whole service answers retrieval questions over it."""

from __future__ import annotations

import json

import pytest

from bot.bench import main


def test_the_scale_section_measures_ingestion_retrieval_and_the_real_embedder(tmp_path):
    out = tmp_path / "out"
    assert main(["--only", "scale", "--sizes", "120", "--work", str(tmp_path / "work"), "--out", str(out),
                 "--realdev", str(tmp_path / "no-realdev")]) == 0
    (result,) = out.glob("*/bench.json")
    (step,) = json.loads(result.read_text(encoding="utf-8"))["scale"]["steps"]
    real = step["real_embedder"]
    assert step["new_articles"] > 0 and step["chunks"] >= 120 and step["articles"] == step["new_articles"] + real["articles"]
    assert real["articles"] == 32 and real["s_per_article"] > real["embed_s_per_article"] > 0
    assert real["store_s_per_article"] == pytest.approx(real["s_per_article"] - real["embed_s_per_article"], abs=2e-4)
    assert step["retrieve_s"]["median"] > 0 and step["n_docs"] == step["articles"]
    table = (result.parent / "table.md").read_text(encoding="utf-8")
    assert f"| {real['s_per_article']} ({real['embed_s_per_article']} + {real['store_s_per_article']}) |" in table
