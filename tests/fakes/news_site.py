"""A fake news site on 127.0.0.1 for the web-ingestion tests.

Article pages are rendered from front-matter Markdown (the seed corpus and a few off-topic
fixtures) inside the clutter of a real Indonesian news site: menu, ads, "Baca Juga" boxes,
share bar, comment form, related links, footer. The site also serves an RSS and an Atom feed,
a robots.txt, and misbehaving pages (slow, huge, PDF, broken encoding, empty).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from corpus.documents import load_file
from retrieval.types import Article

MENU = ["Nasional", "Internasional", "Ekonomi", "Olahraga", "Tekno", "Otomotif", "Hiburan", "Video"]
CLUTTER_MARKERS = ("Baca Juga", "Bagikan artikel", "Tinggalkan Komentar", "Hak Cipta", "Berita Terpopuler",
                   "Langganan newsletter", "Close Ads")


def render_page(article: Article, url: str, *, site: str = "Kabar Dunia") -> str:
    """A news page around ``article`` with the usual furniture of an Indonesian outlet."""
    paras = article.text.split("\n\n")
    body: list[str] = []
    for i, para in enumerate(paras):
        body.append(f"<p>{escape(para)}</p>")
        if i == 1:
            body.append('<div class="baca-juga"><strong>Baca Juga:</strong> '
                        '<a href="/read/99">Harga Cabai Naik Jelang Akhir Tahun</a></div>')
        if i == 3:
            body.append('<div class="ads">Advertisement<br>Close Ads X<br>Scroll to continue with content</div>')
    published = f'<meta property="article:published_time" content="{article.published_iso}">' if article.published else ""
    author = f'<meta name="author" content="{escape(article.author)}">' if article.author else ""
    byline = f'<div class="byline">Penulis: {escape(article.author)}</div>' if article.author else ""
    menu = "".join(f'<li><a href="/{m.lower()}">{m}</a></li>' for m in MENU)
    return f"""<!DOCTYPE html>
<html lang="{article.language}"><head><meta charset="utf-8">
<title>{escape(article.title)} - {escape(site)}</title>
<link rel="canonical" href="{escape(url, quote=True)}">
<meta property="og:site_name" content="{escape(site, quote=True)}">
<meta property="og:title" content="{escape(article.title, quote=True)}">
{published}{author}
</head><body>
<header><div class="logo">{escape(site)}</div><nav><ul>{menu}</ul></nav>
<div class="search"><form><input name="q" placeholder="Cari berita"></form></div></header>
<div class="ads top">Advertisement</div>
<main><article>
<h1>{escape(article.title)}</h1>{byline}
<div class="share">Bagikan artikel ini: <a href="#">Facebook</a> <a href="#">Twitter</a> <a href="#">WhatsApp</a></div>
<div class="content">{''.join(body)}</div>
<div class="tags">Tag: <a href="/tag/1">Internasional</a> <a href="/tag/2">Politik</a></div>
</article>
<section class="comments"><h3>Tinggalkan Komentar</h3><form><textarea name="c"></textarea>
<input name="email" placeholder="Alamat email Anda tidak akan dipublikasikan"><button>Kirim</button></form></section>
<aside class="related"><h3>Berita Terpopuler</h3><ul>
<li><a href="/read/101">Timnas Menang 2-0 atas Lawan di Laga Uji Coba</a></li>
<li><a href="/read/102">Langganan newsletter kami untuk berita pilihan setiap pagi</a></li></ul></aside>
</main>
<footer><p>Hak Cipta © 2024 {escape(site)}. Seluruh hak dilindungi.</p><ul><li>Tentang Kami</li><li>Redaksi</li>
<li>Pedoman Media Siber</li></ul></footer>
</body></html>"""


def _rfc822(article: Article) -> str:
    dt = article.published
    return format_datetime(dt) if dt and dt.tzinfo else "Mon, 18 Nov 2024 10:00:00 +0700"


def render_rss(items: list[tuple[str, Article]], link: str) -> str:
    entries = "".join(
        f"<item><title>{escape(a.title)}</title><link>{escape(u)}</link><guid>{escape(u)}</guid>"
        f"<pubDate>{_rfc822(a)}</pubDate><description>{escape(a.text[:200])}</description></item>"
        for u, a in items
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Kabar Dunia - Internasional'
            f"</title><link>{escape(link)}</link><description>Berita dunia</description>{entries}</channel></rss>")


def render_atom(items: list[tuple[str, Article]], link: str) -> str:
    entries = "".join(
        f'<entry><title>{escape(a.title)}</title><link href="{escape(u, quote=True)}"/><id>{escape(u)}</id>'
        f"<updated>2024-11-18T10:00:00Z</updated><summary>{escape(a.text[:200])}</summary></entry>"
        for u, a in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>World Desk</title>'
            f'<link href="{escape(link, quote=True)}"/><id>{escape(link)}</id><updated>2024-11-18T10:00:00Z</updated>'
            f"{entries}</feed>")


@dataclass
class Route:
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    body: bytes = b""
    sleep_s: float = 0.0
    stream_bytes: int = 0  # a body written in 1 MB pieces, no Content-Length
    declared_length: int | None = None  # a Content-Length header that the body does not match
    location: str | None = None  # a redirect target (with status 301/302)


@dataclass
class NewsSite:
    """The routes of the fake site; tests add and change them while it runs."""

    routes: dict[str, Route] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)
    base_url: str = ""
    streamed: list[int] = field(default_factory=list)  # bytes written by each streamed body before it ended
    stream_ended: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def page(self, path: str, html: str | bytes, content_type: str = "text/html; charset=utf-8") -> str:
        self.routes[path] = Route(content_type=content_type, body=html.encode("utf-8") if isinstance(html, str) else html)
        return self.url(path)

    def redirect(self, path: str, target: str) -> str:
        self.routes[path] = Route(status=302, location=self.url(target))
        return self.url(path)

    def article(self, path: str, article: Article, site: str = "Kabar Dunia") -> str:
        return self.page(path, render_page(article, self.url(path), site=site))


class _Handler(BaseHTTPRequestHandler):
    site: NewsSite

    def log_message(self, format: str, *args) -> None:
        pass

    def do_GET(self) -> None:
        self.site.hits.append(self.path)
        route = self.site.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        if route.sleep_s:
            time.sleep(route.sleep_s)
        self.send_response(route.status)
        self.send_header("Content-Type", route.content_type)
        if route.location:
            self.send_header("Location", route.location)
        if route.stream_bytes:
            self.end_headers()
            piece = b"<p>" + b"x" * (1 << 20) + b"</p>"
            sent = 0
            try:
                for _ in range(route.stream_bytes // len(piece) + 1):
                    self.wfile.write(piece)
                    sent += len(piece)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client hung up: what we want a size cap to do
            finally:
                self.site.streamed.append(sent)
                self.site.stream_ended.set()
            return
        length = route.declared_length if route.declared_length is not None else len(route.body)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        try:
            self.wfile.write(route.body)
        except (BrokenPipeError, ConnectionResetError):
            return


class SiteServer:
    """``with SiteServer() as site:`` serves ``site.routes`` on 127.0.0.1 in a thread."""

    def __init__(self) -> None:
        self.site = NewsSite()
        handler = type("Handler", (_Handler,), {"site": self.site})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.site.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> NewsSite:
        self._thread.start()
        return self.site

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def load_articles(folder: Path) -> list[Article]:
    return [load_file(p) for p in sorted(folder.glob("*.md"))]
