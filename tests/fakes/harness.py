"""Running a PTB application inside a test's event loop, the way ``run_polling`` / ``run_webhook`` do."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator

from telegram.ext import Application

from bot.telegram.app import WebhookOptions


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.asynccontextmanager
async def running(application: Application, poll_timeout: int = 1,
                  webhook: WebhookOptions | None = None) -> AsyncIterator[Application]:
    """initialize -> post_init -> start polling (or the webhook server with ``webhook``'s arguments)
    -> start ... stop -> post_stop -> shutdown -> post_shutdown."""
    updater = application.updater
    if updater is None:
        raise TypeError("the application has no Updater: build it with ApplicationBuilder (as build_application does)")
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        if webhook is None:
            await updater.start_polling(poll_interval=0.0, timeout=poll_timeout, allowed_updates=["message"])
        else:
            await updater.start_webhook(**webhook)
        await application.start()
        try:
            yield application
        finally:
            await updater.stop()
            await application.stop()
            if application.post_stop:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
