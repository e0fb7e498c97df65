"""Scripted conversations: the real PTB application and the real answer service, over a fake Bot API."""

from __future__ import annotations

import asyncio

from prompts import message as core_message
from tests.e2e.telegram.conftest import article_url
from tests.fakes.expect import answer_to, command_reply, links_of, message_of, refuses, replies_to, text_of
from tests.fakes.recording import RecordingService

GREETINGS_Q = "Whose greetings did Krivoruchko pass on to Kim Jong Un?"
GREETINGS_DOC_TITLE = "Kim Jong Un Bakal Membahas Kerja Sama Militer dengan Pejabat Rusia"
GREETINGS_DOC = "004_b44b09399d88959f"
# Not a date, number or name: the model phrases this one, so the draft streams.
WHITE_HOUSE_Q = "What did the White House say about the relations between Russia and North Korea?"
FOOD_Q = "What is Kim Jong Un's favourite food?"
REFUSALS_EN = {core_message("en", "refusal"), core_message("en", "off_topic")}


def failed(fake_api) -> list:
    return [c for c in fake_api.calls if not c.ok]


async def test_question_gets_a_streamed_cited_answer(start_bot, fake_api, alice):
    async with start_bot():
        msg = await alice.say(WHITE_HOUSE_Q)
        call = await answer_to(fake_api, msg)
    text = text_of(call)
    assert "Gedung Putih" in text
    assert "[1]" in text.split("Sources")[0], "the answer cites its evidence"
    assert f"Sources\n[1] {GREETINGS_DOC_TITLE} — Kontan" in text
    chat_calls = [c for c in fake_api.calls if c.params.get("chat_id") == alice.chat_id]
    assert chat_calls[0].method == "sendChatAction" and chat_calls[0].params["action"] == "typing"
    drafts = fake_api.calls_of("sendMessageDraft", alice.chat_id)
    assert drafts, "the draft is streamed while the model writes"
    assert all(d.params["text"].strip() for d in drafts)
    assert max(d.at for d in drafts) <= call.at, "the final message comes after the last draft"
    assert fake_api.calls_of("sendMessage", alice.chat_id) == [call], "one real message, nothing else"
    assert not failed(fake_api)


async def test_citation_markers_and_titles_link_to_the_article(start_bot, linked_service, fake_api, alice):
    async with start_bot(service=linked_service):
        call = await answer_to(fake_api, await alice.say(GREETINGS_Q))
    url = article_url(GREETINGS_DOC)
    answer_part, sources_part = text_of(call).split("\nSources\n")
    assert "[1]" in answer_part and "Putin" in answer_part
    assert ("[1]", url) in links_of(call), "the marker in the answer links to the article"
    assert (GREETINGS_DOC_TITLE, url) in links_of(call), "so does the title in the numbered source list"
    assert sources_part.startswith(f"[1] {GREETINGS_DOC_TITLE} — Kontan")
    assert not failed(fake_api), "the URL (with &) was escaped inside the attribute"


async def test_reply_to_an_answer_is_a_follow_up_with_history(start_bot, answer_service, fake_api, alice):
    recorder = RecordingService(answer_service)
    async with start_bot(service=recorder):
        first = await answer_to(fake_api, await alice.say(GREETINGS_Q))
        follow = await alice.say("and when was that?", reply_to=message_of(first))
        second = await answer_to(fake_api, follow)
        alone = await answer_to(fake_api, await alice.say("and when was that?"))
    history = recorder.asked[1]["history"]
    assert [t.question for t in history] == [GREETINGS_Q]
    assert history[0].answer is not None and history[0].answer.citations[0].title in text_of(first)
    assert recorder.asked[2]["history"] == [], "a message that is not a reply starts afresh"
    assert "Kamis" in text_of(second) and GREETINGS_DOC_TITLE in text_of(second), "the day of that meeting, cited"
    assert refuses(text_of(alone), REFUSALS_EN), "without the context the same words cannot be answered"


async def test_group_answers_only_when_addressed(start_bot, fake_api, group_member):
    async with start_bot():
        ignored = await group_member.say("Whose greetings did Krivoruchko pass on? just chatting")
        mentioned = await group_member.say(f"@rnk_test_bot {GREETINGS_Q}")
        call = await answer_to(fake_api, mentioned)
        by_command = await group_member.say(f"/ask@rnk_test_bot {FOOD_Q}")
        refusal = await answer_to(fake_api, by_command)
        follow = await group_member.say("and when was that?", reply_to=message_of(call))
        follow_call = await answer_to(fake_api, follow)
    assert not [c for c in fake_api.calls if replies_to(ignored)(c)], "no mention, no reply"
    assert "Putin" in text_of(call) and GREETINGS_DOC_TITLE in text_of(call)
    assert refuses(text_of(refusal), REFUSALS_EN)
    assert "[1]" in text_of(follow_call) and "Kamis" in text_of(follow_call), "the follow-up is answered in context"
    assert not fake_api.calls_of("sendMessageDraft", ok=None), "drafts are for private chats only"
    placeholders = [c for c in fake_api.calls_of("sendMessage", group_member.chat_id) if c.params.get("parse_mode") != "HTML"]
    deleted = {c.params["message_id"] for c in fake_api.calls_of("deleteMessage", group_member.chat_id)}
    assert placeholders and {p.result["message_id"] for p in placeholders} <= deleted, "placeholders are cleaned up"
    assert not failed(fake_api)


async def test_unanswerable_question_is_refused_plainly(start_bot, fake_api, alice):
    async with start_bot():
        call = await answer_to(fake_api, await alice.say(FOOD_Q))
    assert refuses(text_of(call), REFUSALS_EN)
    assert "Sources" not in text_of(call) and not call.result.get("entities")


async def test_a_10000_character_message_gets_a_clear_reply(start_bot, answer_service, fake_api, alice):
    question = GREETINGS_Q + " " + " ".join(["Tolong jelaskan dengan rinci."] * 400)
    question = question[:10_000]
    assert len(question) == 10_000
    recorder = RecordingService(answer_service)
    async with start_bot(service=recorder):
        msg = await alice.say(question)
        call = await answer_to(fake_api, msg)
        notes = [c for c in fake_api.calls if replies_to(msg)(c) and c is not call]
    assert any("first" in text_of(n) and "characters" in text_of(n) for n in notes), "the user is told it was cut"
    [asked] = recorder.asked
    assert asked["question"].startswith(GREETINGS_Q) and len(asked["question"]) <= 1000
    assert asked["question"].split()[-1] in question.split(), "cut between words"
    assert "Putin" in text_of(call) and "[1]" in text_of(call), "the question in the first 1000 characters is answered"
    assert not failed(fake_api)


async def test_html_in_the_question_is_escaped(start_bot, answer_service, fake_api, alice):
    question = "<b>hi</b> & <script>alert(1)</script> " + GREETINGS_Q
    recorder = RecordingService(answer_service)
    async with start_bot(service=recorder):
        msg = await alice.say(question)
        call = await answer_to(fake_api, msg)
        sources = await command_reply(fake_api, alice, "/sources")
    assert recorder.asked[0]["question"] == question, "the core gets the text as typed, not escaped"
    assert not failed(fake_api), "every reply parsed as Telegram HTML"
    assert "<b>hi</b> & <script>" in text_of(sources), "the question is shown literally"
    assert call.params["parse_mode"] == "HTML"


async def test_a_sticker_gets_an_explanation(start_bot, fake_api, alice, group_member):
    async with start_bot():
        for send in (alice.send_sticker, lambda: alice.send_photo(caption="what is this?"), alice.send_voice):
            await send()
        calls = await fake_api.wait_for(
            lambda c: c.method == "sendMessage" and c.params.get("chat_id") == alice.chat_id, count=3)
        ignored = await group_member.send_sticker()  # in a group, only when replying to the bot
        help_reply = await command_reply(fake_api, alice, "/help")
    assert len(calls) == 3 and all("only read text" in text_of(c) for c in calls), "sticker, photo, voice"
    assert not [c for c in fake_api.calls if c.params.get("chat_id") == ignored["chat"]["id"]]
    assert "/sources" in text_of(help_reply), "the bot keeps working after the sticker"
    assert not fake_api.calls_of("sendMessageDraft", ok=None)


async def test_several_chats_at_once_each_get_their_own_answer_in_order(start_bot, fake_api, alice, budi, group_member):
    questions = [
        (alice, GREETINGS_Q, "Putin"),
        (budi, "Sejak hari apa kunjungan delegasi Kozlov di Pyongyang berlangsung?", "Minggu"),
        (group_member, "@rnk_test_bot Siapa yang melaporkan bahwa pasukan Korea Utara telah diterjunkan ke Kursk?", "Ukrain"),
        (alice, FOOD_Q, None),
    ]
    async with start_bot():
        msgs = [await person.say(q) for person, q, _ in questions]
        calls = await asyncio.gather(*(answer_to(fake_api, m, timeout=180) for m in msgs))
    for call, (person, _, expected) in zip(calls, questions, strict=True):
        assert call.params["chat_id"] == person.chat_id
        if expected:
            assert expected in text_of(call), text_of(call)
    assert refuses(text_of(calls[3]), REFUSALS_EN)
    assert calls[0].at < calls[3].at, "one chat's questions are answered in the order asked"
    notices = [c for m in msgs[1:] for c in fake_api.calls if replies_to(m)(c) and "ahead" in text_of(c)]
    assert notices, "questions waiting behind others are told so"
    deleted = {(c.params["chat_id"], c.params["message_id"]) for c in fake_api.calls_of("deleteMessage")}
    assert all((n.params["chat_id"], n.result["message_id"]) in deleted for n in notices)
    assert not failed(fake_api)
