"""The answering core: from indexed articles to cited answers and digests.

Sub-packages, in pipeline order (each may import those before it, and ``corpus``; never ``bot``):

- ``text``       language tools: sentences, tokens, stems, numbers, the EN→ID glossary.
- ``models``     clients of the embedder and the language model (LangChain interfaces).
- ``index``      the Chroma store, ingestion (article → chunks → sentences), hybrid search,
                 web/feed sources and the topic filter.
- ``answering``  question analysis, evidence choice, phrasing, verification, the answerer.
- ``digest``     events and the daily digest (it reuses answering's verification).
- ``evaluation`` scoring question sets (``rnkbot eval``).

``types`` holds the typed chain, ``settings`` the one settings object, ``service`` the
composition root that CLI and bot share.
"""
