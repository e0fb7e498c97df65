"""Articles into chunks of whole sentences; the chunk sizes are settings and part of the content hash."""

from __future__ import annotations

from corpus import ARTICLES_DIR
from corpus.documents import load_file
from retrieval.index.ingest import DEFAULT_CHUNKING, chunk_article, content_hash, plan_article
from retrieval.settings import IndexSettings


def sentences_by_chunk(article, chunking=DEFAULT_CHUNKING) -> dict[str, list[str]]:
    """Each chunk's sentences, from the plan's record of which chunks hold each sentence."""
    plan = plan_article(article, chunking)
    return {c.chunk_id: [text for (text, _, _), owners in zip(plan.sentences, plan.members, strict=True) if c.chunk_id in owners]
            for c in plan.chunks}


def test_chunks_are_whole_sentences_with_positions():
    article = load_file(ARTICLES_DIR / "001_dcd6b936241eaf9f.md")
    chunks, sentences = chunk_article(article)
    held = sentences_by_chunk(article)
    assert [c.chunk_id for c in chunks] == [f"001_dcd6b936241eaf9f:c{i:03d}" for i in range(len(chunks))]
    for c in chunks:
        assert article.text[c.start_char : c.end_char].split()[0] == c.text.split()[0]
        assert c.text.rstrip().endswith((".", '"', "”", "?", "!"))
        assert 1 <= len(held[c.chunk_id]) <= 4 and c.text == " ".join(held[c.chunk_id])
    assert len({s for s, _, _ in sentences}) == len(sentences)
    assert held[chunks[1].chunk_id][0] == held[chunks[0].chunk_id][-1]  # one sentence of overlap


def test_chunk_sizes_come_from_the_settings():
    article = load_file(ARTICLES_DIR / "001_dcd6b936241eaf9f.md")
    small = IndexSettings(chunk_max_chars=100, chunk_max_sentences=2)
    default_chunks, sentences = chunk_article(article)
    small_chunks, same_sentences = chunk_article(article, small)
    assert len(small_chunks) > len(default_chunks)
    assert [(t, i) for t, _, i in same_sentences] == [(t, i) for t, _, i in sentences], "the same sentences, in new chunks"
    held = sentences_by_chunk(article, small)
    assert all(len(held[c.chunk_id]) <= 2 for c in small_chunks)
    assert all(len(c.text) <= 100 or len(held[c.chunk_id]) == 1 for c in small_chunks), "one long sentence stands alone"


def test_changed_chunk_sizes_change_the_content_hash_and_the_defaults_do_not():
    article = load_file(ARTICLES_DIR / "001_dcd6b936241eaf9f.md")
    assert content_hash(article) == content_hash(article, IndexSettings()) == content_hash(article, DEFAULT_CHUNKING)
    assert content_hash(article, IndexSettings(chunk_max_sentences=3)) != content_hash(article)
