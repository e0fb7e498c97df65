"""A language model that says what the test queued, in the spirit of simonw/llm's MockModel."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from retrieval.models.llm import LLMError, PromptStyle


@dataclass
class Prompt:
    """One call the code made: ``kind`` is "complete" or "chat"."""

    kind: str
    text: str
    system: str = ""
    max_tokens: int = 0


class FakeGenerator:
    """Satisfies :class:`retrieval.models.llm.Generator`. Each call takes the next queued reply
    (streamed to ``on_text`` word by word, as a real model streams); a queued exception is
    raised instead. An empty queue is a test error: every call the code makes must be expected."""

    def __init__(self, replies: Iterable[str | Exception] = (), style: PromptStyle = "completion") -> None:
        self.replies: deque[str | Exception] = deque(replies)
        self.style: PromptStyle = style
        self.name = "fake"
        self.prompts: list[Prompt] = []

    def enqueue(self, *replies: str | Exception) -> FakeGenerator:
        self.replies.extend(replies)
        return self

    def complete(self, prompt: str, *, stop: list[str], max_tokens: int, on_text: Callable[[str], None] | None = None) -> str:
        self.prompts.append(Prompt("complete", prompt, max_tokens=max_tokens))
        return self._reply(on_text)

    def chat(self, system: str, user: str, *, max_tokens: int, on_text: Callable[[str], None] | None = None) -> str:
        self.prompts.append(Prompt("chat", user, system=system, max_tokens=max_tokens))
        return self._reply(on_text)

    def _reply(self, on_text: Callable[[str], None] | None) -> str:
        if not self.replies:
            raise AssertionError(f"FakeGenerator: no reply queued for call {len(self.prompts)}")
        reply = self.replies.popleft()
        if isinstance(reply, Exception):
            raise reply
        if on_text:
            words = reply.split(" ")
            for n in range(1, len(words) + 1):
                on_text(" ".join(words[:n]))
        return reply


def failing(message: str = "the model server is down") -> LLMError:
    return LLMError(message)
