"""Turn a scraped news page (plain text, as copied from the site) into a clean :class:`Article`.

Every article goes through this before it is chunked: menus, "Baca Juga" links, ads,
share and comment prompts, photo captions and sign-offs never reach the index.
Metadata (title, outlet, date, author) is read from the text where the text gives it;
what the text does not give stays ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

from .article import Article
from .dates import MONTH_NUMBERS
from .language import article_language

# Lines that are site furniture, whatever the outlet. Matched against the whole stripped line.
BOILERPLATE = [
    r"baca (juga|berita)\b.*",
    r"(simak|gabung|ikuti|follow|dapatkan) .*(whatsapp|channel|telegram|google news|instagram|update).*",
    r"close ads( x)?",
    r"(berita|artikel) (lainnya|terkait|terpopuler|pilihan)",
    r"(video )?terpopuler",
    r"terkini lainnya",
    r"follow us",
    r"komentar",
    r"bagikan( artikel ini)?( melalui)?.*",
    r"oke",
    r"login untuk .*",
    r"direkomendasikan",
    r"tentang blog:.*",
    r"tinggalkan (balasan|komentar)",
    r"alamat email anda .*",
    r"sumber ?: .*",
    r"editor ?: .*",
    r"penulis",
    r"(share|tweet|advertisement|iklan|scroll to continue.*|loading\.*)",
    r"(copyright|hak cipta|©).*",
]
_BOILERPLATE_RE = re.compile(r"^(?:" + "|".join(BOILERPLATE) + r")$", re.IGNORECASE)

# A photo caption ends with its credit in parentheses: "(Foto: KCNA via KNS/AFP)", "(Sumber: ... AP)".
_CAPTION_RE = re.compile(r"\((?:foto|sumber|photo|source|dok|dokumentasi)\s*:[^)]*\)\s*$", re.IGNORECASE)
# Dateline at the start of the first paragraph: "PYONGYANG, KOMPAS.TV - ", "KONTAN.CO.ID - SEOUL. "
_DATELINE_RE = re.compile(
    r"^(?:[A-Z][A-Z .]{2,30},\s*)?[A-Za-z]*[A-Z]{2,}[A-Za-z.]*(?:\.[A-Za-z]{2,})+\s*[-–—]\s*(?:[A-Z]{3,}[.,]\s+)?"
    r"|^[A-Z][A-Z .]{2,30},\s*[A-Z][A-Za-z.]+\s*[-–—]\s+"
)
_SIGNOFF_RE = re.compile(r"\s*\[[a-z]{1,4}(?:/[a-z]{1,4})+\]\s*$")
_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+){3,}$")

OUTLETS: list[tuple[str, str]] = [
    (r"\bkompas\.?tv\b|\bkompas tv\b", "Kompas TV"),
    (r"\bkompas\.com\b", "Kompas.com"),
    (r"\bkontan\.co\.id\b", "Kontan"),
    (r"^web fakta", "Web Fakta"),
    (r"\bvoaindonesia\b|\bvoa indonesia\b", "VOA Indonesia"),
    (r"\bcnnindonesia\b|\bcnn indonesia\b", "CNN Indonesia"),
    (r"\btempo\.co\b", "Tempo"),
    (r"\bdetik\.?com\b", "detikcom"),
    (r"\bantaranews\b|\bantara\b", "Antara"),
    (r"\bcnbc indonesia\b", "CNBC Indonesia"),
]

_TZ = {"wib": 7, "wita": 8, "wit": 9, "utc": 0, "gmt": 0}

_DATE_TEXT = re.compile(
    r"(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})(?:,?\s+(\d{1,2})[:.](\d{2})\s*(WIB|WITA|WIT|UTC|GMT)?)?", re.IGNORECASE
)
_DATE_NUM = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:,?\s+(\d{1,2})[:.](\d{2})\s*(WIB|WITA|WIT|UTC|GMT)?)?", re.IGNORECASE)


def _iso(y: int, mo: int, d: int, hh: str | None, mm: str | None, tz: str | None) -> str | None:
    try:
        if hh is None:
            return datetime(y, mo, d).date().isoformat()
        offset = timezone(timedelta(hours=_TZ.get((tz or "wib").lower(), 7)))
        return datetime(y, mo, d, int(hh), int(mm or 0), tzinfo=offset).isoformat()
    except ValueError:
        return None


def parse_header_date(line: str) -> str | None:
    """A publication date stated in a page header line ("Kompas.tv - 19 November 2024, 17:31 WIB")."""
    m = _DATE_TEXT.search(line)
    if m and m.group(2).lower() in MONTH_NUMBERS:
        return _iso(int(m.group(3)), MONTH_NUMBERS[m.group(2).lower()], int(m.group(1)), m.group(4), m.group(5), m.group(6))
    m = _DATE_NUM.search(line)
    if m:
        return _iso(int(m.group(3)), int(m.group(2)), int(m.group(1)), m.group(4), m.group(5), m.group(6))
    return None


def is_boilerplate(line: str) -> bool:
    s = line.strip()
    return bool(_BOILERPLATE_RE.match(s)) or bool(_SLUG_RE.match(s))


def detect_outlet(text: str) -> str | None:
    head = "\n".join(text.strip().splitlines()[:15]).lower()
    for pattern, name in OUTLETS:
        if re.search(pattern, head, re.MULTILINE):
            return name
    return None


def _is_titleish(line: str) -> bool:
    ws = line.split()
    if len(ws) < 4 or len(ws) > 25 or line.rstrip().endswith((".", "?", "!", ":")):
        return False
    caps = sum(w[:1].isupper() or w[:1].isdigit() for w in ws)
    return caps / len(ws) >= 0.6


# A paragraph this long is article text even when it does not end like a sentence (an excerpt cut off
# mid-word, a page whose paragraphs were scraped into one line).
LONG_PARAGRAPH_WORDS = 40
# Scrapers glue paragraphs together: "...hari Jumat.Dalam pidatonya..." and a photo credit stuck to the
# dateline: "... (Sumber: KCNA)JAKARTA - Pemimpin ...".
_GLUED_SENTENCE = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])|(?<=[a-z]{2}[.!?][\"”])(?=[A-Z])")
_GLUED_CAPTION = re.compile(r"(?<=\))(?=[A-Z]{3,}[A-Za-z.]*\s*[-–—]\s)")


def _unglue(line: str) -> list[str]:
    """A scraped line split where a caption was glued to the text, with spaces put back between
    sentences glued at their full stop."""
    return [_GLUED_SENTENCE.sub(" ", part).strip() for part in _GLUED_CAPTION.split(line) if part.strip()]


def _is_body(line: str) -> bool:
    n = len(line.split())
    return n >= LONG_PARAGRAPH_WORDS or (n >= 8 and line.rstrip().endswith((".", "!", "?", '"', "”", ")", "]")))


def _strip_glued_outlet(line: str, outlet: str | None) -> str:
    # "Web FaktaPemimpin Korea Utara ..." -> "Pemimpin Korea Utara ..." (site name glued to the text)
    if outlet and line.startswith(outlet) and len(line) > len(outlet) and line[len(outlet)].isupper():
        return line[len(outlet) :]
    return line


def _headline(raw: str, outlet: str | None) -> str | None:
    """A plain-text article's first line when it stands alone above a blank line and reads like a
    headline (short, not ending like a sentence): the usual way a saved article gives its title.
    A scraped page's first line is often its site's menu instead ("Kompas TV internasional …")."""
    first, sep, _ = raw.strip().partition("\n\n")
    line = first.strip()
    if not sep or "\n" in line or not (3 <= len(line.split()) <= 30) or line.endswith((".", ":", "+")):
        return None
    if is_boilerplate(line) or (outlet and outlet.lower() in line.lower()):
        return None
    return line


def clean_article(raw: str, doc_id: str, *, language: str | None = None, url: str | None = None) -> Article:
    """Clean a scraped article and read its metadata; its ``language``, when not given, from its text
    (Indonesian, the corpus's own, when too few words tell). Raises ``ValueError`` when no body
    text is left."""
    outlet = detect_outlet(raw)
    raw = raw.replace("\r\n", "\n")
    lines = [part for ln in raw.split("\n") for part in _unglue(ln.strip())]

    title: str | None = _headline(raw, outlet)
    author: str | None = None
    published: str | None = None
    body: list[str] = []
    seen: set[str] = set()
    for i, line in enumerate(lines):
        line = _strip_glued_outlet(line, outlet)
        if not body:  # still in the page header: the byline comes before it is thrown away as furniture
            m = re.match(r"^(?:penulis|oleh|by|reporter)\s*:\s*([^|]+)", line, re.IGNORECASE)
            if m:
                author = author or m.group(1).strip()
                continue
            if i + 1 < len(lines) and lines[i + 1].lower() == "penulis" and 2 <= len(line.split()) <= 5:
                author = author or line
                continue
        if is_boilerplate(line):
            continue
        if not body:
            if published is None and len(line) < 80 and (date := parse_header_date(line)):
                published = date
                continue
            if _CAPTION_RE.search(line):
                continue
            if not _is_body(line):
                if title is None and _is_titleish(line):
                    title = line
                continue
        if _CAPTION_RE.search(line) or not _is_body(line):
            continue  # captions, sub-headings, stray widgets
        if not body:
            line = _DATELINE_RE.sub("", line, count=1)
        line = _SIGNOFF_RE.sub("", line)
        key = re.sub(r"\W+", " ", line.lower()).strip()
        if key in seen:
            continue  # some pages repeat a paragraph (pull quotes, "highlights")
        seen.add(key)
        body.append(line)

    if not body:
        raise ValueError(f"{doc_id}: no article text left after cleaning (is this a news article?)")
    if title is None:
        title = body[0][:120]
    return Article(
        doc_id=doc_id, title=title, outlet=outlet, published=published, author=author,
        language=language or article_language("\n\n".join(body), otherwise="id"), url=url, text="\n\n".join(body),
    )


def clean_paragraphs(paragraphs: Iterable[str], title: str | None = None) -> list[str]:
    """Body paragraphs of an article that an extractor (trafilatura) already isolated, minus the
    furniture it lets through: ad labels, "Baca Juga" lines, captions, a repeated title, a dateline
    and a sign-off, sub-headings and repeated paragraphs."""
    out: list[str] = []
    seen: set[str] = {re.sub(r"\W+", " ", title.lower()).strip()} if title else set()
    for raw in paragraphs:
        line = " ".join(raw.split())
        if not line or is_boilerplate(line) or _CAPTION_RE.search(line) or not _is_body(line):
            continue
        if not out:
            line = _DATELINE_RE.sub("", line, count=1)
        line = _SIGNOFF_RE.sub("", line)
        key = re.sub(r"\W+", " ", line.lower()).strip()
        if key in seen:
            continue
        seen.add(key)
        out.append(line)
    return out
