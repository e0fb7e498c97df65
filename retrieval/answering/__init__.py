"""Answering: question → evidence → phrasing → verification → cited answer (or refusal).

May import: ``retrieval.index``, ``retrieval.text``, ``retrieval.models``, ``retrieval.types``,
``retrieval.settings``, ``prompts``, ``corpus``.
"""
