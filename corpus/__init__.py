"""The article corpus: cleaned articles in ``articles/`` and the code every article goes through."""

from pathlib import Path

ARTICLES_DIR = Path(__file__).resolve().parent / "articles"
