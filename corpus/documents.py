"""Read and write corpus documents: Markdown with a YAML front-matter block, or raw scraped text.

Front matter is split and parsed by python-frontmatter (YAML, every value read as text: a
title like ``Yes`` or ``2024`` is not re-typed; ``null``, ``~`` or nothing is no value). It is
written with every value JSON-quoted (``title: "..."``), which YAML reads back as the same
string, so the committed seed files stay byte for byte what the cleaner makes of the scraped pages.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import frontmatter
import yaml
from pydantic import ValidationError

from .article import Article
from .clean import clean_article
from .errors import RnkbotError
from .language import article_language

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
        language = known.get("language") or article_language(body, otherwise="id")
        return Article(**{**known, "language": language, "source": known.get("source") or "file"},
                       text=body.strip())
    except ValidationError as exc:
        first = exc.errors()[0]
        raise DocumentError(f"{path}: front matter {'.'.join(map(str, first['loc']))}: {first['msg']}") from exc


MANIFEST_NAME = "manifest.jsonl"
# What a manifest may say about an article: descriptive metadata only.
_MANIFEST_FIELDS = ("title", "outlet", "published", "author", "language", "url")


@lru_cache(maxsize=16)
def _read_manifest(path: Path, mtime: float) -> dict[str, dict]:
    out: dict[str, dict] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:  # a bad file is reported and skipped, as an article that is not UTF-8 is
        at = exc.object[:exc.start].count(b"\n") + 1
        raise DocumentError(f"{path}:{at}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x}): save it as UTF-8") from None
    for no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DocumentError(f"{path}:{no}: not a JSON object ({exc.msg})") from exc
        if not isinstance(record, dict) or not isinstance(record.get("doc_id"), str):
            raise DocumentError(f"{path}:{no}: a manifest line needs a string 'doc_id'")
        out[record["doc_id"]] = {k: record[k] for k in _MANIFEST_FIELDS if record.get(k) not in (None, "")}
    return out


def manifest_entry(path: Path) -> dict:
    """Metadata for the article file ``path`` from a ``manifest.jsonl`` beside it or in its parent
    folder (one JSON object a line, keyed by ``doc_id`` = the file's stem), the way collected
    articles often come: url, outlet, published, author, language, title. Empty if there is none."""
    for folder in (path.parent, path.parent.parent):
        manifest = folder / MANIFEST_NAME
        if manifest.is_file():
            entry = _read_manifest(manifest, manifest.stat().st_mtime).get(path.stem)
            if entry is not None:
                return entry
    return {}


def load_file(path: Path) -> Article:
    """One file -> one article. ``.md`` = front matter + text; ``.txt`` = a scraped page (cleaned);
    ``.html`` = a saved web page (main text extracted; its canonical URL, if any, gives the doc_id).
    A ``manifest.jsonl`` beside the file (see :func:`manifest_entry`) overrides what was read."""
    article = _load_one(path)
    entry = manifest_entry(path)
    return Article.model_validate(article.model_dump() | entry) if entry else article


def _load_one(path: Path) -> Article:
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
