"""Scoring question sets against the answer contract (``rnkbot eval``).

May import: anything in ``retrieval`` and ``corpus``.
"""
