"""The daily digest through the real application and a fake Bot API, on a frozen clock."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.telegram.services import SERVICES_KEY
from bot.telegram.subscriptions import SubscriptionStore
from prompts import message
from tests.fakes.bot_api import FakeBotAPI
from tests.fakes.core import held_back
from tests.fakes.expect import command_reply, text_of

SUBSCRIBED_AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # after the seeds came in (tests/conftest.py)
FIRST_SLOT = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)  # 08:00 WIB
SECOND_SLOT = FIRST_SLOT + timedelta(days=1)
KOZLOV_OUTLETS = ("Kompas TV", "Web Fakta", "Makin Erat")


class Clock:
    """The bot's "now", moved by the test."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


DIGEST_STARTS = tuple(message(lang, key).split("{")[0] for lang in ("id", "en") for key in ("digest_title", "digest_empty"))


def digests_to(api: FakeBotAPI, chat_id: int) -> list[str]:
    """Every digest sent to the chat, the "no new articles" kind included: its first message (the
    title) with the item messages that follow it, joined."""
    out: list[str] = []
    for text in (text_of(c) for c in api.calls_of("sendMessage", chat_id)):
        if text.startswith(DIGEST_STARTS):
            out.append(text)
        elif out and text.startswith("•"):
            out[-1] += "\n\n" + text
    return out


def bullet_with(text: str, word: str) -> str:
    [line] = [line for line in text.splitlines() if line.startswith("•") and word in line]
    return line


async def all_sent(api: FakeBotAPI, chat_id: int, quiet_s: float = 1.0) -> None:
    """Wait until the bot has sent nothing more to the chat for ``quiet_s`` seconds."""
    count = -1
    while count != (count := len(api.calls_of("sendMessage", chat_id))):
        await asyncio.sleep(quiet_s)


def job_for(app, chat_id: int):
    [job] = app.job_queue.get_jobs_by_name(f"digest:{chat_id}")
    return job


def services_of(app):
    return app.bot_data[SERVICES_KEY]


async def test_subscribe_at_local_time_with_clear_errors(start_bot, fake_api, budi, digest_service, bot_settings):
    async with start_bot(service=digest_service, clock=Clock(SUBSCRIBED_AT)) as app:
        first = await command_reply(fake_api, budi, "/subscribe")
        at_eight = job_for(app, budi.chat_id).next_t.astimezone(ZoneInfo("Asia/Jakarta"))
        bad = await command_reply(fake_api, budi, "/subscribe 25:99")
        moved = await command_reply(fake_api, budi, "/subscribe wita 07:30")
        at_seven_thirty = job_for(app, budi.chat_id).next_t.astimezone(ZoneInfo("Asia/Makassar"))
    assert "08:00" in text_of(first) and "Asia/Jakarta" in text_of(first) and "2026-11-21 08:00 WIB" in text_of(first)
    assert at_eight.time() == time(8, 0)
    assert "25:99" in text_of(bad) and "/subscribe" in text_of(bad)
    assert "07:30" in text_of(moved) and at_seven_thirty.time() == time(7, 30)
    store = SubscriptionStore(bot_settings.digest_db_path)  # it is on disk, not only in memory
    sub = store.get(budi.chat_id)
    store.close()
    assert sub is not None
    assert (sub.at_time, sub.timezone, sub.language) == ("07:30", "Asia/Makassar", "id")


async def test_one_digest_per_day_across_restarts(start_bot, fake_api, budi, digest_service):
    clock = Clock(SUBSCRIBED_AT)
    async with start_bot(service=digest_service, clock=clock) as app:
        await command_reply(fake_api, budi, "/subscribe")
        clock.at = FIRST_SLOT + timedelta(seconds=3)
        await job_for(app, budi.chat_id).run(app)  # the JobQueue firing at 08:00 WIB
        await job_for(app, budi.chat_id).run(app)  # and, by any mishap, again for the same slot
    [first] = digests_to(fake_api, budi.chat_id)
    kozlov = bullet_with(first, "Kozlov")
    # Three reports of one visit are one item with three citations.
    assert len(set(re.findall(r"\[(\d+)\]", kozlov))) == 3
    items = digest_service.digest(FIRST_SLOT - timedelta(hours=24), FIRST_SLOT, "id").items
    assert first.count("• ") == len(items) and all(name in first for name in KOZLOV_OUTLETS)

    clock.at = FIRST_SLOT + timedelta(hours=2)  # restarted the same morning: nothing was missed
    async with start_bot(service=digest_service, clock=clock) as app:
        await services_of(app).scheduler.caught_up.wait()
        assert job_for(app, budi.chat_id).next_t.astimezone(ZoneInfo("Asia/Jakarta")).time() == time(8, 0), \
            "the daily job is scheduled again from the database"
    assert len(digests_to(fake_api, budi.chat_id)) == 1

    clock.at = SECOND_SLOT + timedelta(hours=3)  # down over the next 08:00: sent once on start-up
    async with start_bot(service=digest_service, clock=clock) as app:
        await services_of(app).scheduler.caught_up.wait()
    clock.at += timedelta(minutes=5)
    async with start_bot(service=digest_service, clock=clock) as app:  # and not again
        await services_of(app).scheduler.caught_up.wait()
    first_again, second = digests_to(fake_api, budi.chat_id)
    assert first_again == first
    assert "Lavrov" in bullet_with(second, "Lavrov") and "Kozlov" not in second, "only what is new since the first"
    assert len(set(re.findall(r"\[(\d+)\]", bullet_with(second, "Lavrov")))) == 2


async def test_a_429_is_waited_out_and_a_blocked_chat_is_unsubscribed(start_bot, fake_api, alice, budi, digest_service):
    clock = Clock(SUBSCRIBED_AT)
    async with start_bot(service=digest_service, clock=clock) as app:
        await command_reply(fake_api, alice, "/subscribe")
        await command_reply(fake_api, budi, "/subscribe")
        fake_api.blocked.add(alice.chat_id)
        clock.at = FIRST_SLOT + timedelta(seconds=3)
        fake_api.fail_next("sendMessage", 1, status=429, retry_after=1)
        await job_for(app, budi.chat_id).run(app)
        await job_for(app, alice.chat_id).run(app)
        store = services_of(app).digests.store
        assert store.get(alice.chat_id) is None and store.get(budi.chat_id) is not None
        assert not app.job_queue.get_jobs_by_name(f"digest:{alice.chat_id}"), "the blocked chat's job is gone"
    statuses = [c.status for c in fake_api.calls_of("sendMessage", budi.chat_id, ok=None)]
    assert statuses.count(429) == 1 and statuses[statuses.index(429) + 1] == 200, "the same message, sent again"
    assert len(digests_to(fake_api, budi.chat_id)) == 1
    assert [c.status for c in fake_api.calls_of("sendMessage", alice.chat_id, ok=None)][-1] == 403


async def test_digest_now_and_unsubscribe(start_bot, fake_api, alice, digest_service, bot_settings):
    clock = Clock(FIRST_SLOT)
    async with start_bot(service=digest_service, clock=clock) as app:
        await command_reply(fake_api, alice, "/subscribe 09:00")
        now = await command_reply(fake_api, alice, "/digest")
        await all_sent(fake_api, alice.chat_id)  # the digest's item messages follow its first one
        assert services_of(app).digests.store.get(alice.chat_id).last_delivered_ts is None, "/digest is not the daily one"
        clock.at = datetime(2026, 12, 1, tzinfo=UTC)
        nothing = await command_reply(fake_api, alice, "/digest")
        await command_reply(fake_api, alice, "/lang id")
        assert services_of(app).digests.store.get(alice.chat_id).language == "id", "the digest follows /lang"
        bye = await command_reply(fake_api, alice, "/unsubscribe")
        again = await command_reply(fake_api, alice, "/unsubscribe")
        assert not app.job_queue.get_jobs_by_name(f"digest:{alice.chat_id}")
    assert text_of(now).startswith("Daily digest") and "Kozlov" in text_of(now)
    assert text_of(nothing).startswith("No new articles")
    assert text_of(bye).startswith("Baik") and "tidak berlangganan" in text_of(again)


async def test_a_quiet_day_sends_nothing_when_so_configured(start_bot, fake_api, budi, digest_service, bot_settings):
    quiet = bot_settings.updated(digest={"send_empty": False})
    clock = Clock(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    async with start_bot(settings=quiet, service=digest_service, clock=clock) as app:
        await command_reply(fake_api, budi, "/subscribe")
        clock.at = datetime(2026, 11, 26, 1, 0, 5, tzinfo=UTC)
        await job_for(app, budi.chat_id).run(app)
        sub = services_of(app).digests.store.get(budi.chat_id)
    assert digests_to(fake_api, budi.chat_id) == [] and len(fake_api.calls_of("sendMessage", budi.chat_id)) == 1
    assert DIGEST_STARTS[1].startswith("Tidak ada artikel baru")
    assert sub.last_delivered_ts == clock.at.timestamp(), "the quiet day counts as delivered"


async def test_a_digest_being_built_holds_up_no_one(start_fast_bot, fake_api, alice, budi, fast_core):
    """/digest is built beside the other updates (with the model, a digest takes as long as several
    answers: every other user's commands and questions waited for it), and a second /digest from the
    same chat meanwhile gets a note rather than a second build."""
    fast_core.digest, gate = held_back(fast_core.digest)
    async with start_fast_bot():
        try:
            await alice.say("/digest")
            other = await command_reply(fake_api, budi, "/about", timeout=10)
            again = await command_reply(fake_api, alice, "/digest", timeout=10)
        finally:
            gate.set()
        await all_sent(fake_api, alice.chat_id)
    assert "Kontan" in text_of(other), "another user is answered while the digest is built"
    assert "already" in text_of(again)
    assert len(digests_to(fake_api, alice.chat_id)) == 1, "the digest arrives once"
    assert not [c for c in fake_api.calls if not c.ok]
