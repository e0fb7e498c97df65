"""The index: the Chroma store with its change log, the lexical index (SQLite FTS5: BM25 and the
corpus's document frequencies; a BM25 snapshot of it for large corpora), ingestion (article →
chunks → sentences → vectors), hybrid search, files/pages/feeds as sources, and the topic filter
that guards them.

May import: ``corpus``, ``retrieval.text``, ``retrieval.models``, ``retrieval.types``, ``retrieval.settings``.
"""
