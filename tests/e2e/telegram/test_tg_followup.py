"""Follow-ups by reply, in Indonesian, and after a restart: the real application, core and SQLite file."""

from __future__ import annotations

from prompts import message as core_message
from tests.fakes.expect import answer_to, command_reply, message_of, refuses, text_of

KOZLOV_Q = "Sejak hari apa kunjungan delegasi Kozlov di Pyongyang berlangsung?"
KOZLOV_DOC = "001_dcd6b936241eaf9f"
REFUSALS_ID = {core_message("id", "refusal"), core_message("id", "off_topic")}


async def test_kapan_itu_by_reply_is_answered_in_context(start_bot, fake_api, budi):
    async with start_bot():
        first = await answer_to(fake_api, await budi.say(KOZLOV_Q))
        follow = await answer_to(fake_api, await budi.say("kapan itu?", reply_to=message_of(first)))
        alone = await answer_to(fake_api, await budi.say("kapan itu?"))
    assert "Minggu" in text_of(first) and "\nSumber\n[1]" in text_of(first)
    assert "Minggu" in text_of(follow) and "Kozlov" in text_of(follow) and "[1]" in text_of(follow)
    assert refuses(text_of(alone), REFUSALS_ID), "the same words without the reply have no context"


async def test_a_reply_to_an_answer_from_before_a_restart_is_still_a_follow_up(start_bot, fake_api, budi, bot_settings):
    async with start_bot():
        first = await answer_to(fake_api, await budi.say(KOZLOV_Q))
    assert (bot_settings.store.data_dir / "bot.sqlite3").exists()
    async with start_bot():  # a new Application and answer memory, on the same data dir
        follow = await answer_to(fake_api, await budi.say("kapan itu?", reply_to=message_of(first)))
        sources = await command_reply(fake_api, budi, "/sources")
    assert "Minggu" in text_of(follow) and "Kozlov" in text_of(follow), "answered in the old answer's context"
    assert KOZLOV_DOC in text_of(sources) and KOZLOV_Q not in text_of(sources), "the newest answer is the follow-up's"
    assert "kapan itu?" in text_of(sources)


async def test_what_does_it_say_after_a_refusal_opens_the_report_it_named(start_bot, fake_api, budi):
    """A refusal naming the closest report, then a reply asking what it says: that article's opening,
    quoted and cited (the named report travels through the answer memory's SQLite file); /sources
    after the refusal names it too."""
    refusals = {core_message("en", "refusal")}
    async with start_bot():
        refused = await answer_to(fake_api, await budi.say("When was Kim Jong Un born?"))
        sources = await command_reply(fake_api, budi, "/sources")  # the chat's last answer: the refusal
        said = await answer_to(fake_api, await budi.say("What does it say?", reply_to=message_of(refused)))
    named = text_of(refused).split("\n\n", 1)[-1]
    assert refuses(text_of(refused), refusals) and "“what does it say?”" in named, text_of(refused)
    title = named.split("“", 1)[1].split("”", 1)[0]
    assert title in text_of(sources) and text_of(sources).startswith("No sources")
    assert not refuses(text_of(said), refusals) and "[1]" in text_of(said), text_of(said)
    assert f"[1] {title}" in text_of(said), "cited: the report the refusal named"
