"""The digest over real news: the seeds plus every realdev page, all ingested on one day.

realdev (``../shared/eval/realdev``, third-party text) is read from where it lies and never
copied here; without it these tests are skipped. The digest is built without the model (the
summaries are the quoted leads, in English with the actors' names and roles first), which is
also what a subscriber gets whenever the model's phrasing fails verification.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from corpus import ARTICLES_DIR
from retrieval.digest.builder import Digest
from retrieval.service import AnswerService
from tests.conftest import make_settings

REALDEV = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "realdev"
INGESTED = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
pytestmark = pytest.mark.skipif(not (REALDEV / "manifest.jsonl").is_file(), reason=f"realdev is not at {REALDEV}")

# First words that lean on what came before: pronouns and demonstratives (English, Indonesian).
LEANING = frozenset("he she it they we his her its their this that these those such "
                    "ia dia beliau mereka kami kita ini itu tersebut keduanya begitu".split())
DATE_HEAD = re.compile(r"^\d{1,2}(?:–\d{1,2})? \w+(?: \d{4})?(?: – \d{1,2} \w+)? \d{4} — ")


@pytest.fixture(scope="module")
def manifest() -> dict[str, dict]:
    rows = [json.loads(line) for line in (REALDEV / "manifest.jsonl").read_text(encoding="utf-8").splitlines() if line]
    return {r["doc_id"]: r for r in rows}


@pytest.fixture(scope="module")
def realdev_service(tmp_path_factory: pytest.TempPathFactory) -> AnswerService:
    from retrieval.index.ingest import Ingester

    settings = make_settings(tmp_path_factory.mktemp("realdev-digest"), embedding={"threads": 2})
    svc = AnswerService.build(settings, with_llm=False)
    report = Ingester(svc.store, clock=INGESTED.timestamp).ingest_paths([ARTICLES_DIR, REALDEV / "articles"])
    assert len(report.added) == 5 + len(list((REALDEV / "articles").glob("*.txt")))
    return svc


@pytest.fixture(scope="module", params=["en", "id"])
def digest(request: pytest.FixtureRequest, realdev_service: AnswerService) -> Digest:
    return realdev_service.digest(INGESTED - timedelta(hours=1), INGESTED + timedelta(hours=1), request.param,
                                  everything=True)


def docs_of(d: Digest, item) -> list[str]:
    by_n = {c.n: c.doc_id for c in d.citations}
    return [by_n[n] for n in item.sources]


def test_no_item_spans_more_than_a_week_of_known_dates(digest, manifest):
    assert len(digest.items) > 20, "a hundred pages from two years are many events"
    for item in digest.items:
        if item.when and "/" in item.when:
            first, last = (date.fromisoformat(x) for x in item.when.split("/"))
            assert (last - first).days <= 7, f"{item.event_id} spans {item.when}"
        stated = sorted(date.fromisoformat(p) for d in docs_of(digest, item)
                        if (p := manifest.get(d, {}).get("published")))
        assert not stated or (stated[-1] - stated[0]).days <= 7, f"{item.event_id}: published {stated}"


def test_no_off_topic_page_is_an_item_or_a_source(digest, manifest):
    off = {d for d, r in manifest.items() if not r["on_topic"]}
    cited = {c.doc_id for c in digest.citations}
    assert len(off) >= 10 and not cited & off


def test_every_summary_names_its_actors_first(digest):
    for item in digest.items:
        body = DATE_HEAD.sub("", item.summary, count=1)
        first = re.sub(r"^\W+", "", body).split()[0].strip(",.:;").lower()
        assert first not in LEANING, f"starts with {first!r}: {item.summary!r}"
        lead_first = re.sub(r"^\W+", "", item.lead).split()[0].strip(",.:;").lower()
        assert lead_first not in LEANING, f"the quoted lead starts with {lead_first!r}: {item.lead!r}"


def test_english_items_name_the_actors_in_english(realdev_service):
    d = realdev_service.digest(INGESTED - timedelta(hours=1), INGESTED + timedelta(hours=1), "en", everything=True)
    quoted = [DATE_HEAD.sub("", i.summary, count=1) for i in d.items if "(in Indonesian): “" in i.summary]
    assert len(quoted) > 10, "most pages are Indonesian"
    actors = [q.split("; ", 1)[0] for q in quoted if "; " in q.split("“", 1)[0]]
    assert len(actors) >= 3 * len(quoted) // 4, "who it is about, in English, before the Indonesian quote"
    assert all(re.search(r"North Korea|Russia|\((?:[\w' -]+)\)", a) for a in actors), actors
    assert any(re.search(r"\((?:North Korean|Russian) (?:leader|president|\w* ?minister)", a) for a in actors)


def test_the_daily_cap_keeps_the_biggest_and_counts_the_rest(realdev_service):
    d = realdev_service.digest(INGESTED - timedelta(hours=1), INGESTED + timedelta(hours=1), "en")
    every = realdev_service.digest(INGESTED - timedelta(hours=1), INGESTED + timedelta(hours=1), "en", everything=True)
    assert len(d.items) == realdev_service.settings.digest.max_items == 8
    assert d.more_items == len(every.items) - 8
    assert d.more_reports == sum(i.reports for i in every.items[8:])
    sizes = [(i.outlets, i.reports) for i in every.items]
    assert sizes == sorted(sizes, reverse=True), "the biggest events first"
    assert all(re.search(rf"\({i.outlets} outlets?\)", i.summary) for i in d.items)
