"""The topic filter with the real embedder: the labelled set and the site's pages."""

from __future__ import annotations

import pytest

from retrieval.index.topic import TopicFilter, load_topic_items, score_topic
from retrieval.models.embeddings import build_embeddings
from retrieval.settings import PROJECT_ROOT
from tests.conftest import make_settings
from tests.web_fixtures import OFF_TOPIC, SEEDS

TOPIC_SET = PROJECT_ROOT / "corpus" / "eval" / "topic.jsonl"


@pytest.fixture(scope="module")
def topic(tmp_path_factory) -> TopicFilter:
    return TopicFilter(build_embeddings(make_settings(tmp_path_factory.mktemp("emb"))))


def test_topic_filter_decisions_on_the_labelled_set(topic):
    items = {i.id: i for i in load_topic_items(TOPIC_SET)}
    assert len(items) >= 40 and {i.lang for i in items.values()} == {"id", "en"}
    hard = [i for i in items.values() if i.kind in ("ru-ua", "south-korea", "nk-us", "roundup", "sports", "other")]
    assert len(hard) >= 15
    for item in hard:  # Russia–Ukraine only, South Korea only, North Korea–US only, passing mentions
        assert not topic.decide(item.title, item.text).on_topic, item.title
    result = score_topic(topic, list(items.values()))
    assert result.precision >= 0.95 and result.recall >= 0.9, [(i.id, d.reason) for i, d in result.errors]


def test_topic_filter_accepts_the_seed_articles_and_rejects_the_site_fixtures(topic):
    for seed in SEEDS:
        decision = topic.decide(seed.title, seed.text)
        assert decision.on_topic, (seed.doc_id, decision.reason)
    reasons = {a.doc_id: topic.decide(a.title, a.text).reason for a in OFF_TOPIC}
    assert reasons["off_ukraine"] == "off topic: North Korea is hardly named"
    assert reasons["off_nk_us"] == reasons["off_seoul"] == "off topic: Russia is hardly named"
