"""Bot API calls: server and network errors retried with back-off, 400s and time-outs never."""

from __future__ import annotations

import pytest
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.telegram.sending import transient, with_retries


class Flaky:
    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "sent"


async def test_server_errors_are_retried_until_the_call_succeeds(caplog):
    call = Flaky(NetworkError("502 Bad Gateway"), NetworkError("connection reset"))
    assert await with_retries(call, retries=3, base_delay_s=0.001) == "sent"
    assert call.calls == 3
    assert [r.getMessage().split(";")[0] for r in caplog.records] == [
        "Bot API error 502 Bad Gateway", "Bot API error connection reset"]


async def test_the_last_error_is_raised_after_the_retries():
    call = Flaky(*[NetworkError("down")] * 5)
    with pytest.raises(NetworkError, match="down"):
        await with_retries(call, retries=2, base_delay_s=0.001)
    assert call.calls == 3


@pytest.mark.parametrize("error", [BadRequest("can't parse entities"), TimedOut("maybe delivered")])
async def test_our_mistakes_and_time_outs_are_not_repeated(error):
    call = Flaky(error)
    with pytest.raises(type(error)):
        await with_retries(call, retries=3, base_delay_s=0.001)
    assert call.calls == 1 and not transient(error)
