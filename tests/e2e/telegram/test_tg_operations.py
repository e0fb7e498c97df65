"""Commands, access, limits and failures of the Bot API: the real application and core, a fake Bot API."""

from __future__ import annotations

from bot.telegram.services import SERVICES_KEY
from prompts import message as core_message
from tests.fakes.expect import answer_to, any_reply_to, command_reply, refuses, text_of
from tests.fakes.recording import RecordingService

GREETINGS_Q = "Whose greetings did Krivoruchko pass on to Kim Jong Un?"
# Not a date, number or name: the model phrases this one, so drafts stream (names are stated by code),
# and for long enough (about 50 tokens) that a draft retried after retry_after=1 is still wanted.
SEOUL_FEARED_Q = "What did Seoul fear Russia would give North Korea in return for its troops?"
FOOD_Q = "What is Kim Jong Un's favourite food?"  # refused quickly: no model call
REFUSALS_EN = {core_message("en", "refusal"), core_message("en", "off_topic")}


async def test_commands_are_registered_in_indonesian_and_english(start_bot, fake_api):
    async with start_bot():
        pass
    default = fake_api.commands[('{"type": "default"}', "")]
    indonesian = fake_api.commands[('{"type": "default"}', "id")]
    names = ["start", "help", "ask", "sources", "about", "lang", "subscribe", "unsubscribe", "digest", "forget"]
    assert [c["command"] for c in default] == names == [c["command"] for c in indonesian]
    assert default[0]["description"] != indonesian[0]["description"]


async def test_start_and_ask_without_a_question(start_bot, fake_api, alice, group_member):
    async with start_bot():
        start = await command_reply(fake_api, alice, "/start")
        usage = await command_reply(fake_api, group_member, "/ask@rnk_test_bot")
    assert "Russia–North Korea relations" in text_of(start) and "Reply to one of my answers" in text_of(start)
    assert "Write your question after the command" in text_of(usage)
    assert not fake_api.calls_of("sendChatAction", group_member.chat_id), "nothing was queued"


async def test_429_on_send_message_is_retried_after_retry_after(start_bot, fake_api, alice):
    async with start_bot():
        fake_api.fail_next("sendMessage", 1, status=429, retry_after=1)
        call = await answer_to(fake_api, await alice.say(FOOD_Q))
    attempts = fake_api.calls_of("sendMessage", alice.chat_id, ok=None)
    assert [a.status for a in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 1.0, "retry_after was honoured"
    assert attempts[0].params["text"] == attempts[1].params["text"] and refuses(text_of(call), REFUSALS_EN)


async def test_server_errors_are_retried(start_bot, fake_api, alice):
    async with start_bot():
        fake_api.fail_next("sendMessage", 2, status=502)
        call = await answer_to(fake_api, await alice.say(FOOD_Q))
    assert [a.status for a in fake_api.calls_of("sendMessage", alice.chat_id, ok=None)] == [502, 502, 200]
    assert refuses(text_of(call), REFUSALS_EN)


async def test_unexpected_errors_reach_the_error_handler_not_the_user(start_bot, fake_api, alice, admin):
    async with start_bot():
        fake_api.fail_next("sendMessage", 1, status=400)
        await alice.say(FOOD_Q)
        [apology] = await fake_api.wait_for(
            lambda c: c.method == "sendMessage" and c.ok and c.params.get("chat_id") == alice.chat_id)
        stats = await command_reply(fake_api, admin, "/stats")
    assert text_of(apology) == "Sorry, something went wrong while answering. Please try again."
    assert "Errors: 1" in text_of(stats)
    assert all("Traceback" not in (c.params.get("text") or "") for c in fake_api.calls)


async def test_rate_limit_per_user_with_a_friendly_message(start_bot, fake_api, alice, admin):
    async with start_bot(rate_limit_per_min=2):
        for _ in range(2):
            await answer_to(fake_api, await alice.say(FOOD_Q))
        third = await alice.say(FOOD_Q)
        limited = await any_reply_to(fake_api, third)
        for _ in range(3):  # admins are not limited
            await answer_to(fake_api, await admin.say(FOOD_Q))
    assert "faster than I can answer" in text_of(limited) and " s before" in text_of(limited)
    assert limited.params.get("parse_mode") is None
    assert len([c for c in fake_api.calls_of("sendMessage", alice.chat_id) if c.params.get("parse_mode") == "HTML"]) == 2


async def test_allow_list(start_bot, fake_api, alice, budi, group_member, admin):
    async with start_bot(allowed_chats=[alice.chat_id]):
        await group_member.say(f"@rnk_test_bot {FOOD_Q}")
        refused = await command_reply(fake_api, budi, FOOD_Q)
        await answer_to(fake_api, await alice.say(FOOD_Q))
        await answer_to(fake_api, await admin.say(FOOD_Q))
    assert text_of(refused) == "Maaf, bot ini tidak tersedia di obrolan ini."
    assert not [c for c in fake_api.calls if c.params.get("chat_id") == group_member.chat_id]
    assert len(fake_api.calls_of("sendMessage", budi.chat_id)) == 1


async def test_lang_persists_across_a_restart(start_bot, answer_service, fake_api, budi):
    recorder = RecordingService(answer_service)
    async with start_bot():
        help_id = await command_reply(fake_api, budi, "/help")  # Telegram says Indonesian
        chosen = await command_reply(fake_api, budi, "/lang en")
    async with start_bot(service=recorder):  # a new Application, same data dir
        help_en = await command_reply(fake_api, budi, "/help")
        answer = await answer_to(fake_api, await budi.say(GREETINGS_Q))
        usage = await command_reply(fake_api, budi, "/lang")
        back = await command_reply(fake_api, budi, "/lang id")
    assert "Cara bertanya" in text_of(help_id)
    assert text_of(chosen) == "Done: I will reply in English."
    assert "How to ask" in text_of(help_en)
    assert recorder.asked[-1]["language"] == "en"
    assert "\nSources\n" in text_of(answer)
    assert "Current language: en" in text_of(usage)
    assert text_of(back) == "Baik: saya akan menjawab dalam bahasa Indonesia."


async def test_about_describes_the_corpus(start_bot, answer_service, fake_api, alice):
    stats = answer_service.stats()
    async with start_bot():
        about = await command_reply(fake_api, alice, "/about")
    text = text_of(about)
    assert f"{stats.articles} news articles from {len(stats.outlets)} outlets" in text
    assert all(outlet in text for outlet in stats.outlets)
    assert "22 Sep 2023 – 19 Nov 2024" in text


async def test_sources_lists_the_last_answers_articles_and_quotes(start_bot, fake_api, alice):
    async with start_bot():
        before = await command_reply(fake_api, alice, "/sources")
        answer = await answer_to(fake_api, await alice.say(GREETINGS_Q))
        sources = await command_reply(fake_api, alice, "/sources")
    assert "no answer yet" in text_of(before)
    text = text_of(sources)
    assert "004_b44b09399d88959f" in text, "the cited doc_id"
    assert "Kim Jong Un Bakal Membahas Kerja Sama Militer dengan Pejabat Rusia" in text
    assert "Krivoruchko menyampaikan salam dari Presiden Rusia Vladimir Putin" in text
    assert any(e["type"] == "expandable_blockquote" for e in sources.result["entities"])
    assert GREETINGS_Q in text and "[1]" in text_of(answer)


async def test_stats_is_for_admins_only(start_bot, fake_api, alice, admin):
    async with start_bot() as app:
        await answer_to(fake_api, await alice.say(FOOD_Q))
        # The reply is out before its job ends (the answer is still being remembered): wait for the end.
        await app.bot_data[SERVICES_KEY].queue.join()
        denied = await command_reply(fake_api, alice, "/stats")
        stats = await command_reply(fake_api, admin, "/stats")
    assert text_of(denied) == "This command is for the bot's admins."
    text = text_of(stats)
    assert "Questions answered: 1" in text and "Refusals: 1" in text
    assert "Median latency: " in text and "Queue: 0 waiting, 0 in progress" in text


async def test_refused_drafts_fall_back_to_an_edited_placeholder(start_bot, fake_api, alice):
    async with start_bot():
        fake_api.fail_next("sendMessageDraft", 1, status=400)
        call = await answer_to(fake_api, await alice.say(SEOUL_FEARED_Q))
    drafts = fake_api.calls_of("sendMessageDraft", alice.chat_id, ok=None)
    assert [d.status for d in drafts] == [400], "no more drafts once refused"
    [placeholder] = [c for c in fake_api.calls_of("sendMessage", alice.chat_id) if c is not call]
    edits = fake_api.calls_of("editMessageText", alice.chat_id)
    assert edits and all(e.params["message_id"] == placeholder.result["message_id"] for e in edits)
    assert [d.params["message_id"] for d in fake_api.calls_of("deleteMessage", alice.chat_id)] == [
        placeholder.result["message_id"]]
    assert max(e.at for e in edits) < call.at and "Seoul" in text_of(call)


async def test_the_token_never_reaches_the_logs(start_bot, fake_api, alice, caplog):
    caplog.set_level("DEBUG")
    async with start_bot():
        await answer_to(fake_api, await alice.say(GREETINGS_Q))
    secret = fake_api.token.split(":", 1)[1]
    assert caplog.records and secret not in caplog.text


async def test_unknown_commands_in_private_get_the_help(start_bot, fake_api, alice):
    async with start_bot():
        reply = await command_reply(fake_api, alice, "/frobnicate")
    assert "How to ask" in text_of(reply)
