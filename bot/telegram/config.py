"""Settings that only the Telegram front end needs.

Read from the environment (or ``.env``) by :func:`load_bot_config`, called once at the edge
(``run_bot``); nothing here reads the environment at import time.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _id_list(value: object) -> object:
    """Accept ``"1, -1002"`` (the usual way to write a list in an env var) as well as a list."""
    if isinstance(value, str):
        return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
    if isinstance(value, int):
        return [value]
    return value


class BotConfig(BaseSettings):
    """Configuration of the Telegram bot (access, limits, webhook, streaming)."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True, env_ignore_empty=True,
        hide_input_in_errors=True,  # a bad value must not print the webhook secret
    )

    allowed_chats: Annotated[list[int] | None, NoDecode] = Field(
        None,
        validation_alias="RNKBOT_ALLOWED_CHATS",
        description="Comma-separated chat ids the bot answers in. Empty: every chat. Admins' private chats are always allowed.",
    )
    admins: Annotated[list[int], NoDecode] = Field(
        default_factory=list,
        validation_alias="RNKBOT_ADMINS",
        description="Comma-separated Telegram user ids allowed to use /stats; they are also exempt from the rate limit.",
    )
    rate_limit_per_min: int = Field(
        6, ge=0, validation_alias="RNKBOT_RATE_LIMIT_PER_MIN",
        description="Questions one user may ask per minute (0: no limit).",
    )
    max_queue: int = Field(
        50, ge=1, validation_alias="RNKBOT_MAX_QUEUE",
        description="Questions that may wait for the model at once; more are turned away politely.",
    )
    webhook_url: str | None = Field(
        None, validation_alias="RNKBOT_WEBHOOK_URL",
        description="Public HTTPS URL Telegram posts updates to. When set the bot runs a webhook server instead of long polling.",
    )
    webhook_port: int = Field(
        8443, ge=1, le=65535, validation_alias="RNKBOT_WEBHOOK_PORT",
        description="Local port of the webhook server.",
    )
    webhook_listen: str = Field(
        "0.0.0.0", validation_alias="RNKBOT_WEBHOOK_LISTEN",
        description="Local address the webhook server binds to.",
    )
    webhook_secret: SecretStr | None = Field(
        None, validation_alias="RNKBOT_WEBHOOK_SECRET",
        description="Secret token Telegram sends in X-Telegram-Bot-Api-Secret-Token (recommended with webhooks).",
    )
    edit_interval_s: float = Field(
        1.0, ge=0.2, validation_alias="RNKBOT_EDIT_INTERVAL_S",
        description="Least time between two updates of a streamed draft in a private chat (edits of a placeholder are never more often than once a second).",
    )
    group_edit_interval_s: float = Field(
        3.0, ge=1.0, validation_alias="RNKBOT_GROUP_EDIT_INTERVAL_S",
        description="Least time between two edits of the draft placeholder in a group (groups allow about 20 bot messages a minute).",
    )
    history_size: int = Field(
        200, ge=1, validation_alias="RNKBOT_HISTORY_SIZE",
        description="Answer messages remembered per chat (in data_dir/bot.sqlite3) for follow-up replies and /sources.",
    )
    history_days: float = Field(
        30.0, gt=0, validation_alias="RNKBOT_HISTORY_DAYS",
        description="Days an answer is remembered for follow-up replies; older ones are pruned.",
    )
    send_retries: int = Field(
        3, ge=0, validation_alias="RNKBOT_SEND_RETRIES",
        description="Retries of a Bot API call after a 429 (honouring retry_after) or a server error.",
    )

    _split_ids = field_validator("allowed_chats", "admins", mode="before")(_id_list)

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret(cls, value: SecretStr | None) -> SecretStr | None:
        """Telegram's rule for secret tokens; its setWebhook would refuse anything else."""
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()):
            raise ValueError("RNKBOT_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admins

    def chat_allowed(self, chat_id: int, user_id: int | None = None) -> bool:
        if not self.allowed_chats:
            return True
        return chat_id in self.allowed_chats or (chat_id == user_id and self.is_admin(user_id))


def load_bot_config() -> BotConfig:
    """Build the bot configuration from the environment (call once, at start-up)."""
    return BotConfig()
