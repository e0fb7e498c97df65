"""The admins' /ingest command and the feeds job: the real application, core and Chroma, a fake
Bot API, and the local news site."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.telegram.ingesting import FEEDS_JOB
from corpus.extract import web_doc_id
from retrieval.service import AnswerService
from retrieval.settings import Settings
from tests.fakes.core import held_back
from tests.fakes.expect import command_reply, text_of


@pytest.fixture
def own_service(tmp_path: Path) -> AnswerService:
    """A core of its own (no model needed): ingesting must not change the shared session index."""
    settings = Settings(_env_file=None, store={"data_dir": tmp_path / "core"}, embedding={"threads": 1})
    return AnswerService.build(settings, with_llm=False)


async def test_admin_ingests_a_url_others_are_refused(start_bot, fake_api, admin, alice, own_service, web):
    url = web.seed_urls[0]
    async with start_bot(service=own_service):
        refused = await command_reply(fake_api, alice, f"/ingest {url}")
        assert web.site.hits == []  # a refused command fetches nothing
        usage = await command_reply(fake_api, admin, "/ingest")
        done = await command_reply(fake_api, admin, f"/ingest {url} {web.off_urls[1]}", timeout=120)
    assert text_of(refused) == "This command is for the bot's admins."
    assert "/ingest https://example.com/news/1" in text_of(usage)
    summary = text_of(done)
    assert summary.startswith("Ingest\n1 added, 0 updated, 0 unchanged, 0 duplicates, 1 skipped")
    assert f"skipped {web.off_urls[1]}: off topic" in summary
    assert [m.doc_id for m in own_service.store.articles()] == [web_doc_id(url)]


async def test_feeds_job_is_scheduled_from_the_settings(start_bot, bot_settings, own_service, tmp_path, web):
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'[[feed]]\nname = "site"\nurl = "{web.rss}"\n', encoding="utf-8")
    settings = bot_settings.updated(fetch={"feeds_file": feeds, "feeds_interval_min": 30.0})
    async with start_bot(settings=settings, service=own_service) as app:
        [job] = app.job_queue.get_jobs_by_name(FEEDS_JOB)
        assert job.trigger.interval == timedelta(minutes=30)
        await job.run(app)  # what the schedule does, now
    added = {m.doc_id for m in own_service.store.articles()}
    assert added == {web_doc_id(u) for u in web.seed_urls[:3]}  # the RSS feed's on-topic entries
    async with start_bot(service=own_service) as app:  # no feeds file: no job
        assert not app.job_queue.get_jobs_by_name(FEEDS_JOB)


async def test_an_ingest_under_way_holds_up_no_one(start_fast_bot, fake_api, admin, alice, fast_core):
    """/ingest fetches pages (each up to the fetch time-out) and embeds them: it runs beside the
    other updates, which are handled one at a time and all waited for it."""
    fast_core.ingest, gate = held_back(fast_core.ingest)
    async with start_fast_bot():
        try:
            await admin.say("/ingest https://news.example/slow")
            other = await command_reply(fake_api, alice, "/about", timeout=10)
        finally:
            gate.set()
        done = await fake_api.wait_for(lambda c: c.method == "sendMessage" and c.params.get("chat_id") == admin.chat_id)
    assert "Kontan" in text_of(other), "another user is answered while the pages are read"
    assert text_of(done[0]).startswith("Ingest\n")
