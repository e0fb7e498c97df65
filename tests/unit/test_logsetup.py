"""bot.logsetup: secrets redacted everywhere (tracebacks too), third parties quiet, lines structured."""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Iterator

import pytest

from bot.logsetup import REDACTED, configure, kv

SECRET = "987654:UNIT-test-secret"


class Terminal:
    """What configure()'s handler writes: it writes to sys.stderr as it is when configured, which
    pytest's capsys replaces for the test's call."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys, self.text = capsys, ""

    def getvalue(self) -> str:
        self.text += self.capsys.readouterr().err
        return self.text


@pytest.fixture
def terminal(capsys: pytest.CaptureFixture[str]) -> Iterator[Terminal]:
    root = logging.getLogger()
    level, handlers, hook = root.level, list(root.handlers), sys.excepthook
    yield Terminal(capsys)
    for h in list(root.handlers):
        if h not in handlers:
            root.removeHandler(h)
    root.setLevel(level)
    sys.excepthook = hook
    logging.captureWarnings(False)


def test_a_secret_is_redacted_in_messages_arguments_and_tracebacks(terminal):
    configure("INFO", secrets=[SECRET])
    log = logging.getLogger("bot.telegram.test")
    log.info("GET https://api.telegram.org/bot%s/getMe", SECRET)
    try:
        raise RuntimeError(f"The token `{SECRET}` was rejected by the server.")
    except RuntimeError:
        log.exception("failed")
    logging.getLogger("bot.x").error("a record with the secret %s", SECRET)
    text = terminal.getvalue()
    assert SECRET not in text and SECRET.split(":")[1] not in text
    assert text.count(REDACTED) == 3 and "Traceback" in text and "rejected by the server" in text


def test_uncaught_exceptions_go_through_the_redacting_log(terminal):
    configure("WARNING", secrets=[SECRET])
    try:
        raise ValueError(f"bad url http://x/bot{SECRET}/send")
    except ValueError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    assert "uncaught exception" in terminal.getvalue() and SECRET not in terminal.getvalue()


def test_third_parties_are_quiet_unless_verbose(terminal):
    configure("INFO")
    logging.getLogger("apscheduler.scheduler").info("Added job")
    logging.getLogger("telegram.ext.Application").warning("a library warning")
    logging.getLogger("chromadb").error("a library error")
    logging.getLogger("retrieval.index.health").info("our info")
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("a deprecation", DeprecationWarning, stacklevel=1)
    lines = terminal.getvalue().splitlines()
    assert [line.split(": ", 1)[1] for line in lines] == ["our info"]
    configure("INFO", verbose=True)
    logging.getLogger("apscheduler.scheduler").debug("Added job")
    assert "Added job" in terminal.getvalue()


def test_structured_lines():
    assert kv("answered", chat=-100123, latency_s=1.2345, outcome="refused", parts=1, question=None) == (
        "answered chat=-100123 latency_s=1.23 outcome=refused parts=1 question=-")
    assert kv("x", error='Bad Request: can\'t parse "x"', ok=True) == 'x error="Bad Request: can\'t parse \\"x\\"" ok=true'


def test_every_secret_setting_is_registered_for_redaction(tmp_path):
    """The CLI (and so the bot, which it starts) redacts every SecretStr setting, the Chroma
    server's token and the model server's key included, not only the Telegram ones."""
    from bot.cli import _secrets
    from tests.conftest import make_settings

    settings = make_settings(tmp_path, store={"chroma_auth_token": "chroma-token-1234"},
                             llm={"api_key": "llm-key-5678"},
                             telegram={"bot_token": "123456:ABCDEFGHIJ", "webhook_secret": "hook-secret-9"})
    assert {"chroma-token-1234", "llm-key-5678", "123456:ABCDEFGHIJ", "hook-secret-9"} <= set(_secrets(settings))
