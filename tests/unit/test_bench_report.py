"""The bench's table says, per scale step, which lexical ranking its questions used and what an
article cost with the real embedder."""

from bot.bench.report import table


def _step(chunks: int, snapshot_s: float | None, real: dict | None = None) -> dict:
    return {"real_embedder": real,
            "chunks": chunks, "articles": chunks // 4, "articles_per_s": 30.0, "s_per_article_first_10pct": 0.02,
            "s_per_article_last_10pct": 0.03, "retrieve_s": {"median": 0.025, "p95": 0.04},
            "retrieve_and_reads_s": {"median": 0.04}, "probe_peak_rss_mb": 600, "lexical_snapshot_s": snapshot_s}


def test_scale_rows_name_the_lexical_ranking():
    env = {"date": "2026-11-23", "machine": "x86_64", "cpus": 2, "load_start": 0.5, "load_end": 0.6, "note": "test"}
    real = {"articles": 32, "s_per_article": 0.31, "embed_s_per_article": 0.29, "store_s_per_article": 0.02}
    steps = [_step(1000, None), _step(100000, 19.2, real)]
    text = table({"environment": env, "scale": {"steps": steps, "section_s": 10.0}})
    rows = [line for line in text.splitlines() if line.startswith("| 1000 |") or line.startswith("| 100000 |")]
    assert rows[0].endswith("| SQLite FTS5 | n/a |")
    assert rows[1].endswith("| BM25 snapshot (built in 19.2 s) | 0.31 (0.29 + 0.02) |")
    assert "| 25 / 40 |" in rows[0]
