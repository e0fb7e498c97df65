"""What the bench's sections share: where the project and ``realdev`` are, the bench's settings,
``realdev``'s questions, the figures (peak RSS, median and p95), and :func:`_child`, which runs
a section in a process of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the sections import what they need themselves: each runs in a process of its own
    import numpy as np

    from retrieval.evaluation.qa import EvalItem
    from retrieval.models.embeddings import VectorEmbeddings
    from retrieval.settings import Settings

ROOT = Path(__file__).resolve().parent.parent.parent
REALDEV = ROOT.parent / "shared" / "eval" / "realdev"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_embedding(emb: VectorEmbeddings) -> dict[str, float]:
    """Measure ``emb``'s own time from inside: its ``embed_passages`` adds each call's seconds and
    texts to the returned ``{"s", "texts"}`` from now on."""
    spent = {"s": 0.0, "texts": 0.0}
    real = emb.embed_passages

    def timed(texts: list[str]) -> np.ndarray:
        t = time.perf_counter()
        try:
            return real(texts)
        finally:
            spent["s"] += time.perf_counter() - t
            spent["texts"] += len(texts)

    emb.embed_passages = timed  # type: ignore[method-assign]
    return spent


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


def _questions(args: argparse.Namespace) -> list[EvalItem]:
    from retrieval.evaluation.qa import load_items

    path = args.realdev / "questions.jsonl"
    if not path.is_file():
        return load_items(ROOT.parent / "shared" / "eval" / "dev.jsonl")
    wanted = {json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()
              if line.strip() and json.loads(line).get("split") in args.split}
    items = [it for it in load_items(path) if it.id in wanted]
    return items[: args.max_questions] if args.max_questions else items


# --- the parent ---------------------------------------------------------------------------
def _child(section: str, work: Path, args: argparse.Namespace, extra: list[str] | None = None) -> dict:
    out = work / f"{section}-{time.monotonic_ns()}.json"
    argv = [sys.executable, "-m", "bot.bench", "--child", section, "--work", str(work), "--child-out", str(out),
            "--realdev", str(args.realdev), "--sizes", ",".join(map(str, args.sizes)), "--split", ",".join(args.split),
            "--chats", str(args.chats), "--threads", str(args.threads), "--max-questions", str(args.max_questions),
            "--phrase", args.phrase]
    if args.model:
        argv += ["--model", str(args.model)]
    t0 = time.perf_counter()
    proc = subprocess.run(argv + (extra or []), cwd=ROOT, env=os.environ | {"ANONYMIZED_TELEMETRY": "False"})
    if proc.returncode != 0:
        return {"error": f"section {section} exited with {proc.returncode}"}
    result = json.loads(out.read_text(encoding="utf-8"))
    result.setdefault("section_s", round(time.perf_counter() - t0, 1))
    return result
