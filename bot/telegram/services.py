"""The long-lived objects of a running bot, built once in ``post_init`` and kept in ``bot_data``."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telegram import Message, Update, User
from telegram.ext import ContextTypes

from retrieval.settings import Settings
from retrieval.types import Language

from .answering import AnswerFlow
from .digests import DigestDelivery, DigestScheduler
from .i18n import guess_language
from .memory import AnswerMemory
from .prefs import PrefsStore
from .queue import AnswerQueue
from .ratelimit import RateLimiter
from .stats import BotStats

if TYPE_CHECKING:
    from retrieval.service import AnswerService

SERVICES_KEY = "rnkbot.services"
LANG_KEY = "rnkbot.lang"


@dataclass
class BotServices:
    settings: Settings
    service: AnswerService
    prefs: PrefsStore
    memory: AnswerMemory
    queue: AnswerQueue
    stats: BotStats
    limiter: RateLimiter
    flow: AnswerFlow
    digests: DigestDelivery
    scheduler: DigestScheduler


def services(context: ContextTypes.DEFAULT_TYPE) -> BotServices:
    svc: BotServices = context.application.bot_data[SERVICES_KEY]
    return svc


def incoming(update: Update) -> Message:
    """The message a handler answers. Every handler is registered for new messages only
    (``filters.UpdateType.MESSAGE``), so there always is one."""
    message = update.effective_message
    if message is None:
        raise TypeError(f"update {update.update_id} has no message: register its handler for filters.UpdateType.MESSAGE")
    return message


async def chosen_language(context: ContextTypes.DEFAULT_TYPE, user: User | None) -> Language | None:
    """The user's /lang choice (from SQLite, cached in ``user_data``), or ``None``."""
    if user is None:
        return None
    cache = context.user_data if context.user_data is not None else {}
    if LANG_KEY not in cache:
        cache[LANG_KEY] = await asyncio.to_thread(services(context).prefs.get_language, user.id)
    return cache[LANG_KEY]


async def set_language(context: ContextTypes.DEFAULT_TYPE, user: User, language: Language) -> None:
    await asyncio.to_thread(services(context).prefs.set_language, user.id, language)
    if context.user_data is not None:
        context.user_data[LANG_KEY] = language


async def ui_language(context: ContextTypes.DEFAULT_TYPE, user: User | None) -> Language:
    """The language for the bot's own messages: the /lang choice, else the user's Telegram language."""
    return await chosen_language(context, user) or guess_language(user.language_code if user else None)
