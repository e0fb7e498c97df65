"""The index: the Chroma store, ingestion (article → chunks → sentences → vectors), hybrid
search, files/pages/feeds as sources, and the topic filter that guards them.

May import: ``corpus``, ``retrieval.text``, ``retrieval.models``, ``retrieval.types``, ``retrieval.settings``.
"""
