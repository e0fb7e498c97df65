"""Read and write corpus documents: Markdown with a front-matter block, or raw scraped text."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from .article import Article

from .clean import clean_article

SUFFIXES = (".md", ".txt", ".html", ".htm")
_FIELDS = ("doc_id", "title", "outlet", "published", "author", "language", "url", "source")


class DocumentError(ValueError):
    """A file that cannot become an article; the message says which and why."""


def to_markdown(article: Article) -> str:
    fields = [k for k in _FIELDS if k != "source" or article.source not in (None, "file")]  # 'file' is the default
    values = article.model_dump(mode="json")
    head = "\n".join(f"{k}: {json.dumps(values[k], ensure_ascii=False)}" for k in fields)
    return f"---\n{head}\n---\n\n{article.text.strip()}\n"


def _parse_value(raw: str):
    raw = raw.strip()
    if raw in ("", "null", "~"):
        return None
    if raw[0] in "\"'[{" or raw in ("true", "false"):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw.strip("\"'")
    return raw


def from_markdown(text: str, path: Path) -> Article:
    if not text.startswith("---"):
        raise DocumentError(f"{path}: a Markdown article must start with a '---' front-matter block")
    try:
        _, head, body = text.split("---", 2)
    except ValueError as exc:
        raise DocumentError(f"{path}: front matter is not closed with '---'") from exc
    meta: dict = {}
    for line in head.strip().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if ":" not in line:
            raise DocumentError(f"{path}: front-matter line {line!r} is not 'key: value'")
        key, value = line.split(":", 1)
        meta[key.strip()] = _parse_value(value)
    meta.setdefault("doc_id", path.stem)
    if not meta.get("title"):
        raise DocumentError(f"{path}: front matter needs a title")
    if not body.strip():
        raise DocumentError(f"{path}: the article has no text")
    # Front matter is written by people too: the body still goes through the cleaner's paragraph rules.
    known = {k: meta.get(k) for k in _FIELDS if k in meta}
    return Article(**{**known, "language": known.get("language") or "id", "source": known.get("source") or "file"},
                   text=body.strip())


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
