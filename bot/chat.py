"""The interactive terminal chat (``rnkbot chat``; ``make run`` without a Telegram token)."""

from __future__ import annotations

import sys

from prompts import message
from retrieval.service import AnswerService
from retrieval.types import Language, Turn

from .textui import format_answer

UI: Language = "en"  # the chat's own texts; /lang sets the language of the answers


def run_chat(service: AnswerService, stdin=None, stdout=None) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty()
    history: list[Turn] = []
    lang = None
    print(message(UI, "chat_help"), file=stdout)
    while True:
        if interactive:
            print("\n> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            return 0
        q = line.strip()
        if not q:
            continue
        if q in ("/quit", "/exit"):
            return 0
        if q == "/new":
            history.clear()
            print(message(UI, "chat_cleared"), file=stdout)
            continue
        if q.startswith("/lang"):
            arg = q.partition(" ")[2].strip()
            lang = arg if arg in ("id", "en") else None
            print(message(UI, "chat_language", language=lang or "auto"), file=stdout)
            continue
        if q == "/about":
            s = service.stats()
            print(message(UI, "chat_about", articles=s.articles, outlets=", ".join(s.outlets), first=s.first_published,
                          last=s.last_published), file=stdout)
            continue
        ans = service.ask(q, history=history[-3:], language=lang)
        history.append(Turn(question=ans.question, answer=ans))
        print(format_answer(ans), file=stdout, flush=True)
