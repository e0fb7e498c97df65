"""Webhook mode for real: PTB's webhook server on 127.0.0.1, updates POSTed to it as Telegram would."""

from __future__ import annotations

from tests.fakes.expect import answer_to, replies_to, text_of
from tests.fakes.harness import free_port

GREETINGS_Q = "Whose greetings did Krivoruchko pass on to Kim Jong Un?"
GREETINGS_DOC_TITLE = "Kim Jong Un Bakal Membahas Kerja Sama Militer dengan Pejabat Rusia"
SECRET = "s3cret-Token_1"


async def test_webhook_serves_answers_and_rejects_a_wrong_secret(start_bot, fake_api, alice):
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg/hook-1"
    async with start_bot(webhook_url=url, webhook_listen="127.0.0.1", webhook_port=port, webhook_secret=SECRET):
        assert fake_api.webhook == {"url": url, "secret_token": SECRET, "allowed_updates": ["message"]}
        forged = alice.compose(GREETINGS_Q)
        wrong = await fake_api.post_to_webhook({"update_id": 900, "message": forged}, "not-the-secret")
        missing = await fake_api.post_to_webhook({"update_id": 901, "message": forged}, None)
        msg = await alice.say(GREETINGS_Q)  # delivered by POST with the registered secret
        call = await answer_to(fake_api, msg)
    assert (wrong, missing) == (403, 403)
    assert [status for _, status in fake_api.deliveries] == [200]
    assert "Putin" in text_of(call) and GREETINGS_DOC_TITLE in text_of(call) and "[1]" in text_of(call)
    assert not [c for c in fake_api.calls if replies_to(forged)(c)], "a forged update gets no reply"
    assert len(fake_api.calls_of("sendMessage", alice.chat_id)) == 1
    assert not fake_api.calls_of("getUpdates", ok=None), "no polling in webhook mode"


async def test_polling_after_a_webhook_deletes_it_first(start_bot, fake_api, alice):
    """Telegram refuses getUpdates while a webhook is set; switching back to polling must work."""
    port = free_port()
    async with start_bot(webhook_url=f"http://127.0.0.1:{port}/hook", webhook_listen="127.0.0.1", webhook_port=port):
        assert fake_api.webhook is not None and fake_api.webhook["secret_token"] is None
    async with start_bot():
        call = await answer_to(fake_api, await alice.say(GREETINGS_Q))
    assert fake_api.webhook is None and "Putin" in text_of(call)
    assert not fake_api.calls_of("getUpdates", ok=False)
