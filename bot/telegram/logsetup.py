"""Logging for the bot: the token never reaches a log line.

PTB logs the Bot API URL (which contains the token) at DEBUG and httpx logs every request
URL at INFO, so the token is redacted from every log record as it is created, whatever the
handler or level, and the HTTP loggers are kept at WARNING.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

REDACTED = "<TOKEN>"


def quiet_http_loggers() -> None:
    """httpx logs every request URL at INFO, and Bot API URLs contain the token."""
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if logger.level < logging.WARNING:  # NOTSET (0) would inherit INFO from the root
            logger.setLevel(logging.WARNING)


def redact_everywhere(secret: str) -> None:
    """Wrap the log-record factory so that ``secret`` is replaced in every record's message."""
    if not secret:
        return
    current: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()
    if secret in getattr(current, "rnkbot_secrets", ()):
        return

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = current(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):  # a malformed call: leave it to logging's own handling
            return record
        if secret in message:
            record.msg, record.args = message.replace(secret, REDACTED), None
        return record

    factory.rnkbot_secrets = (*getattr(current, "rnkbot_secrets", ()), secret)  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def configure_logging(level: str = "INFO", token: str | None = None) -> None:
    """Basic logging for ``run_bot``: quiet HTTP loggers, token redacted."""
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    quiet_http_loggers()
    if token:
        redact_everywhere(token)
