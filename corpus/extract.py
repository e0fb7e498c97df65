"""HTML page -> clean :class:`Article` with trafilatura, then the corpus cleaner.

trafilatura isolates the main text (menus, ads, "Baca Juga" boxes, share bars, comment
forms and footers go) and reads the metadata: title, outlet (site name), author, date,
canonical URL. :func:`corpus.clean.clean_paragraphs` then drops what it lets through
(ad labels, captions, datelines). Web articles get a doc_id derived from the canonical URL.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .article import Article
from .clean import clean_paragraphs
from .errors import RnkbotError
from .language import article_language
from .urls import shown_url

MIN_WORDS = 40  # shorter "articles" are teasers, paywalls or error pages
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid)$", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)
_PUBLISHED = re.compile(r"""<meta[^>]+(?:property|name)=["'](?:article:published_time|pubdate|datePublished)["'][^>]*"""
                        r"""content=["']([^"']+)["']""", re.IGNORECASE)
_HTML_LANG = re.compile(r"""<html[^>]*\blang=["']?([A-Za-z]{2})""", re.IGNORECASE)


class ExtractionError(RnkbotError, ValueError):
    """A page that holds no usable article; the message says why."""


def decode_html(body: bytes, declared: str | None, url: str) -> str:
    """Bytes -> text: UTF-8 if the bytes are valid UTF-8 (servers often declare ISO-8859-1 for UTF-8
    pages, and Latin-1 decodes anything), else the declared charset, the page's <meta charset>, cp1252.

    A wrong or unknown declaration falls through to the next candidate; bytes that no candidate
    decodes raise :class:`ExtractionError` ("broken encoding")."""
    meta = _META_CHARSET.search(body[:4096])
    candidates = ["utf-8", declared, meta.group(1).decode("ascii", errors="replace") if meta else None, "cp1252"]
    for name in dict.fromkeys(c.lower() for c in candidates if c):
        try:
            codecs.lookup(name)
            return body.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    raise ExtractionError(
        f"{shown_url(url)}: broken text encoding (neither {declared or 'the declared charset'}, UTF-8 nor cp1252 decode it)")


def canonical_url(url: str) -> str:
    """A stable form of a URL: lower-case scheme and host, no fragment, no tracking parameters,
    no trailing slash."""
    parts = urlsplit(url.strip())
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)])
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


def web_doc_id(url: str) -> str:
    """``kompas-com_3f2a9c81d0b4`` for a page of kompas.com: the host for people, a hash of the
    canonical URL for uniqueness. The same URL always gets the same id."""
    canon = canonical_url(url)
    host = urlsplit(canon).hostname or "web"
    host = re.sub(r"^www\.", "", host)
    slug = re.sub(r"[^a-z0-9]+", "-", host).strip("-")[:40]
    return f"{slug}_{hashlib.sha256(canon.encode('utf-8')).hexdigest()[:12]}"


def _iso_date(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().replace("Z", "+00:00")
    return value if re.match(r"^\d{4}-\d{2}-\d{2}", value) else None


def extract_article(html: str, url: str | None, *, source: str, doc_id: str | None = None) -> Article:
    """The article on an HTML page. ``url`` is where it was fetched (``None`` for a file);
    the page's canonical URL wins when it gives one."""
    import trafilatura  # imported here: it loads lxml and its extractors
    from trafilatura.settings import Document

    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True,
        # dates from the page's markup only: the text heuristics take "© 2024" in a footer for a date
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    where = url or doc_id or "page"
    if not isinstance(doc, Document) or not doc.text:  # None: nothing found (a dict only comes with as_dict=True)
        raise ExtractionError(f"{where}: no article text found on the page")
    title = (doc.title or "").strip()
    paragraphs = clean_paragraphs(doc.text.split("\n"), title=title or None)
    if sum(len(p.split()) for p in paragraphs) < MIN_WORDS:
        raise ExtractionError(f"{where}: no article text found on the page (fewer than {MIN_WORDS} words of body text)")
    found_at = doc.url or url
    canon = canonical_url(found_at) if found_at else None
    published = _PUBLISHED.search(html)
    lang_hint = _HTML_LANG.search(html[:2000])
    text = "\n\n".join(paragraphs)
    return Article(
        doc_id=doc_id or (web_doc_id(canon) if canon else "page"),
        title=title or paragraphs[0][:120],
        outlet=(doc.sitename or "").strip() or (urlsplit(canon).hostname if canon else None),
        published=_iso_date(published.group(1) if published else None) or _iso_date(doc.date),
        author=(doc.author or "").strip() or None,
        # too few function words to tell: the page's lang attribute, else "und"
        language=article_language(text, otherwise=lang_hint.group(1).lower() if lang_hint else "und"),
        url=canon,
        source=source,
        text=text,
    )
