"""The Telegram front end of rnkbot: ``run_bot(settings)`` starts it."""

from .app import build_application, run_bot

__all__ = ["build_application", "run_bot"]
