"""Files, pages and feeds into the real Chroma with the real embedder: topic filter, duplicates,
updates, bad items, idempotent re-runs, an interrupted write, writes waiting for answers, the CLI."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from bot.cli import main
from corpus import ARTICLES_DIR
from corpus.documents import to_markdown
from corpus.extract import web_doc_id
from retrieval.digest.builder import DigestBuilder
from retrieval.index.ingest import Ingester
from retrieval.index.opening import open_store
from retrieval.index.sources import SourceIngester
from retrieval.index.topic import TopicFilter
from retrieval.models.embeddings import build_embeddings
from tests.conftest import make_settings
from tests.fakes.news_site import render_page
from tests.web_fixtures import OFF_TOPIC, SEEDS, add_bad_pages


@pytest.fixture(scope="module")
def embeddings(tmp_path_factory):
    return build_embeddings(make_settings(tmp_path_factory.mktemp("emb")))


@pytest.fixture
def make_sources(tmp_path, embeddings):
    def make(**overrides) -> SourceIngester:
        settings = make_settings(tmp_path / "data", **overrides)
        store = open_store(settings, embeddings)
        return SourceIngester(settings, Ingester(store), TopicFilter(embeddings))

    return make


def chunk_ids(store, doc_id: str) -> set[str]:
    return set(store.chunk_ids(doc_id))


def test_feeds_bring_on_topic_articles_with_their_metadata_and_a_rerun_changes_nothing(web, make_sources):
    sources = make_sources()
    store = sources.ingester.store
    first = sources.run(feeds=[web.rss, web.atom])
    assert sorted(first.added) == sorted(web_doc_id(u) for u in web.seed_urls)
    assert sorted(url for url, _ in first.skipped) == sorted(web.off_urls)
    assert all(why.startswith("off topic") for _, why in first.skipped)
    meta = store.article_record(web_doc_id(web.seed_urls[0]))
    assert (meta["url"], meta["source"], meta["language"], meta["title"]) == (web.seed_urls[0], web.rss, "id", SEEDS[0].title)
    assert meta["content_hash"] and meta["text_hash"] and meta["outlet"] == "Kabar Dunia"
    dates = {m.doc_id: m.published_iso for m in store.articles()}
    assert dates[web_doc_id(web.seed_urls[0])] == "2024-11-19T17:31:00+07:00"  # the page's own date wins
    assert dates[web_doc_id(web.seed_urls[1])] == "2024-11-18T03:00:00+00:00"  # undated page: the feed's pubDate
    ids_before = store.chunk_ids()
    hits_before = len(web.site.hits)

    again = sources.run(feeds=[web.rss, web.atom])  # the same process: unchanged entries are not re-read
    assert (again.added, again.updated, again.duplicates, again.skipped) == ([], [], [], [])
    assert len(again.unchanged) == len(web.seed_urls) + len(web.off_urls)
    assert sorted(web.site.hits[hits_before:]) == ["/atom.xml", "/robots.txt", "/rss.xml"]  # no article page

    fresh = make_sources().run(feeds=[web.rss, web.atom])  # a new process reads every page again
    assert (fresh.added, fresh.updated, len(fresh.unchanged)) == ([], [], len(web.seed_urls))
    assert store.chunk_ids() == ids_before


def test_duplicates_same_url_twice_and_same_text_under_two_urls(web, make_sources):
    sources = make_sources()
    copy_url = web.site.article("/copy/0", SEEDS[1], site="Portal Lain")  # another site copied the article
    tracked = web.seed_urls[1] + "?utm_source=whatsapp"
    report = sources.run([web.seed_urls[1], tracked, copy_url])
    assert report.added == [web_doc_id(web.seed_urls[1])]
    assert report.duplicates == [(copy_url, f"same text as {web_doc_id(web.seed_urls[1])}")]
    assert not chunk_ids(sources.ingester.store, web_doc_id(copy_url))
    # a file whose front matter names a stored article's URL is that article again
    article = SEEDS[2].model_copy(update={"text": SEEDS[2].text + "\n\nSatu kalimat tambahan dari berkas."})
    sources.run([web.seed_urls[2]])
    f = sources.settings.store.data_dir.parent / "copy.md"
    f.write_text(to_markdown(article.model_copy(update={"url": web.seed_urls[2]})), encoding="utf-8")
    by_file = sources.run([f])
    assert by_file.duplicates == [(str(f), f"same URL as {web_doc_id(web.seed_urls[2])}")]


def test_an_updated_page_replaces_its_old_chunks(web, make_sources):
    sources = make_sources()
    store = sources.ingester.store
    url, doc_id = web.seed_urls[0], web_doc_id(web.seed_urls[0])
    sources.run([url])
    old_ids = chunk_ids(store, doc_id)
    short = SEEDS[0].model_copy(update={"text": "\n\n".join(SEEDS[0].text.split("\n\n")[:3])
                                        + "\n\nRalat: Kozlov bertemu Kim Jong-un di Pyongyang pada Senin, bukan Selasa."})
    web.site.page("/read/0", render_page(short, url))
    report = sources.run([url])
    assert report.updated == [doc_id]
    new_ids = chunk_ids(store, doc_id)
    assert new_ids < old_ids and len(new_ids) < len(old_ids)  # the extra old chunks are gone
    texts = " ".join(store.chunk_texts(doc_id))
    assert "Ralat: Kozlov" in texts and "10.000 pasukan" not in texts
    sents = [s.text for s in store.sentences_of([doc_id])]
    assert any("Ralat" in s for s in sents) and not any("10.000 pasukan" in s for s in sents)


def test_bad_items_are_skipped_with_reasons_and_the_run_goes_on(web, make_sources):
    expected = add_bad_pages(web.site)
    sources = make_sources(fetch={"timeout_s": 0.5, "max_bytes": 1_000_000})
    urls = list(expected) + [web.seed_urls[3]]
    report = sources.run(urls)
    assert report.added == [web_doc_id(web.seed_urls[3])]
    reasons = dict(report.skipped)
    for url, words in expected.items():
        assert words in reasons[url], (url, reasons[url])


def test_an_interrupted_write_is_healed_by_the_next_run(web, make_sources, monkeypatch):
    sources = make_sources()
    store = sources.ingester.store
    url, doc_id = web.seed_urls[4], web_doc_id(web.seed_urls[4])

    def crash(*args, **kwargs):
        raise RuntimeError("power cut between the sentence and the chunk writes")

    with monkeypatch.context() as m:
        m.setattr(store, "write_chunks", crash)
        with pytest.raises(RuntimeError, match="power cut"):
            sources.run([url])
    assert not chunk_ids(store, doc_id)  # retrieval cannot reach the half-written article
    healed = sources.run([url])
    assert healed.added == [doc_id] and store.is_complete(doc_id, store.doc_hash(doc_id))

    # an update cut short after the new chunks, before the stale ones were dropped
    before = chunk_ids(store, doc_id)
    shorter = ("\n\n".join(SEEDS[4].text.split("\n\n")[:4])
               + "\n\nKalimat baru ini menggantikan seluruh sisa artikel yang lama tadi.")
    web.site.page("/read/4", render_page(SEEDS[4].model_copy(update={"text": shorter}), url))
    with monkeypatch.context() as m:
        m.setattr(store, "drop_stale", lambda *a, **kw: (_ for _ in ()).throw(RuntimeError("killed")))
        with pytest.raises(RuntimeError, match="killed"):
            sources.run([url])
    assert not store.is_complete(doc_id, store.doc_hash(doc_id))
    second = sources.run([url])
    assert second.updated == [doc_id] and store.is_complete(doc_id, store.doc_hash(doc_id))
    assert chunk_ids(store, doc_id) < before
    assert sources.run([url]).unchanged == [doc_id]


def test_files_bypass_the_topic_filter_unless_asked(tmp_path, make_sources):
    sources = make_sources()
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "off_nk_us.md").write_text(to_markdown(OFF_TOPIC[0]), encoding="utf-8")
    seed = ARTICLES_DIR / f"{SEEDS[0].doc_id}.md"
    (folder / seed.name).write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
    filtered = sources.run([folder], filter_files=True)
    assert filtered.added == [SEEDS[0].doc_id]
    assert filtered.skipped == [(str(folder / "off_nk_us.md"), "off topic: Russia is hardly named")]
    trusted = sources.run([folder])
    assert trusted.added == ["off_nk_us"] and trusted.unchanged == [SEEDS[0].doc_id]


def test_cli_ingest_prints_the_summary_with_one_line_per_problem(web, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    pdf = web.site.page("/report.pdf", b"%PDF-1.7", "application/pdf")
    code = main(["ingest", "--quiet", web.seed_urls[0], pdf, "--feed", web.rss])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0] == "3 added, 0 updated, 0 unchanged, 0 duplicates, 2 skipped"
    assert out[1] == (f"  skipped {pdf}: {pdf}: not a page we can read "
                      "(content type application/pdf, want text/html or application/xhtml+xml)")
    assert out[2].startswith(f"  skipped {web.off_urls[0]}: off topic") and len(out) == 3
    assert main(["ingest", "--quiet", web.seed_urls[0], "--feed", web.rss]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "0 added, 0 updated, 3 unchanged, 0 duplicates, 1 skipped"
    assert main(["ingest", "--feeds", str(tmp_path / "none.toml")]) == 2
    assert "no such feeds file" in capsys.readouterr().err


class _WatchedLock:
    """A lock that tells when someone starts waiting for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.waiting = threading.Event()

    def __enter__(self):
        self.waiting.set()
        self._lock.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self._lock.release()

    def hold(self) -> None:
        self._lock.acquire()

    def let_go(self) -> None:
        self._lock.release()


def test_writes_wait_for_the_answering_lock(web, tmp_path, embeddings):
    """While a question is being answered (the lock held), an article is prepared but not written."""
    settings = make_settings(tmp_path / "data")
    store = open_store(settings, embeddings)
    lock = _WatchedLock()
    sources = SourceIngester(settings, Ingester(store, write_lock=lock), TopicFilter(embeddings))
    lock.hold()  # an answer in progress
    worker = threading.Thread(target=sources.run, args=([web.seed_urls[2]],))
    worker.start()
    assert lock.waiting.wait(60), "the ingester never reached the write"
    assert store.count() == 0 and store.sentence_count() == 0  # nothing of the article is visible yet
    lock.let_go()
    worker.join(60)
    doc_id = web_doc_id(web.seed_urls[2])
    assert not worker.is_alive() and store.is_complete(doc_id, store.doc_hash(doc_id) or "")


def test_articles_from_a_feed_reach_the_digest_grouped_and_linked(web, make_sources):
    """The RSS feed carries the three reports of Kozlov's visit: all reach the digest, linked to their
    pages, as one item (the third opens with the June treaty and reports the visit further down)."""
    sources = make_sources()
    before = datetime.now(UTC) - timedelta(minutes=1)
    sources.run(feeds=[web.rss])
    digest = DigestBuilder(sources.settings, sources.ingester.store, None).build(
        before, datetime.now(UTC) + timedelta(minutes=1), "id")
    assert digest.articles == 3
    assert sorted(str(c.url) for c in digest.citations) == sorted(web.seed_urls[:3])
    biggest = max(digest.items, key=lambda item: len(item.sources))
    cited = {c.n: str(c.url) for c in digest.citations}
    assert "Kozlov" in biggest.summary
    assert sorted(cited[n] for n in biggest.sources) == sorted(web.seed_urls[:3])
