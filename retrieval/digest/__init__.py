"""The daily digest: new articles grouped into events, each summarised in one cited line.

May import: ``retrieval.answering`` (its verifier), ``retrieval.index``, ``retrieval.text``,
``retrieval.models``, ``retrieval.types``, ``retrieval.settings``, ``prompts``, ``corpus``.
"""
