"""Evidence first: pick the passage that answers the question, or decide that none does.

A passage is one sentence of a retrieved article, or a sentence with its left neighbour
(for "Ia menegaskan ..." after the sentence naming who "Ia" is). Each is scored by
- coverage: how much of the question's content (weighted by rarity across the corpus)
  the passage expresses, through the bilingual glossary for English questions;
- answer type: a "who" question needs a name the question doesn't already hold, a
  "when" question a day or date, a "how many" question a number;
- dense similarity (multilingual e5) and the article's retrieval rank, to break ties.
A question is answerable only when the best passage covers enough of it and holds an
answer of the asked type. Raw similarity alone can't decide that: e5 scores anything on
topic at 0.80-0.95.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from corpus.dates import DAYS, MONTHS
from retrieval.text import STOPWORDS, detect_language, fold, numbers, stem_variants, tokens
from retrieval.text.lexicon import Concept, Matcher, concepts
from retrieval.types import ArticleMeta, RetrievedChunk, Sentence

QTYPE_PATTERNS: list[tuple[str, str]] = [
    ("time", r"\b(when|what (day|date|time|year|month)|which (day|date|year|month)|since when|kapan|hari apa|"
             r"tanggal (berapa|apa)|tahun (berapa|apa)|bulan apa|pukul berapa|sejak kapan|sejak hari)\b"),
    ("number", r"\b(how many|how much|berapa)\b"),
    ("person", r"\b(who|whom|whose|siapa|pihak mana|(which|what) (outlet|media|newspaper|news agency|agency|organi[sz]ation|"
               r"company|official|minister|leader|person|country|countries)|(media|kantor berita|negara|pejabat|menteri|"
               r"lembaga|organisasi) (apa|mana))\b"),
    ("place", r"\b(where|which (city|country|place)|di ?mana|ke ?mana|kota mana|negara mana)\b"),
]
# Words that only shape the question ("which day of the week", "hari apa"): not content to match.
FORM_WORDS = frozenset(
    "day days week date time year month hari tanggal pukul waktu minggu pekan jumlah many much kind sort "
    "happen happened terjadi isi contain contains content contents".split()
)
ANAPHORA = re.compile(r"^(ia|dia|mereka|hal (ini|itu|tersebut)|keduanya|he|she|they|it|this|that)\b", re.IGNORECASE)
RELATIVE_TIME = re.compile(r"\b(pekan lalu|minggu lalu|bulan lalu|tahun lalu|kemarin|hari yang sama|sehari sebelumnya|"
                           r"last (week|month|year)|yesterday)\b", re.IGNORECASE)
NUMBER_WORDS = frozenset("satu dua tiga empat lima enam tujuh delapan sembilan sepuluh puluhan ratusan ribuan ribu juta "
                         "ratus belasan one two three four five six seven eight nine ten hundred thousand million".split())

MIN_COVERAGE = 0.5
MIN_PLAIN_SHARE = 0.6


def question_type(question: str) -> str:
    q = fold(question)
    for name, pattern in QTYPE_PATTERNS:
        if re.search(pattern, q):
            return name
    return "other"


@dataclass
class Analysis:
    question: str
    qtype: str
    concepts: list[Concept]
    weights: list[float]
    question_stems: set[str] = field(default_factory=set)


@dataclass
class Candidate:
    rows: list[Sentence]
    meta: ArticleMeta
    text: str
    coverage: float
    type_ok: bool
    dense: float
    score: float
    doc_rank: int


def analyze(question: str, doc_stems: dict[str, set[str]], asked: str | None = None) -> Analysis:
    """Question type and content concepts, each weighted by rarity across the articles
    (a word every article has, like "Kim" or "Rusia", says little about which passage answers).

    For a follow-up, ``question`` is the text searched (with the earlier question) and
    ``asked`` the follow-up itself, whose type ("and when was that?") wins."""
    qtype = question_type(asked) if asked and question_type(asked) != "other" else question_type(question)
    cs = concepts(question, exclude=FORM_WORDS, group_names=True)
    n = max(len(doc_stems), 1)
    weights = []
    for c in cs:
        df = sum(1 for st in doc_stems.values() if any(all(v & st for v in form) for form in c.forms))
        weights.append(math.log((n + 1) / (df + 0.5)) + (0.5 if c.is_number else 0.0))
    # An English word the glossary doesn't know can't be matched in Indonesian text: it still
    # counts, but no more than a typical known word (else one unknown adverb vetoes a good answer).
    known = sorted(w for c, w in zip(cs, weights, strict=True) if c.translated or c.is_name or c.is_number)
    if known and detect_language(question) == "en":
        cap = known[len(known) // 2]
        weights = [w if (c.translated or c.is_name or c.is_number) else min(w, cap) for c, w in zip(cs, weights, strict=True)]
    q_stems = set().union(*(stem_variants(t) for t in tokens(question))) if question.strip() else set()
    return Analysis(question, qtype, cs, weights, q_stems)


def answer_tokens(qtype: str, text: str, analysis: Analysis, title: str | None = None) -> list[str]:
    """Words of a passage that could be the answer to a question of this type, and that
    the question does not already hold: names for "who", days and dates for "when",
    numbers for "how many", any new content word otherwise. A headline's capitalised
    words are not names, so ``title`` is left out."""
    if title:
        text = text.replace(title, "")
    fresh = lambda t: not (stem_variants(t) & analysis.question_stems)  # noqa: E731
    out: list[str] = []
    if qtype == "time":
        out += [m.group(0) for m in RELATIVE_TIME.finditer(text)]
        out += re.findall(r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\b(?:19|20)\d{2}\b", text)
        out += [t for t in tokens(text) if fold(t) in DAYS or fold(t) in MONTHS]
    elif qtype == "number":
        out += [t for t in tokens(text) if (t[0].isdigit() or fold(t) in NUMBER_WORDS) and fresh(t)]
    elif qtype in ("person", "place"):
        for sent in re.split(r"(?<=[.!?])\s+", text):
            out += [t for t in tokens(sent)[1:]
                    if t[:1].isupper() and fold(t) not in DAYS and fold(t) not in MONTHS and fresh(t)]
    else:
        out += [t for t in tokens(text) if fold(t) not in STOPWORDS and len(t) > 2 and fresh(t)]
    return out


def type_ok(qtype: str, text: str, analysis: Analysis, title: str | None = None) -> bool:
    return qtype == "other" or bool(answer_tokens(qtype, text, analysis, title))


class EvidenceSelector:
    """Scores passages of the retrieved articles; see the module docstring."""

    def __init__(self, min_coverage: float = MIN_COVERAGE) -> None:
        self.min_coverage = min_coverage

    def coverage(self, analysis: Analysis, text: str, meta: ArticleMeta) -> float:
        """Share of the question's content the passage expresses: weighted by rarity, and
        capped by the plain share of concepts (so two common words can't stand in for a question)."""
        if not analysis.concepts:
            return 0.0
        extra = numbers(meta.published_iso or "") | numbers(meta.title)
        m = Matcher(text, extra_numbers=extra)
        hits = [m.has(c) for c in analysis.concepts]
        total = sum(analysis.weights) or 1.0
        weighted = sum(w for hit, w in zip(hits, analysis.weights, strict=True) if hit) / total
        plain = sum(hits) / len(hits)
        return min(weighted, plain / MIN_PLAIN_SHARE * self.min_coverage) if plain < MIN_PLAIN_SHARE else weighted

    def candidates(
        self,
        analysis: Analysis,
        qvec: np.ndarray,
        retrieved: list[RetrievedChunk],
        sentences: list[Sentence],
    ) -> list[Candidate]:
        doc_rank: dict[str, int] = {}
        metas: dict[str, ArticleMeta] = {}
        for r in retrieved:
            doc_rank.setdefault(r.chunk.doc_id, len(doc_rank))
            metas.setdefault(r.chunk.doc_id, r.meta)
        by_doc: dict[str, list[Sentence]] = {}
        for row in sentences:
            by_doc.setdefault(row.doc_id, []).append(row)
        out: list[Candidate] = []
        for doc_id, rows in by_doc.items():
            meta = metas[doc_id]
            sims = np.array([float(r.vector @ qvec) for r in rows]) if rows else np.zeros(0)
            units: list[tuple[list[Sentence], float]] = []
            for i, row in enumerate(rows):
                if row.index < 0:  # the byline stands alone
                    units.append(([row], sims[i]))
                    continue
                units.append(([row], sims[i]))
                if i > 0 and rows[i - 1].index >= 0 and rows[i - 1].index == row.index - 1:
                    units.append(([rows[i - 1], row], max(sims[i - 1], sims[i])))
            for unit, dense in units:
                text = " ".join(r.text for r in unit)
                cov = self.coverage(analysis, text, meta)
                ok = type_ok(analysis.qtype, unit[-1].text if len(unit) > 1 else text, analysis, meta.title)
                penalty = 0.0
                if len(unit) > 1 and not ANAPHORA.match(unit[-1].text):
                    # a pair must earn its length: the left sentence has to add coverage
                    solo = self.coverage(analysis, unit[-1].text, meta)
                    if cov <= solo + 1e-9:
                        continue
                    penalty = 0.1
                rank = doc_rank.get(doc_id, len(doc_rank))
                score = 2.0 * cov + 0.5 * ok + 3.0 * max(dense - 0.8, 0.0) + 0.15 / (1 + rank) - penalty
                out.append(Candidate(unit, meta, text, cov, ok, dense, score, rank))
        return sorted(out, key=lambda c: -c.score)

    def answerable(self, analysis: Analysis, best: Candidate | None) -> bool:
        if best is None or not analysis.concepts:
            return False
        return best.coverage >= self.min_coverage and best.type_ok

    def select(self, analysis: Analysis, ranked: list[Candidate], k: int) -> list[Candidate]:
        """The best passage, plus others that answer nearly as well on their own (at most ``k``)."""
        if not ranked or not self.answerable(analysis, ranked[0]):
            return []
        best = ranked[0]
        chosen = [best]
        used = {r.sentence_id for r in best.rows}
        for c in ranked[1:]:
            if len(chosen) >= k:
                break
            if c.score >= 0.97 * best.score and self.answerable(analysis, c) and not used & {r.sentence_id for r in c.rows}:
                chosen.append(c)
                used |= {r.sentence_id for r in c.rows}
        return chosen
