"""Load: 50 chats ask 4 questions each at once (200 questions), while one user floods.

The real application and the fake Bot API on 127.0.0.1, with the fast core (tests/fakes/core.py,
20 ms an answer) so the test measures the bot, not the model, in CI time: every question is
answered exactly once, in order in each chat, those that wait are told their place in the
queue, memory stays bounded, nothing fails, and the flood gets the rate limit. The figures are
printed (``pytest -s``) and quoted in the README.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import time
import tracemalloc
from collections import defaultdict

from bot.telegram.services import SERVICES_KEY
from tests.fakes.core import FastCore
from tests.fakes.expect import command_reply, text_of
from tests.fakes.updates import private_person

QUESTION = "Whose greetings did Krivoruchko pass on to Kim Jong Un?"
CHATS, PER_CHAT, FLOOD = 50, 4, 30


async def test_fifty_chats_at_once_each_question_answered_once_in_order(start_fast_bot, fake_api, bot_settings):
    core = FastCore(bot_settings, delay_s=0.02)
    people = [private_person(fake_api, 5000 + i, "en") for i in range(CHATS)]
    flooder = private_person(fake_api, 4999, "en")
    tracemalloc.start()
    try:
        async with start_fast_bot(service=core, max_queue=CHATS * PER_CHAT + FLOOD, rate_limit_per_min=6) as app:
            svc = app.bot_data[SERVICES_KEY]
            base, _ = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            started = time.monotonic()
            asked: dict[int, float] = {}  # message id (unique per chat) -> when it was sent
            questions: list[dict] = []
            for round_ in range(PER_CHAT):
                for person in people:
                    msg = await person.say(f"{QUESTION} ({person.user_id}/{round_})")
                    questions.append(msg)
                    asked[id(msg)] = time.monotonic()
                if round_ == 0:
                    flood = [await flooder.say(f"{QUESTION} flood {i}") for i in range(FLOOD)]
            await fake_api.wait_for(lambda c: c.method == "sendMessage" and c.ok and c.params.get("parse_mode") == "HTML"
                                    and "Putin" in c.params.get("text", ""), count=CHATS * PER_CHAT + 6, timeout=600)
            elapsed = time.monotonic() - started
            await command_reply(fake_api, flooder, "/help")  # every update handled
            await svc.queue.join()
            _, peak = tracemalloc.get_traced_memory()
            left = (svc.queue.waiting, len(await asyncio.to_thread(svc.journal.unfinished)), svc.stats.errors)
    finally:
        tracemalloc.stop()

    answers = [c for c in fake_api.calls_of("sendMessage")
               if c.params.get("parse_mode") == "HTML" and c.params.get("reply_parameters") and "Putin" in text_of(c)]
    by_question: dict[tuple[int, int], list] = defaultdict(list)
    for c in answers:
        by_question[(c.params["chat_id"], c.params["reply_parameters"]["message_id"])].append(c)
    for msg in questions:
        assert len(by_question[(msg["chat"]["id"], msg["message_id"])]) == 1, "each question answered exactly once"
    for person in people:
        order = [c.params["reply_parameters"]["message_id"] for c in answers if c.params["chat_id"] == person.chat_id]
        assert order == sorted(order) and len(order) == PER_CHAT, "in the order asked, in every chat"

    notices = [c for c in fake_api.calls_of("sendMessage") if "in the queue" in c.params.get("text", "")]
    places = [int(m.group(1)) for c in notices if (m := re.search(r"(\d+) ahead", c.params["text"]))]
    assert len(notices) >= CHATS * PER_CHAT // 2 and min(places) >= 1, "those who wait are told their place"
    deleted = {(c.params["chat_id"], c.params["message_id"]) for c in fake_api.calls_of("deleteMessage")}
    assert all((c.params["chat_id"], c.result["message_id"]) in deleted for c in notices), "notices are cleaned up"

    flood_answers = [c for c in answers if c.params["chat_id"] == flooder.chat_id]
    flood_notices = [c for c in fake_api.calls_of("sendMessage", flooder.chat_id) if "faster than" in text_of(c)]
    assert len(flood_answers) == 6 and len(flood_notices) == 1 and len(flood) == FLOOD, "the rate limit holds"

    assert left == (0, 0, 0) and not [c for c in fake_api.calls if not c.ok], "no error, nothing left over"
    grown_mb = (peak - base) / 1e6
    assert grown_mb < 80, f"memory grew {grown_mb:.1f} MB under load"
    latency = sorted(by_question[(q["chat"]["id"], q["message_id"])][0].at - asked[id(q)] for q in questions)
    print(f"\nload: {len(questions)} questions from {CHATS} chats + a {FLOOD}-message flood in {elapsed:.1f} s "
          f"({len(questions) / elapsed:.1f} answers/s); latency median {statistics.median(latency):.1f} s, "
          f"p95 {latency[int(len(latency) * 0.95)]:.1f} s, max {latency[-1]:.1f} s; {len(notices)} queue notices "
          f"(up to {max(places)} ahead); {len(fake_api.calls)} Bot API calls; traced memory +{grown_mb:.1f} MB peak")
