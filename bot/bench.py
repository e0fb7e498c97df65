"""``make bench`` (``python -m bot.bench``): speed and scale as measured facts.

Sections, each in a process of its own (so each peak RSS is that section's):

- **index**: the seeds plus ``realdev``'s pages ingested with the real embedder: articles and
  chunks a second, and ingestion's time over the embedder's own time for the texts it embeds;
- **answers**: ``realdev`` questions (``val`` by default) through the real service: retrieval,
  time to first token and total (median, p95), the model's tokens a second, peak RSS, and
  ``rnkbot eval``'s quality metrics; then the same prompts through llama-cpp-python alone
  (the pipeline's overhead as a ratio); then **the usual recipe** as a peer on the same questions
  (``retrieval.evaluation.peer``), its quality and latency side by side;
- **scale**: a synthetic corpus made from the seeds (``retrieval.evaluation.synthetic``; never in
  ``corpus/``) ingested to 1k, 10k and 100k chunks: ingestion throughput (the store's own: vectors
  derived from the seeds' real ones), then in a fresh process holding the whole service (embedder,
  model, index) retrieval latency and peak RSS;
- **concurrency**: N private chats ask at once through the bot's queue, against the tests' fake
  Bot API: throughput and the slowest wait.

Prints a table and writes ``results/bench/<time>/bench.json`` and ``table.md``. Timings depend on
the machine and on what else runs on it: the table records both.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # the sections import what they need themselves: each runs in a process of its own
    import numpy as np

    from retrieval.evaluation.qa import EvalItem
    from retrieval.models.embeddings import VectorEmbeddings
    from retrieval.models.llm import Generator, OnToken
    from retrieval.settings import Settings
    from retrieval.types import Answer

ROOT = Path(__file__).resolve().parent.parent
REALDEV = ROOT.parent / "shared" / "eval" / "realdev"
SCALE_QUESTIONS = [
    "Siapa yang menyampaikan salam dari Putin kepada Kim Jong Un?", "Berapa tentara Korea Utara yang dikirim ke Rusia?",
    "Kapan Kozlov bertemu Kim Jong Un di Pyongyang?", "What did Kim and Putin agree on in 2023?",
    "Who is Alexander Kozlov?", "Apa isi perjanjian kemitraan strategis Rusia dan Korea Utara?",
    "Di mana Kim Jong Un bertemu Putin?", "What military cooperation did North Korea discuss with Russia?",
    "Siapa penulis berita Kompas TV tentang kunjungan Menteri SDA Rusia?", "Bagaimana Korea Selatan menanggapi kunjungan itu?",
    "When did the Russian delegation visit Pyongyang?", "Apa yang dibahas Politbiro Partai Pekerja Korea?",
]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _stats(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"median": None, "p95": None}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return {"median": round(statistics.median(ordered), 4), "p95": round(p95, 4)}


def _settings(data_dir: Path, **sections: dict[str, Any]) -> Settings:
    """No ``.env``: the bench's own data dir over the seed corpus, with overrides by section."""
    from corpus import ARTICLES_DIR
    from retrieval.settings import Settings

    values: dict[str, Any] = {"_env_file": None, "store": {"data_dir": data_dir, "corpus_dir": ARTICLES_DIR}, **sections}
    return Settings(**values)


def _llm(args: argparse.Namespace) -> dict[str, Any]:
    return {"model": args.model, "threads": args.threads}


def _realdev_articles(realdev: Path) -> list[Path]:
    from corpus import ARTICLES_DIR

    return [ARTICLES_DIR] + ([realdev / "articles"] if (realdev / "articles").is_dir() else [])


# --- sections (each runs in a child process) ----------------------------------------------
def section_index(work: Path, args: argparse.Namespace) -> dict:
    """The realistic index, built with the real embedder."""
    from retrieval.service import AnswerService

    svc = AnswerService.build(_settings(work / "realdev", llm={"model": args.model}), with_llm=False)
    emb = svc.store.embeddings
    spent = {"s": 0.0, "texts": 0}
    real = emb.embed_passages

    def timed(texts: list[str]) -> np.ndarray:
        t = time.perf_counter()
        out = real(texts)
        spent["s"] += time.perf_counter() - t
        spent["texts"] += len(texts)
        return out

    emb.embed_passages = timed  # type: ignore[method-assign]  # the embedder's time, measured from inside
    t0 = time.perf_counter()
    report = svc.ingester().ingest_paths(_realdev_articles(args.realdev))
    wall = time.perf_counter() - t0
    n = len(report.added) + len(report.updated)
    return {"articles": n, "chunks": svc.store.count(), "texts_embedded": spent["texts"], "wall_s": round(wall, 2),
            "embedder_s": round(spent["s"], 2), "ratio_to_embedder": round(wall / max(spent["s"], 1e-9), 3),
            "articles_per_s": round(n / wall, 3), "chunks_per_s": round(svc.store.count() / wall, 2)}


class _Recorder:
    """Wraps the generator: the prompts it got, tokens streamed and their times."""

    def __init__(self, generator: Generator) -> None:
        self.g = generator
        self.calls: list[dict[str, Any]] = []
        self._complete, self._chat = generator.complete, generator.chat
        generator.complete = self.complete  # type: ignore[method-assign]  # recorded from inside
        generator.chat = self.chat  # type: ignore[method-assign]

    def _wrap(self, record: dict[str, Any], on_text: OnToken | None) -> OnToken:
        def seen(text: str) -> None:
            record["times"].append(time.perf_counter())
            if on_text:
                on_text(text)
        return seen

    def complete(self, prompt: str, *, stop: list[str], max_tokens: int, on_text: OnToken | None = None) -> str:
        rec: dict[str, Any] = {"kind": "complete", "prompt": prompt, "stop": stop, "max_tokens": max_tokens, "times": [],
                               "start": time.perf_counter()}
        self.calls.append(rec)
        rec["text"] = self._complete(prompt, stop=stop, max_tokens=max_tokens, on_text=self._wrap(rec, on_text))
        rec["end"] = time.perf_counter()
        return str(rec["text"])

    def chat(self, system: str, user: str, *, max_tokens: int, on_text: OnToken | None = None) -> str:
        rec: dict[str, Any] = {"kind": "chat", "system": system, "user": user, "max_tokens": max_tokens, "times": [],
                               "start": time.perf_counter()}
        self.calls.append(rec)
        rec["text"] = self._chat(system, user, max_tokens=max_tokens, on_text=self._wrap(rec, on_text))
        rec["end"] = time.perf_counter()
        return str(rec["text"])


def _questions(args: argparse.Namespace) -> list[EvalItem]:
    from retrieval.evaluation.qa import load_items

    path = args.realdev / "questions.jsonl"
    if not path.is_file():
        return load_items(ROOT.parent / "shared" / "eval" / "dev.jsonl")
    wanted = {json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()
              if line.strip() and json.loads(line).get("split") in args.split}
    items = [it for it in load_items(path) if it.id in wanted]
    return items[: args.max_questions] if args.max_questions else items


def _timed_answers(ask: Callable[[str, OnToken], Answer], items: list[EvalItem]) -> tuple[list[Answer], list[dict]]:
    answers: list[Answer] = []
    rows: list[dict] = []
    for it in items:
        first: list[float] = []

        def seen(_text: str, first: list[float] = first) -> None:
            if not first:
                first.append(time.perf_counter())

        t0 = time.perf_counter()
        a = ask(it.question, seen)
        total = time.perf_counter() - t0
        answers.append(a)
        rows.append({"id": it.id, "retrieve_s": a.timings.retrieve_s, "total_s": total,
                     "ttft_s": (first[0] - t0) if first else None, "refused": a.refused})
    return answers, rows


def _quality(items: list[EvalItem], answers: list[Answer]) -> dict:
    from retrieval.evaluation.qa import score

    by_q = iter(answers)
    overall = score(items, lambda _q: next(by_q)).overall
    keys = ("answer_accuracy", "citation_precision", "citation_recall", "refusal_accuracy", "retrieval_recall_at_5")
    return {k: None if getattr(overall, k) is None else round(getattr(overall, k), 3) for k in keys}


def _latency(rows: list[dict]) -> dict:
    return {"retrieve_s": _stats([r["retrieve_s"] for r in rows]),
            "ttft_s": _stats([r["ttft_s"] for r in rows if r["ttft_s"]]),
            "total_s": _stats([r["total_s"] for r in rows]), "answered_with_model": sum(1 for r in rows if r["ttft_s"])}


def section_answers(work: Path, args: argparse.Namespace) -> dict:
    from corpus.language import detect_language
    from retrieval.evaluation.peer import PeerRecipe
    from retrieval.service import AnswerService

    settings = _settings(work / "realdev", llm=_llm(args))
    svc = AnswerService.build(settings)
    generator = svc.generator
    assert generator is not None, "the bench measures the model: RNKBOT_LLM_BACKEND=none has nothing to time"
    rec = _Recorder(generator)
    items = _questions(args)
    svc.ask("Kapan Kozlov bertemu Kim Jong Un?")  # load and warm once, as a running bot is
    warm = list(rec.calls)
    rec.calls.clear()

    answers, rows = _timed_answers(lambda q, cb: svc.ask(q, on_partial=cb), items)
    rss = _rss_mb()
    gens = [c for c in rec.calls if len(c["times"]) > 1]
    tok_s = [(len(c["times"]) - 1) / (c["times"][-1] - c["times"][0]) for c in gens if c["times"][-1] > c["times"][0]]
    out: dict[str, Any] = {"questions": len(items), "splits": args.split, "latency": _latency(rows),
                           "peak_rss_mb": round(rss), "tokens_per_s": _stats(tok_s), "quality": _quality(items, answers)}

    # The same prompts through llama-cpp-python alone (same Llama object, same settings).
    # the service's generator is wrapped in a time limit (retrieval.models.guard): the Llama is inside
    llm = getattr(getattr(generator, "inner", generator), "_llm", None)
    if llm is not None and rec.calls:
        engine = 0.0
        same = 0
        # Replay from the state the pipeline started in: llama.cpp reuses the longest common
        # prefix of the previous prompt (the few-shot examples), for it and for us alike.
        llm.reset()
        for c in warm:
            for _ in llm(c["prompt"], max_tokens=1, temperature=0.0, stream=True) if c["kind"] == "complete" else ():
                pass
        for c in rec.calls:
            t0 = time.perf_counter()
            if c["kind"] == "complete":
                text = "".join(p["choices"][0]["text"] for p in llm(c["prompt"], max_tokens=c["max_tokens"],
                                                                     temperature=0.0, stop=c["stop"], stream=True))
            else:
                text = "".join(p["choices"][0]["delta"].get("content") or "" for p in llm.create_chat_completion(
                    messages=[{"role": "system", "content": c["system"]}, {"role": "user", "content": c["user"]}],
                    max_tokens=c["max_tokens"], temperature=0.0, stream=True))
            engine += time.perf_counter() - t0
            same += text == c["text"]
        pipeline = sum(r["total_s"] for r in rows if r["ttft_s"])
        out["engine"] = {"prompts": len(rec.calls), "same_text": same, "engine_s": round(engine, 3),
                         "pipeline_s": round(pipeline, 3),
                         "overhead_ratio": round(pipeline / engine, 3) if engine else None}

    # The usual recipe, on the same questions, corpus, model and embeddings.
    try:
        from corpus.documents import DocumentError, iter_files, load_file

        max_tokens = settings.llm.max_tokens
        peer = PeerRecipe(svc.store.embeddings, lambda prompt, on_text: generator.complete(
            prompt, stop=["\nQuestion:", "\n\n\n"], max_tokens=max_tokens, on_text=on_text),
            work / "peer-chroma", max_tokens)
        articles = []
        for path in iter_files(_realdev_articles(args.realdev)):
            with contextlib.suppress(DocumentError):
                articles.append(load_file(path))
        t0 = time.perf_counter()
        n_chunks = peer.index(articles)
        index_s = time.perf_counter() - t0
        answers, rows = _timed_answers(lambda q, cb: peer.ask(q, detect_language(q), cb), items)
        out["peer"] = {"chunks": n_chunks, "index_s": round(index_s, 2), "latency": _latency(rows),
                       "quality": _quality(items, answers)}
    except ImportError as exc:
        out["peer"] = {"skipped": f"{exc} (pip install -e '.[bench]')"}
    return out


def section_scale_build(work: Path, args: argparse.Namespace) -> dict:
    """Grow the synthetic index to each size; throughput of each step (the store's own)."""
    from corpus import ARTICLES_DIR
    from corpus.documents import load_file
    from retrieval.evaluation.synthetic import DerivedEmbeddings, SyntheticCorpus
    from retrieval.index.ingest import Ingester, IngestReport
    from retrieval.index.opening import open_store
    from retrieval.models.embeddings import build_embeddings

    settings = _settings(work / "scale")
    corpus = SyntheticCorpus([load_file(p) for p in sorted(ARTICLES_DIR.glob("*.md"))])
    emb = DerivedEmbeddings(build_embeddings(settings), corpus)
    store = open_store(settings, cast("VectorEmbeddings", emb))  # vectors derived from the seeds' real ones
    ing = Ingester(store)
    steps: list[dict[str, Any]] = []
    next_id = 0
    for size in args.sizes:
        t0, chunks0, art0 = time.perf_counter(), store.count(), next_id
        per_batch: list[float] = []
        while store.count() < size:
            tb = time.perf_counter()
            ing.ingest_articles(corpus.articles(next_id, next_id + 64), IngestReport())
            next_id += 64
            per_batch.append((time.perf_counter() - tb) / 64)
        wall = time.perf_counter() - t0
        n_art, n_chunks = next_id - art0, store.count() - chunks0
        k = max(1, len(per_batch) // 10)
        steps.append({"size": size, "chunks": store.count(), "articles": next_id, "new_articles": n_art,
                      "wall_s": round(wall, 2), "articles_per_s": round(n_art / wall, 2) if wall else None,
                      "chunks_per_s": round(n_chunks / wall, 1) if wall else None,
                      "s_per_article_first_10pct": round(statistics.mean(per_batch[:k]), 4) if per_batch else None,
                      "s_per_article_last_10pct": round(statistics.mean(per_batch[-k:]), 4) if per_batch else None,
                      "build_peak_rss_mb": round(_rss_mb())})
        probe = _child("scale_probe", work, args, extra=["--probe-size", str(size)])
        steps[-1].update(probe)
        print(f"  scale {size}: {steps[-1]}", file=sys.stderr, flush=True)
    return {"steps": steps, "synthetic": True}


def section_scale_probe(work: Path, args: argparse.Namespace) -> dict:
    """A fresh process holding the whole service (embedder, model, index) at this size."""
    from retrieval.answering.question import FORM_WORDS
    from retrieval.service import AnswerService
    from retrieval.text.lexicon import concepts

    svc = AnswerService.build(_settings(work / "scale", llm=_llm(args)))
    r = svc.retriever
    vecs = [svc.store.embeddings.query_vector(q) for q in SCALE_QUESTIONS]
    r.retrieve(SCALE_QUESTIONS[0], vecs[0])  # first use opens the segments
    lat: list[float] = []
    reads: list[float] = []
    n = 0
    for q, v in zip(SCALE_QUESTIONS, vecs, strict=True):
        t0 = time.perf_counter()
        hits = r.retrieve(q, v)
        t1 = time.perf_counter()
        svc.store.sentences_of(list(dict.fromkeys(h.chunk.doc_id for h in hits)))
        n = r.stats.n_docs()
        for c in concepts(q, exclude=FORM_WORDS, group_names=True):
            r.stats.doc_freq(c)
        reads.append(time.perf_counter() - t1 + (t1 - t0))
        lat.append(t1 - t0)
    return {"retrieve_s": _stats(lat), "retrieve_and_reads_s": _stats(reads), "n_docs": n, "probe_peak_rss_mb": round(_rss_mb())}


def section_concurrency(work: Path, args: argparse.Namespace) -> dict:
    import asyncio

    sys.path.insert(0, str(ROOT))
    from bot.telegram.app import build_application
    from bot.telegram.services import SERVICES_KEY
    from retrieval.service import AnswerService
    from tests.fakes.bot_api import FakeBotAPI
    from tests.fakes.harness import running
    from tests.fakes.updates import private_person

    settings = _settings(work / "realdev", llm=_llm(args))
    svc = AnswerService.build(settings)
    items = _questions(args)

    async def run() -> dict:
        api = FakeBotAPI()
        await api.start()
        try:
            bot_settings = settings.updated(store={"data_dir": work / "bot"}, telegram={
                "bot_token": api.token, "base_url": api.base_url, "admins": [], "allowed_chats": None,
                "rate_limit_per_min": 60, "edit_interval_s": 1.0, "group_edit_interval_s": 1.0, "send_retries": 3})
            app = build_application(bot_settings, service_factory=lambda _s: svc)
            async with running(app):
                people = [private_person(api, 7000 + i, "id") for i in range(args.chats)]
                t0 = time.monotonic()
                await asyncio.gather(*(p.say(items[i % len(items)].question) for i, p in enumerate(people)))
                await asyncio.sleep(0.5)
                await app.bot_data[SERVICES_KEY].queue.join()
                done = time.monotonic()
                waits = []
                for p in people:
                    last = [c.at for c in api.calls if c.ok and c.method in ("sendMessage", "editMessageText")
                            and c.params.get("chat_id") == p.chat_id]
                    waits.append((max(last) if last else done) - t0)
            return {"chats": args.chats, "wall_s": round(done - t0, 2),
                    "answers_per_min": round(60 * args.chats / (done - t0), 2),
                    "slowest_wait_s": round(max(waits), 2), "median_wait_s": round(statistics.median(waits), 2)}
        finally:
            await api.stop()

    return asyncio.run(run())


SECTIONS = {"index": section_index, "answers": section_answers, "scale": section_scale_build,
            "scale_probe": section_scale_probe, "concurrency": section_concurrency}


# --- the parent ---------------------------------------------------------------------------
def _child(section: str, work: Path, args: argparse.Namespace, extra: list[str] | None = None) -> dict:
    out = work / f"{section}-{time.monotonic_ns()}.json"
    argv = [sys.executable, "-m", "bot.bench", "--child", section, "--work", str(work), "--child-out", str(out),
            "--realdev", str(args.realdev), "--sizes", ",".join(map(str, args.sizes)), "--split", ",".join(args.split),
            "--chats", str(args.chats), "--threads", str(args.threads), "--max-questions", str(args.max_questions)]
    if args.model:
        argv += ["--model", str(args.model)]
    t0 = time.perf_counter()
    proc = subprocess.run(argv + (extra or []), cwd=ROOT, env=os.environ | {"ANONYMIZED_TELEMETRY": "False"})
    if proc.returncode != 0:
        return {"error": f"section {section} exited with {proc.returncode}"}
    result = json.loads(out.read_text(encoding="utf-8"))
    result.setdefault("section_s", round(time.perf_counter() - t0, 1))
    return result


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
        lines += [f"| answers ({a['questions']} questions, {'+'.join(a['splits'])}) | rnkbot | usual recipe |",
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
                  "| retrieval median / p95 (ms) | + sentences, df (ms) | bot process peak RSS (MB) |",
                  "|---|---|---|---|---|---|---|"]
        for st in s["steps"]:
            r, rr = st.get("retrieve_s", {}), st.get("retrieve_and_reads_s", {})
            lines.append(f"| {st['chunks']} | {st['articles']} | {st['articles_per_s']} | "
                         f"{st['s_per_article_first_10pct']} / {st['s_per_article_last_10pct']} | "
                         f"{_ms(r.get('median'))} / {_ms(r.get('p95'))} | {_ms(rr.get('median'))} | "
                         f"{st.get('probe_peak_rss_mb')} |")
        lines.append("")
    c = res.get("concurrency", {})
    if "chats" in c:
        lines += [f"Concurrency: {c['chats']} chats asking at once through the bot's queue (fake Bot API): "
                  f"{c['answers_per_min']} answers/min, slowest wait {c['slowest_wait_s']} s, median {c['median_wait_s']} s.",
                  ""]
    lines.append("Sections' wall time: " + ", ".join(f"{k} {v.get('section_s')} s" for k, v in res.items()
                                                       if isinstance(v, dict) and "section_s" in v))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bot.bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="1000,10000,100000", help="synthetic corpus sizes in chunks (comma-separated)")
    p.add_argument("--realdev", type=Path, default=REALDEV, help="the realdev folder (questions and pages)")
    p.add_argument("--split", default="val", help="realdev splits to ask (comma-separated; default val)")
    p.add_argument("--max-questions", type=int, default=0, help="ask at most this many (0: all)")
    p.add_argument("--chats", type=int, default=8, help="chats asking at once in the concurrency section")
    p.add_argument("--threads", type=int, default=1, help="llama.cpp threads (RNKBOT_LLM_THREADS)")
    p.add_argument("--model", type=Path, default=None, help="a GGUF (default: the packaged Gemma 3 270M)")
    p.add_argument("--only", default="index,answers,scale,concurrency", help="sections to run")
    p.add_argument("--out", type=Path, default=ROOT / "results" / "bench", help="results folder")
    p.add_argument("--note", default="", help="what else ran on the machine")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--work", type=Path, help="working folder (default: a new temporary one); an index built there is reused")
    p.add_argument("--probe-size", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.sizes = [int(x) for x in str(args.sizes).split(",") if x]
    args.split = [x for x in str(args.split).split(",") if x]
    if args.child:
        import logging

        logging.basicConfig(level=logging.WARNING)
        result = SECTIONS[args.child](args.work, args)
        args.child_out.write_text(json.dumps(result, indent=1), encoding="utf-8")
        return 0

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.out / stamp
    out.mkdir(parents=True, exist_ok=True)
    work = args.work or Path(tempfile.mkdtemp(prefix="rnkbot-bench-"))
    res: dict = {"environment": {
        "date": datetime.now(UTC).date().isoformat(), "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "cpus": os.cpu_count(), "load_start": round(os.getloadavg()[0], 2), "python": platform.python_version(),
        "note": args.note or "shared machine: other processes may have run", "realdev": args.realdev.is_dir(),
        "threads": args.threads}}
    started = time.perf_counter()
    only = set(args.only.split(","))
    if only & {"answers", "concurrency"} and not (work / "realdev").is_dir():
        only.add("index")  # they answer from the realistic index
    for section in ("index", "answers", "scale", "concurrency"):
        if section in only:
            print(f"bench: {section}...", file=sys.stderr, flush=True)
            res[section] = _child(section, work, args)
    res["environment"]["load_end"] = round(os.getloadavg()[0], 2)
    res["environment"]["wall_s"] = round(time.perf_counter() - started, 1)
    text = table(res) + f"\nTotal wall time: {res['environment']['wall_s']} s."
    (out / "bench.json").write_text(json.dumps(res, indent=1), encoding="utf-8")
    (out / "table.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    print(f"\nwritten: {out / 'bench.json'}, {out / 'table.md'} (work dir {work})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
