"""The interactive terminal chat (``rnkbot chat``; ``make run`` without a Telegram token).

Every line is cleaned like a Telegram message (:func:`bot.inputs.clean_question`); a line that
starts with ``/`` is a command, and an unknown one shows the help rather than being asked."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from typing import cast

from prompts import message
from retrieval.index.store import StoreError
from retrieval.models.embeddings import EmbeddingsError
from retrieval.models.llm import LLMError
from retrieval.service import AnswerService
from retrieval.types import Language, Turn

from .inputs import clean_question
from .textui import format_answer

UI: Language = "en"  # the chat's own texts; /lang sets the language of the answers


def _terminal_reader(stdin, stdout) -> Callable[[], str]:
    """Lines typed at a terminal: with line editing and history (arrow keys) through ``readline``
    when the chat runs on the process's own terminal; else a prompt and the raw line. The empty
    string at the end of input (Ctrl-D), as ``readline()`` gives it."""
    if stdin is sys.stdin and stdout is sys.stdout:
        with contextlib.suppress(ImportError):  # not on every platform (Windows)
            import readline  # noqa: F401  (imported for its effect: input() gains editing and history)

        def typed() -> str:
            try:
                return input("\n> ") + "\n"
            except EOFError:
                return ""

        return typed

    def prompted() -> str:
        print("\n> ", end="", file=stdout, flush=True)
        return str(stdin.readline())

    return prompted


def run_chat(service: AnswerService, stdin=None, stdout=None) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty()
    history: list[Turn] = []
    lang: Language | None = None
    print(message(UI, "chat_help"), file=stdout)
    read = _terminal_reader(stdin, stdout) if interactive else stdin.readline
    while True:
        line = read()
        if not line:
            return 0
        question = clean_question(line, service.settings.answering.max_question_chars)
        q = question.text
        if not q:
            continue
        command, _, arg = q.partition(" ")
        command = command.lower() if command.startswith("/") else command  # "/LANG EN" as "/lang en"
        if command in ("/quit", "/exit"):
            return 0
        if command in ("/help", "/start"):
            print(message(UI, "chat_help"), file=stdout)
            continue
        if command == "/new":
            history.clear()
            print(message(UI, "chat_cleared"), file=stdout)
            continue
        if command == "/lang":
            arg = arg.strip().lower()
            if arg not in ("id", "en", "auto"):
                said = message(UI, "chat_lang_usage", arg=arg) if arg else \
                    message(UI, "chat_lang_missing", language=lang or "auto")
                print(said, file=stdout)
                continue
            lang = None if arg == "auto" else cast(Language, arg)
            print(message(UI, "chat_language", language=lang or "auto"), file=stdout)
            continue
        if command == "/about":
            s = service.stats()
            print(message(UI, "chat_about", articles=s.articles, outlets=", ".join(s.outlets), first=s.first_published,
                          last=s.last_published), file=stdout)
            continue
        if command.startswith("/"):
            print(message(UI, "chat_unknown_command", command=command), file=stdout)
            print(message(UI, "chat_help"), file=stdout)
            continue
        if not question.has_words:
            print(message(UI, "no_words"), file=stdout)
            continue
        if question.cut:
            print(message(UI, "chat_cut", chars=len(q)), file=stdout)
        try:
            ans = service.ask(q, history=history[-3:], language=lang)
        except (StoreError, EmbeddingsError, LLMError) as exc:  # a server down, an index being rebuilt
            print(message(UI, "chat_failed", error=str(exc).rstrip(". ")), file=stdout, flush=True)
            continue  # the conversation so far is kept: ask again once it is back
        history.append(Turn(question=ans.question, answer=ans))
        print(format_answer(ans), file=stdout, flush=True)
