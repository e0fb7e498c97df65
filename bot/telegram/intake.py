"""Accepting a question: clean it, check it, limit it, journal it, queue it, acknowledge it.

Careless and hostile input gets a short reply, never an error: an empty message or one with
only invisible characters gets the usage, emoji or punctuation only gets "ask in words", a
long one is cut (the user is told), and a flood from one user is answered up to the rate limit,
with one notice per minute about the rest (replying to each message of a flood would make the
bot flood the chat in turn, and hit Telegram's own limits).
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Message, Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.ext import ContextTypes

from bot.inputs import clean_question
from bot.logsetup import kv

from .addressing import Addressed
from .db import DatabaseError
from .i18n import t
from .queue import Job
from .ratelimit import RateLimiter
from .services import chosen_language, services, ui_language

log = logging.getLogger(__name__)


def _thread_id(message: Message) -> int | None:
    return message.message_thread_id if message.is_topic_message else None


async def submit_question(update: Update, context: ContextTypes.DEFAULT_TYPE, addressed: Addressed) -> Job | None:
    """Queue a question for the model, or tell the user why not. Returns the queued job."""
    svc = services(context)
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None:
        return None
    chosen = await chosen_language(context, user)
    ui = await ui_language(context, user)
    q = clean_question(addressed.question, svc.settings.answering.max_question_chars)
    if q.empty:
        await message.reply_text(t(ui, "ask_usage"), parse_mode=ParseMode.HTML)
        return None
    if not q.has_words:
        await message.reply_text(t(ui, "no_words"), do_quote=True)
        return None
    if user is not None and not svc.settings.telegram.is_admin(user.id):
        wait = svc.limiter.check(user.id)
        if wait:
            log.info(kv("rate_limited", chat=chat.id, user=user.id, wait_s=wait))
            if svc.limiter.first_refusal(user.id):
                await message.reply_text(t(ui, "rate_limited", seconds=RateLimiter.wait_seconds(wait)), do_quote=True)
            return None
    if svc.queue.full():
        log.info(kv("busy", chat=chat.id, waiting=svc.queue.waiting))
        await message.reply_text(t(ui, "busy"), do_quote=True)
        return None
    private = chat.type == ChatType.PRIVATE
    thread_id = _thread_id(message)
    try:
        journal_id = await asyncio.to_thread(
            svc.journal.add, chat_id=chat.id, message_id=message.message_id, user_id=user.id if user else None,
            question=q.text, ui_language=ui, language=chosen, private=private, thread_id=thread_id,
            reply_to=addressed.reply_to)
        if journal_id is None:  # Telegram delivered this update again (after a crash): it is answered once
            log.info(kv("duplicate_update", chat=chat.id, message=message.message_id))
            return None
    except DatabaseError as exc:  # answer anyway; only a restart could lose it now
        log.warning("question not journalled: %s", exc)
        journal_id = None
    await context.bot.send_chat_action(chat.id, ChatAction.TYPING, message_thread_id=thread_id)
    if q.cut:
        await message.reply_text(t(ui, "question_cut", chars=len(q.text)), do_quote=True)
    history = await svc.memory.history_for(chat.id, addressed.reply_to)
    job = Job(
        update=update, chat_id=chat.id, private=private, message_id=message.message_id,
        question=q.text, history=history, ui_language=ui, language=chosen, thread_id=thread_id,
        journal_id=journal_id, user_id=user.id if user else None, reply_to=addressed.reply_to,
    )
    ahead = svc.queue.ahead()
    if ahead:
        notice = await message.reply_text(t(ui, "queued", ahead=ahead), do_quote=True)
        job.notice_id = notice.message_id
        if journal_id is not None:
            await svc.flow.note(svc.journal.set_notice, journal_id, notice.message_id)
    svc.queue.put(job)
    log.debug(kv("queued", chat=chat.id, job=job.id, ahead=ahead))
    return job
