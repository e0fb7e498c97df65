"""The bot's stores under faults: a locked or damaged file is a DatabaseError naming the fix and
heals without a restart; the answer journal and the digest outbox record enough to finish after
a crash; a flood gets one notice."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.telegram import db
from bot.telegram.db import DatabaseError
from bot.telegram.journal import AnswerJournal
from bot.telegram.memory import AnswerStore
from bot.telegram.prefs import PrefsStore
from bot.telegram.ratelimit import RateLimiter
from bot.telegram.subscriptions import OutboxPart, SubscriptionStore
from retrieval.types import Answer, Turn

MORNING = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)


def damage(path: Path) -> None:
    path.write_bytes(b"this is not a database" * 100)
    for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        extra.unlink(missing_ok=True)


def test_a_damaged_file_names_the_fix_and_heals_once_moved_aside(tmp_path: Path):
    path = tmp_path / "bot.sqlite3"
    PrefsStore(path).close()
    damage(path)
    prefs = PrefsStore(path)  # the bot does not stop for it
    assert not prefs.available
    with pytest.raises(DatabaseError) as err:
        prefs.get_language(1)
    text = str(err.value)
    assert str(path) in text and "move the file aside" in text and ".recover" in text and "language choices" in text
    path.rename(tmp_path / "bot.sqlite3.damaged")  # what an admin does
    prefs.set_language(1, "en")
    assert prefs.get_language(1) == "en" and prefs.available, "recreated empty, without a restart"
    prefs.close()


def test_a_file_damaged_while_open_is_reported_and_reopened(tmp_path: Path):
    path = tmp_path / "bot.sqlite3"
    memory = AnswerStore(path)
    memory.close()
    damage(path)
    memory = AnswerStore(path)
    with pytest.raises(DatabaseError, match="remembered answers"):
        memory.history_for(1, 2)


def test_a_locked_file_is_busy_not_damaged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(db, "BUSY_TIMEOUT_S", 0.2)
    path = tmp_path / "digest.sqlite3"
    store = SubscriptionStore(path)
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
        store2 = SubscriptionStore(path)
        with pytest.raises(DatabaseError) as err:
            store2.subscribe(7, "en", "08:00", "UTC", MORNING)
        assert err.value.busy and "locked by another process" in str(err.value)
        other.execute("COMMIT")
    store2.subscribe(7, "en", "08:00", "UTC", MORNING)
    assert store.get(7) is not None, "usable again as soon as the lock is gone"
    store.close()
    store2.close()


def test_the_journal_dedupes_records_parts_and_forgets_the_text(tmp_path: Path):
    now = [1_000_000.0]
    journal = AnswerJournal(tmp_path / "bot.sqlite3", clock=lambda: now[0])
    args: dict[str, Any] = {"chat_id": 5, "message_id": 10, "user_id": 5, "question": "Who met Kim?", "ui_language": "en",
                            "language": None, "private": True, "thread_id": None, "reply_to": None}
    entry_id = journal.add(**args)
    assert entry_id is not None and journal.add(**args) is None, "a redelivered update is not queued twice"
    journal.started(entry_id)
    journal.answered(entry_id, ["part 1", "part 2"], '[{"question": "Who met Kim?"}]')
    journal.part_sent(entry_id, 1)
    [left] = journal.unfinished()
    assert (left.state, left.parts, left.parts_sent, left.attempts) == ("sending", ["part 1", "part 2"], 1, 1)
    journal.done(entry_id)
    assert journal.unfinished() == []
    done = journal.get(entry_id)
    assert done is not None and done.question == "" and done.parts is None, "only ids are kept once answered"
    assert journal.add(**args) is None, "still recognised after it was answered"
    now[0] += 3 * 86400
    journal.add(**(args | {"message_id": 11}))
    assert journal.get(entry_id) is None, "old done records are pruned"
    assert journal.forget_chat(5) == 1 and journal.unfinished() == []
    journal.close()


def test_the_digest_outbox_survives_reopening_until_the_last_part(tmp_path: Path):
    path = tmp_path / "digest.sqlite3"
    store = SubscriptionStore(path)
    store.subscribe(7, "id", "08:00", "Asia/Jakarta", MORNING - timedelta(days=2))
    until = MORNING + timedelta(minutes=1)
    assert store.claim(7, MORNING, until) is not None
    turn = Turn(question="Kozlov visited Pyongyang", answer=Answer(question="Kozlov visited Pyongyang", language="id",
                                                                    answer="Kozlov visited Pyongyang [1].", refused=False))
    parts = [OutboxPart("a", turn), OutboxPart("b", turn), OutboxPart("c")]
    store.set_parts(7, parts)
    store.part_sent(7, 1, 501)
    store.close()
    again = SubscriptionStore(path)  # a restart
    [pending] = again.pending()
    assert pending.parts == parts and pending.pending_sent == 1 and pending.pending_until_ts == until.timestamp()
    assert pending.message_ids == [501], "the message id of the part that is out, for its memory"
    again.part_sent(7, 2, None)  # Telegram's answer lost: counted, no id
    again.part_sent(7, 3, 503)
    later = again.get(7)
    assert later is not None and later.pending_sent == 3 and later.message_ids == [501, None, 503]
    assert again.claim(7, MORNING) is None, "the slot stays claimed while it is finished"
    again.delivered(7, until)
    delivered = again.get(7)
    assert again.pending() == [] and delivered is not None and delivered.last_delivered_ts == until.timestamp()
    again.close()


def test_an_older_subscriptions_file_gets_the_outbox_columns(tmp_path: Path):
    path = tmp_path / "digest.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as old, old:
        old.execute("CREATE TABLE subscriptions (chat_id INTEGER PRIMARY KEY, language TEXT NOT NULL, at_time TEXT NOT NULL, "
                    "timezone TEXT NOT NULL, created_ts REAL NOT NULL, last_slot_ts REAL, last_delivered_ts REAL)")
        old.execute("INSERT INTO subscriptions VALUES (7, 'en', '08:00', 'UTC', 0, NULL, NULL)")
    store = SubscriptionStore(path)
    sub = store.get(7)
    assert sub is not None and not sub.pending and sub.pending_sent == 0 and sub.message_ids == []
    store.close()


def test_an_outbox_of_plain_html_parts_is_still_read(tmp_path: Path):
    """An outbox written before parts carried their items (a list of HTML strings) is finished as it is."""
    store = SubscriptionStore(tmp_path / "digest.sqlite3")
    store.subscribe(7, "id", "08:00", "Asia/Jakarta", MORNING - timedelta(days=2))
    assert store.claim(7, MORNING) is not None
    store._write("UPDATE subscriptions SET pending_parts = ? WHERE chat_id = 7", ('["a", "b"]',))
    sub = store.get(7)
    assert sub is not None and sub.parts == [OutboxPart("a"), OutboxPart("b")]
    store.close()


def test_a_flood_gets_one_notice_per_window():
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    answered = notices = 0
    for _ in range(50):
        if limiter.check(1) == 0:
            answered += 1
        elif limiter.first_refusal(1):
            notices += 1
    assert (answered, notices) == (2, 1)
    now[0] = 61.0
    assert limiter.check(1) == 0 and limiter.check(1) == 0 and limiter.check(1) > 0 and limiter.first_refusal(1)
    limiter.forget(1)
    assert limiter.check(1) == 0


def test_remembered_answers_keep_the_values_they_led_with(tmp_path: Path):
    """A Telegram reply reads its conversation back from the store: the value the answer led with
    must come back too, or "Who invited him?" after "Sergei Lavrov [1]" is led with Lavrov again
    (it is left out of the JSON contract only)."""
    store = AnswerStore(tmp_path / "bot.sqlite3")
    led = Answer(question="Which Russian minister visited Pyongyang?", language="en", answer="Sergei Lavrov [1]. ...",
                 refused=False, direct=["Sergei Lavrov"])
    store.remember(7, [100], [Turn(question=led.question, answer=led)])
    (back,) = store.history_for(7, 100)
    assert back.answer is not None and back.answer.direct == ["Sergei Lavrov"]
    assert "direct" not in back.answer.contract()
    store.close()
