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

The sections are modules of this package (:mod:`.index`, :mod:`.answers`, :mod:`.scale`,
:mod:`.concurrency`), what they share is :mod:`.common`, and the table is :mod:`.report`'s;
:func:`main` runs each section in a child process (``python -m bot.bench --child SECTION``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import get_args

from bot.bench.answers import section_answers
from bot.bench.common import REALDEV, ROOT, _child
from bot.bench.concurrency import section_concurrency
from bot.bench.index import section_index
from bot.bench.report import table
from bot.bench.scale import section_scale_build, section_scale_probe
from retrieval.settings.models import Phrase

SECTIONS = {"index": section_index, "answers": section_answers, "scale": section_scale_build,
            "scale_probe": section_scale_probe, "concurrency": section_concurrency}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bot.bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="1000,10000,100000", help="synthetic corpus sizes in chunks (comma-separated)")
    p.add_argument("--realdev", type=Path, default=REALDEV, help="the realdev folder (questions and pages)")
    p.add_argument("--split", default="val", help="realdev splits to ask (comma-separated; default val)")
    p.add_argument("--max-questions", type=int, default=0, help="ask at most this many (0: all)")
    p.add_argument("--chats", type=int, default=8, help="chats asking at once in the concurrency section")
    p.add_argument("--threads", type=int, default=1, help="llama.cpp threads (RNKBOT_LLM_THREADS)")
    p.add_argument("--model", type=Path, default=None, help="a GGUF (default: the packaged Gemma 3 270M)")
    p.add_argument("--phrase", choices=get_args(Phrase), default="across_languages",
                   help="when the model phrases an answer (RNKBOT_PHRASE; 'always' times the engine on every answer)")
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
