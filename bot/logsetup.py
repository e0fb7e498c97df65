"""Logging for every front end: quiet, structured, and never a secret.

- **Quiet**: our own loggers (``rnkbot``, ``bot.*``, ``retrieval.*``, ``corpus.*``) log at the
  configured level; no third-party logger (PTB, APScheduler, Chroma, httpx, llama.cpp, Python's
  warnings) reaches the terminal unless ``-v`` (then DEBUG, everything). What matters of theirs
  reaches us as an exception or an error handler's call, and we log it in our words: PTB's
  polling errors go to the bot's error handler, a start-up failure to the CLI. httpx stays at
  WARNING even with ``-v``: it logs every request URL, and Bot API URLs contain the token.
- **Never a secret**: the bot token, the webhook secret and API keys are replaced by
  ``<TOKEN>`` in every record as it is created (message, arguments, traceback), whatever the
  handler, and again by the formatter of our handler. Uncaught exceptions (main thread and
  worker threads) and warnings go through logging, so they are redacted too. PTB puts the token
  into one exception's text ("The token `...` was rejected by the server"): that is why the
  traceback is redacted, not only the message. The credentials of any URL in a line
  (``http://user:password@host``, a server URL setting or a feed) become ``***``.
- **Structured**: the lines our code writes at INFO are ``event key=value ...`` (:func:`kv`),
  with the chat id, latency and outcome; the text of a question is never logged at INFO.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Callable, Iterable
from types import TracebackType

from corpus.urls import hide_credentials

REDACTED = "<TOKEN>"
OURS = frozenset({"rnkbot", "bot", "retrieval", "corpus", "prompts", "tests", "__main__"})
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_secrets: list[str] = []


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by ``<TOKEN>``, and the credentials of any URL
    in it (``http://user:password@host``) by ``***`` (:func:`corpus.urls.hide_credentials`)."""
    text = hide_credentials(text)
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def add_secret(secret: str | None) -> None:
    """Register a value that must never appear in a log line or on the terminal."""
    if secret and len(secret) >= 4 and secret not in _secrets:  # a tiny value would redact ordinary words
        _secrets.append(secret)
        # The longest first: a secret that contains another is replaced whole.
        _secrets.sort(key=len, reverse=True)
    _install_record_factory()


def redact_everywhere(secret: str) -> None:
    """Kept for callers of the first version: :func:`add_secret`."""
    add_secret(secret)


def _install_record_factory() -> None:
    """Wrap the log-record factory (once) so every record is redacted when it is created."""
    current: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()
    if getattr(current, "rnkbot_redacting", False):
        return

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = current(*args, **kwargs)  # redacted even with no secret registered: a URL may hold a password
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):  # a malformed call: leave it to logging's own handling
            return record
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))  # used by every formatter
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record

    factory.rnkbot_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class RedactingFormatter(logging.Formatter):
    """The formatter of our terminal handler: the whole formatted line is redacted once more."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _StderrHandler(logging.StreamHandler):
    """Writes to ``sys.stderr`` as it is at each record (a test's capture, a redirected stream)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):  # StreamHandler's attribute, made to follow sys.stderr
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


class ThirdPartyQuiet(logging.Filter):
    """Passes our own records only (the others are for ``-v``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name.split(".", 1)[0] in OURS


def quiet_http_loggers() -> None:
    """httpx logs every request URL at INFO, and Bot API URLs contain the token."""
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if logger.level < logging.WARNING:  # NOTSET (0) would inherit the root's level
            logger.setLevel(logging.WARNING)


def _log_uncaught(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    logging.getLogger("rnkbot").critical("uncaught exception", exc_info=(exc_type, exc, tb))


def _log_thread_exception(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None or issubclass(args.exc_type, SystemExit):
        return
    name = args.thread.name if args.thread else "?"
    logging.getLogger("rnkbot").error("uncaught exception in thread %s", name,
                                      exc_info=(args.exc_type, args.exc_value, args.exc_traceback))


def configure(level: str = "WARNING", *, verbose: bool = False, secrets: Iterable[str | None] = ()) -> logging.Handler:
    """Log to stderr: ``level`` for our loggers (DEBUG for all with ``verbose``), third parties only
    with ``verbose``, ``secrets`` redacted. Idempotent: a second call replaces the handler it installed."""
    for secret in secrets:
        add_secret(secret)
    _install_record_factory()
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "rnkbot_handler", False)]:
        root.removeHandler(old)
    handler = _StderrHandler()
    handler.rnkbot_handler = True  # type: ignore[attr-defined]
    handler.setFormatter(RedactingFormatter(FORMAT))
    if not verbose:
        handler.addFilter(ThirdPartyQuiet())
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else getattr(logging, level.upper(), logging.INFO))
    quiet_http_loggers()
    logging.captureWarnings(True)  # warnings become records of "py.warnings": filtered and redacted
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_thread_exception
    return handler


def kv(event: str, **fields: object) -> str:
    """``answered chat=42 latency_s=1.83 outcome=refused``: one event, its fields as ``key=value``.

    Floats get two decimals, ``None`` is ``-``, text with spaces or quotes is JSON-quoted."""
    parts = [event]
    for key, value in fields.items():
        if value is None:
            text = "-"
        elif isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, float):
            text = f"{value:.2f}"
        else:
            text = str(value)
            if not text or any(c.isspace() or c in "\"'=" for c in text):
                text = json.dumps(text, ensure_ascii=False)
        parts.append(f"{key}={text}")
    return " ".join(parts)
