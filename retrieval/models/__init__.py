"""Clients of the models: the embedder and the language model, each behind one interface.

May import: ``retrieval.settings``. Nothing else of rnkbot's.
"""
