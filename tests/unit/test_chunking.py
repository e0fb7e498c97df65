"""Articles into chunks of whole sentences; the chunk sizes are settings and part of the content hash."""

from __future__ import annotations

from corpus import ARTICLES_DIR
from corpus.documents import load_file
from retrieval.index.ingest import DEFAULT_CHUNKING, chunk_article, content_hash
from retrieval.settings import IndexSettings


def test_chunks_are_whole_sentences_with_positions():
    article = load_file(ARTICLES_DIR / "001_dcd6b936241eaf9f.md")
    chunks, sentences = chunk_article(article)
    assert [c.chunk_id for c in chunks] == [f"001_dcd6b936241eaf9f:c{i:03d}" for i in range(len(chunks))]
    for c in chunks:
        assert article.text[c.start_char : c.end_char].split()[0] == c.text.split()[0]
        assert c.text.rstrip().endswith((".", '"', "”", "?", "!"))
        assert len(c.sentences) <= 4
    assert len({s for s, _, _ in sentences}) == len(sentences)
    assert chunks[1].sentences[0] == chunks[0].sentences[-1]  # one sentence of overlap


def test_chunk_sizes_come_from_the_settings():
    article = load_file(ARTICLES_DIR / "001_dcd6b936241eaf9f.md")
    small = IndexSettings(chunk_max_chars=100, chunk_max_sentences=2)
    default_chunks, sentences = chunk_article(article)
    small_chunks, same_sentences = chunk_article(article, small)
    assert len(small_chunks) > len(default_chunks)
    assert [(t, i) for t, _, i in same_sentences] == [(t, i) for t, _, i in sentences], "the same sentences, in new chunks"
    assert all(len(c.sentences) <= 2 for c in small_chunks)
    assert all(len(c.text) <= 100 or len(c.sentences) == 1 for c in small_chunks), "one long sentence stands alone"


def test_changed_chunk_sizes_change_the_content_hash_and_the_defaults_do_not():
    article = load_file(ARTICLES_DIR / "001_dcd6b936241eaf9f.md")
    assert content_hash(article) == content_hash(article, IndexSettings()) == content_hash(article, DEFAULT_CHUNKING)
    assert content_hash(article, IndexSettings(chunk_max_sentences=3)) != content_hash(article)
