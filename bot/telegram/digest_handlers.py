"""Thin handlers for the digest commands: /subscribe, /unsubscribe, /digest."""

from __future__ import annotations

import asyncio
import re

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, ContextTypes, filters

from bot.digest_view import local_label
from retrieval.text.times import TimeParseError, parse_time_of_day, parse_timezone, zone_label

from .i18n import t
from .services import incoming, manages_chat, services, ui_language


def _rejoined(args: list[str]) -> list[str]:
    """Arguments typed as two words that are one: "8 pm" is one time (not a time and a time zone),
    "UTC +7" one zone."""
    out: list[str] = []
    for arg in args:
        if out and (re.fullmatch(r"[ap]\.?m\.?", arg, re.IGNORECASE)
                    or (out[-1].lower() in ("utc", "gmt") and arg[:1] in "+-")):
            out[-1] = f"{out[-1]} {arg}"
        else:
            out.append(arg)
    return out


def parse_subscribe_args(args: list[str], default_time: str, default_tz: str) -> tuple[str, str]:
    """``[HH:MM] [time zone]`` in either order -> (``HH:MM``, IANA name). Raises
    :class:`TimeParseError` whose message is the argument it could not read."""
    at, tz = default_time, default_tz
    args = _rejoined(args)
    for arg in args[:2]:
        try:
            at = parse_time_of_day(arg).strftime("%H:%M")
            continue
        except TimeParseError:
            pass
        try:
            tz = parse_timezone(arg).key
        except TimeParseError:
            raise TimeParseError(arg) from None
    if len(args) > 2:
        raise TimeParseError(" ".join(args[2:]))
    return at, tz


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/subscribe [HH:MM] [time zone]: a daily digest in this chat (default 08:00 Asia/Jakarta)."""
    svc = services(context)
    message = incoming(update)
    chat = message.chat
    lang = await ui_language(context, update.effective_user)
    if not await manages_chat(context, update):
        await message.reply_text(t(lang, "digest_group_admins"))
        return
    current = await asyncio.to_thread(svc.digests.store.get, chat.id)
    defaults = (current.at_time, current.timezone) if current else (svc.settings.digest.time, svc.settings.digest.timezone)
    try:
        at, tz = parse_subscribe_args(context.args or [], *defaults)
    except TimeParseError as exc:
        await message.reply_text(t(lang, "subscribe_usage", arg=str(exc)), parse_mode=ParseMode.HTML)
        return
    now = svc.digests.clock()
    sub = await asyncio.to_thread(svc.digests.store.subscribe, chat.id, lang, at, tz, now)
    svc.scheduler.schedule(sub)
    reply = t(lang, "subscribed", time=at, tz=zone_label(tz), next=local_label(sub.next_slot(now)))
    await message.reply_text(reply, parse_mode=ParseMode.HTML)


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unsubscribe: no more digests in this chat."""
    svc = services(context)
    lang = await ui_language(context, update.effective_user)
    message = incoming(update)
    if not await manages_chat(context, update):
        await message.reply_text(t(lang, "digest_group_admins"))
        return
    chat_id = message.chat.id
    removed = await asyncio.to_thread(svc.digests.store.unsubscribe, chat_id)
    svc.scheduler.unschedule(chat_id)
    await message.reply_text(t(lang, "unsubscribed" if removed else "not_subscribed"))


async def digest_now(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/digest: the digest now (what is new since this chat's last digest, or the last 24 hours);
    /digest all: every item, not only the biggest (over at least the last 24 hours)."""
    svc = services(context)
    message = incoming(update)
    chat = message.chat
    lang = await ui_language(context, update.effective_user)
    args = [a.lower() for a in context.args or []]
    if args not in ([], ["all"], ["semua"]):
        await message.reply_text(t(lang, "digest_usage"), parse_mode=ParseMode.HTML)
        return
    if not svc.digests.claim_on_demand(chat.id):
        await message.reply_text(t(lang, "digest_in_progress"), do_quote=True)
        return
    thread = message.message_thread_id if message.is_topic_message else None
    # A task of its own (errors still reach the error handler): updates are handled one at a time,
    # and everyone else's would wait while the model phrases the digest's items.
    context.application.create_task(
        svc.digests.on_demand(chat.id, lang, parse_timezone(svc.settings.digest.timezone), everything=bool(args),
                              reply_to=message.message_id, thread_id=thread),
        update=update, name=f"rnkbot-digest-{chat.id}")


def register_digest(application: Application) -> None:
    only_new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("subscribe", subscribe, filters=only_new))
    application.add_handler(CommandHandler("unsubscribe", unsubscribe, filters=only_new))
    application.add_handler(CommandHandler("digest", digest_now, filters=only_new))
