"""Digest subscriptions: slots in the subscriber's time zone, claims that prevent a second send."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.telegram.digest_handlers import parse_subscribe_args
from bot.telegram.subscriptions import SubscriptionStore

MORNING = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)  # 08:00 in Jakarta


@pytest.fixture
def store(tmp_path: Path):
    s = SubscriptionStore(tmp_path / "digest.sqlite3")
    yield s
    s.close()


def test_slots_are_local_times(store: SubscriptionStore):
    sub = store.subscribe(7, "id", "08:00", "Asia/Jakarta", MORNING - timedelta(days=2))
    assert sub.due_slot(MORNING + timedelta(minutes=1)) == MORNING
    assert sub.due_slot(MORNING - timedelta(minutes=1)) == MORNING - timedelta(days=1)
    assert sub.next_slot(MORNING) == MORNING + timedelta(days=1)


def test_slots_follow_daylight_saving(store: SubscriptionStore):
    sub = store.subscribe(8, "en", "08:00", "Europe/Berlin", datetime(2026, 10, 20, tzinfo=UTC))
    before = sub.due_slot(datetime(2026, 10, 24, 12, 0, tzinfo=UTC))
    after = sub.due_slot(datetime(2026, 10, 26, 12, 0, tzinfo=UTC))  # clocks went back on 25 Oct
    assert (before.hour, before.utcoffset()) == (8, timedelta(hours=2))
    assert (after.hour, after.utcoffset()) == (8, timedelta(hours=1))


def test_a_slot_is_claimed_once_and_a_failed_send_gives_it_back(store: SubscriptionStore):
    store.subscribe(7, "id", "08:00", "Asia/Jakarta", MORNING - timedelta(days=2))
    first = store.claim(7, MORNING)
    assert first is not None and first.last_slot_ts is None
    assert store.claim(7, MORNING) is None, "the same slot twice"
    store.release(7, MORNING, first.last_slot_ts)
    assert store.claim(7, MORNING) is not None, "given back after a failure, it can be sent again"
    assert store.claim(7, MORNING + timedelta(days=1)) is not None, "the next day is a new slot"
    assert store.claim(99, MORNING) is None, "no subscription, no claim"


def test_moving_the_time_later_does_not_bring_a_second_digest_that_day(store: SubscriptionStore):
    store.subscribe(7, "id", "08:00", "Asia/Jakarta", MORNING - timedelta(days=2))
    assert store.claim(7, MORNING) is not None
    evening = store.subscribe(7, "id", "20:00", "Asia/Jakarta", MORNING + timedelta(hours=1))
    assert evening.last_slot_ts == MORNING.timestamp(), "re-subscribing keeps the delivery record"
    assert evening.missed(MORNING + timedelta(hours=13)) is None
    assert store.claim(7, MORNING + timedelta(hours=12)) is None
    assert store.claim(7, MORNING + timedelta(hours=36)) is not None


def test_missed_only_after_the_subscription_began(store: SubscriptionStore):
    late = store.subscribe(7, "id", "08:00", "Asia/Jakarta", MORNING + timedelta(hours=1))
    assert late.missed(MORNING + timedelta(hours=5)) is None, "subscribed after today's 08:00"
    assert late.missed(MORNING + timedelta(days=1, hours=5)) == MORNING + timedelta(days=1)
    assert late.window_start(MORNING) == MORNING - timedelta(hours=24), "the first digest: the last 24 hours"
    store.delivered(7, MORNING)
    delivered = store.get(7)
    assert delivered is not None and delivered.window_start(MORNING + timedelta(days=1)) == MORNING


def test_subscriptions_survive_reopening(tmp_path: Path):
    first = SubscriptionStore(tmp_path / "d.sqlite3")
    first.subscribe(7, "en", "06:30", "Europe/Moscow", MORNING)
    first.close()
    again = SubscriptionStore(tmp_path / "d.sqlite3")
    assert [(s.chat_id, s.language, s.at_time, s.timezone) for s in again.all()] == [(7, "en", "06:30", "Europe/Moscow")]
    assert again.set_language(7, "id") and getattr(again.get(7), "language", None) == "id"
    assert again.unsubscribe(7) and not again.unsubscribe(7) and not again.set_language(7, "en")
    again.close()


@pytest.mark.parametrize("args, expected", [
    ([], ("08:00", "Asia/Jakarta")),
    (["7.30"], ("07:30", "Asia/Jakarta")),
    (["WITA", "19:05"], ("19:05", "Asia/Makassar")),
    (["europe/moscow"], ("08:00", "Europe/Moscow")),
    (["8pm", "jakarta"], ("20:00", "Asia/Jakarta")),  # the 12-hour clock, a city
    (["seoul", "7:30", "AM"], ("07:30", "Asia/Seoul")),  # "7:30 AM" typed as two words is one time
    (["19:00", "UTC+7"], ("19:00", "Etc/GMT-7")),  # an offset: the fixed zone (shown as UTC+7)
    (["UTC", "+9", "7:00"], ("07:00", "Etc/GMT-9")),  # "UTC +9" typed as two words is one zone
])
def test_subscribe_arguments(args, expected):
    assert parse_subscribe_args(args, "08:00", "Asia/Jakarta") == expected


@pytest.mark.parametrize("args, bad", [(["25:00"], "25:00"), (["08:00", "Mars/Base"], "Mars/Base"),
                                       (["08:00", "UTC", "extra"], "extra")])
def test_subscribe_arguments_that_cannot_be_read_are_named(args, bad):
    with pytest.raises(ValueError, match=bad):
        parse_subscribe_args(args, "08:00", "Asia/Jakarta")
