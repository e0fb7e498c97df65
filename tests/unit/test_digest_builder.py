"""The digest builder on fakes: every line cited, and each event's summary asked of the model once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from retrieval.answering.verify import MARKER
from tests.fakes.generator import FakeGenerator
from tests.unit.conftest import fake_service

NOW = datetime.now(UTC)


def test_summaries_are_cited_and_cached_per_event(tmp_path: Path):
    generator = FakeGenerator()
    service = fake_service(tmp_path / "data", generator)
    generator.enqueue(*[""] * 10)  # the model says nothing usable: every summary quotes a lead sentence
    first = service.digest(NOW - timedelta(hours=1), NOW + timedelta(hours=1), "en")
    asked = len(generator.prompts)
    assert first.articles == 5 and asked == len(first.items) > 0
    for item in first.items:
        assert not item.phrased and set(map(int, MARKER.findall(item.summary))) <= set(item.sources)
    assert sorted(c.n for c in first.citations) == list(range(1, len(first.citations) + 1))
    again = service.digest(NOW - timedelta(hours=1), NOW + timedelta(hours=1), "en")
    assert again == first and len(generator.prompts) == asked, "the second digest of the day asks the model nothing"


def test_the_summary_cache_is_bounded(tmp_path: Path):
    generator = FakeGenerator()
    service = fake_service(tmp_path / "data", generator, digest={"cache_size": 1})
    generator.enqueue(*[""] * 20)
    first = service.digest(NOW - timedelta(hours=1), NOW + timedelta(hours=1), "id")
    asked = len(generator.prompts)
    service.digest(NOW - timedelta(hours=1), NOW + timedelta(hours=1), "id")
    assert len(first.items) > 1 and len(generator.prompts) > asked, "only the last summary was kept"
