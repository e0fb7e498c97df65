"""The settings of the Telegram bot (token, access, limits, webhook, streaming, memory) and of
what a running bot logs.
"""

from __future__ import annotations

import re

from pydantic import SecretStr, field_validator

from retrieval.settings.base import Section, env, env_list


def _id_list(value: object) -> object:
    """Accept ``"1, -1002"`` (the usual way to write a list in an env var) as well as a list."""
    if isinstance(value, str):
        return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
    if isinstance(value, int):
        return [value]
    return value


class TelegramSettings(Section):
    """The Telegram bot: token, access, limits, webhook, streaming, memory."""

    bot_token: SecretStr | None = env(
        "TELEGRAM_BOT_TOKEN", None,
        description="Bot token from @BotFather. When set, `make run` starts the Telegram bot; else the terminal chat.",
    )
    base_url: str = env("TELEGRAM_BASE_URL", "https://api.telegram.org/bot",
                        description="Bot API base URL: change it for a self-hosted Bot API server.")
    allowed_chats: list[int] | None = env(
        "RNKBOT_ALLOWED_CHATS", None,
        description="Comma-separated chat ids the bot answers in (empty: every chat). Admins' private chats are always allowed.",
    )
    admins: list[int] = env_list(
        "RNKBOT_ADMINS",
        description="Comma-separated Telegram user ids that may use /stats and /ingest; they are never rate-limited.",
    )
    rate_limit_per_min: int = env("RNKBOT_RATE_LIMIT_PER_MIN", 6, ge=0,
                                  description="Questions one user may ask per minute (0: no limit).")
    max_queue: int = env("RNKBOT_MAX_QUEUE", 50, ge=1,
                         description="Questions that may wait for the model at once; more are turned away politely.")
    webhook_url: str | None = env(
        "RNKBOT_WEBHOOK_URL", None,
        description="Webhook mode instead of long polling: the public HTTPS URL Telegram posts to (its path is served).",
    )
    webhook_port: int = env("RNKBOT_WEBHOOK_PORT", 8443, ge=1, le=65535,
                            description="Local port of the webhook server (put a TLS proxy in front).")
    webhook_listen: str = env("RNKBOT_WEBHOOK_LISTEN", "0.0.0.0", description="Local address the webhook server binds to.")
    webhook_secret: SecretStr | None = env(
        "RNKBOT_WEBHOOK_SECRET", None,
        description="Secret (1-256 characters of A-Z a-z 0-9 _ -) that webhook requests must carry in "
                    "X-Telegram-Bot-Api-Secret-Token (else 403).",
    )
    edit_interval_s: float = env(
        "RNKBOT_EDIT_INTERVAL_S", 1.0, ge=0.2,
        description="Seconds between draft updates while the model writes, in private chats (a placeholder is never "
                    "edited more than once a second).",
    )
    group_edit_interval_s: float = env(
        "RNKBOT_GROUP_EDIT_INTERVAL_S", 3.0, ge=1.0,
        description="Seconds between edits of the draft placeholder in groups (groups allow about 20 bot messages a minute).",
    )
    history_size: int = env(
        "RNKBOT_HISTORY_SIZE", 200, ge=1,
        description="Answer messages remembered per chat (in <data dir>/bot.sqlite3) for follow-ups by reply and /sources.",
    )
    history_days: float = env("RNKBOT_HISTORY_DAYS", 30.0, gt=0,
                              description="Days an answer is remembered for follow-ups; older ones are pruned.")
    send_retries: int = env(
        "RNKBOT_SEND_RETRIES", 3, ge=0,
        description="Retries of a Bot API call after a 429 (honouring retry_after), a server or a network error.",
    )
    resume_max_age_min: float = env(
        "RNKBOT_RESUME_MAX_AGE_MIN", 60.0, ge=0,
        description="After a restart, questions left unanswered that are at most this old are answered; older ones "
                    "(and any question that was already tried twice) get a note asking to ask again.",
    )
    redeliver_interval_s: float = env(
        "RNKBOT_REDELIVER_INTERVAL_S", 60.0, gt=0,
        description="Seconds between two attempts to send answers and digests whose sending failed (Telegram unreachable).",
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


class LoggingSettings(Section):
    """What is logged."""

    level: str = env("RNKBOT_LOG_LEVEL", "INFO", description="Logging level of `rnkbot serve` and `rnkbot run`.")
