"""The article corpus: the ``Article`` type and everything that produces one.

Reading files (``documents``), cleaning scraped text (``clean``), fetching pages (``fetch``),
extracting articles from HTML (``extract``) and reading feeds (``feeds``); the seed articles
live in ``articles/``. Beside them, what every later stage shares: the language detector
(``language``), the month and day names (``dates``), the JSONL reader (``jsonl``) and the base
of user-facing errors (``errors``). This package imports nothing else of rnkbot's:
``retrieval`` and ``bot`` build on it, never the other way round.
"""

from pathlib import Path

ARTICLES_DIR = Path(__file__).resolve().parent / "articles"
