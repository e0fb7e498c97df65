"""Who may do what: the allow-list and the admin-only commands, tried from a non-admin, an unlisted
private chat and an unlisted group; /forget deletes what the bot stores about a chat."""

from __future__ import annotations

import asyncio

from bot.telegram.services import SERVICES_KEY
from tests.e2e.telegram.conftest import ADMIN_ID
from tests.fakes.expect import answer_to, command_reply, text_of
from tests.fakes.updates import group_person

QUESTION = "Whose greetings did Krivoruchko pass on to Kim Jong Un?"
ADMINS_ONLY = "This command is for the bot's admins."


async def settle(app, fake_api, person) -> None:
    await command_reply(fake_api, person, "/help")
    await app.bot_data[SERVICES_KEY].queue.join()


async def test_unlisted_chats_get_nothing_but_a_polite_no(start_fast_bot, fake_api, alice, budi, group_member, admin,
                                                         fast_core):
    listed_group = group_person(fake_api, -100777, 1003)
    async with start_fast_bot(allowed_chats=[alice.chat_id, listed_group.chat_id]) as app:
        for text in (QUESTION, "/stats", "/ingest https://example.com/a", "/forget", "/subscribe"):
            reply = await command_reply(fake_api, budi, text)  # unlisted private chat
            assert text_of(reply) == "Maaf, bot ini tidak tersedia di obrolan ini."
        for text in (f"@rnk_test_bot {QUESTION}", "/ask@rnk_test_bot who?", "/stats@rnk_test_bot", "/forget@rnk_test_bot"):
            await group_member.say(text)  # unlisted group: not a word
        admin_answer = await answer_to(fake_api, await admin.say(QUESTION))  # the admin's private chat: always
        listed = await answer_to(fake_api, await listed_group.say(f"/ask@rnk_test_bot {QUESTION}"))
        await settle(app, fake_api, alice)
    assert not [c for c in fake_api.calls if c.params.get("chat_id") == group_member.chat_id and c.method != "getUpdates"]
    assert "Putin" in text_of(admin_answer) and "Putin" in text_of(listed)
    assert fast_core.asked == [QUESTION, QUESTION], "only the admin's and the listed group's questions reached the core"


async def test_admin_commands_from_non_admins_in_private_and_in_groups(start_fast_bot, fake_api, alice, group_member, admin):
    admin_in_group = group_person(fake_api, group_member.chat_id, ADMIN_ID)
    async with start_fast_bot():
        private = [text_of(await command_reply(fake_api, alice, c)) for c in ("/stats", "/ingest https://example.com/a")]
        in_group = [text_of(await command_reply(fake_api, group_member, c))
                    for c in ("/stats@rnk_test_bot", "/ingest@rnk_test_bot https://example.com/a")]
        stats = await command_reply(fake_api, admin_in_group, "/stats@rnk_test_bot")
        usage = await command_reply(fake_api, admin, "/ingest not-a-url")
    assert private == [ADMINS_ONLY, ADMINS_ONLY] and in_group == [ADMINS_ONLY, ADMINS_ONLY]
    assert "Bot statistics" in text_of(stats), "an admin may, in a group too"
    assert "Give one or more page URLs" in text_of(usage)


async def test_forget_deletes_a_chats_answers_journal_subscription_and_language(start_fast_bot, fake_api, alice, bot_settings):
    async with start_fast_bot() as app:
        await answer_to(fake_api, await alice.say(QUESTION))
        await command_reply(fake_api, alice, "/subscribe 07:00 UTC")
        await command_reply(fake_api, alice, "/lang en")
        svc = app.bot_data[SERVICES_KEY]
        await svc.queue.join()
        assert svc.memory.store.count(alice.chat_id) == 1 and svc.digests.store.get(alice.chat_id) is not None
        done = await command_reply(fake_api, alice, "/forget")
        sources = await command_reply(fake_api, alice, "/sources")
        lang = await command_reply(fake_api, alice, "/lang")
        rows = await asyncio.to_thread(svc.journal.forget_chat, alice.chat_id)
        jobs = app.job_queue.get_jobs_by_name(f"digest:{alice.chat_id}")
        left = (svc.memory.store.count(alice.chat_id), svc.digests.store.get(alice.chat_id),
                svc.prefs.get_language(alice.user_id))
    assert text_of(done).startswith("🗑 Done. I deleted the 1 answers") and "(yes)" in text_of(done)
    assert text_of(sources) == "There is no answer yet in this chat. Ask me a question first."
    assert "Current language: automatic" in text_of(lang)
    assert left == (0, None, None) and rows == 0 and not jobs, "nothing left in the bot's files"


async def test_forget_in_a_group_is_for_its_admins(start_fast_bot, fake_api, group_member):
    group_admin = group_person(fake_api, group_member.chat_id, 1004)
    fake_api.chat_admins[group_member.chat_id] = {group_admin.user_id}
    async with start_fast_bot() as app:
        await answer_to(fake_api, await group_member.say(f"/ask@rnk_test_bot {QUESTION}"))
        await app.bot_data[SERVICES_KEY].queue.join()
        refused = await command_reply(fake_api, group_member, "/forget@rnk_test_bot")
        remembered = app.bot_data[SERVICES_KEY].memory.store.count(group_member.chat_id)
        done = await command_reply(fake_api, group_admin, "/forget@rnk_test_bot")
        after = app.bot_data[SERVICES_KEY].memory.store.count(group_member.chat_id)
    assert text_of(refused) == "In a group, only the group's admins can delete its data with /forget."
    assert remembered == 1 and after == 0 and text_of(done).startswith("🗑 Done.")


async def test_a_groups_daily_digest_is_set_up_by_its_admins(start_fast_bot, fake_api, group_member):
    """Any member could /unsubscribe a group's digest (or move it to 3 a.m.) for everyone; /forget
    was already for admins. /digest itself stays open to all."""
    group_admin = group_person(fake_api, group_member.chat_id, 1004)
    fake_api.chat_admins[group_member.chat_id] = {group_admin.user_id}
    async with start_fast_bot() as app:
        store = app.bot_data[SERVICES_KEY].digests.store
        refused = await command_reply(fake_api, group_member, "/subscribe@rnk_test_bot 03:00")
        nothing = store.get(group_member.chat_id)
        await command_reply(fake_api, group_admin, "/subscribe@rnk_test_bot 07:30")
        kept_off = await command_reply(fake_api, group_member, "/unsubscribe@rnk_test_bot")
        still = store.get(group_member.chat_id)
        done = await command_reply(fake_api, group_admin, "/unsubscribe@rnk_test_bot")
        after = store.get(group_member.chat_id)
    admins_only = "In a group, only the group's admins can set up its daily digest"
    assert text_of(refused).startswith(admins_only) and text_of(kept_off).startswith(admins_only)
    assert nothing is None and still is not None and still.at_time == "07:30" and after is None
    assert text_of(done) == "Done: no more daily digests here."
