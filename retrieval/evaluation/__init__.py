"""Scoring question sets against the answer contract (``rnkbot eval``), fitting the evidence model
(``rnkbot train``), and what ``make bench`` runs beside rnkbot: the usual LangChain recipe as a peer
and a synthetic corpus made from the seeds.

May import: anything in ``retrieval`` and ``corpus``.
"""
