"""Running a PTB application inside a test's event loop, the way ``run_polling`` does."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from telegram.ext import Application


@contextlib.asynccontextmanager
async def running(application: Application, poll_timeout: float = 1.0) -> AsyncIterator[Application]:
    """initialize -> post_init -> start polling -> start ... stop -> post_stop -> shutdown -> post_shutdown."""
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        await application.updater.start_polling(poll_interval=0.0, timeout=poll_timeout, allowed_updates=["message"])
        await application.start()
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()
            if application.post_stop:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
