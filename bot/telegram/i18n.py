"""User-facing strings of the bot, in Indonesian and English.

Texts are Telegram HTML templates: values passed to :func:`t` are escaped here, so callers
give raw user or article text.
"""

from __future__ import annotations

from html import escape
from typing import Literal

Language = Literal["id", "en"]
LANGUAGES: tuple[Language, ...] = ("id", "en")

STRINGS: dict[str, dict[Language, str]] = {
    "start": {
        "en": "Hello! I answer questions about <b>Russia–North Korea relations</b> from news articles, "
              "and cite the article behind every claim.\n\nJust send me a question, for example:\n"
              "<i>When did Russia and North Korea sign their partnership treaty?</i>\n\n"
              "Reply to one of my answers to ask a follow-up. /help lists the commands.",
        "id": "Halo! Saya menjawab pertanyaan tentang <b>hubungan Rusia–Korea Utara</b> berdasarkan artikel berita, "
              "dan menyebutkan artikel sumber untuk setiap klaim.\n\nKirim saja pertanyaan, misalnya:\n"
              "<i>Kapan Rusia dan Korea Utara menandatangani perjanjian kemitraan?</i>\n\n"
              "Balas salah satu jawaban saya untuk bertanya lanjutan. /help menampilkan daftar perintah.",
    },
    "help": {
        "en": "<b>How to ask</b>\n• In a private chat: just write your question.\n"
              "• In a group: mention me (@{username}), reply to my message, or use /ask.\n"
              "• Reply to one of my answers to ask a follow-up (\"and when was that?\").\n\n"
              "<b>Commands</b>\n/ask <i>question</i> — ask a question\n/sources — sources and quotes of the last answer\n"
              "/about — what I know (articles, outlets, dates)\n/lang id|en — reply language\n"
              "/subscribe [HH:MM] [time zone] — a daily digest (default 08:00 Asia/Jakarta)\n/unsubscribe — stop it\n"
              "/digest — what is new, now\n/help — this message",
        "id": "<b>Cara bertanya</b>\n• Di obrolan pribadi: tulis saja pertanyaan Anda.\n"
              "• Di grup: sebut saya (@{username}), balas pesan saya, atau gunakan /ask.\n"
              "• Balas salah satu jawaban saya untuk pertanyaan lanjutan (\"lalu kapan itu terjadi?\").\n\n"
              "<b>Perintah</b>\n/ask <i>pertanyaan</i> — ajukan pertanyaan\n/sources — sumber dan kutipan jawaban terakhir\n"
              "/about — apa yang saya ketahui (artikel, media, tanggal)\n/lang id|en — bahasa jawaban\n"
              "/subscribe [JJ:MM] [zona waktu] — ringkasan harian (bawaan 08:00 Asia/Jakarta)\n/unsubscribe — hentikan\n"
              "/digest — berita baru, sekarang\n/help — pesan ini",
    },
    "ask_usage": {
        "en": "Write your question after the command, e.g. <code>/ask What did Kim Jong-un and Putin sign?</code>",
        "id": "Tulis pertanyaan setelah perintah, mis. <code>/ask Apa yang ditandatangani Kim Jong-un dan Putin?</code>",
    },
    "queued": {
        "en": "⏳ Your question is in the queue: {ahead} ahead of it.",
        "id": "⏳ Pertanyaan Anda dalam antrean: {ahead} pertanyaan sebelumnya.",
    },
    "thinking": {"en": "⏳ Looking it up…", "id": "⏳ Sedang mencari…"},
    "busy": {
        "en": "I am answering many questions right now. Please try again in a few minutes.",
        "id": "Saya sedang menjawab banyak pertanyaan. Silakan coba lagi beberapa menit lagi.",
    },
    "rate_limited": {
        "en": "You are asking faster than I can answer 🙂 Please wait {seconds} s before your next question.",
        "id": "Anda bertanya lebih cepat daripada saya bisa menjawab 🙂 Tunggu {seconds} detik sebelum bertanya lagi.",
    },
    "question_cut": {
        "en": "ℹ️ Your message was long; I used its first {chars} characters as the question.",
        "id": "ℹ️ Pesan Anda panjang; saya memakai {chars} karakter pertamanya sebagai pertanyaan.",
    },
    "error": {
        "en": "Sorry, something went wrong while answering. Please try again.",
        "id": "Maaf, terjadi kesalahan saat menjawab. Silakan coba lagi.",
    },
    "non_text": {
        "en": "I can only read text 🙂 Send me a question about Russia–North Korea relations and I will answer it from news articles, with sources.",
        "id": "Saya hanya bisa membaca teks 🙂 Kirim pertanyaan tentang hubungan Rusia–Korea Utara, dan saya jawab dari artikel berita, lengkap dengan sumbernya.",
    },
    "lang_set": {"en": "Done: I will reply in English.", "id": "Baik: saya akan menjawab dalam bahasa Indonesia."},
    "lang_usage": {
        "en": "Current language: <b>{current}</b>. Use <code>/lang id</code> or <code>/lang en</code>.",
        "id": "Bahasa saat ini: <b>{current}</b>. Gunakan <code>/lang id</code> atau <code>/lang en</code>.",
    },
    "lang_auto": {"en": "automatic", "id": "otomatis"},
    "no_last_answer": {
        "en": "There is no answer yet in this chat. Ask me a question first.",
        "id": "Belum ada jawaban di obrolan ini. Ajukan pertanyaan terlebih dahulu.",
    },
    "about": {
        "en": "<b>What I know</b>\n{articles} news articles from {n_outlets} outlets ({outlets}), published {first} – {last}.\n"
              "I answer only from these articles and cite them; if they do not say, I say so.",
        "id": "<b>Yang saya ketahui</b>\n{articles} artikel berita dari {n_outlets} media ({outlets}), terbit {first} – {last}.\n"
              "Saya hanya menjawab dari artikel ini dan menyebut sumbernya; jika artikel tidak menyebutkannya, saya katakan demikian.",
    },
    "admins_only": {"en": "This command is for the bot's admins.", "id": "Perintah ini hanya untuk admin bot."},
    "stats": {
        "en": "<b>Bot statistics</b> (since {since})\nQuestions answered: {answered}\nRefusals: {refused}\nErrors: {errors}\n"
              "Median latency: {median}\nQueue: {queued} waiting, {busy} in progress",
        "id": "<b>Statistik bot</b> (sejak {since})\nPertanyaan dijawab: {answered}\nPenolakan: {refused}\nKesalahan: {errors}\n"
              "Latensi median: {median}\nAntrean: {queued} menunggu, {busy} sedang diproses",
    },
    "subscribed": {
        "en": "✅ Subscribed: a digest of what is new in Russia–North Korea relations every day at <b>{time}</b> ({tz}). "
              "Next: {next}. /digest shows it now, /unsubscribe stops it.",
        "id": "✅ Berlangganan: ringkasan berita baru hubungan Rusia–Korea Utara setiap hari pukul <b>{time}</b> ({tz}). "
              "Berikutnya: {next}. /digest menampilkannya sekarang, /unsubscribe menghentikannya.",
    },
    "subscribe_usage": {
        "en": "I could not read “{arg}”. Use <code>/subscribe [HH:MM] [time zone]</code>, "
              "e.g. <code>/subscribe 07:30 Asia/Jakarta</code> (default 08:00 Asia/Jakarta; WIB, WITA, WIT work too).",
        "id": "Saya tidak bisa membaca “{arg}”. Gunakan <code>/subscribe [JJ:MM] [zona waktu]</code>, "
              "mis. <code>/subscribe 07:30 Asia/Jakarta</code> (bawaan 08:00 Asia/Jakarta; WIB, WITA, WIT juga bisa).",
    },
    "unsubscribed": {"en": "Done: no more daily digests here.", "id": "Baik: tidak ada lagi ringkasan harian di sini."},
    "not_subscribed": {
        "en": "This chat has no digest subscription. /subscribe starts one.",
        "id": "Obrolan ini tidak berlangganan ringkasan. /subscribe untuk mulai.",
    },
    "ingest_usage": {
        "en": "Give one or more page URLs: <code>/ingest https://example.com/news/1</code>",
        "id": "Sertakan satu atau beberapa URL halaman: <code>/ingest https://example.com/berita/1</code>",
    },
    "ingest_done": {"en": "<b>Ingest</b>\n<pre>{summary}</pre>", "id": "<b>Ingest</b>\n<pre>{summary}</pre>"},
    "not_allowed": {
        "en": "Sorry, this bot is not available in this chat.",
        "id": "Maaf, bot ini tidak tersedia di obrolan ini.",
    },
}

COMMANDS: dict[Language, list[tuple[str, str]]] = {
    "en": [
        ("start", "Start: what this bot does"),
        ("help", "How to ask, and the commands"),
        ("ask", "Ask a question about Russia–North Korea relations"),
        ("sources", "Sources and quotes of the last answer"),
        ("about", "Articles, outlets and dates I know"),
        ("lang", "Reply language: /lang id or /lang en"),
        ("subscribe", "Daily digest: /subscribe [HH:MM] [time zone]"),
        ("unsubscribe", "Stop the daily digest"),
        ("digest", "What is new, now"),
    ],
    "id": [
        ("start", "Mulai: apa yang dilakukan bot ini"),
        ("help", "Cara bertanya dan daftar perintah"),
        ("ask", "Tanya tentang hubungan Rusia–Korea Utara"),
        ("sources", "Sumber dan kutipan jawaban terakhir"),
        ("about", "Artikel, media, dan tanggal yang saya ketahui"),
        ("lang", "Bahasa jawaban: /lang id atau /lang en"),
        ("subscribe", "Ringkasan harian: /subscribe [JJ:MM] [zona waktu]"),
        ("unsubscribe", "Hentikan ringkasan harian"),
        ("digest", "Berita baru, sekarang"),
    ],
}


def t(lang: Language, key: str, **values: object) -> str:
    """The string ``key`` in ``lang`` with ``values`` (escaped) filled in."""
    return STRINGS[key][lang].format(**{k: escape(str(v), quote=False) for k, v in values.items()})


def guess_language(language_code: str | None) -> Language:
    """The UI language for a Telegram user who has not chosen one: Indonesian for ``id``, else English."""
    return "id" if (language_code or "").lower().startswith(("id", "in")) else "en"


def parse_language(arg: str | None) -> Language | None:
    """``/lang`` argument -> language, accepting a few spellings (``ID``, ``indonesia``, ``english``)."""
    a = (arg or "").strip().lower()
    if a in ("id", "ind", "indonesia", "indonesian", "bahasa"):
        return "id"
    if a in ("en", "eng", "english", "inggris"):
        return "en"
    return None
