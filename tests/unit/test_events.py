"""Event linking: distinctive names in the leads, close leads, dates within the window."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from retrieval.digest.events import ArticleProfile, group_events, lead_names, same_event
from retrieval.settings import DigestSettings
from retrieval.types import ArticleMeta


def test_lead_names_skip_the_topic_itself():
    names = lead_names(["Pemimpin Korea Utara Kim Jong Un bertemu Menteri Sumber Daya Alam Rusia Alexander Kozlov di "
                        "Pyongyang pada Selasa, menurut KCNA."], frozenset({"sumber", "daya", "alam"}))
    assert names == {"alexander", "kozlov"}


def profile(doc_id: str, names: set[str], day: int | None, vector: tuple[float, float] = (1.0, 0.0)) -> ArticleProfile:
    vec = np.asarray(vector, dtype=np.float32)
    when = datetime(2026, 11, day) if day else None
    return ArticleProfile(ArticleMeta(doc_id=doc_id, title=doc_id, published=when), (), frozenset(names),
                          vec / np.linalg.norm(vec), when)


def test_a_shared_name_close_leads_and_close_dates_make_one_event():
    a, b = profile("a", {"kozlov"}, 19), profile("b", {"kozlov", "pyongyang"}, 20)
    assert same_event(a, b)
    assert not same_event(a, profile("c", {"lavrov"}, 19)), "no shared name"
    assert not same_event(a, profile("d", {"kozlov"}, 19, vector=(0.0, 1.0))), "leads far apart"
    assert not same_event(a, profile("e", {"kozlov"}, 28)), "further apart than RNKBOT_EVENT_MAX_GAP_DAYS"
    assert same_event(a, profile("e", {"kozlov"}, 28), DigestSettings(event_max_gap_days=10))


def test_a_chain_of_links_never_stretches_an_event_beyond_the_window():
    first, undated, later = profile("a", {"lavrov"}, 1), profile("b", {"lavrov"}, None), profile("c", {"lavrov"}, 20)
    groups = sorted(sorted(e.doc_ids) for e in group_events([first, undated, later]))
    assert len(groups) == 2 and ["a", "c"] not in groups and not any({"a", "c"} <= set(g) for g in groups)
    assert [e.event_id for e in group_events([first, undated, later])] == \
        [e.event_id for e in group_events([later, first, undated])], "stable for the same articles"
