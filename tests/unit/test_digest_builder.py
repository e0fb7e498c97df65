"""The digest builder on fakes: every line cited, each quote credited to its own report, and each
event's summary asked of the model once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.digest_view import digest_messages, digest_text
from prompts import message
from retrieval.answering.verify import MARKER
from retrieval.types import Language
from tests.fakes.generator import FakeGenerator
from tests.unit.conftest import fake_service

NOW = datetime.now(UTC)
WEB_FAKTA = "001_dcd6b936241eaf9f"  # one of the three reports of Alexander Kozlov's visit


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


@pytest.mark.parametrize("lang", ["en", "id"])
def test_a_quoted_lead_is_attributed_to_the_report_it_is_taken_from(tmp_path: Path, lang: Language):
    # No model: every summary is a lead sentence as a report wrote it. The Kozlov item's lead is Web
    # Fakta's, while Kompas TV comes first among the event's reports: the quote was once credited to
    # Kompas TV, under its number.
    digest = fake_service(tmp_path / "data", None).digest(NOW - timedelta(hours=1), NOW + timedelta(hours=1), lang)
    by_n = {c.n: c for c in digest.citations}
    for item in digest.items:
        source = by_n[item.sources[0]]
        assert not item.phrased and source.quote == item.lead, "the first source is the report the lead is quoted from"
        quoted = item.lead.rstrip(" .") if lang == "id" else f"“{item.lead}”"
        assert f"{quoted} [{source.n}]" in item.summary, "the quote's own number comes right after it"
        if lang == "en":
            label = source.outlet or message(lang, "unknown_outlet", title=source.title)
            assert f"{label} (in Indonesian): “{item.lead}”" in item.summary
    kozlov = next(i for i in digest.items if i.reports == 3)
    assert by_n[kozlov.sources[0]].doc_id == WEB_FAKTA and by_n[kozlov.sources[0]].outlet == "Web Fakta"
    if lang == "en":
        assert "Kompas TV" not in kozlov.summary
        message_html = next(m.html for m in digest_messages(digest, UTC) if m.item == kozlov)
        assert "Web Fakta (in Indonesian): “Pemimpin Korea Utara Kim Jong-un bertemu" in message_html
        assert f"[{kozlov.sources[0]}] Kim Jong-un dan Rusia Bahas" in message_html, "its source line is Web Fakta's"
        assert "Web Fakta (in Indonesian): “Pemimpin" in digest_text(digest, UTC).replace("\n  ", " ")


def test_a_quoted_lead_nests_its_own_quotation_marks_inside_ours(tmp_path: Path):
    """An English subscriber reads an Indonesian lead inside “ ”: its own “...” read as ‘...’, so a
    quotation inside the lead cannot be taken for the end of ours; an outlet's "(Bahasa Indonesia)"
    is not said beside "(in Indonesian)"."""
    service = fake_service(tmp_path / "data", None)
    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "900_kbs-sahabat.md").write_text(
        "---\ntitle: Kim sebut Putin sahabat\noutlet: KBS World (Bahasa Indonesia)\n---\n"
        "Pemimpin Korea Utara Kim Jong Un menyebut Presiden Rusia Vladimir Putin sebagai “sahabat terdekat” "
        "rakyat Korea Utara dalam pertemuan di Pyongyang pada hari Rabu.\n\n"
        "Kedua pemimpin juga membahas kerja sama militer dan ekonomi antara Rusia dan Korea Utara.\n",
        encoding="utf-8")
    before = datetime.now(UTC)  # after the seeds were written: this report alone is new
    service.sources().run([folder])
    (item,) = service.digest(before, datetime.now(UTC) + timedelta(minutes=1), "en").items
    assert "KBS World (in Indonesian): “Pemimpin Korea Utara" in item.summary
    assert "‘sahabat terdekat’" in item.summary and "“sahabat terdekat”" not in item.summary
