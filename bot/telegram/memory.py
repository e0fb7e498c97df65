"""What the bot remembers per chat: its answers (for follow-ups by reply) and the last answer."""

from __future__ import annotations

from collections import OrderedDict

from retrieval.types import Answer, Turn

CHAT_KEY = "rnkbot.memory"


class ChatMemory:
    """A bounded map from the bot's message ids to the conversation that led to them.

    Each entry is the list of turns (oldest first, ending with the turn the message
    answered) to pass as ``history`` when someone replies to that message.
    """

    def __init__(self, size: int = 200) -> None:
        self.size = size
        self._turns: OrderedDict[int, list[Turn]] = OrderedDict()
        self.last_answer: Answer | None = None

    def remember(self, message_ids: list[int], turns: list[Turn]) -> None:
        """Remember ``turns`` under every message of one answer (long answers span several)."""
        for mid in message_ids:
            self._turns[mid] = list(turns)
            self._turns.move_to_end(mid)
        while len(self._turns) > self.size:
            self._turns.popitem(last=False)
        if turns and turns[-1].answer is not None:
            self.last_answer = turns[-1].answer

    def history_for(self, message_id: int | None) -> list[Turn]:
        """The history for a reply to ``message_id`` (empty when it is not a remembered answer)."""
        return list(self._turns.get(message_id, [])) if message_id is not None else []

    def answer_for(self, message_id: int | None) -> Answer | None:
        turns = self.history_for(message_id)
        return turns[-1].answer if turns else None

    def __len__(self) -> int:
        return len(self._turns)


def chat_memory(chat_data: dict | None, size: int = 200) -> ChatMemory:
    """The chat's memory, created on first use (``chat_data`` is PTB's per-chat dict)."""
    if chat_data is None:
        return ChatMemory(size)
    mem = chat_data.get(CHAT_KEY)
    if not isinstance(mem, ChatMemory):
        mem = chat_data[CHAT_KEY] = ChatMemory(size)
    return mem
