"""``kill -9`` during an answer and during a digest delivery, then a restart: nothing lost, nothing
sent twice. The bot runs as a child process (tests/fakes/bot_child.py: the real CLI, logging and
long polling, with the fast core) against the fake Bot API; the kill comes at the worst moments:
while the core is busy (nothing sent yet) and while the second part of a long reply is in
flight (the first is out), each followed by a restart."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.telegram.memory import AnswerStore
from bot.telegram.subscriptions import SubscriptionStore
from tests.fakes.expect import answer_to
from tests.fakes.processes import BotChild, wait_for_file
from tests.fakes.updates import private_person

QUESTION = "Whose greetings did Krivoruchko pass on to Kim Jong Un?"


def html_to(fake_api, chat_id: int) -> list[str]:
    return [c.params["text"] for c in fake_api.calls_of("sendMessage", chat_id) if c.params.get("parse_mode") == "HTML"]


def not_the_first_part(first_words: str):
    return lambda params: params.get("parse_mode") == "HTML" and not str(params.get("text", "")).startswith(first_words)


async def test_kill9_while_answering_then_restart(fake_api, tmp_path: Path):
    alice = private_person(fake_api, 1001, "en")
    hooks = {"TESTHOOK_HANG_MARKER": tmp_path / "core-was-busy", "TESTHOOK_LONG_CHARS": 9000}
    async with BotChild(fake_api, tmp_path, **hooks) as bot:  # 1: killed while the core works on the question
        msg = await alice.say(QUESTION)
        await wait_for_file(tmp_path / "core-was-busy", proc=bot.proc)
        bot.kill9()
    held = fake_api.hold("sendMessage", not_the_first_part("Putin"))
    async with BotChild(fake_api, tmp_path, **hooks) as bot:  # 2: answers it again; killed with part 2 in flight
        await asyncio.wait_for(held.reached.wait(), 60)
        bot.kill9()
    fake_api.release_all()
    assert len(html_to(fake_api, alice.chat_id)) == 1, "part 1 was out before the second kill"
    async with BotChild(fake_api, tmp_path, **hooks):  # 3: sends what is left, then goes on
        later = await alice.say("And one more question about Putin and Kim?")
        await answer_to(fake_api, later)
    parts = html_to(fake_api, alice.chat_id)
    answer = [p for p in parts if "Paragraph" in p or p.startswith("Putin")]
    assert len(answer) >= 3 + 3 - 1, "three parts of the killed answer, and the later answer"
    first_answer = answer[:3]
    assert len(set(first_answer)) == 3 and first_answer[0].startswith("Putin sent greetings"), "each part once, in order"
    replies = [c for c in fake_api.calls_of("sendMessage", alice.chat_id) if c.params.get("reply_parameters")
               and c.params["reply_parameters"]["message_id"] == msg["message_id"] and c.params.get("parse_mode") == "HTML"]
    assert len(replies) == 1, "the question got one answer (its first part replies to it)"
    assert not [p for p in parts if "ask it again" in p or "send it again" in p]


def subscribe_due(data: Path, chat_id: int) -> None:
    """A subscription whose daily slot passed ten minutes ago (and was never delivered)."""
    now = datetime.now(UTC)
    store = SubscriptionStore(data / "digest.sqlite3")
    store.subscribe(chat_id, "en", (now - timedelta(minutes=10)).strftime("%H:%M"), "UTC", now - timedelta(days=2))
    store.close()


async def test_kill9_while_delivering_a_digest_then_restart(fake_api, tmp_path: Path):
    budi = private_person(fake_api, 1002, "en")
    fake_api.know(budi.chat)
    subscribe_due(tmp_path / "data", budi.chat_id)
    hooks = {"TESTHOOK_DIGEST_HANG_MARKER": tmp_path / "digest-was-building", "TESTHOOK_DIGEST_ITEMS": 14}
    async with BotChild(fake_api, tmp_path, **hooks) as bot:  # 1: killed while the digest is built
        await wait_for_file(tmp_path / "digest-was-building", proc=bot.proc)
        bot.kill9()
    held = fake_api.hold("sendMessage", not_the_first_part("<b>Daily digest"))
    async with BotChild(fake_api, tmp_path, **hooks) as bot:  # 2: built and sent again; killed with part 2 in flight
        await asyncio.wait_for(held.reached.wait(), 60)
        bot.kill9()
    fake_api.release_all()
    async with BotChild(fake_api, tmp_path, **hooks):  # 3: the rest
        await fake_api.wait_for(lambda c: c.method == "sendMessage" and c.ok and c.params.get("chat_id") == budi.chat_id
                                and "Event 13:" in c.params.get("text", ""), timeout=60)
    sent = [c for c in fake_api.calls_of("sendMessage", budi.chat_id) if c.params.get("parse_mode") == "HTML"]
    parts = [c.params["text"] for c in sent]
    assert len(parts) == 14 and len(set(parts)) == len(parts), "one message per item, every part once"
    assert parts[0].startswith("<b>Daily digest") and all("Sources" in p for p in parts), "each item with its sources"
    assert [re.findall(r"Event (\d+):", p) for p in parts] == [[str(k)] for k in range(14)], "in order, none lost"
    again = SubscriptionStore(tmp_path / "data" / "digest.sqlite3")
    sub = again.get(budi.chat_id)
    again.close()
    assert sub is not None and not sub.pending and sub.last_delivered_ts is not None, "recorded as delivered"
    memory = AnswerStore(tmp_path / "data" / "bot.sqlite3")
    remembered = [memory.answer_for(budi.chat_id, c.result["message_id"]) for c in sent]
    memory.close()
    assert [a.answer.split(":")[0] if a else None for a in remembered] == [f"Event {k}" for k in range(14)], \
        "each item's message is remembered as that item, the one sent before the kill included"
