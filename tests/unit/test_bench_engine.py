"""The bench's engine comparison: each prompt the pipeline sent is replayed through the bare engine
right after its question, from the state the pipeline's call started in."""

from __future__ import annotations

from typing import Any

from bot.bench.answers import _Engine, _timed_answers
from retrieval.types import Answer


class FakeLlama:
    """Records what it was asked (prompt, max_tokens) and echoes the prompt's last word."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, int]] = []

    def __call__(self, prompt: str, *, max_tokens: int, temperature: float, stop: list[str], stream: bool) -> Any:
        self.asked.append((prompt, max_tokens))
        return iter([{"choices": [{"text": prompt.split()[-1]}]}])

    def create_chat_completion(self, *, messages: list[dict], max_tokens: int, temperature: float, stream: bool) -> Any:
        self.asked.append((messages[-1]["content"], max_tokens))
        return iter([{"choices": [{"delta": {"content": "chat"}}]}])


def _call(prompt: str, text: str) -> dict[str, Any]:
    return {"kind": "complete", "prompt": prompt, "stop": ["\n"], "max_tokens": 64, "text": text}


def test_each_prompt_is_replayed_after_the_one_the_pipeline_sent_before_it():
    llm = FakeLlama()
    engine = _Engine(llm, _call("warm up", "up"))
    engine.replay([_call("first question", "question")])
    engine.replay([_call("second one", "different"),
                   {"kind": "chat", "system": "s", "user": "third", "max_tokens": 32, "text": "chat"}])
    assert llm.asked == [("warm up", 1), ("first question", 64),
                         ("first question", 1), ("second one", 64),
                         ("second one", 1), ("third", 32)]
    assert (engine.prompts, engine.same) == (3, 2), "the second prompt's text differs from the pipeline's"
    assert engine.seconds > 0


def test_the_hook_after_each_question_runs_outside_its_time():
    order: list[str] = []

    def ask(question: str, _seen: Any) -> Answer:
        order.append(f"ask {question}")
        return Answer(question=question, language="en", answer="x", refused=True)

    class Item:
        def __init__(self, q: str) -> None:
            self.id, self.question = q, q

    answers, rows = _timed_answers(ask, [Item("a"), Item("b")], after=lambda: order.append("replay"))  # type: ignore[list-item]
    assert order == ["ask a", "replay", "ask b", "replay"]
    assert [r["id"] for r in rows] == ["a", "b"] and len(answers) == 2
