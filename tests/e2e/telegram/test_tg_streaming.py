"""Streaming feel: placeholder edits at most once a second, 429 retry_after waited out (drafts and edits)."""

from __future__ import annotations

import itertools

from telegram.ext import AIORateLimiter, ExtBot

from bot.telegram.streaming import MIN_EDIT_INTERVAL_S, EditView
from tests.fakes.expect import answer_to, text_of

# Not a date, number or name: the model phrases this one, so drafts stream (names are stated by code),
# and for long enough (about 50 tokens) that a draft retried after retry_after=1 is still wanted.
SEOUL_FEARED_Q = "What did Seoul fear Russia would give North Korea in return for its troops?"


async def test_placeholder_edits_stay_a_second_apart_and_wait_out_429(fake_api, group_member):
    await group_member.say("hello")  # the fake server now knows the chat
    fake_api.fail_next("editMessageText", 1, status=429, retry_after=1)
    async with ExtBot(fake_api.token, base_url=fake_api.base_url, rate_limiter=AIORateLimiter(max_retries=2)) as bot:
        view = EditView(bot, group_member.chat_id, "⏳")
        await view.open()
        for text in ("Putin", "Putin sent", "Putin sent greetings"):  # as fast as the model could push them
            await view.show(text)
        await view.close()
    [placeholder] = fake_api.calls_of("sendMessage", group_member.chat_id)
    edits = fake_api.calls_of("editMessageText", group_member.chat_id, ok=None)
    assert [e.status for e in edits] == [429, 200, 200, 200]
    assert [e.params["text"] for e in edits] == ["Putin", "Putin", "Putin sent", "Putin sent greetings"]
    times = [placeholder.at] + [e.at for e in edits if e.ok]
    assert all(b - a >= MIN_EDIT_INTERVAL_S for a, b in itertools.pairwise(times)), "at most one edit a second"
    assert edits[1].at - edits[0].at >= 1.0, "retry_after was honoured"
    assert fake_api.calls_of("deleteMessage", group_member.chat_id)


async def test_429_on_a_draft_is_waited_out_and_streaming_goes_on(start_bot, fake_api, alice):
    async with start_bot():
        fake_api.fail_next("sendMessageDraft", 1, status=429, retry_after=1)
        call = await answer_to(fake_api, await alice.say(SEOUL_FEARED_Q))
    drafts = fake_api.calls_of("sendMessageDraft", alice.chat_id, ok=None)
    assert [d.status for d in drafts[:2]] == [429, 200] and drafts[1].params["text"] == drafts[0].params["text"]
    assert drafts[1].at - drafts[0].at >= 1.0, "retry_after was honoured"
    assert fake_api.calls_of("sendMessage", alice.chat_id) == [call], "drafts were not given up for a placeholder"
    assert "Seoul" in text_of(call)
