"""The long-lived objects of a running bot, built once in ``post_init`` and kept in ``bot_data``."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from telegram import Message, Update, User
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import ContextTypes

from retrieval.settings import Settings
from retrieval.types import Language

from .answering import AnswerFlow
from .core import Core
from .db import DatabaseError
from .digests import DigestDelivery, DigestScheduler
from .i18n import guess_language
from .journal import AnswerJournal
from .memory import AnswerMemory
from .prefs import PrefsStore
from .queue import AnswerQueue
from .ratelimit import RateLimiter
from .stats import BotStats

log = logging.getLogger(__name__)
SERVICES_KEY = "rnkbot.services"
LANG_KEY = "rnkbot.lang"


@dataclass
class BotServices:
    settings: Settings
    service: Core
    prefs: PrefsStore
    memory: AnswerMemory
    journal: AnswerJournal
    queue: AnswerQueue
    stats: BotStats
    limiter: RateLimiter
    flow: AnswerFlow
    digests: DigestDelivery
    scheduler: DigestScheduler


def services(context: ContextTypes.DEFAULT_TYPE) -> BotServices:
    svc: BotServices = context.application.bot_data[SERVICES_KEY]
    return svc


async def manages_chat(context: ContextTypes.DEFAULT_TYPE, update: Update) -> bool:
    """Whether the sender may change what this chat keeps or receives (/forget, /subscribe,
    /unsubscribe): anyone in a private chat; in a group, its admins and the bot's, so that one
    member cannot stop or move the digest everyone else reads."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    if chat.type == ChatType.PRIVATE or services(context).settings.telegram.is_admin(user.id):
        return True
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


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
        try:
            cache[LANG_KEY] = await asyncio.to_thread(services(context).prefs.get_language, user.id)
        except DatabaseError as exc:  # the user's Telegram language will do until the database is back
            log.warning("language choice unavailable: %s", exc)
            return None
    return cache[LANG_KEY]


async def set_language(context: ContextTypes.DEFAULT_TYPE, user: User, language: Language) -> None:
    await asyncio.to_thread(services(context).prefs.set_language, user.id, language)
    if context.user_data is not None:
        context.user_data[LANG_KEY] = language


async def ui_language(context: ContextTypes.DEFAULT_TYPE, user: User | None) -> Language:
    """The language for the bot's own messages: the /lang choice, else the user's Telegram language."""
    return await chosen_language(context, user) or guess_language(user.language_code if user else None)
