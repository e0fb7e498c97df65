"""Language-aware text helpers: sentence splitting, tokens, stems, numbers, language detection
(the detector, tokenizer and stop words are ``corpus.language``'s, re-exported here).

Indonesian news text is the corpus; questions come in Indonesian or English.
``lexicon`` adds concepts and the EN→ID glossary on top.

May import: ``corpus``. Nothing else of rnkbot's.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from corpus.language import EN_STOP, ID_STOP, STOPWORDS, detect_language, fold, tokens, words

# The tokenizer, the stop-word lists and the language detector live in corpus.language (page
# extraction needs them too); they are part of this package's interface.
__all__ = [
    "EN_STOP", "ID_STOP", "STOPWORDS", "detect_language", "fold", "numbers", "similar", "split_sentences",
    "stem", "stem_variants", "stems", "tokens", "words",
]

# Abbreviations after which a period does not end a sentence.
_ABBREV = {
    "dr", "prof", "ir", "h", "hj", "st", "no", "vol", "hlm", "jl", "tn", "ny", "sdr", "bpk",
    "mr", "mrs", "ms", "jr", "sr", "vs", "etc", "e.g", "i.e", "u.s", "a.s", "dkk", "dll", "dsb",
    "gen", "lt", "col", "sen", "rep", "gov", "mt", "ft", "approx", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "agu", "sep", "sept", "oct", "okt", "nov", "dec", "des",
}

_SENT_END = re.compile(r"[.!?]+[\"'”’)\]]*\s+")


def split_sentences(text: str) -> list[str]:
    """Split a paragraph (or several, separated by newlines) into sentences.

    Handles quotes after the full stop, abbreviations, decimal/thousand separators
    ("10.000"), dates ("19/11/2024") and domain names ("Kompas.com").
    """
    out: list[str] = []
    for para in re.split(r"\n\s*\n|\n", text):
        para = " ".join(para.split())
        if not para:
            continue
        start = 0
        for m in _SENT_END.finditer(para):
            end = m.end()
            before = para[start : m.start()]
            last_word = before.rsplit(" ", 1)[-1].lower().strip("(\"'“")
            nxt = para[end : end + 1]
            if last_word in _ABBREV or (len(last_word) == 1 and last_word.isalpha()):
                continue
            if nxt and not (nxt.isupper() or nxt.isdigit() or nxt in "\"'“‘(["):
                continue
            out.append(para[start:end].strip())
            start = end
        tail = para[start:].strip()
        if tail:
            out.append(tail)
    return [s for s in out if s]


_PREFIXES = ("memper", "member", "menge", "penge", "meng", "peng", "meny", "peny", "mem", "pem", "men", "pen",
             "me", "pe", "diper", "di", "ter", "ber", "per", "ke", "se")
_SUFFIXES = ("kannya", "annya", "nya", "kan", "an", "i", "lah", "kah")
# Nasal prefixes drop the root's first consonant: meng+kirim -> mengirim, men+tulis -> menulis,
# mem+pukul -> memukul, meny+sapa -> menyapa. Matching tries the restored forms too.
_RESTORE = {"meng": ("k",), "peng": ("k",), "men": ("t",), "pen": ("t",), "mem": ("p",), "pem": ("p",),
            "meny": ("s",), "peny": ("s",)}
_EN_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ies", "ied", "ed", "es", "s")


@lru_cache(maxsize=100_000)
def stem_variants(word: str) -> frozenset[str]:
    """Possible roots of a word, for matching across inflections and derivations
    (``pertemuan`` ~ ``bertemu``, ``mengunjungi`` ~ ``kunjungan``, ``greetings`` ~ ``greeting``).

    It is for recall in lexical matching, not linguistics: two words match when their
    variant sets intersect.
    """
    w = fold(word)
    out = {w}
    if not w.isalpha() or len(w) <= 3:
        return frozenset(out)
    for suf in _EN_SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            base = w[: -len(suf)]
            out.add(base + "y" if suf in ("ies", "ied") else base)
            if suf in ("ed", "es", "ing"):
                out.add(base + "e")
            break
    bases = {w}
    for suf in _SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            bases.add(w[: -len(suf)])
    for base in list(bases):
        for pre in sorted(_PREFIXES, key=len, reverse=True):
            if base.startswith(pre) and len(base) - len(pre) >= 3:
                rest = base[len(pre) :]
                bases.add(rest)
                for c in _RESTORE.get(pre, ()):
                    if rest[:1] in "aeiou":
                        bases.add(c + rest)
    # "kunjungan" -> "kunjung", "ditempatkan" -> "tempat": strip a suffix from prefix-stripped forms too
    for base in list(bases):
        for suf in _SUFFIXES:
            if base.endswith(suf) and len(base) - len(suf) >= 4:
                bases.add(base[: -len(suf)])
    out |= {b for b in bases if len(b) >= 3}
    return frozenset(out)


def stem(word: str) -> str:
    """One canonical key per word (the shortest root variant), for indexing."""
    return min(stem_variants(word), key=lambda v: (len(v), v))


def stems(text: str, drop_stopwords: bool = True) -> list[str]:
    """All root variants of the text's words, for lexical (BM25) indexing and queries."""
    out: list[str] = []
    for t in words(text):
        if drop_stopwords and t in STOPWORDS:
            continue
        out.extend(sorted(stem_variants(t)))
    return out


_NUM = re.compile(r"\d+(?:[.,]\d{3})*(?:[.,]\d+)?")


def numbers(text: str) -> set[str]:
    """Numbers in a text, normalised ("10.000" and "10,000" -> "10000"; dates split into parts)."""
    out = set()
    for m in _NUM.findall(text):
        if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", m):
            out.add(re.sub(r"[.,]", "", m))
        else:
            out.update(p.lstrip("0") or "0" for p in re.split(r"[.,]", m))
    return out


def similar(a: str, b: str) -> float:
    """Similarity of two words in [0, 1] (normalised edit distance), for transliterations:
    Moskow ~ Moscow, Ukraina ~ Ukraine."""
    a, b = fold(a), fold(b)
    if not a or not b:
        return 1.0 if a == b else 0.0
    return float(Levenshtein.normalized_similarity(a, b))
