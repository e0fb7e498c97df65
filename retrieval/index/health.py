"""The index's health: a missing, empty or damaged index, a failed write, and a rebuild.

Every failure of the store reaches a user as a :class:`~retrieval.index.store.StoreError`
(an :class:`~corpus.errors.RnkbotError`: one line in the CLI, a short reply in the bot) whose
message says what happened and how to fix it, never as a Chroma or SQLite traceback:

- **damaged or unreadable** (Chroma's SQLite file overwritten or truncated, its log unreadable):
  ``rnkbot ingest --rebuild``. :func:`reading` translates; ``open_store`` probes the store
  when it opens it, so the damage shows at start-up rather than at the first question.
- **the lexical index damaged** (its SQLite file overwritten): it is derived data, so
  :func:`open_lexical` sets the file aside and starts a new one, which the change log fills
  (:meth:`~retrieval.index.store.ChunkStore.sync_lexical`); a file that cannot be opened at all
  (read-only, a folder) is a :class:`StoreError` naming the setting.
- **empty** (no corpus was found to build it from): :func:`empty_error`.
- **a write that failed** (disk full, a file-size limit, a quota): :func:`writing` tells a full
  disk from other failures (by the OS error if Chroma passes it on, else by a 16 MB test
  write next to the index) and says that the index as it was still answers: Chroma writes
  each batch in one SQLite transaction, and rnkbot writes an article's sentences before the
  chunks that make it reachable, so an interrupted write leaves nothing half-visible.

:func:`rebuilt_index` builds a new index beside the old one and swaps it in only when the new
one is complete: a rebuild that fails (or is killed) leaves the old index in place. With a
Chroma server the new collections are built under a temporary name and renamed. The lexical
file is rebuilt beside the old one too and moved in after the Chroma index.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import chromadb
from chromadb.errors import ChromaError

from corpus.urls import shown_url
from retrieval.index.lexical import LexicalIndex
from retrieval.index.opening import _chroma_settings
from retrieval.index.store import ChunkStore, StoreError
from retrieval.models.embeddings import VectorEmbeddings
from retrieval.settings import Settings, StoreSettings

log = logging.getLogger(__name__)

REBUILD = "rnkbot ingest --rebuild"
STORE_FAILURES: tuple[type[BaseException], ...] = (ChromaError, sqlite3.Error)
DISK_FULL = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT})
PROBE_BYTES = 16 << 20  # more than Chroma writes at once; written only after a write failed
STAGING_SUFFIX = ".rebuild"  # the new index while it is built
OLD_SUFFIX = ".old"  # the old index while the new one is moved in


def location(store: StoreSettings) -> str:
    """Where the index lives, as a user would look for it."""
    if store.chroma_host:
        return f"the Chroma server at {shown_url(store.chroma_host)}:{store.chroma_port}"
    return str(store.chroma_dir)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"


def damaged_error(where: str, exc: BaseException) -> StoreError:
    return StoreError(f"the index at {where} is damaged or unreadable ({_reason(exc)}). Rebuild it from the articles "
                      f"with `{REBUILD}`; subscriptions and the bot's memory are kept.")


def empty_error(where: str) -> StoreError:
    return StoreError(f"the index at {where} holds no articles. Build it with `{REBUILD}` (from RNKBOT_CORPUS_DIR) "
                      "or add articles with `rnkbot ingest PATH_OR_URL...`.")


def disk_full(directory: Path, exc: BaseException | None = None) -> str | None:
    """Why writing in ``directory`` fails for lack of space, or ``None`` if it does not seem to.

    Chroma reports a failed write as "Error in compaction" without the OS error, so when the
    error chain does not name one, a 16 MB file is written (and removed) beside the index."""
    seen = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in DISK_FULL:
            return os.strerror(seen.errno)
        seen = seen.__cause__ or seen.__context__
    directory.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryFile(dir=directory) as probe:
            probe.write(b"\0" * PROBE_BYTES)
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as probe_error:
        if probe_error.errno in DISK_FULL:
            return f"{os.strerror(probe_error.errno)} (a 16 MB test write beside the index failed too)"
        raise
    return None


def write_error(where: str, directory: Path, exc: BaseException) -> StoreError:
    full = disk_full(directory, exc)
    if full:
        return StoreError(f"could not write the index at {where}: {full}. Everything stored before is intact and "
                          "still answers; free some disk space, then run the ingest again (it picks up where it stopped).")
    return StoreError(f"could not write the index at {where} ({_reason(exc)}). What was stored before still answers; "
                      f"run the ingest again, and if it fails the same way, `{REBUILD}`.")


@contextlib.contextmanager
def reading(store: StoreSettings) -> Iterator[None]:
    """Store failures inside the block become a :class:`StoreError` that names the fix."""
    try:
        yield
    except STORE_FAILURES as exc:
        raise damaged_error(location(store), exc) from exc


@contextlib.contextmanager
def writing(store: StoreSettings) -> Iterator[None]:
    """Like :func:`reading`, for writes: a full disk is named as such."""
    try:
        yield
    except STORE_FAILURES as exc:
        raise write_error(location(store), store.data_dir, exc) from exc
    except OSError as exc:
        if exc.errno not in DISK_FULL:
            raise
        raise write_error(location(store), store.data_dir, exc) from exc


def recover_interrupted_swap(store: StoreSettings) -> None:
    """A rebuild killed between its two renames leaves the old index under ``chroma.old``: put it back."""
    final = store.chroma_dir
    old = final.with_name(final.name + OLD_SUFFIX)
    if not final.exists() and old.exists():
        old.rename(final)
        log.warning("the index was restored from %s (a rebuild had been interrupted)", old)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def forget_client(path: Path) -> None:
    """Drop Chroma's cached client system for ``path``. Chroma keeps one system per directory for
    the whole process, and keeps it even when starting it failed (a damaged file): every later
    client for that directory then fails with "'RustBindingsAPI' object has no attribute
    'bindings'", or reads files a rebuild has since moved away. A long-running bot must be able
    to open the directory afresh once the index is rebuilt. (Chroma has no public call for it.)"""
    from chromadb.api.shared_system_client import SharedSystemClient

    key = str(path)
    system = SharedSystemClient._identifier_to_system.pop(key, None)
    SharedSystemClient._identifier_to_refcount.pop(key, None)
    if system is not None:
        # A system that never started (a damaged file) fails to stop with "'RustBindingsAPI' object
        # has no attribute 'bindings'"; one whose files a rebuild moved may fail with a ChromaError.
        with contextlib.suppress(AttributeError, ChromaError, sqlite3.Error, OSError):
            system.stop()


def close_client(client: object) -> None:
    """Release a Chroma client's files (``Client.close``, Chroma 1.5+), so its directory can be moved."""
    close = getattr(client, "close", None)
    if close is not None:
        close()


def _sqlite_files(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("", "-wal", "-shm")]


def open_lexical(store: StoreSettings) -> LexicalIndex:
    """The lexical index at ``RNKBOT_LEXICAL_DB``; a damaged file is moved to ``*.damaged`` and a new
    one started (the change log refills it at the next question)."""
    path = store.lexical_db_path
    fix = "Check RNKBOT_LEXICAL_DB or RNKBOT_DATA_DIR: the file must be writable (it is rebuilt from Chroma when deleted)."
    try:
        return LexicalIndex(path, store.lexical_snapshot_min_chunks)
    except sqlite3.OperationalError as exc:  # read-only, locked for too long, a folder, no permission
        raise StoreError(f"cannot open the lexical index {path}: {exc}. {fix}") from exc
    except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed"
        log.warning("the lexical index %s is damaged (%s): set aside as %s.damaged and rebuilt from the change log",
                    path, exc, path.name)
        try:
            for damaged in _sqlite_files(path):
                if damaged.exists():
                    damaged.replace(damaged.with_name(damaged.name.replace(path.name, path.name + ".damaged", 1)))
        except OSError as move_error:
            raise StoreError(f"the lexical index {path} is damaged ({exc}) and cannot be set aside ({move_error}). "
                             f"Delete it (it is rebuilt from Chroma). {fix}") from exc
    except OSError as exc:
        raise StoreError(f"cannot open the lexical index {path}: {exc}. {fix}") from exc
    try:
        return LexicalIndex(path, store.lexical_snapshot_min_chunks)
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(f"cannot start a new lexical index at {path}: {exc}. {fix}") from exc


def _swap_lexical(staging: LexicalIndex | None, final: Path) -> None:
    """Move the rebuilt lexical file in place of the old one (processes that had the old one open
    keep reading it until they open the index again)."""
    if staging is None or not isinstance(staging.path, Path):
        return
    staging.close()  # the last connection: SQLite folds the WAL into the file
    for old in _sqlite_files(final)[1:]:
        old.unlink(missing_ok=True)
    staging.path.replace(final)


def _drop_lexical(staging: LexicalIndex | None) -> None:
    if staging is None or not isinstance(staging.path, Path):
        return
    staging.close()
    for leftover in _sqlite_files(staging.path):
        leftover.unlink(missing_ok=True)


def _staging_lexical(store_settings: StoreSettings) -> LexicalIndex:
    final = store_settings.lexical_db_path
    path = final.with_name(final.name + STAGING_SUFFIX)
    for leftover in _sqlite_files(path):  # left by an earlier rebuild that failed or was killed
        leftover.unlink(missing_ok=True)
    try:
        return LexicalIndex(path)  # a staging file: the snapshot follows the final one
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(f"cannot write the new lexical index {path}: {exc}. Check RNKBOT_LEXICAL_DB or "
                         "RNKBOT_DATA_DIR (it must be writable).") from exc


@contextlib.contextmanager
def rebuilt_index(settings: Settings, embeddings: VectorEmbeddings) -> Iterator[ChunkStore]:
    """An empty store to fill; when the block ends without error and the store holds articles,
    it replaces the index. Otherwise the old index stays as it was and the new one is dropped."""
    store_settings = settings.store
    if store_settings.chroma_host:
        with _rebuilt_on_server(settings, embeddings) as store:
            yield store
        return
    final = store_settings.chroma_dir
    staging = final.with_name(final.name + STAGING_SUFFIX)
    old = final.with_name(final.name + OLD_SUFFIX)
    _remove(staging)  # left by an earlier rebuild that failed or was killed
    recover_interrupted_swap(store_settings)
    staging.mkdir(parents=True)
    client = None
    lexical: LexicalIndex | None = None
    try:
        with writing(store_settings):
            lexical = _staging_lexical(store_settings)
            client = chromadb.PersistentClient(path=str(staging), settings=_chroma_settings(store_settings))
            store = ChunkStore(client, embeddings, store_settings.collection, lexical)
            yield store
            if store.count() == 0:
                raise StoreError(f"the rebuild found no articles to index, so the index at {final} was left as it was. "
                                 "Check RNKBOT_CORPUS_DIR or give files, folders or URLs to ingest.")
    except BaseException:
        close_client(client)
        _remove(staging)
        _drop_lexical(lexical)
        raise
    close_client(client)
    forget_client(staging)
    forget_client(final)  # a system left from reading (or failing to read) the old index
    _remove(old)
    if final.exists() or final.is_symlink():
        final.rename(old)
    staging.rename(final)
    _remove(old)
    _swap_lexical(lexical, store_settings.lexical_db_path)  # a kill before this: the old file catches up by the log
    log.info("index rebuilt at %s", final)


@contextlib.contextmanager
def _rebuilt_on_server(settings: Settings, embeddings: VectorEmbeddings) -> Iterator[ChunkStore]:
    """On a Chroma server: build ``<name>__rebuild*`` collections, then drop ``<name>*`` and rename."""
    store_settings = settings.store
    name, staging = store_settings.collection, f"{store_settings.collection}__rebuild"
    where = location(store_settings)
    assert store_settings.chroma_host is not None, "rebuilt_index takes this path only for a server"
    try:
        client = chromadb.HttpClient(host=store_settings.chroma_host, port=store_settings.chroma_port,
                                     settings=_chroma_settings(store_settings))
    except (ValueError, OSError) as exc:
        raise StoreError(f"cannot reach {where}: {exc}. Check CHROMA_HOST/CHROMA_PORT (and RNKBOT_CHROMA_AUTH_TOKEN).") from exc

    def names() -> list[str]:
        return [c if isinstance(c, str) else c.name for c in client.list_collections()]

    for leftover in [n for n in names() if n.startswith(staging)]:
        client.delete_collection(leftover)
    lexical: LexicalIndex | None = None
    try:
        with writing(store_settings):
            lexical = _staging_lexical(store_settings)
            store = ChunkStore(client, embeddings, staging, lexical, server=where)
            yield store
            if store.count() == 0:
                raise StoreError(f"the rebuild found no articles to index, so the index at {where} was left as it was. "
                                 "Check RNKBOT_CORPUS_DIR or give files, folders or URLs to ingest.")
    except BaseException:
        _drop_lexical(lexical)
        for leftover in [n for n in names() if n.startswith(staging)]:
            client.delete_collection(leftover)
        raise
    with writing(store_settings):
        built = [n for n in names() if n.startswith(staging)]
        for current in [n for n in names() if (n == name or n.startswith(name + "_")) and not n.startswith(staging)]:
            client.delete_collection(current)
        for new in built:
            client.get_collection(new).modify(name=name + new[len(staging):])
    _swap_lexical(lexical, store_settings.lexical_db_path)
    log.info("index rebuilt on %s", where)
