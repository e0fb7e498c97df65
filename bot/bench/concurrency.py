"""The bench's **concurrency** section: N private chats ask at once through the bot's queue,
against the tests' fake Bot API (throughput and the slowest wait).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from bot.bench.common import ROOT, _llm, _questions, _settings


def section_concurrency(work: Path, args: argparse.Namespace) -> dict:
    import asyncio

    sys.path.insert(0, str(ROOT))
    from bot.telegram.app import build_application
    from bot.telegram.services import SERVICES_KEY
    from retrieval.service import AnswerService
    from tests.fakes.bot_api import FakeBotAPI
    from tests.fakes.harness import running
    from tests.fakes.updates import private_person

    settings = _settings(work / "realdev", llm=_llm(args))
    svc = AnswerService.build(settings)
    items = _questions(args)

    async def run() -> dict:
        api = FakeBotAPI()
        await api.start()
        try:
            bot_settings = settings.updated(store={"data_dir": work / "bot"}, telegram={
                "bot_token": api.token, "base_url": api.base_url, "admins": [], "allowed_chats": None,
                "rate_limit_per_min": 60, "edit_interval_s": 1.0, "group_edit_interval_s": 1.0, "send_retries": 3})
            app = build_application(bot_settings, service_factory=lambda _s: svc)
            async with running(app):
                people = [private_person(api, 7000 + i, "id") for i in range(args.chats)]
                t0 = time.monotonic()
                await asyncio.gather(*(p.say(items[i % len(items)].question) for i, p in enumerate(people)))
                await asyncio.sleep(0.5)
                await app.bot_data[SERVICES_KEY].queue.join()
                done = time.monotonic()
                waits = []
                for p in people:
                    last = [c.at for c in api.calls if c.ok and c.method in ("sendMessage", "editMessageText")
                            and c.params.get("chat_id") == p.chat_id]
                    waits.append((max(last) if last else done) - t0)
            return {"chats": args.chats, "wall_s": round(done - t0, 2),
                    "answers_per_min": round(60 * args.chats / (done - t0), 2),
                    "slowest_wait_s": round(max(waits), 2), "median_wait_s": round(statistics.median(waits), 2)}
        finally:
            await api.stop()

    return asyncio.run(run())
