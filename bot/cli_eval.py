"""The ``rnkbot`` commands that measure and fit: ``eval``, ``eval-topic``, ``train``,
``fit-replies``, ``eval-events`` and ``fit-events`` (the parser and :func:`~bot.cli.main` are :mod:`bot.cli`'s).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from retrieval.evaluation.qa import load_items, score
from retrieval.settings import Settings

from .cli_common import UsageError, _service


def cmd_eval_topic(args, settings: Settings) -> int:
    from retrieval.index.topic import TopicFilter, load_topic_items, score_topic
    from retrieval.models.embeddings import build_embeddings

    items = load_topic_items(args.file)
    result = score_topic(TopicFilter(build_embeddings(settings), settings.topic), items)
    print(f"{len(items)} items: precision {result.precision:.3f}, recall {result.recall:.3f}, accuracy {result.accuracy:.3f} "
          f"(tp {result.tp}, fp {result.fp}, fn {result.fn}, tn {result.tn}; threshold {settings.topic.threshold:+.3f})")
    for item, decision in result.errors:
        print(f"  wrong: {item.id} [{item.kind}, labelled {'on' if item.on_topic else 'off'}] {item.title}: {decision.reason}")
    return 0


def _with_corpus(service, paths: list[Path]) -> None:
    if paths:
        report = service.ingester().ingest_paths(paths, progress=sys.stderr.isatty())
        print(f"corpus: {report.summary()}", file=sys.stderr)


def cmd_eval(args, settings: Settings) -> int:
    items = [item for f in args.files for item in load_items(f, split=args.split)]
    service = _service(settings)
    _with_corpus(service, args.corpus)
    report = score(items, lambda q, history: service.ask(q, history=history))
    print(json.dumps(report.as_json(), ensure_ascii=False, indent=2) if args.json else report.table())
    return 0


def cmd_train(args, settings: Settings) -> int:
    from retrieval.answering.model import MODEL_PATH
    from retrieval.evaluation.train_evidence import collect, fit_retrieve_k, write_report

    def questions(files: list[Path]):
        # a reply's evidence depends on the answer it follows: replies are scored by eval, not fit on
        return [i for f in files for i in load_items(f) if (not i.split or i.split == args.split) and not i.history]

    try:
        ks = [int(k) for k in str(args.retrieve_k).split(",") if k.strip()]
    except ValueError:
        ks = []
    if not ks or min(ks) < 1:
        raise UsageError(f"--retrieve-k wants chunk counts such as 8,12,16, not {args.retrieve_k!r}")
    items, seed_items = questions(args.files), questions(args.seed_questions)
    service = _service(settings, with_llm=False)
    _with_corpus(service, args.corpus)
    corpus_docs = service.retriever.stats.n_docs()
    with tempfile.TemporaryDirectory(prefix="rnkbot-train-seeds-") as tmp:
        # seed questions are asked of the seeds alone, as a fresh install answers them; document
        # frequencies read at the main corpus's size, as answering reads a corpus smaller than the
        # one the model is fit on
        store = settings.store.model_copy(update={"data_dir": Path(tmp), "chroma_host": None, "lexical_db": None})
        seeds = _service(settings.model_copy(update={"store": store}), with_llm=False) if seed_items else None

        def collect_at(k: int) -> list:
            data = collect(service, items, k=k)
            if seeds is not None:
                data += collect(seeds, seed_items, min_docs=corpus_docs, k=k)
            return data

        model, report = fit_retrieve_k(collect_at, ks, target_precision=args.target_precision, corpus_docs=corpus_docs,
                                       progress=lambda line: print(line, file=sys.stderr))
    out = args.out or MODEL_PATH
    model.save(out)
    if args.report:
        write_report(report, args.report)
    print(json.dumps({k: v for k, v in report.items() if k != "thresholds"}, indent=1))
    print(f"model written to {out}", file=sys.stderr)
    return 0


def cmd_fit_replies(args, settings: Settings) -> int:
    import dataclasses

    from retrieval.answering.answerer import Answerer
    from retrieval.answering.model import MODEL_PATH, load_model
    from retrieval.evaluation.train_replies import fit_reply_floor

    items = [i for f in args.files for i in load_items(f) if (not i.split or i.split == args.split) and i.history]
    if not items:
        raise UsageError(f"no {args.split} item of {', '.join(map(str, args.files))} has a 'history': nothing to fit on")
    path = args.model or MODEL_PATH
    model = load_model(path)
    service = _service(settings, with_llm=False)
    _with_corpus(service, args.corpus)

    def ask_at(floor: float):
        answerer = Answerer(settings, service.retriever, service.store, None, dataclasses.replace(model, reply_floor=floor))
        return lambda question, history: answerer.answer(question, history=history)

    floor, report = fit_reply_floor(items, ask_at)
    fitted = dataclasses.replace(model, reply_floor=floor, info=model.info | {"replies": report})
    out = args.out or path
    fitted.save(out)
    print(json.dumps({k: v for k, v in report.items() if k != "tried"}, indent=1))
    print(f"reply floor {floor} written to {out}", file=sys.stderr)
    return 0


def cmd_eval_events(args, settings: Settings) -> int:
    from retrieval.digest.events import EVENT_MODEL_PATH, load_event_model
    from retrieval.evaluation.events import Pages, evaluate, load_labels, split_pages, topic_check

    labels = load_labels(args.manifest)
    service = _service(settings, with_llm=False)
    _with_corpus(service, args.corpus)
    model = load_event_model(args.model or EVENT_MODEL_PATH)
    split = None if args.split == "all" else args.split
    pages = Pages.read(service.store, split_pages(labels, split))
    if not pages.metas:
        raise UsageError(f"none of the {args.split} pages of {args.manifest} is in the index: add --corpus PATH")
    result = evaluate(pages, labels, model, max_gap_days=settings.digest.event_max_gap_days, split=args.split)
    print(result.line())
    print(topic_check(service.store, labels, split, settings).line())
    if args.groups:
        for g in result.groups:
            if len(g) > 1:
                print("  " + " + ".join(g))
    return 0


def cmd_fit_events(args, settings: Settings) -> int:
    from retrieval.digest.events import EVENT_MODEL_PATH
    from retrieval.evaluation.events import Pages, evaluate, fit_event_model, load_labels, split_pages, write_report

    labels = load_labels(args.manifest)
    service = _service(settings, with_llm=False)
    _with_corpus(service, args.corpus)
    pages = Pages.read(service.store, split_pages(labels, "train"))
    if not pages.metas:
        raise UsageError(f"none of the train pages of {args.manifest} is in the index: add --corpus PATH")
    gap = settings.digest.event_max_gap_days
    model, report = fit_event_model(pages, labels, max_gap_days=gap, target_precision=args.target_precision,
                                    progress=lambda line: print(line, file=sys.stderr))
    train = evaluate(pages, labels, model, max_gap_days=gap, split="train")
    model.info["train"] = {"precision": round(train.score.precision, 4), "recall": round(train.score.recall, 4),
                           "right": train.score.right, "grouped_pairs": train.score.grouped_pairs}
    out = args.out or EVENT_MODEL_PATH
    model.save(out)
    if args.report:
        write_report(report, args.report)
    print(f"lead sentences {model.lead_sentences} (of the first {model.lead_window or model.lead_sentences}), "
          f"date lead sentences {model.date_lead_sentences}, "
          f"threshold {model.threshold:.2f}")
    print(train.line())
    print(f"model written to {out}", file=sys.stderr)
    return 0
