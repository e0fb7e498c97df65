"""Thin Telegram handlers: read the update, call the logic, reply. Registered by :func:`register`.

Beside questions and commands: an unknown command gets the help (in a group only when it names
this bot), an edited question gets a note that edits are not answered again (the answer to the
first version stands; answering every edit would answer one message several times), channel
posts get nothing (whatever the bot wrote in a channel would go out to all its subscribers), and
every error ends in one short reply and one log line (:func:`on_error`).
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.constants import ChatType, ParseMode
from telegram.error import NetworkError, TelegramError
from telegram.ext import Application, ApplicationHandlerStop, CommandHandler, ContextTypes, MessageHandler, TypeHandler, filters

from bot.logsetup import kv
from bot.render import render_sources, split_html
from corpus.errors import RnkbotError
from retrieval.index.store import StoreError

from .addressing import addressed_question, command_question, replied_bot_message
from .db import DatabaseError
from .digest_handlers import register_digest
from .i18n import parse_language, t
from .ingesting import ingest_command
from .intake import submit_question
from .reports import about_text, stats_text
from .sending import NO_PREVIEW
from .services import SERVICES_KEY, chosen_language, incoming, manages_chat, services, set_language, ui_language

log = logging.getLogger(__name__)


async def gatekeeper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop updates from chats outside the allow-list (private chats are told why)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or services(context).settings.telegram.chat_allowed(chat.id, user.id if user else None):
        return
    if chat.type == ChatType.PRIVATE and update.message is not None:
        await update.message.reply_text(t(await ui_language(context, user), "not_allowed"))
    raise ApplicationHandlerStop


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: what the bot does."""
    lang = await ui_language(context, update.effective_user)
    await incoming(update).reply_text(t(lang, "start"), parse_mode=ParseMode.HTML)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help (and any unknown command in a private chat): how to ask, and the commands."""
    lang = await ui_language(context, update.effective_user)
    await incoming(update).reply_text(t(lang, "help", username=context.bot.username), parse_mode=ParseMode.HTML)


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask <question> (also as a reply: to an answer for a follow-up, or to a message to ask it)."""
    await submit_question(update, context, command_question(incoming(update), context.bot.id))


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A text message: a question in private chats; in groups only when mentioned or replied to."""
    addressed = addressed_question(incoming(update), context.bot.username, context.bot.id)
    if addressed is not None:
        await submit_question(update, context, addressed)


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/sources: sources and quotes of the last answer here (or of the answer replied to)."""
    message = incoming(update)
    replied = replied_bot_message(message, context.bot.id)
    answer = await services(context).memory.answer_or_last(message.chat_id, replied)
    lang = await chosen_language(context, update.effective_user) or (answer.language if answer else None)
    lang = lang or await ui_language(context, update.effective_user)
    if answer is None:
        await message.reply_text(t(lang, "no_last_answer"))
        return
    for part in split_html(render_sources(answer, lang)):
        await message.reply_text(part, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW)


async def about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/about: the articles, outlets and dates the bot knows."""
    lang = await ui_language(context, update.effective_user)
    stats = await asyncio.to_thread(services(context).service.stats)
    await incoming(update).reply_text(about_text(stats, lang), parse_mode=ParseMode.HTML)


async def lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/lang id|en: the reply language, kept across restarts."""
    user, message = update.effective_user, incoming(update)
    choice = parse_language(context.args[0] if context.args else None)
    if choice is None or user is None:
        current = await chosen_language(context, user)
        ui = await ui_language(context, user)
        await message.reply_text(
            t(ui, "lang_usage", current=current or t(ui, "lang_auto")), parse_mode=ParseMode.HTML
        )
        return
    await set_language(context, user, choice)
    if message.chat.type == ChatType.PRIVATE:  # this chat's digest follows the choice too
        await asyncio.to_thread(services(context).digests.store.set_language, message.chat.id, choice)
    await message.reply_text(t(choice, "lang_set"))


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats (admins only): questions answered, refusals, median latency, queue length."""
    svc = services(context)
    user = update.effective_user
    lang = await ui_language(context, user)
    if user is None or not svc.settings.telegram.is_admin(user.id):
        await incoming(update).reply_text(t(lang, "admins_only"))
        return
    await incoming(update).reply_text(stats_text(svc.stats, svc.queue, lang), parse_mode=ParseMode.HTML)


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice…: explain what the bot does (in groups only when replying to it)."""
    message = incoming(update)
    if message.chat.type != ChatType.PRIVATE and replied_bot_message(message, context.bot.id) is None:
        return
    await message.reply_text(t(await ui_language(context, update.effective_user), "non_text"))


async def forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/forget: delete what the bot stores about this chat (questions, answers, subscription) and,
    in a private chat, the user's language choice. In a group only its admins (or the bot's) may."""
    svc = services(context)
    message, user, chat = incoming(update), update.effective_user, update.effective_chat
    lang = await ui_language(context, user)
    if chat is None or user is None:
        return
    if not await manages_chat(context, update):
        await message.reply_text(t(lang, "forget_group_admins"))
        return
    answers = await svc.memory.forget_chat(chat.id)
    questions = await asyncio.to_thread(svc.journal.forget_chat, chat.id)
    subscribed = await asyncio.to_thread(svc.digests.store.unsubscribe, chat.id)
    svc.scheduler.unschedule(chat.id)
    if chat.type == ChatType.PRIVATE:
        await asyncio.to_thread(svc.prefs.forget_user, user.id)
        svc.limiter.forget(user.id)
        if context.user_data is not None:
            context.user_data.clear()
    log.info(kv("forgot", chat=chat.id, answers=answers, questions=questions, subscription=subscribed))
    await message.reply_text(t(lang, "forget_done", answers=answers, subscription=t(lang, "yes" if subscribed else "no")))


async def edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited question: its first version was answered (or is being answered); say so, once per edit."""
    message = update.edited_message
    if message is None or message.text is None or message.text.startswith("/"):
        return
    if addressed_question(message, context.bot.username, context.bot.id) is None:
        return  # in a group, an edit of a message that was not for the bot
    await message.reply_text(t(await ui_language(context, update.effective_user), "edited"), do_quote=True)


async def channel_post(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A post in a channel the bot was added to: nothing is sent (see the module docstring)."""
    chat = update.effective_chat
    log.info(kv("channel_post_ignored", chat=chat.id if chat else None))


async def group_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An unknown command in a group: the help, but only if it names this bot (``/foo@thisbot``):
    a bare ``/foo`` may be meant for another bot in the group."""
    message = incoming(update)
    first = (message.text or "").split(maxsplit=1)[0] if message.text else ""
    if first.lower().endswith(f"@{context.bot.username}".lower()):
        await help_command(update, context)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The one error handler: one log line (with the traceback for bugs), a short reply for the user.

    A problem an operator can fix (a database locked or damaged, the index unreadable) is logged
    as one line naming the fix, and the user is told what cannot be done right now; anything
    else is a bug: its traceback is logged and the user gets an apology."""
    error = context.error
    svc = context.application.bot_data.get(SERVICES_KEY)  # absent if start-up itself failed
    if svc is not None:
        svc.stats.record_error()
    if isinstance(error, DatabaseError):
        key = "database_busy" if error.busy else "database_unavailable"
        log.error("%s", error)
    elif isinstance(error, StoreError):
        key = "index_unavailable"
        log.error("%s", error)
    elif isinstance(error, RnkbotError):
        key = "error"
        log.error("%s", error)
    elif update is None and isinstance(error, NetworkError):  # polling: PTB retries by itself
        log.warning(kv("telegram_unreachable", error=str(error)))
        return
    else:
        key = "error"
        log.error("error while handling an update", exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type == ChatType.CHANNEL:
        return
    lang = await ui_language(context, update.effective_user) if svc is not None else "en"
    try:
        await context.bot.send_message(update.effective_chat.id, t(lang, key), parse_mode=ParseMode.HTML)
    except TelegramError as exc:
        log.warning("could not tell the user about the error: %s", exc)


def register(application: Application) -> None:
    """Add every handler (and the error handler) to ``application``."""
    application.add_handler(TypeHandler(Update, gatekeeper), group=-1)
    only_new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("start", start, filters=only_new))
    application.add_handler(CommandHandler("help", help_command, filters=only_new))
    application.add_handler(CommandHandler("ask", ask, filters=only_new))
    application.add_handler(CommandHandler("sources", sources, filters=only_new))
    application.add_handler(CommandHandler("about", about, filters=only_new))
    application.add_handler(CommandHandler("lang", lang, filters=only_new))
    application.add_handler(CommandHandler("stats", stats, filters=only_new))
    register_digest(application)
    application.add_handler(CommandHandler("ingest", ingest_command, filters=only_new))
    application.add_handler(CommandHandler("forget", forget, filters=only_new))
    application.add_handler(MessageHandler(only_new & filters.TEXT & ~filters.COMMAND, text_message))
    application.add_handler(MessageHandler(only_new & filters.COMMAND & filters.ChatType.PRIVATE, help_command))
    application.add_handler(MessageHandler(only_new & filters.COMMAND & filters.ChatType.GROUPS, group_command))
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, edited))
    application.add_handler(MessageHandler(filters.UpdateType.CHANNEL_POSTS, channel_post))
    content = ~filters.TEXT & ~filters.StatusUpdate.ALL & ~filters.COMMAND
    application.add_handler(MessageHandler(only_new & content, not_text))
    application.add_error_handler(on_error)
