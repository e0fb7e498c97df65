"""Fetching and extraction against a local news site: clutter gone, metadata right, bad pages refused."""

from __future__ import annotations

import socket

import pytest

from corpus.documents import load_file
from corpus.extract import ExtractionError, canonical_url, decode_html, extract_article, web_doc_id
from corpus.feeds import FeedsFileError, load_feeds_file, read_feed
from corpus.fetch import Fetcher, FetchError
from retrieval.settings import PROJECT_ROOT
from tests.conftest import make_settings
from tests.fakes.news_site import CLUTTER_MARKERS, render_page
from tests.web_fixtures import SEEDS, add_bad_pages


def fetch_article(settings, url: str):
    with Fetcher(settings.fetch.policy()) as f:
        got = f.fetch(url)
    return extract_article(decode_html(got.body, got.charset, url), got.url, source="web")


def test_extraction_drops_the_site_clutter_and_reads_the_metadata(web, tmp_path):
    seed = SEEDS[0]
    article = fetch_article(make_settings(tmp_path), web.seed_urls[0])
    assert article.text.split("\n\n") == [" ".join(p.split()) for p in seed.text.split("\n\n")]  # all, and only, the text
    for marker in CLUTTER_MARKERS + ("Facebook", "Tentang Kami", "Timnas", "Tag:"):
        assert marker not in article.text
    assert (article.title, article.outlet, article.author) == (seed.title, "Kabar Dunia", "Ikhsan Abdul Hakim")
    assert article.published_iso == "2024-11-19T17:31:00+07:00" and article.language == "id"
    assert article.url == web.seed_urls[0] and article.doc_id == web_doc_id(web.seed_urls[0])
    assert article.doc_id.startswith("127-0-0-1_") and article.source == "web"


def test_english_page_and_saved_html_file(web, tmp_path):
    undated = fetch_article(make_settings(tmp_path), web.seed_urls[1])
    assert undated.published is None  # not the footer's "© 2024"
    english = fetch_article(make_settings(tmp_path), web.off_urls[0])  # off_nk_us.md
    assert english.language == "en" and english.author == "Staff reporter" and english.text.startswith("North Korea fired")
    saved = tmp_path / "page.html"
    saved.write_text(render_page(SEEDS[3], "https://www.kompas.com/global/read/2023/09/22/x?utm_source=rss"), encoding="utf-8")
    from_file = load_file(saved)
    assert from_file.url == "https://www.kompas.com/global/read/2023/09/22/x" and from_file.source == "file"
    assert from_file.doc_id == web_doc_id(from_file.url) and from_file.doc_id.startswith("kompas-com_")


def test_canonical_urls_and_doc_ids_are_stable():
    a = "HTTPS://WWW.Example.com/news/1/?utm_source=rss&utm_medium=x&id=7#comments"
    assert canonical_url(a) == "https://www.example.com/news/1?id=7"
    assert web_doc_id(a) == web_doc_id("https://www.example.com/news/1?id=7") != web_doc_id("https://www.example.com/news/2")


def test_encodings_wrong_or_unknown_declarations_fall_back():
    text = "<p>Kunjungan ke Pyongyang — “penting”.</p>"
    assert decode_html(text.encode("utf-8"), "no-such-charset", "u") == text
    assert decode_html(text.encode("utf-8"), "ascii", "u") == text  # declared wrong: UTF-8 decodes it
    assert decode_html(text.encode("utf-8"), "iso-8859-1", "u") == text  # the usual wrong server default
    assert decode_html("<p>café</p>".encode("cp1252"), None, "u") == "<p>café</p>"
    korean = '<meta charset="euc-kr"><p>북한과 러시아</p>'
    assert decode_html(korean.encode("euc-kr"), None, "u") == korean
    with pytest.raises(ExtractionError, match="broken text encoding"):
        decode_html(bytes(range(0x80, 0x100)) * 4, "utf-8", "u")


def test_every_bad_page_gets_a_clear_reason(web, tmp_path):
    expected = add_bad_pages(web.site)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/read/1"
    expected[dead] = "cannot connect"
    settings = make_settings(tmp_path, fetch={"timeout_s": 0.5, "max_bytes": 1_000_000})
    for url, reason in expected.items():
        with pytest.raises((FetchError, ExtractionError)) as info:
            fetch_article(settings, url)
        assert reason in str(info.value) and url in str(info.value), (url, str(info.value))
    assert web.site.stream_ended.wait(30)
    assert web.site.streamed[0] < 20 * 1024 * 1024  # the client hung up near the cap: 50 MB were never read


def test_robots_txt_is_respected_unless_turned_off(web, tmp_path):
    private = web.site.url("/private/0")
    with pytest.raises(FetchError, match="robots.txt"):
        fetch_article(make_settings(tmp_path), private)
    assert "/private/0" not in web.site.hits  # not even requested
    assert fetch_article(make_settings(tmp_path, fetch={"respect_robots": False}), private).title == SEEDS[0].title


def test_robots_txt_also_rules_where_a_redirect_leads(web, tmp_path):
    short = web.site.redirect("/go/0", "/private/0")
    hits = len(web.site.hits)
    with pytest.raises(FetchError, match="robots.txt") as info:
        fetch_article(make_settings(tmp_path), short)
    assert "/private/0" in str(info.value) and "/private/0" not in web.site.hits[hits:]
    allowed = web.site.redirect("/go/1", "/read/0")
    assert fetch_article(make_settings(tmp_path), allowed).title == SEEDS[0].title


def test_feeds_rss_and_atom(web, tmp_path):
    with Fetcher(make_settings(tmp_path).fetch.policy()) as f:
        rss, atom = read_feed(f, web.rss), read_feed(f, web.atom)
        with pytest.raises(FetchError, match="content type text/html"):
            read_feed(f, web.seed_urls[0])
        not_a_feed = web.site.page("/broken.xml", "<html><body>Maaf, halaman tidak ditemukan", "application/xml")
        with pytest.raises(FetchError, match="not a readable RSS/Atom feed"):
            read_feed(f, not_a_feed)
    assert [e.url for e in rss] == web.seed_urls[:3] + web.off_urls[:1]
    assert [e.url for e in atom] == web.seed_urls[3:] + web.off_urls[1:]
    assert {e.feed for e in rss} == {web.rss} and all(e.stamp for e in rss + atom)


def test_feeds_file_example_and_errors(tmp_path):
    feeds = load_feeds_file(PROJECT_ROOT / "feeds.toml")
    assert len(feeds) >= 5 and all(f.url.startswith("https://") for f in feeds)
    bad = tmp_path / "feeds.toml"
    bad.write_text('[[feed]]\nname = "x"\nurl = "ftp://nope"\n', encoding="utf-8")
    with pytest.raises(FeedsFileError, match="feed #1 needs url"):
        load_feeds_file(bad)
    with pytest.raises(FeedsFileError, match="no such feeds file"):
        load_feeds_file(tmp_path / "missing.toml")
