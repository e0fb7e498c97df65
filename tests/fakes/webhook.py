"""The webhook side of the fake Bot API: ``setWebhook`` / ``deleteWebhook`` / ``getWebhookInfo``,
and delivering updates by POST to the registered URL the way Telegram does."""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import ClientSession

from .api_error import ApiError

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class WebhookMethods:
    """Mixed into :class:`~tests.fakes.bot_api.FakeBotAPI`; ``webhook`` is the registration, if any."""

    webhook: dict[str, Any] | None = None
    deliveries: list[tuple[dict, int]]  # (update, HTTP status of the bot's webhook server)

    def m_setWebhook(self, params: dict) -> bool:
        url = params.get("url") or ""
        if not url.startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: bad webhook: an HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET.fullmatch(str(secret)):
            raise ApiError(400, "Bad Request: bad webhook: secret token contains unallowed characters")
        self.webhook = {"url": url, "secret_token": secret, "allowed_updates": params.get("allowed_updates")}
        return True

    def m_deleteWebhook(self, params: dict) -> bool:
        self.webhook = None
        return True

    def m_getWebhookInfo(self, params: dict) -> dict:
        return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False, "pending_update_count": 0}

    async def post_to_webhook(self, update: dict, secret_token: str | None) -> int:
        """POST ``update`` to the registered webhook URL with ``secret_token`` in the header; the HTTP status."""
        if self.webhook is None:
            raise AssertionError("no webhook is registered: the bot never called setWebhook")
        headers = {"Content-Type": "application/json"}
        if secret_token is not None:
            headers[SECRET_HEADER] = secret_token
        async with ClientSession() as session, session.post(
            self.webhook["url"], data=json.dumps(update), headers=headers
        ) as response:
            return response.status

    async def deliver(self, update: dict) -> int:
        """What Telegram does with a new update while a webhook is set: POST it with the registered secret."""
        status = await self.post_to_webhook(update, (self.webhook or {}).get("secret_token"))
        self.deliveries.append((update, status))
        return status
