"""The fake Bot API rejects what Telegram rejects (so the bot's tests mean something)."""

from __future__ import annotations

import httpx


async def call(fake_api, method: str, **params) -> tuple[int, dict]:
    async with httpx.AsyncClient() as client:
        resp = await client.post(f"{fake_api.base_url}{fake_api.token}/{method}", json=params)
    return resp.status_code, resp.json()


async def test_validation_like_telegram(fake_api, alice):
    await alice.say("hi")  # the fake learns the chat from an update
    chat = alice.chat_id
    assert (await call(fake_api, "sendMessage", chat_id=chat, text="<b>ok</b> &amp;", parse_mode="HTML"))[0] == 200
    for bad in ["<b>open", "<script>x</script>", "a & b", "<i><b>x</i></b>", "<b> </b>", ""]:
        status, body = await call(fake_api, "sendMessage", chat_id=chat, text=bad, parse_mode="HTML")
        assert status == 400 and body["ok"] is False, bad
    status, body = await call(fake_api, "sendMessage", chat_id=chat, text="&lt;" * 4097, parse_mode="HTML")
    assert (status, body["description"]) == (400, "Bad Request: message is too long")
    assert (await call(fake_api, "sendMessage", chat_id=chat, text="&lt;" * 4096, parse_mode="HTML"))[0] == 200
    assert (await call(fake_api, "sendMessage", chat_id=-1, text="x"))[0] == 400, "unknown chat"


async def test_unknown_methods_and_injected_failures(fake_api, alice):
    await alice.say("hi")
    status, body = await call(fake_api, "sendPhoto", chat_id=alice.chat_id)
    assert status == 404 and body["ok"] is False
    fake_api.fail_next("sendMessage", 1, status=429, retry_after=3)
    status, body = await call(fake_api, "sendMessage", chat_id=alice.chat_id, text="x")
    assert status == 429 and body["parameters"] == {"retry_after": 3}
    assert (await call(fake_api, "sendMessage", chat_id=alice.chat_id, text="x"))[0] == 200
    sent = fake_api.sent_to(alice.chat_id)[0]
    status, body = await call(fake_api, "editMessageText", chat_id=alice.chat_id, message_id=sent["message_id"], text="x")
    assert status == 400 and "not modified" in body["description"]
    status, _ = await call(fake_api, "sendMessageDraft", chat_id=alice.chat_id, draft_id=0, text="x")
    assert status == 400, "draft_id must be non-zero"
    assert (await call(fake_api, "getMe"))[1]["result"]["username"] == "rnk_test_bot"
