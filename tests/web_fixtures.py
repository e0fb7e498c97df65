"""What the fake news site publishes for the web-ingestion tests: the seed articles, off-topic
articles, an RSS and an Atom feed, robots.txt and misbehaving pages. The ``web`` fixture
(tests/conftest.py) serves it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from corpus import ARTICLES_DIR
from retrieval.types import Article
from tests.fakes.news_site import NewsSite, Route, load_articles, render_atom, render_rss

FIXTURES = Path(__file__).parent / "fixtures"

SEEDS = load_articles(ARTICLES_DIR)
OFF_TOPIC = load_articles(FIXTURES / "web")


@dataclass
class Site:
    site: NewsSite
    seed_urls: list[str]
    off_urls: list[str]
    rss: str
    atom: str


def publish(site: NewsSite) -> Site:
    seed_urls = [site.article(f"/read/{i}", a) for i, a in enumerate(SEEDS)]
    off_urls = [site.article(f"/read/{100 + i}", a) for i, a in enumerate(OFF_TOPIC)]
    rss_items = list(zip(seed_urls[:3], SEEDS[:3], strict=True)) + [(off_urls[0], OFF_TOPIC[0])]
    atom_items = list(zip(seed_urls[3:], SEEDS[3:], strict=True)) + list(zip(off_urls[1:], OFF_TOPIC[1:], strict=True))
    rss = site.page("/rss.xml", render_rss(rss_items, site.url("/")), "application/rss+xml; charset=utf-8")
    atom = site.page("/atom.xml", render_atom(atom_items, site.url("/")), "application/atom+xml")
    site.page("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain")
    site.article("/private/0", SEEDS[0])
    return Site(site, seed_urls, off_urls, rss, atom)


def add_bad_pages(site: NewsSite) -> dict[str, str]:
    """Misbehaving pages -> the words their skip reason must contain."""
    good_html = site.routes["/read/0"].body
    site.routes["/slow"] = Route(body=good_html, sleep_s=3.0)
    site.routes["/paper.pdf"] = Route(content_type="application/pdf", body=b"%PDF-1.7 ...")
    site.routes["/huge-declared"] = Route(body=b"<html></html>", declared_length=50 * 1024 * 1024)
    site.routes["/huge-streamed"] = Route(stream_bytes=50 * 1024 * 1024)
    garbage = bytes(range(0x80, 0x100)) * 64  # 0x81, 0x8d... are not cp1252, and not UTF-8 either
    site.routes["/garbled"] = Route(body=b"<html><body><p>" + garbage + b"</p></body></html>")
    site.page("/empty", "<html><head><title>Kosong</title></head><body><nav>Menu</nav></body></html>")
    return {
        site.url("/slow"): "timed out",
        site.url("/paper.pdf"): "content type application/pdf",
        site.url("/huge-declared"): "too large (52,428,800 bytes",
        site.url("/huge-streamed"): "too large (more than",
        site.url("/garbled"): "broken text encoding",
        site.url("/empty"): "no article text",
        site.url("/private/0"): "robots.txt",
    }


def page_of(article: Article) -> str:
    return article.text.split("\n\n")[0]
