"""Event grouping on hand-made inputs: no chaining, dates within the window, stable ids, the fitted model's file."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest

from retrieval.digest.events import (
    PAIR_FEATURES,
    EventModel,
    EventModelError,
    group_events,
    lead_names,
    lead_of,
    link_groups,
    load_event_model,
    profiles,
)
from retrieval.evaluation.events import LabelledPage, page_split, pair_score
from retrieval.types import ArticleMeta, Sentence


def test_lead_names_skip_the_topic_itself():
    names = lead_names(["Pemimpin Korea Utara Kim Jong Un bertemu Menteri Sumber Daya Alam Rusia Alexander Kozlov di "
                        "Pyongyang pada Selasa, menurut KCNA."], frozenset({"sumber", "daya", "alam"}))
    assert names == {"alexander", "kozlov"}


def test_the_lead_is_what_the_article_is_about_not_its_opening_background():
    """An article that opens with background (the June treaty) and states its news (Kozlov in
    Pyongyang) only in its fourth sentence: the lead is the news, in text order."""
    treaty, visit = np.array([0.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.0])
    body = [treaty, treaty, visit, visit, visit, visit]
    centred = np.stack(body)
    assert lead_of(centred, 2, 6) == [2, 3], "the closest to the whole; ties: the earlier"
    assert lead_of(centred, 2, 0) == [0, 1], "window 0: the first sentences"
    assert lead_of(centred, 2, 2) == [0, 1] and lead_of(centred[:1], 2, 6) == [0]
    assert lead_of(centred, 3, 4) == [0, 2, 3], "chosen within the window only"


def test_complete_linkage_never_chains():
    # a~b and b~c are close, a~c is not: b joins one of them, never both
    probs = np.array([[-1, 0.9, 0.1], [0.9, -1, 0.8], [0.1, 0.8, -1]])
    assert link_groups(probs, [None] * 3, 0.5, 3, "complete") == [[0, 1], [2]]
    assert link_groups(probs, [None] * 3, 0.5, 3, "average") == [[0, 1], [2]], "(0.1 + 0.8) / 2 < 0.5"
    assert link_groups(probs, [None] * 3, 0.4, 3, "average") == [[0, 1, 2]], "close to the group as a whole"


def test_an_event_never_spans_more_than_the_window_even_through_an_undated_report():
    days = [date(2026, 11, 1), None, date(2026, 11, 20)]
    probs = np.array([[-1, 0.9, -1], [0.9, -1, 0.95], [-1, 0.95, -1]])  # -1: dates too far apart to be compared
    groups = link_groups(probs, days, 0.5, 3, "average")
    assert sorted(map(len, groups)) == [1, 2] and [0, 2] not in groups and [0, 1, 2] not in groups


def test_close_dates_may_join_far_dates_may_not():
    days = [date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 21), date(2026, 11, 22)]
    probs = np.full((4, 4), 0.9)
    assert link_groups(probs, days, 0.5, 3, "complete") == [[0, 1, 2], [3]], "a span of four days is too wide"


# --- articles end to end, on a hand-set model ----------------------------------------
MODEL = EventModel(PAIR_FEATURES, np.zeros(4), np.ones(4), np.array([4.0, 0.0, 2.0, 0.0]), -3.0,
                   threshold=0.5, lead_sentences=2, date_lead_sentences=4, linkage="complete",
                   center=np.zeros(3, dtype=np.float32))


def article(doc_id: str, text: list[str], vector: tuple[float, float, float], published: str | None = None,
            source: str = "file") -> tuple[ArticleMeta, list[Sentence]]:
    meta = ArticleMeta(doc_id=doc_id, title=doc_id, published=published, source=source)
    vec = np.asarray(vector, dtype=np.float32)
    rows = [Sentence(f"{doc_id}:s{i}", doc_id, f"{doc_id}:c0", i, t, vec / np.linalg.norm(vec)) for i, t in enumerate(text)]
    return meta, rows


def group(*arts: tuple[ArticleMeta, list[Sentence]]) -> list[list[str]]:
    ps = profiles([m for m, _ in arts], [r for _, rows in arts for r in rows], MODEL,
                  {m.doc_id: datetime(2026, 11, 20) for m, _ in arts})
    return sorted(e.doc_ids for e in group_events(ps, MODEL, 3))


KOZLOV = ["Pemimpin Korea Utara Kim Jong Un bertemu Menteri Alexander Kozlov di Pyongyang.", "Kozlov memimpin delegasi."]


def test_reports_of_one_visit_are_one_event_and_a_later_one_is_not():
    a = article("a", KOZLOV, (1, 0, 0), "2024-11-19")
    b = article("b", ["Kozlov tiba di Pyongyang pada Selasa (19/11) dan bertemu Kim.", "Alexander Kozlov disambut."],
                (1, 0.1, 0))  # undated: its weekday dates it 2024-11-19
    c = article("c", KOZLOV, (1, 0, 0), "2025-03-02")
    d = article("d", ["Lavrov bertemu Choe Son Hui di Wonsan.", "Lavrov tiba pada Jumat."], (0, 1, 0), "2024-11-19")
    assert group(a, b, c, d) == [["a", "b"], ["c"], ["d"]]


def test_reports_of_one_day_about_different_things_stay_apart():
    """A daily digest's articles share their day: that alone never makes them one event."""
    a = article("a", KOZLOV, (1, 0, 0), "2026-11-21")
    d = article("d", ["Lavrov bertemu Choe Son Hui di Wonsan.", "Lavrov tiba pada Jumat."], (0, 1, 0), "2026-11-21")
    e = article("e", ["Kapal kargo berlabuh di Rason.", "Muatannya gandum."], (0, 0, 1), "2026-11-21")
    assert group(a, d, e) == [["a"], ["d"], ["e"]]


def test_event_ids_are_stable_for_the_same_articles():
    arts = [article("a", KOZLOV, (1, 0, 0), "2024-11-19"), article("b", KOZLOV, (1, 0, 0)),
            article("d", ["Lavrov bertemu Choe Son Hui di Wonsan."], (0, 1, 0))]
    ps = profiles([m for m, _ in arts], [r for _, rows in arts for r in rows], MODEL)
    first = [e.event_id for e in group_events(ps, MODEL, 3)]
    assert first == [e.event_id for e in group_events(list(reversed(ps)), MODEL, 3)]
    assert all(e.startswith("ev_") and len(e) == 15 for e in first)


# --- the model file ----------------------------------------------------------------------
def test_the_model_file_round_trips_and_a_stale_one_is_refused(tmp_path: Path):
    path = tmp_path / "event_model.json"
    MODEL.save(path)
    again = load_event_model(path)
    assert again.features == PAIR_FEATURES and again.threshold == MODEL.threshold and again.linkage == "complete"
    assert np.allclose(again.coef, MODEL.coef)
    stale = tmp_path / "stale.json"
    stale.write_text(path.read_text().replace('"coverage"', '"same_day"'))
    with pytest.raises(EventModelError, match="fit-events"):
        load_event_model(stale)
    with pytest.raises(EventModelError, match="missing"):
        load_event_model(tmp_path / "none.json")


def test_the_packaged_model_loads():
    model = load_event_model()
    assert model.features == PAIR_FEATURES and 0 < model.threshold < 1 and model.info.get("train")


# --- the benchmark's arithmetic ----------------------------------------------------------
def test_pairwise_precision_and_recall():
    labels = {d: LabelledPage(d, frozenset(ev), True, None) for d, ev in
              {"a": {"x"}, "b": {"x"}, "c": {"x", "y"}, "d": {"y"}, "e": {"z"}}.items()}
    s = pair_score([["a", "b"], ["c", "d", "e"]], labels)
    # grouped: ab (right), cd (right), ce, de; sharing a label: ab ac bc cd
    assert (s.grouped_pairs, s.right, s.same_label_pairs) == (4, 2, 4)
    assert s.precision == 0.5 and s.recall == 0.5 and s.items == 2 and s.largest == 3


def test_the_split_is_fixed_by_the_doc_id_and_about_two_thirds_train():
    ids = [f"{n:03d}_page" for n in range(600)]
    assert [page_split(d) for d in ids] == [page_split(d) for d in ids]
    share = sum(page_split(d) == "train" for d in ids) / len(ids)
    assert 0.6 < share < 0.73
