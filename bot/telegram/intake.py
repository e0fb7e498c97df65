"""Accepting a question: access to the model (rate limit, queue), history, acknowledgement."""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.ext import ContextTypes

from .addressing import Addressed, cut_question
from .i18n import t
from .queue import Job
from .ratelimit import RateLimiter
from .services import chosen_language, services, ui_language


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
    question, was_cut = cut_question(addressed.question, svc.settings.answering.max_question_chars)
    if not question:
        await message.reply_text(t(ui, "ask_usage"), parse_mode=ParseMode.HTML)
        return None
    if user is not None and not svc.settings.telegram.is_admin(user.id):
        wait = svc.limiter.check(user.id)
        if wait:
            await message.reply_text(t(ui, "rate_limited", seconds=RateLimiter.wait_seconds(wait)), do_quote=True)
            return None
    if svc.queue.full():
        await message.reply_text(t(ui, "busy"), do_quote=True)
        return None
    thread_id = _thread_id(message)
    await context.bot.send_chat_action(chat.id, ChatAction.TYPING, message_thread_id=thread_id)
    if was_cut:
        await message.reply_text(t(ui, "question_cut", chars=len(question)), do_quote=True)
    history = await svc.memory.history_for(chat.id, addressed.reply_to)
    job = Job(
        update=update, chat_id=chat.id, private=chat.type == ChatType.PRIVATE, message_id=message.message_id,
        question=question, history=history,
        ui_language=ui, language=chosen, thread_id=thread_id,
    )
    ahead = svc.queue.ahead()
    if ahead:
        notice = await message.reply_text(t(ui, "queued", ahead=ahead), do_quote=True)
        job.notice_id = notice.message_id
    svc.queue.put(job)
    return job
