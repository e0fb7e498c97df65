"""The ``rnkbot`` command: ask, chat, ingest, eval, digest, serve, run, about, env-example.

Settings are built once here and passed down. Errors a user can fix (:class:`RnkbotError`
from any layer, a missing or unreadable file) become one line on stderr and exit code 2;
``-v`` adds their traceback. Anything else is a bug: it shows its traceback. Logging is
configured here (:mod:`bot.logsetup`): quiet third parties unless ``-v``, secrets redacted from
every line, tracebacks included.

The parser, the everyday commands and :func:`main` are here; the commands that measure and fit
(eval, eval-topic, train, eval-events, fit-events) are :mod:`bot.cli_eval`'s, and what the
commands share (the service, :class:`~bot.cli_common.UsageError`) :mod:`bot.cli_common`'s.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from pydantic import SecretStr, ValidationError

from corpus.errors import ConfigError, RnkbotError
from corpus.feeds import load_feeds_file
from corpus.jsonl import JsonlError, decode_line, parse_line, raw_lines
from corpus.urls import shown_url
from retrieval.settings import Settings, env_example, setting_name
from retrieval.text.times import parse_since, parse_timezone

from .cli_common import UsageError, _service
from .cli_eval import cmd_eval, cmd_eval_events, cmd_eval_topic, cmd_fit_events, cmd_fit_replies, cmd_train
from .inputs import clean_question
from .logsetup import configure, redact
from .textui import format_answer

log = logging.getLogger("rnkbot")
# What a user can fix; the rest is a bug and shows its traceback.
USER_ERRORS = (RnkbotError, FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rnkbot", description="Cited answers on Russia–North Korea relations from news articles.")
    p.add_argument("-v", "--verbose", action="store_true", help="log what the pipeline does")
    sub = p.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="answer one question (or a batch) from the index")
    ask.add_argument("question", nargs="?", help="the question (Indonesian or English)")
    ask.add_argument("--json", action="store_true", help="print the answer contract as JSON")
    ask.add_argument("--batch", type=Path, metavar="FILE", help="one question a line (JSON with 'question', or text)")
    ask.add_argument("--lang", choices=["id", "en"], help="reply language (default: the question's)")

    sub.add_parser("chat", help="interactive chat in the terminal")

    ing = sub.add_parser("ingest", help="add or update articles from files, web pages and RSS/Atom feeds")
    ing.add_argument("paths", nargs="*", metavar="PATH_OR_URL",
                     help="files or folders (.md with front matter, .txt scraped pages, .html) or web page URLs")
    ing.add_argument("--feed", action="append", default=[], metavar="URL", help="an RSS/Atom feed (repeatable)")
    ing.add_argument("--feeds", type=Path, metavar="FILE", help="a feeds file (TOML, like feeds.toml)")
    ing.add_argument("--filter-files", action="store_true",
                     help="apply the topic filter to files too (web pages and feeds are always filtered)")
    ing.add_argument("--quiet", action="store_true", help="no progress bar")
    ing.add_argument("--rebuild", action="store_true",
                     help="build a new index from RNKBOT_CORPUS_DIR (plus any PATH_OR_URL and feeds) and replace the "
                          "old one when it is complete: the fix for a damaged or empty index")

    et = sub.add_parser("eval-topic", help="precision/recall of the topic filter on a labelled set")
    et.add_argument("file", type=Path, help="JSONL: id, title, text, on_topic (see corpus/eval/topic.jsonl)")

    ev = sub.add_parser("eval", help="score a question set (format of shared/eval/dev.jsonl)")
    ev.add_argument("files", type=Path, nargs="+", metavar="FILE",
                    help="question sets (JSONL: dev.jsonl's format); several are scored as one")
    ev.add_argument("--split", help="only the questions of this split (e.g. train or val)")
    ev.add_argument("--corpus", type=Path, action="append", default=[], metavar="PATH",
                    help="ingest these files or folders into the index first (repeatable); e.g. realdev's articles")
    ev.add_argument("--json", action="store_true", help="print the report as JSON")

    tr = sub.add_parser("train", help="fit the evidence model on labelled questions (writes the packaged model)")
    tr.add_argument("files", type=Path, nargs="+", help="question sets (JSONL, as for eval)")
    tr.add_argument("--split", default="train", help="use only this split of files that have one (default: train)")
    tr.add_argument("--corpus", type=Path, action="append", default=[], metavar="PATH",
                    help="ingest these files or folders into the index first (repeatable)")
    tr.add_argument("--seed-questions", type=Path, action="append", default=[], metavar="FILE",
                    help="question sets written over the seed articles alone (dev.jsonl; repeatable): asked of an index "
                         "of the seeds in a temporary folder, the corpus they were written for")
    tr.add_argument("--out", type=Path, help="where to write the model (default: the packaged model file)")
    tr.add_argument("--report", type=Path, help="also write the full training report (every threshold tried) as JSON")
    tr.add_argument("--retrieve-k", default="8,12,16,20", metavar="K[,K...]",
                    help="chunks retrieved per question to try (default 8,12,16,20); the one with the best cross-validated "
                         "accuracy + refusal accuracy is kept in the model")
    tr.add_argument("--target-precision", type=float, default=0.9,
                    help="least share of right answers among answered training questions (cross-validated)")

    fr = sub.add_parser("fit-replies", help="fit the evidence model's reply floor on labelled replies (writes the model)")
    fr.add_argument("files", type=Path, nargs="+", metavar="FILE",
                    help="conversations (JSONL, as for eval, each item with a 'history' of earlier questions)")
    fr.add_argument("--split", default="train", help="use only this split of files that have one (default: train)")
    fr.add_argument("--corpus", type=Path, action="append", default=[], metavar="PATH",
                    help="ingest these files or folders into the index first (repeatable)")
    fr.add_argument("--model", type=Path, help="the evidence model to fit it for (default: the packaged one)")
    fr.add_argument("--out", type=Path, help="where to write the model (default: the file it was read from)")

    dg = sub.add_parser("digest", help="what is new, grouped by event, every line cited (as subscribers get it)")
    dg.add_argument("--since", metavar="DATE",
                    help="start of the window: YYYY-MM-DD[THH:MM] (in RNKBOT_DIGEST_TIMEZONE) or 36h / 7d (default: 24h)")
    dg.add_argument("--lang", choices=["id", "en"], default="id", help="language of the digest (default: id)")
    dg.add_argument("--json", action="store_true", help="print the digest as JSON")
    dg.add_argument("--all", action="store_true", help="every item, not only the RNKBOT_DIGEST_MAX_ITEMS biggest")

    sub.add_parser("serve", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    ee = sub.add_parser("eval-events", help="pairwise same-event precision/recall of the digest's grouping on labelled pages")
    ee.add_argument("manifest", type=Path, help="manifest.jsonl with doc_id, on_topic and events (e.g. realdev's)")
    ee.add_argument("--split", choices=["train", "val", "all"], default="val",
                    help="the pages to group and score (the split rule is in retrieval/evaluation/events.py)")
    ee.add_argument("--corpus", type=Path, action="append", default=[], metavar="PATH",
                    help="ingest these files or folders into the index first (repeatable); e.g. realdev's articles")
    ee.add_argument("--model", type=Path, help="an event model file (default: the packaged one)")
    ee.add_argument("--groups", action="store_true", help="also print each item of more than one page")

    fe = sub.add_parser("fit-events", help="fit the digest's event grouping on the train pages (writes the packaged model)")
    fe.add_argument("manifest", type=Path, help="manifest.jsonl with doc_id, on_topic and events (e.g. realdev's)")
    fe.add_argument("--corpus", type=Path, action="append", default=[], metavar="PATH",
                    help="ingest these files or folders into the index first (repeatable)")
    fe.add_argument("--out", type=Path, help="where to write the model (default: the packaged model file)")
    fe.add_argument("--report", type=Path, help="also write every setting tried with its figures (JSON)")
    fe.add_argument("--target-precision", type=float, default=0.9,
                    help="least pairwise precision (cross-validated on train) of the chosen grouping threshold")

    sub.add_parser("run", help="build the index if needed, then the bot (with a token) or the terminal chat")
    sub.add_parser("about", help="what the index holds")
    sub.add_parser("env-example", help="print .env.example: every setting, its description and default")
    return p


class BatchLine(NamedTuple):
    """One line of a ``--batch`` file, as it will be answered: the question (or the line itself,
    for ``error``), and how long it was before it was cut (``None``: not cut)."""

    no: int
    question: str
    error: str | None = None
    cut_from: int | None = None


def _batch_questions(path: Path, max_chars: int) -> Iterator[BatchLine]:
    """One :class:`BatchLine` per line of the file, blank lines included: a JSON object with
    "question", or plain text. A line that cannot be a question carries its ``error``, so the
    answers line up with the questions (line N of the output answers line N of the input)."""
    for no, raw in raw_lines(path):
        try:
            line = decode_line(path, no, raw)
        except JsonlError as exc:  # one bad line, not a bad file: the others are answered
            yield BatchLine(no, raw.decode("utf-8", errors="replace"), f"line {no}: {exc.reason}")
            continue
        if not line.lstrip().startswith("{"):
            yield _checked(line, no, max_chars)
            continue
        try:
            obj = parse_line(path, no, line)
        except JsonlError as exc:
            yield BatchLine(no, line, f"line {no}: {exc.reason}")
            continue
        q = obj.get("question") if isinstance(obj, dict) else None
        if not isinstance(q, str):
            yield BatchLine(no, line, f"line {no}: JSON has no string 'question'")
            continue
        yield _checked(q, no, max_chars)


def _checked(text: str, no: int, max_chars: int) -> BatchLine:
    q = clean_question(text, max_chars)
    if not q.has_words:
        return BatchLine(no, text, f"line {no}: {_NO_WORDS if q.text else _EMPTY}")
    return BatchLine(no, q.text, cut_from=q.original_chars if q.cut else None)


_EMPTY = "the question is empty"
_NO_WORDS = "the question has no words (ask in Indonesian or English)"


def _cut_note(chars: int, kept: int, where: str = "") -> str:
    """The stderr line for a question cut to ``max_question_chars`` (``where``: "line 3: " in a batch)."""
    return f"rnkbot ask: {where}the question was {chars} characters long; its first {kept} were used"


def _question(text: str | None, settings: Settings) -> str:
    """The question to ask, cleaned (:func:`bot.inputs.clean_question`); a cut is reported on stderr."""
    q = clean_question(text, settings.answering.max_question_chars)
    if q.empty:
        raise UsageError(f"{_EMPTY}: give a question, or --batch FILE")
    if not q.has_words:
        raise UsageError(_NO_WORDS)
    if q.cut:
        print(_cut_note(q.original_chars, len(q.text)), file=sys.stderr)
    return q.text


def cmd_ask(args, settings: Settings) -> int:
    if not args.question and not args.batch:
        print("rnkbot ask: give a question, or --batch FILE", file=sys.stderr)
        return 2
    if args.batch and args.question is not None:  # it would be ignored: say so rather than answer the file alone
        raise UsageError("give a question or --batch FILE, not both (put the question in the file)")
    if args.batch and not args.batch.is_file():
        raise FileNotFoundError(f"{args.batch}: no such file")
    question = None if args.batch else _question(args.question, settings)
    service = _service(settings)
    if args.batch:
        for line in _batch_questions(args.batch, settings.answering.max_question_chars):
            if line.error:
                print(json.dumps({"question": line.question, "error": line.error}, ensure_ascii=False), flush=True)
                continue
            if line.cut_from is not None:  # warned as a single question is; the answer still takes the line's place
                print(_cut_note(line.cut_from, len(line.question), f"line {line.no}: "), file=sys.stderr, flush=True)
            ans = service.ask(line.question, language=args.lang)
            print(json.dumps(ans.contract(), ensure_ascii=False), flush=True)
        return 0
    assert question is not None
    ans = service.ask(question, language=args.lang)
    print(json.dumps(ans.contract(), ensure_ascii=False) if args.json else format_answer(ans))
    return 0


def cmd_ingest(args, settings: Settings) -> int:
    from retrieval.service import AnswerService

    feeds = list(args.feed) + ([f.url for f in load_feeds_file(args.feeds)] if args.feeds else [])
    if args.rebuild:
        report = AnswerService.rebuild(settings, args.paths, feeds, progress=not args.quiet)
        print(f"index rebuilt: {report.summary()}")
        from retrieval.index.health import open_lexical

        open_lexical(settings.store).refresh_snapshot(wait=True)  # a large index: its BM25 snapshot
        return 0
    service = AnswerService.build(settings, with_llm=False)
    targets = args.paths or ([] if feeds else [settings.store.corpus_dir])
    report = service.ingest(targets, feeds, filter_files=args.filter_files, progress=not args.quiet)
    print(report.summary())
    service.store.lexical.refresh_snapshot(wait=True)  # a large index: its BM25 snapshot, so questions need not wait
    done = report.added or report.updated or report.unchanged or report.duplicates
    return 1 if report.skipped and not done else 0


def cmd_digest(args, settings: Settings) -> int:
    """The digest of ``(since, until]``: ``until`` is read once the index is ready, ``since`` is
    ``--since`` (a span counted back from ``until``) or 24 hours before it.

    The window ends when the digest reads the index, not when the command started: on a fresh
    data dir ``_service`` builds the index first, and every article it adds is stamped with the
    moment it went in, after the command started. A window fixed before that build left them all
    out ("no new articles") and the next run showed them. ``--since`` is checked before the build
    too, so that a mistyped date fails at once rather than after minutes of indexing.
    """
    from .digest_view import digest_text

    tz = parse_timezone(settings.digest.timezone)
    if args.since:
        started = datetime.now(UTC)
        if parse_since(args.since, tz, started) >= started:
            raise UsageError(f"--since {args.since} is not in the past")
    service = _service(settings)
    until = datetime.now(UTC)
    since = parse_since(args.since, tz, until) if args.since else until - timedelta(hours=24)
    digest = service.digest(since, until, args.lang, everything=args.all)
    print(json.dumps(digest.model_dump(mode="json"), ensure_ascii=False) if args.json else digest_text(digest, tz))
    return 0



def cmd_about(args, settings: Settings) -> int:
    s = _service(settings, with_llm=False).stats()
    print(f"{s.articles} articles ({s.chunks} chunks) from {', '.join(s.outlets) or 'unknown outlets'}; "
          f"published {s.first_published or '?'} to {s.last_published or '?'}")
    return 0


def cmd_chat(args, settings: Settings) -> int:
    from .chat import run_chat

    return run_chat(_service(settings))


def cmd_serve(args, settings: Settings) -> int:
    if settings.telegram.bot_token is None:
        print("rnkbot serve: set TELEGRAM_BOT_TOKEN (in the environment or .env) to run the Telegram bot", file=sys.stderr)
        return 2
    from telegram.error import InvalidToken, NetworkError

    from .telegram.app import run_bot

    try:
        run_bot(settings)
    except InvalidToken:  # its message holds the token: say it in our words, without it
        raise ConfigError("Telegram rejected TELEGRAM_BOT_TOKEN: copy it again from @BotFather (/mybots → API Token) "
                          "into .env") from None
    except NetworkError as exc:  # at start-up (while running, polling retries by itself)
        where = shown_url(settings.telegram.base_url)
        raise ConfigError(f"cannot reach the Telegram Bot API at {where} ({exc}): check the network, "
                          "or TELEGRAM_BASE_URL") from None
    return 0


def cmd_run(args, settings: Settings) -> int:
    return cmd_serve(args, settings) if settings.telegram.bot_token else cmd_chat(args, settings)


COMMANDS = {"ask": cmd_ask, "chat": cmd_chat, "ingest": cmd_ingest, "eval": cmd_eval, "train": cmd_train,
            "eval-topic": cmd_eval_topic, "eval-events": cmd_eval_events, "fit-events": cmd_fit_events,
            "fit-replies": cmd_fit_replies,
            "serve": cmd_serve, "run": cmd_run, "about": cmd_about, "digest": cmd_digest}


# What a program killed by SIGPIPE reports to the shell (128 + 13): Python ignores the signal and
# raises BrokenPipeError instead.
EXIT_BROKEN_PIPE = 141


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # whoever read our output stopped reading (`rnkbot eval ... | head`): nothing is wrong and
        # nothing is left to say; stdout goes to /dev/null so the interpreter's own flush at exit
        # does not fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "env-example":  # needs no valid settings: it is how to write them
        print(env_example(), end="")
        return 0
    try:
        settings = Settings()
    except UnicodeDecodeError:  # from .env (the environment is text already); its message would show a byte of a value
        print(f"rnkbot: {_env_file_problem()}", file=sys.stderr)
        return 2
    except ValidationError as exc:
        first = exc.errors()[0]
        print(f"rnkbot: invalid setting {setting_name(first['loc'])}: {first['msg']} (check .env and the environment)",
              file=sys.stderr)
        return 2
    level = settings.logging.level if args.command in ("serve", "run") else "WARNING"
    configure(level, verbose=args.verbose, secrets=_secrets(settings))
    try:
        return COMMANDS[args.command](args, settings)
    except USER_ERRORS as exc:
        print(redact(f"rnkbot {args.command}: {exc}"), file=sys.stderr)
        if args.verbose:
            print(redact(traceback.format_exc()), file=sys.stderr, end="")
        return 2
    except KeyboardInterrupt:
        return 130


def _env_file_problem() -> str:
    """Where ``.env`` is not UTF-8: the line and the variable's name, never its value (a key or a
    token, and the decoder's own message would show a byte of it)."""
    path = Path(str(Settings.model_config.get("env_file") or ".env"))
    for no, raw in raw_lines(path):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            name, equals, _ = raw.partition(b"=")
            where = f"line {no}"
            if equals and exc.start > len(name):  # the name itself is readable
                where += f", the value of {name.decode('utf-8').strip()}"
            return f"{path} is not UTF-8 text ({where}): save it as UTF-8"
    return f"{path} is not UTF-8 text: save it as UTF-8"


def _secrets(settings: Settings) -> list[str | None]:
    """Values no output may show: every secret setting (the bot token, the webhook secret, the
    model server's API key, the Chroma server's token, and any added later)."""
    found: list[str | None] = []
    for section_name in type(settings).model_fields:
        section = getattr(settings, section_name)
        for name in getattr(type(section), "model_fields", {}):
            value = getattr(section, name)
            if isinstance(value, SecretStr):
                found.append(value.get_secret_value())
    return found


if __name__ == "__main__":
    sys.exit(main())
