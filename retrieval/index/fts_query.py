"""FTS5 query text for the lexical index (:mod:`retrieval.index.lexical`): quoted terms, "any
of" groups, and the coordinated query that keeps FTS5 from scoring every chunk a common word is in."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from retrieval.text.lexicon import Concept


def quote(term: str) -> str:
    """One term as an FTS5 string (never read as an operator)."""
    return '"' + term.replace('"', '""') + '"'


def any_of(terms: Iterable[str]) -> str:
    """Chunks with any of ``terms``."""
    return " OR ".join(quote(t) for t in sorted(terms))


def coordinated(concepts: Sequence[Concept], dfs: Mapping[str, int], weighted: Mapping[str, int], k: int,
                has_k: Callable[[str, int], bool]) -> str | None:
    """The FTS5 query for the chunks worth scoring for ``concepts``; ``None``: every chunk
    with a weighted term (the plain query).

    A chunk with the question's concepts together outscores one with fewer of them unless
    the one it lacks is a common word (low IDF). So the chunks scored are those with a rare
    concept (in fewer than ``k`` chunks: cheap to score) and those with all the question's
    other concepts together; while fewer than ``k`` chunks have them all, the commonest
    (the one that weighs least) is left out and the rest asked again, down to two concepts
    (one alone is no coordination: then the plain query). A concept that a word in half the
    chunks or more expresses (``Kim``, ``Rusia``: no weight there) or that nothing in the
    index expresses narrows nothing and is never asked for; neither is one sharing a term
    with another.

    ``dfs``: chunks per term (terms in none left out); ``weighted``: the terms that weigh,
    with theirs; ``has_k(query, k)``: whether ``k`` chunks match the query."""
    asked: list[tuple[int, set[str]]] = []  # (chunks with its commonest term, its weighted terms) per concept
    taken: set[str] = set()
    for concept in concepts:
        terms: set[str] = set()
        free = False
        for form in concept.forms:
            if any(not any(dfs.get(v, 0) for v in word) for word in form):
                continue  # a word of it is nowhere: the form matches nothing
            if all(any(dfs.get(v, 0) and v not in weighted for v in word) for word in form):
                free = True  # every word of the form is in half the chunks: the concept narrows nothing
                break
            terms |= {v for word in form for v in word if v in weighted}
        if free or not terms or terms & taken:
            continue
        taken |= terms
        asked.append((max(weighted[t] for t in terms), terms))
    rare = [terms for _, terms in asked if sum(weighted[t] for t in terms) < k]
    common = sorted((item for item in asked if sum(weighted[t] for t in item[1]) >= k), key=lambda item: item[0])
    for size in range(len(common), 1, -1):
        together = " AND ".join(f"({any_of(terms)})" for _, terms in common[:size])
        if has_k(together, k):
            return " OR ".join([f"({any_of(terms)})" for terms in rare] + [f"({together})"])
    return None
