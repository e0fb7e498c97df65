"""The interactive terminal chat (``rnkbot chat``; ``make run`` without a Telegram token)."""

from __future__ import annotations

import sys

from retrieval.service import AnswerService
from retrieval.types import Turn

from .textui import format_answer

HELP = """Ask about Russia–North Korea relations, in Indonesian or English.
Follow-up questions ("and when was that?") refer to the previous answer.
Commands: /lang id|en|auto  /new (forget the conversation)  /about  /quit"""


def run_chat(service: AnswerService, stdin=None, stdout=None) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty()
    history: list[Turn] = []
    lang = None
    print(HELP, file=stdout)
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
            print("(conversation cleared)", file=stdout)
            continue
        if q.startswith("/lang"):
            arg = q.partition(" ")[2].strip()
            lang = arg if arg in ("id", "en") else None
            print(f"(reply language: {lang or 'auto'})", file=stdout)
            continue
        if q == "/about":
            s = service.stats()
            print(f"{s.articles} articles from {', '.join(s.outlets)}; {s.first_published} to {s.last_published}", file=stdout)
            continue
        ans = service.ask(q, history=history[-3:], language=lang)
        history.append(Turn(question=ans.question, answer=ans))
        print(format_answer(ans), file=stdout, flush=True)
