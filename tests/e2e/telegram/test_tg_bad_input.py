"""Careless and hostile input in Telegram: a clear, friendly reply (or, where any reply would be
wrong, none), never a crash. The real application over the fake Bot API, on the fast core."""

from __future__ import annotations

import time

from bot.telegram.services import SERVICES_KEY
from tests.fakes.expect import answer_to, command_reply, replies_to, text_of

QUESTION = "Whose greetings did Krivoruchko pass on to Kim Jong Un?"


def failed(fake_api) -> list:
    return [c for c in fake_api.calls if not c.ok]


async def settle(app, fake_api, person) -> None:
    """Every update sent so far is handled (updates are handled in order) and every answer is out."""
    await command_reply(fake_api, person, "/help")
    await app.bot_data[SERVICES_KEY].queue.join()


async def test_empty_invisible_and_wordless_messages_get_the_usage(start_fast_bot, fake_api, alice, fast_core):
    async with start_fast_bot():
        replies = {}
        for text in ("   ", "\u200b\u200c\u2060", "/ask", "🙂🙂🙂", "?!… 🇷🇺🤝🇰🇵"):
            replies[text] = text_of(await command_reply(fake_api, alice, text))
    assert all("Write your question after the command" in replies[t] for t in ("   ", "\u200b\u200c\u2060", "/ask"))
    assert all("I need a question in words" in replies[t] for t in ("🙂🙂🙂", "?!… 🇷🇺🤝🇰🇵"))
    assert fast_core.asked == [] and not failed(fake_api)


async def test_control_zero_width_rtl_mixed_scripts_and_markup_are_answered_safely(start_fast_bot, fake_api, alice, fast_core):
    questions = [
        "Whose\x00 greetings\u200b did\u202e Krivoruchko\x1b[2J pass on?",
        "ما هي رسالة بوتين إلى كيم جونغ أون؟ Putin Kim",
        "Чьи приветствия передал Криворучко? 김정은 Putin",
        "<b>bold</b> <a href='javascript:x'>x</a> & *Markdown* _it_ `code` [1](http://evil) who met Kim?",
    ]
    async with start_fast_bot():
        calls = [await answer_to(fake_api, await alice.say(q), timeout=30) for q in questions]
        sources = await command_reply(fake_api, alice, "/sources")
    assert fast_core.asked[0] == "Whose greetings did Krivoruchko [2J pass on?", "control and invisible characters removed"
    assert fast_core.asked[1:] == questions[1:], "other scripts and markup reach the core as typed"
    assert all("Putin" in text_of(c) for c in calls)
    assert "<b>bold</b> <a href='javascript:x'>x</a> & *Markdown*" in text_of(sources), "shown literally, escaped"
    assert not failed(fake_api), "every message was valid Telegram HTML"


async def test_a_very_long_message_is_cut_with_a_note(start_fast_bot, fake_api, alice, fast_core):
    async with start_fast_bot():
        msg = await alice.say(QUESTION + " " + "sangat panjang " * 1500)
        call = await answer_to(fake_api, msg)
        notes = [text_of(c) for c in fake_api.calls if replies_to(msg)(c) and c is not call]
    assert len(notes) == 1 and "first" in notes[0] and "characters" in notes[0]
    assert len(fast_core.asked[0]) <= 1000 and fast_core.asked[0].startswith(QUESTION)


async def test_wrong_command_arguments_name_what_was_wrong(start_fast_bot, fake_api, budi, alice, group_member):
    async with start_fast_bot() as app:
        bad_time = await command_reply(fake_api, budi, "/subscribe 25:99")
        bad_zone = await command_reply(fake_api, budi, "/subscribe 08:00 Mars/Olympus")
        too_many = await command_reply(fake_api, budi, "/subscribe 08:00 UTC besok pagi")
        bad_lang = await command_reply(fake_api, alice, "/lang xx")
        unknown = await command_reply(fake_api, alice, "/frobnicate now")
        in_group = await command_reply(fake_api, group_member, "/frobnicate@rnk_test_bot")
        await group_member.say("/frobnicate")  # may be another bot's command: not ours to answer
        await settle(app, fake_api, group_member)
    assert "Saya tidak bisa membaca “25:99”" in text_of(bad_time)
    assert "“Mars/Olympus”" in text_of(bad_zone) and "“besok pagi”" in text_of(too_many)
    assert "Current language: automatic" in text_of(bad_lang) and "/lang en" in text_of(bad_lang)
    assert "How to ask" in text_of(unknown) and "How to ask" in text_of(in_group)
    group_replies = fake_api.calls_of("sendMessage", group_member.chat_id)
    assert len(group_replies) == 2, "the bare /frobnicate in the group got nothing"
    assert not app.job_queue.get_jobs_by_name(f"digest:{budi.chat_id}"), "no subscription from bad arguments"
    assert not failed(fake_api)


async def test_edits_forwards_and_channel_posts(start_fast_bot, fake_api, alice, group_member, fast_core):
    async with start_fast_bot() as app:
        first = await alice.say(QUESTION)
        await answer_to(fake_api, first)
        await fake_api.push_update({"edited_message": first | {"text": QUESTION + " (typo fixed)",
                                                               "edit_date": int(time.time())}})
        [note] = await fake_api.wait_for(lambda c: c.method == "sendMessage" and c.ok and c.params.get("chat_id") == alice.chat_id
                                         and "edited" in (c.params.get("text") or ""))
        forwarded = await alice.send(text=QUESTION, forward_origin={
            "type": "channel", "date": int(time.time()), "message_id": 77,
            "chat": {"id": -100999, "type": "channel", "title": "Some news channel"}})
        await answer_to(fake_api, forwarded)
        group_msg = group_member.compose("just chatting")
        await fake_api.push_update({"message": group_msg})
        await fake_api.push_update({"edited_message": group_msg | {"text": "still chatting", "edit_date": int(time.time())}})
        channel = {"id": -100777, "type": "channel", "title": "A channel with the bot"}
        await fake_api.push_update({"channel_post": {"message_id": 1, "date": int(time.time()), "chat": channel,
                                                     "sender_chat": channel, "text": QUESTION}})
        await settle(app, fake_api, alice)
        await settle(app, fake_api, group_member)
        stats = app.bot_data[SERVICES_KEY].stats
    assert "I don't answer an edited message a second time" in text_of(note)
    assert fast_core.asked == [QUESTION, QUESTION], "the edit was not answered again; the forward was answered"
    assert not [c for c in fake_api.calls if c.params.get("chat_id") == -100777], "nothing sent into the channel"
    assert len(fake_api.calls_of("sendMessage", group_member.chat_id)) == 1, "only /help: that edit was not for us"
    assert stats.errors == 0 and not failed(fake_api)


async def test_a_flood_from_one_user_is_answered_up_to_the_limit_with_one_notice(start_fast_bot, fake_api, alice, budi,
                                                                                 fast_core):
    async with start_fast_bot(rate_limit_per_min=3) as app:
        flood = [await alice.say(f"{QUESTION} #{i}") for i in range(40)]
        other = await budi.say(QUESTION)
        await answer_to(fake_api, other)
        await settle(app, fake_api, alice)
    to_alice = fake_api.calls_of("sendMessage", alice.chat_id)
    answers = [c for c in to_alice if c.params.get("parse_mode") == "HTML" and "Putin" in text_of(c)]
    notices = [c for c in to_alice if "faster than I can answer" in text_of(c)]
    assert len(answers) == 3 and len(notices) == 1, "three answers, one notice, silence for the rest"
    assert [a.params["reply_parameters"]["message_id"] for a in answers] == [m["message_id"] for m in flood[:3]]
    assert fast_core.asked.count(QUESTION) == 1, "another user is not held back by the flood"
    assert not failed(fake_api)
