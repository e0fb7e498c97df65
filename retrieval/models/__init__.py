"""Clients of the models: the embedder and the language model, each behind one interface; and
``linear.py``, the one runtime and fit of the fitted logistic scorers (evidence and event models).

May import: ``retrieval.settings``. Nothing else of rnkbot's.
"""
