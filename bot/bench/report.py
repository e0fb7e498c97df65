"""The bench's table: the results of every section, as printed and written to ``table.md``."""

from __future__ import annotations


def _fmt(v: object, unit: str = "") -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:.3f}{unit}" if v < 10 else f"{v:.1f}{unit}"
    return f"{v}{unit}"


def _ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{1000 * seconds:.0f}"


def table(res: dict) -> str:
    env = res["environment"]
    lines = [f"rnkbot bench, {env['date']} on {env['machine']} ({env['cpus']} CPUs, load average at start "
             f"{env['load_start']}, at end {env.get('load_end')}; {env['note']})", ""]
    a = res.get("answers", {})
    if "latency" in a:
        p = a.get("peer", {})
        phrase = f", model phrases: {a['phrase']}" if "phrase" in a else ""
        lines += [f"| answers ({a['questions']} questions, {'+'.join(a['splits'])}{phrase}) | rnkbot | usual recipe |",
                  "|---|---|---|"]
        for k in ("answer_accuracy", "citation_precision", "citation_recall", "refusal_accuracy", "retrieval_recall_at_5"):
            lines.append(f"| {k.replace('_', ' ')} | {_fmt(a['quality'][k])} | {_fmt(p.get('quality', {}).get(k))} |")
        for k, name in (("retrieve_s", "retrieval"), ("ttft_s", "time to first token"), ("total_s", "total")):
            mine, theirs = a["latency"][k], p.get("latency", {}).get(k, {})
            lines.append(f"| {name} median / p95 (s) | {_fmt(mine['median'])} / {_fmt(mine['p95'])} | "
                         f"{_fmt(theirs.get('median'))} / {_fmt(theirs.get('p95'))} |")
        peer_model = p.get("latency", {}).get("answered_with_model", "n/a")
        lines.append(f"| answered with the model | {a['latency']['answered_with_model']} | {peer_model} |")
        lines.append(f"| model tokens/s (median) | {_fmt(a['tokens_per_s']['median'])} | |")
        lines.append(f"| peak RSS (MB) | {a['peak_rss_mb']} | |")
        e = a.get("engine")
        if e:
            lines.append(f"| pipeline / llama-cpp-python alone, same prompts | {_fmt(e['pipeline_s'])} s / "
                         f"{_fmt(e['engine_s'])} s = {_fmt(e['overhead_ratio'])} ({e['same_text']}/{e['prompts']} "
                         "identical outputs) | |")
        lines.append("")
    i = res.get("index", {})
    if "articles" in i:
        lines += [f"Ingestion (real embedder): {i['articles']} articles, {i['chunks']} chunks in {i['wall_s']} s = "
                  f"{i['articles_per_s']} articles/s, {i['chunks_per_s']} chunks/s; {i['texts_embedded']} texts embedded "
                  f"once each; ingestion / embedder time = {i['ratio_to_embedder']}.", ""]
    s = res.get("scale", {})
    if s.get("steps"):
        lines += ["| synthetic chunks | articles | ingest articles/s (store only) | s/article first / last 10 % "
                  "| retrieval median / p95 (ms) | + sentences, df (ms) | bot process peak RSS (MB) "
                  "| lexical ranking | real embedder: s/article (embedder + store) |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for st in s["steps"]:
            r, rr = st.get("retrieve_s", {}), st.get("retrieve_and_reads_s", {})
            lines.append(f"| {st['chunks']} | {st['articles']} | {st['articles_per_s']} | "
                         f"{st['s_per_article_first_10pct']} / {st['s_per_article_last_10pct']} | "
                         f"{_ms(r.get('median'))} / {_ms(r.get('p95'))} | {_ms(rr.get('median'))} | "
                         f"{st.get('probe_peak_rss_mb')} | {_lexical(st)} | {_real(st)} |")
        lines.append("")
    c = res.get("concurrency", {})
    if "chats" in c:
        lines += [f"Concurrency: {c['chats']} chats asking at once through the bot's queue (fake Bot API): "
                  f"{c['answers_per_min']} answers/min, slowest wait {c['slowest_wait_s']} s, median {c['median_wait_s']} s.",
                  ""]
    lines.append("Sections' wall time: " + ", ".join(f"{k} {v.get('section_s')} s" for k, v in res.items()
                                                       if isinstance(v, dict) and "section_s" in v))
    return "\n".join(lines)


def _lexical(step: dict) -> str:
    """Which lexical ranking the step's questions used: the BM25 snapshot (and its build time) or FTS5."""
    built = step.get("lexical_snapshot_s")
    return f"BM25 snapshot (built in {built} s)" if built is not None else "SQLite FTS5"


def _real(step: dict) -> str:
    """A batch ingested with the real embedder at this size: seconds an article, and their split."""
    r = step.get("real_embedder")
    if not r:
        return "n/a"
    return f"{r['s_per_article']} ({r['embed_s_per_article']} + {r['store_s_per_article']})"
