"""What the evidence model knows about a (question, sentence) pair: numbers, one row a passage.

A passage is one sentence of a retrieved article. Its features describe
- how much of the question it expresses, alone, with its neighbours, and what its whole article
  (title, date, text) expresses: a question's constraints ("in July 2024", "according to NIS")
  are often met by the title or the next sentence, not by the sentence holding the answer;
- whether it holds an answer of the asked kind that the question doesn't already contain
  (a date for "when", a number for "how many", a name for "who");
- how close it is in meaning (multilingual e5), absolutely and against the other passages;
- where its article ranked in retrieval, and whether other articles say the same thing.

The weights that turn these into a probability are fit on labelled questions
(:mod:`retrieval.evaluation.train_evidence`), not set by hand.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np

from corpus.dates import DAYS, MONTHS
from corpus.language import Language, detect_language
from retrieval.answering.question import Question
from retrieval.index.topic import names_either_country
from retrieval.text import STOPWORDS, fold, numbers, stem_variants, tokens
from retrieval.text.lexicon import Matcher, matcher_of
from retrieval.types import ArticleMeta, Sentence

ANAPHORA = re.compile(r"^(ia|dia|mereka|hal (ini|itu|tersebut)|keduanya|he|she|they|it|this|that|the two)\b",
                      re.IGNORECASE)
RELATIVE_TIME = re.compile(r"\b(pekan lalu|minggu lalu|bulan lalu|tahun lalu|kemarin|hari yang sama|sehari sebelumnya|"
                           r"last (week|month|year)|yesterday)\b", re.IGNORECASE)
NUMBER_WORDS = frozenset("satu dua tiga empat lima enam tujuh delapan sembilan sepuluh sebelas puluh puluhan ratusan "
                         "ribuan ribu juta ratus belasan miliar one two three four five six seven eight nine ten eleven "
                         "twelve dozen hundred hundreds thousand thousands million billion".split())
TIME_UNITS = ("jam", "hari", "menit", "detik", "pekan", "minggu", "bulan", "tahun", "hour", "day", "minute", "week",
              "month", "year", "decade", "dekade")
_FREQUENCY = re.compile(r"\b(sekali|dua kali|tiga kali|\w+ kali (se|dalam )?\w+|once|twice|\w+ times|per (week|month|day|year)|"
                        r"a (week|month|day|year)|weekly|monthly|daily|setiap \w+|tiap \w+|seminggu|sebulan|sehari|setahun)\b",
                        re.IGNORECASE)
_CLAUSE = re.compile(r"\b(pasal|article|ayat|clause|section|bab)\s+\d+\b", re.IGNORECASE)
_ORDINAL = re.compile(r"\bke-?\s?\d+\b|\b\d+(st|nd|rd|th)\b|\bke(satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|"
                      r"sepuluh)\b|\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\b", re.IGNORECASE)
_MODEL = re.compile(r"\b[A-Za-z]{1,6}-?\d+[A-Za-z0-9-]*\b|\b\d{3}(-\d+[A-Za-z]*)?\b")
ROLE_WORDS = re.compile(
    r"\b(menteri|minister|presiden|president|wakil|deputy|kepala|head|chief|direktur|director|duta besar|ambassador|"
    r"juru bicara|spokes\w*|gubernur|governor|jenderal|general|komandan|commander|ketua|chairman|sekretaris|secretary|"
    r"pemimpin|leader|panglima|perdana menteri|prime minister|anggota|member|pejabat|official|analis|analyst|peneliti|"
    r"researcher|pakar|expert|profesor|professor|wartawan|journalist|manajer|manager|pendiri|founder|adik|sister|"
    r"putri|daughter|istri|wife)\b", re.IGNORECASE)
# A time of day: "7:09 a.m.", "pukul 10.30 WIB", "jam 9 pagi" (hours and minutes in range; "10.000" is no time)
_HOUR = r"(?:[01]?\d|2[0-4])"
_NOT_AN_AMOUNT = r"(?![.,]\d|\s*(?:%|persen|percent))"  # "10.000", "2.50 persen" are amounts, not times
CLOCK = re.compile(rf"\b(?:pukul|jam)\s+{_HOUR}(?:[.:][0-5]\d)?\b{_NOT_AN_AMOUNT}"
                   rf"|\b{_HOUR}[.:][0-5]\d\b{_NOT_AN_AMOUNT}(?:\s*(?:a\.?m\.?|p\.?m\.?|WIB|WITA|WIT|KST|GMT|UTC))?"
                   rf"|\b{_HOUR}\s*(?:a\.m\.|p\.m\.|am\b|pm\b)", re.IGNORECASE)
_QUOTED = re.compile(r"[“\"‘']([^”\"’']{3,})[”\"’']")
EN_MONTHS = "January February March April May June July August September October November December".split()
ID_MONTHS = "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember".split()
_MONTH_WORDS = "|".join(sorted((m for m in MONTHS if len(m) > 2), key=len, reverse=True))
_DAY_OF_MONTH = re.compile(rf"\b([0-3]?\d)\s+(?:{_MONTH_WORDS})\b", re.IGNORECASE)  # "12 September"
_MONTH_DAY = re.compile(rf"\b(?:{_MONTH_WORDS})\.?\s+([0-3]?\d)\b(?![.,]?\d)", re.IGNORECASE)  # "September 12"
DATE_NUMERIC = re.compile(r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\b(?:19|20)\d{2}\b")

FEATURES: tuple[str, ...] = (
    # how much of the question the passage expresses: alone, with its neighbours, its article, its title
    "cov_sent", "cov_ctx", "cov_doc", "cov_title", "cov_prev", "cov_next", "after_best_cov", "plain_sent", "plain_doc",
    "names_miss_doc", "numbers_miss_doc", "numbers_in_sent", "rare_miss_ctx", "rare_miss_doc",
    # what the passage adds: the asked thing ("how many *troops*"), an answer of the asked kind, new words
    "focus_in_sent", "focus_next_to_answer", "type_ok", "type_ok_time", "type_ok_number", "type_ok_person",
    "type_ok_place", "n_answer_log", "novelty", "reason_marker", "shape_ok", "q_has_shape", "quote_in_sent",
    # interactions a linear model can't form itself
    "ok_x_cov_ctx", "ok_x_cov_doc", "focus_x_cov_ctx",
    # meaning (e5) and retrieval
    "dense_sent", "dense_gap", "dense_rank_inv", "dense_ctx", "doc_rank_inv", "doc_dense",
    # an article in the other language than the question: word coverage goes through the glossary
    # and misses what it lacks, so the model may trust meaning (e5, multilingual) more there
    "cross_lang", "cross_x_dense", "cross_x_dense_ctx",
    # the question's kind
    "q_time", "q_number", "q_person", "q_place", "q_reason", "q_other",
    # the passage's shape
    "len_log", "position_log", "is_byline", "anaphora", "agreement", "instruction",
    # is the article about Russia–North Korea relations at all (the topic filter's tests)
    "topic_on", "topic_margin", "q_names_country",
    # the same for every passage of a question: how well the retrieved articles could answer it at all
    # (they move the probability, not the order, and so help decide whether to answer)
    "q_best_cov_doc", "q_best_cov_ctx", "q_min_rare_miss_doc", "q_best_dense", "q_n_concepts",
)
REASON_MARKERS = re.compile(r"\b(karena|sebab|akibat|alasan|disebabkan|lantaran|sehingga|agar|untuk|because|due to|"
                            r"since|as a result|in order to|so that|reason)\b", re.IGNORECASE)


@dataclass
class ArticleView:
    """A retrieved article with what scoring needs: its sentences in order, its rank and a matcher
    over its whole text (title and date included)."""

    meta: ArticleMeta
    sentences: list[Sentence]
    rank: int
    dense: float
    on_topic: bool = True
    topic_margin: float = 0.0
    matcher: Matcher = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.sentences = sorted(self.sentences, key=lambda s: s.index)
        self.matcher = matcher_of(f"{self.header}. {self.body}", frozenset(numbers(self.meta.published_iso or "")))

    @property
    def header(self) -> str:
        """The title, the outlet and the publication date in words ("... RMOL. Desember December
        2024"), so a question's "in December 2024" is met by when the article appeared and its
        "according to RMOL" by who published it."""
        when = self.meta.published
        head = f"{self.meta.title}. {self.meta.outlet}" if self.meta.outlet else self.meta.title
        if when is None:
            return head
        return f"{head}. {ID_MONTHS[when.month - 1]} {EN_MONTHS[when.month - 1]} {when.year}"

    @property
    def body(self) -> str:
        return " ".join(s.text for s in self.sentences if s.index >= 0)

    @cached_property
    def language(self) -> Language:
        """The article's language, from the function words of its first sentences."""
        return detect_language(" ".join([s.text for s in self.sentences if s.index >= 0][:8]))

    def lead_vector(self, n: int = 5) -> np.ndarray:
        """The mean vector of the first sentences: what the article is about."""
        lead = [s.vector for s in self.sentences if s.index >= 0][:n]
        v = np.mean(lead, axis=0) if lead else np.zeros(0)
        return v / (np.linalg.norm(v) or 1.0)


@dataclass(frozen=True)
class Passage:
    """One candidate: a sentence of an article, with its neighbours for context."""

    article: ArticleView = field(repr=False)
    position: int  # index into article.sentences
    features: dict[str, float] = field(default_factory=dict, repr=False)

    @property
    def sentence(self) -> Sentence:
        return self.article.sentences[self.position]

    @property
    def previous(self) -> Sentence | None:
        i = self.position - 1
        return self.article.sentences[i] if i >= 0 and self.article.sentences[i].index >= 0 else None

    @property
    def next(self) -> Sentence | None:
        i = self.position + 1
        return self.article.sentences[i] if i < len(self.article.sentences) else None


def answer_tokens(q: Question, text: str, title: str | None = None) -> list[str]:
    """Words of a passage that could be the answer to a question of this kind and that the question
    does not already hold: days and dates for "when", numbers for "how many", names for "who" and
    "where", any new content word otherwise. A headline's capitalised words are not names."""
    if title:
        text = text.replace(title, "")

    def fresh(t: str) -> bool:
        return not (stem_variants(t) & q.stems)

    out: list[str] = []
    if q.shape is not None and q.shape != "say":
        return shape_tokens(q, text)
    if q.qtype == "time":
        out += [m.group(0) for m in RELATIVE_TIME.finditer(text)]
        out += [d for d in DATE_NUMERIC.findall(text) if d not in q.numbers]
        # the day of a month the question names: "on September 12, 2023" answers "when ... in
        # September 2023?" though its month and year are the question's own
        out += [d for d in _DAY_OF_MONTH.findall(text) if d and d not in q.numbers] + \
            [d for d in _MONTH_DAY.findall(text) if d and d not in q.numbers]
        out += [t for t in tokens(text) if (fold(t) in DAYS or fold(t) in MONTHS) and fresh(t)]
    elif q.qtype == "number":
        out += [t for t in tokens(text) if (t[0].isdigit() or fold(t) in NUMBER_WORDS) and fresh(t)
                and not DATE_NUMERIC.fullmatch(t)]
    elif q.qtype in ("person", "place"):
        for sent in re.split(r"(?<=[.!?])\s+", text):
            out += [t for t in tokens(sent)[1:]
                    if t[:1].isupper() and fold(t) not in DAYS and fold(t) not in MONTHS and fresh(t)]
    else:
        out += [t for t in tokens(text) if fold(t) not in STOPWORDS and len(t) > 2 and fresh(t)]
    return out


def shape_tokens(q: Question, text: str) -> list[str]:
    """Words of a passage with the finer shape the question asks for (a duration, a clause...)."""
    toks = tokens(text)
    if q.shape == "identity":
        return [m.group(0) for m in ROLE_WORDS.finditer(text)] if any(matcher_of(text).has(c) for c in q.names) else []
    if q.shape == "clock":
        return [m.group(0) for m in CLOCK.finditer(text)]
    if q.shape == "duration":
        return [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)
                if (a[0].isdigit() or fold(a) in NUMBER_WORDS) and fold(b).startswith(TIME_UNITS)]
    if q.shape == "frequency":
        return [m.group(0) for m in _FREQUENCY.finditer(text)]
    if q.shape == "clause":
        return [m.group(0) for m in _CLAUSE.finditer(text) if not (numbers(m.group(0)) <= q.numbers)]
    if q.shape == "ordinal":
        return [m.group(0) for m in _ORDINAL.finditer(text)]
    if q.shape == "model":
        return [m.group(0) for m in _MODEL.finditer(text) if not DATE_NUMERIC.fullmatch(m.group(0))]
    if q.shape == "name":
        quoted = [m.group(1) for m in _QUOTED.finditer(text)]
        names = [t for t in toks[1:] if t[:1].isupper() and not (stem_variants(t) & q.stems)]
        return quoted + names
    if q.shape == "say":
        return [m.group(1) for m in _QUOTED.finditer(text)]
    return []


def _coverage(q: Question, m: Matcher) -> tuple[float, float, list[bool]]:
    hits = [m.has(c) for c in q.concepts]
    if not hits:
        return 0.0, 0.0, hits
    total = sum(q.weights) or 1.0
    weighted = sum(w for hit, w in zip(hits, q.weights, strict=True) if hit) / total
    return weighted, sum(hits) / len(hits), hits


def _rare_missing(q: Question, hits: list[bool]) -> float:
    """The rarest (most telling) concept of the question that is not expressed, as a share of the
    rarest concept's weight: 1.0 when the question's most specific word is missing."""
    if not q.weights:
        return 0.0
    missing = [w for w, h in zip(q.weights, hits, strict=True) if not h]
    return max(missing, default=0.0) / max(q.weights)


def _missing(q: Question, hits: list[bool], kind: str) -> float:
    return float(sum(not h for c, h in zip(q.concepts, hits, strict=True) if getattr(c, kind)))


@lru_cache(maxsize=8192)
def _content_stems(text: str) -> tuple[frozenset[str], ...]:
    """The root variants of each content word of a sentence (read once per sentence text)."""
    return tuple(stem_variants(t) for t in tokens(text) if fold(t) not in STOPWORDS and len(t) > 2)


def _focus_next_to_answer(q: Question, text: str, found: list[str]) -> float:
    """Does an answer token sit within three words of the asked thing ("12.000 *tentara*",
    "*Pasal* 4")?"""
    if not q.focus or not found:
        return 0.0
    toks = tokens(text)
    focus_at = [i for i, tok in enumerate(toks) if any(matcher_of(tok).has(c) for c in q.focus)]
    found_set = set(found)
    answer_at = [i for i, tok in enumerate(toks) if tok in found_set]
    return float(any(abs(i - j) <= 3 for i in focus_at for j in answer_at))


def passages(q: Question, articles: list[ArticleView]) -> list[Passage]:
    """Every sentence of the articles as a candidate, with its features (see :data:`FEATURES`)."""
    out: list[Passage] = []
    if not articles or q.vector.size == 0:
        return out
    vecs = [np.stack([s.vector for s in a.sentences]) for a in articles]
    sims = [v @ q.vector for v in vecs]
    all_sims = np.concatenate(sims)
    best = float(all_sims.max()) if all_sims.size else 0.0
    order = np.argsort(-all_sims)
    rank_of = np.empty_like(order)
    rank_of[order] = np.arange(order.size)
    # agreement: for each sentence, how many *other* articles hold a sentence very close to it
    flat = np.concatenate(vecs)
    owner = np.concatenate([np.full(len(v), i) for i, v in enumerate(vecs)])
    qt = q.qtype
    # the language the question is written in (q.language may be the asker's reply language instead)
    asked_in = detect_language(q.text)
    q_country = float(names_either_country(q.search_text))
    q_kind = {f"q_{k}": float(qt == k) for k in ("time", "number", "person", "place", "reason", "other")}
    offset = 0
    for ai, art in enumerate(articles):
        doc_cov, doc_plain, doc_hits = _coverage(q, art.matcher)
        title_cov, _, _ = _coverage(q, matcher_of(art.meta.title))
        names_miss, nums_miss = _missing(q, doc_hits, "is_name"), _missing(q, doc_hits, "is_number")
        rare_doc = _rare_missing(q, doc_hits)
        cross = float(art.language != asked_in)
        n = len(art.sentences)
        agree = (vecs[ai] @ flat.T >= 0.92) & (owner != ai)[None, :]
        matchers = [matcher_of(s.text) for s in art.sentences]
        covs = [_coverage(q, m) for m in matchers]
        body_covs = [c[0] if s.index >= 0 else -1.0 for c, s in zip(covs, art.sentences, strict=True)]
        best_cov = int(np.argmax(body_covs)) if body_covs else -1  # the sentence that restates the question best
        date_m = matcher_of(art.header, frozenset(numbers(art.meta.published_iso or "")))
        for i, s in enumerate(art.sentences):
            if s.index < 0 and not q.about_article:
                continue  # the byline answers only questions about the article itself (who wrote it...)
            text = s.text
            cov_s, plain_s, _ = covs[i]
            has_prev = i > 0 and art.sentences[i - 1].index >= 0
            around = [matchers[j] for j in (i - 1, i + 1) if 0 <= j < n and (j != i - 1 or has_prev)]
            if s.index < 0:  # a question about the article names it by what it reports ("...about Kozlov's visit")
                around = matchers
            cov_c, _, ctx_hits = _coverage(q, Matcher.union(date_m, matchers[i], *around))
            found = answer_tokens(q, text, art.meta.title if s.index < 0 else None)
            ok = 1.0 if (qt in ("other", "reason") or found) else 0.0
            if qt == "reason":
                ok = 1.0 if REASON_MARKERS.search(text) else 0.0
            focus = 1.0 if q.focus and any(matchers[i].has(c) for c in q.focus) else 0.0
            content = _content_stems(text)
            novelty = sum(1 for st in content if not (st & q.stems)) / len(content) if content else 0.0
            sim = float(sims[ai][i])
            ctx_sims = [float(sims[ai][j]) for j in (i - 1, i + 1) if 0 <= j < n]
            f = {
                "cov_sent": cov_s, "cov_ctx": cov_c, "cov_doc": doc_cov, "cov_title": title_cov,
                "cov_prev": covs[i - 1][0] if has_prev else 0.0, "cov_next": covs[i + 1][0] if i + 1 < n else 0.0,
                "after_best_cov": float(has_prev and i - 1 == best_cov), "plain_sent": plain_s, "plain_doc": doc_plain,
                "names_miss_doc": names_miss, "numbers_miss_doc": nums_miss,
                "numbers_in_sent": float(len(q.numbers & matchers[i].numbers)),
                "rare_miss_ctx": _rare_missing(q, ctx_hits), "rare_miss_doc": rare_doc,
                "focus_in_sent": focus, "focus_next_to_answer": _focus_next_to_answer(q, text, found) if focus else 0.0,
                "type_ok": ok, "type_ok_time": ok * (qt == "time"), "type_ok_number": ok * (qt == "number"),
                "type_ok_person": ok * (qt == "person"), "type_ok_place": ok * (qt == "place"),
                "n_answer_log": math.log1p(len(found)), "novelty": novelty,
                "reason_marker": 1.0 if REASON_MARKERS.search(text) else 0.0,
                "shape_ok": float(q.shape is not None and bool(shape_tokens(q, text))),
                "q_has_shape": float(q.shape is not None), "quote_in_sent": float(bool(_QUOTED.search(text))),
                "ok_x_cov_ctx": ok * cov_c, "ok_x_cov_doc": ok * doc_cov, "focus_x_cov_ctx": focus * cov_c,
                "dense_sent": sim, "dense_gap": sim - best, "dense_rank_inv": 1.0 / (1.0 + float(rank_of[offset + i])),
                "dense_ctx": max([sim, *ctx_sims]), "doc_rank_inv": 1.0 / (1.0 + art.rank), "doc_dense": art.dense,
                "cross_lang": cross, "cross_x_dense": cross * sim, "cross_x_dense_ctx": cross * max([sim, *ctx_sims]),
                **q_kind,
                "len_log": math.log1p(len(text.split())), "position_log": math.log1p(max(s.index, 0)),
                "is_byline": float(s.index < 0), "anaphora": float(bool(ANAPHORA.match(text))),
                "agreement": math.log1p(len(set(owner[agree[i]].tolist()))), "instruction": float(q.instruction),
                "topic_on": float(art.on_topic), "topic_margin": art.topic_margin, "q_names_country": q_country,
            }
            out.append(Passage(art, i, f))
        offset += n
    whole = {
        "q_best_cov_doc": max(p.features["cov_doc"] for p in out), "q_best_cov_ctx": max(p.features["cov_ctx"] for p in out),
        "q_min_rare_miss_doc": min(p.features["rare_miss_doc"] for p in out),
        "q_best_dense": max(p.features["dense_sent"] for p in out), "q_n_concepts": float(len(q.concepts)),
    } if out else {}
    for p in out:
        p.features.update(whole)
    return out


def matrix(ps: list[Passage], names: tuple[str, ...] = FEATURES) -> np.ndarray:
    """The features of ``ps`` as rows, columns in the order of ``names``."""
    return np.array([[p.features[k] for k in names] for p in ps], dtype=np.float64).reshape(len(ps), len(names))
