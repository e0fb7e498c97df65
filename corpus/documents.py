"""Read and write corpus documents: Markdown with a YAML front-matter block, or raw scraped text.

Front matter is split and parsed by python-frontmatter (YAML, every value read as text: a
title like ``Yes`` or ``2024`` is not re-typed; ``null``, ``~`` or nothing is no value). It is
written with every value JSON-quoted (``title: "..."``), which YAML reads back as the same
string, so the committed seed files stay byte for byte what the cleaner makes of the scraped pages.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import frontmatter
import yaml
from pydantic import ValidationError

from .article import Article
from .clean import clean_article
from .errors import RnkbotError

SUFFIXES = (".md", ".txt", ".html", ".htm")
_FIELDS = ("doc_id", "title", "outlet", "published", "author", "language", "url", "source")
_NO_VALUE = ("", "null", "Null", "NULL", "~")


class DocumentError(RnkbotError, ValueError):
    """A file that cannot become an article; the message says which and why."""


class _QuotedYAML(frontmatter.YAMLHandler):
    """YAML front matter with each value written as a JSON string (valid YAML, never re-typed)."""

    def export(self, metadata: dict[str, object], **kwargs: object) -> str:
        return "\n".join(f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in metadata.items())


_HANDLER = _QuotedYAML()


def to_markdown(article: Article) -> str:
    fields = [k for k in _FIELDS if k != "source" or article.source not in (None, "file")]  # 'file' is the default
    values = article.model_dump(mode="json")
    post = frontmatter.Post(article.text.strip(), **{k: values[k] for k in fields})
    return frontmatter.dumps(post, handler=_HANDLER) + "\n"


def _front_matter(text: str, path: Path) -> tuple[dict[str, Any], str]:
    if not _HANDLER.detect(text):
        raise DocumentError(f"{path}: a Markdown article must start with a '---' front-matter block")
    try:
        head, body = _HANDLER.split(text)
    except ValueError as exc:
        raise DocumentError(f"{path}: front matter is not closed with '---'") from exc
    try:
        meta = _HANDLER.load(head, Loader=yaml.BaseLoader) or {}  # BaseLoader: every scalar is text
    except yaml.YAMLError as exc:
        raise DocumentError(f"{path}: front matter is not 'key: value' lines of YAML ({exc})") from exc
    if not isinstance(meta, dict):
        raise DocumentError(f"{path}: front matter must be 'key: value' lines, not a {type(meta).__name__}")
    return {str(k): None if v in _NO_VALUE else v for k, v in meta.items()}, body


def from_markdown(text: str, path: Path) -> Article:
    meta, body = _front_matter(text, path)
    meta.setdefault("doc_id", path.stem)
    if not meta.get("title"):
        raise DocumentError(f"{path}: front matter needs a title")
    if not body.strip():
        raise DocumentError(f"{path}: the article has no text")
    # Front matter is written by people too: the body still goes through the cleaner's paragraph rules.
    known = {k: meta.get(k) for k in _FIELDS if k in meta}
    try:
        return Article(**{**known, "language": known.get("language") or "id", "source": known.get("source") or "file"},
                       text=body.strip())
    except ValidationError as exc:
        first = exc.errors()[0]
        raise DocumentError(f"{path}: front matter {'.'.join(map(str, first['loc']))}: {first['msg']}") from exc


def load_file(path: Path) -> Article:
    """One file -> one article. ``.md`` = front matter + text; ``.txt`` = a scraped page (cleaned);
    ``.html`` = a saved web page (main text extracted; its canonical URL, if any, gives the doc_id)."""
    if path.suffix in (".html", ".htm"):
        return _load_html(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    if path.suffix == ".md":
        return from_markdown(text, path)
    if path.suffix == ".txt":
        try:
            return clean_article(text, path.stem).model_copy(update={"source": "file"})
        except ValueError as exc:
            raise DocumentError(str(exc)) from exc
    raise DocumentError(f"{path}: unsupported file type {path.suffix!r} (use .md, .txt or .html)")


def _load_html(path: Path) -> Article:
    from .extract import ExtractionError, decode_html, extract_article, web_doc_id

    try:
        html = decode_html(path.read_bytes(), None, str(path))
        article = extract_article(html, None, source="file", doc_id=path.stem)
    except ExtractionError as exc:
        raise DocumentError(str(exc)) from exc
    return article.model_copy(update={"doc_id": web_doc_id(article.url)}) if article.url else article


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files under the given paths, in a stable order. Missing paths raise with a clear message."""
    for p in paths:
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.suffix in SUFFIXES and f.is_file() and f.name != "README.md")
        elif p.is_file():
            yield p
        else:
            raise DocumentError(f"{p}: no such file or folder")
