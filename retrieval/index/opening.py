"""Opening the index: a Chroma client, embedded (``PersistentClient``) or a server
(``HttpClient``), with its settings, and the :class:`~retrieval.index.store.ChunkStore` over it,
checked on opening (:mod:`retrieval.index.health` says what a failure means).
"""

from __future__ import annotations

import chromadb
import httpx
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError

from corpus.urls import shown_url
from retrieval.index.store import ChunkStore, StoreError
from retrieval.models.embeddings import VectorEmbeddings
from retrieval.settings import Settings, StoreSettings


def _chroma_settings(store: StoreSettings) -> ChromaSettings:
    if store.chroma_host and store.chroma_auth_token:
        return ChromaSettings(
            anonymized_telemetry=False, allow_reset=False,
            chroma_client_auth_provider="chromadb.auth.token_authn.TokenAuthClientProvider",
            chroma_client_auth_credentials=store.chroma_auth_token.get_secret_value(),
            chroma_auth_token_transport_header=store.chroma_auth_header,
        )
    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def open_store(settings: Settings, embeddings: VectorEmbeddings) -> ChunkStore:
    """The index, checked on opening: a damaged one raises a :class:`StoreError` naming the fix
    (``rnkbot ingest --rebuild``) here, not a Chroma traceback at the first question. A damaged
    lexical file (derived data) is set aside and rebuilt from Chroma's change log."""
    from retrieval.index import health  # it builds on this module

    store = settings.store
    where = f"{shown_url(store.chroma_host)}:{store.chroma_port}" if store.chroma_host else str(store.chroma_dir)
    client: chromadb.ClientAPI
    open_failures: tuple[type[BaseException], ...] = (ValueError, OSError, *health.STORE_FAILURES)
    try:
        if store.chroma_host:
            client = chromadb.HttpClient(host=store.chroma_host, port=store.chroma_port, settings=_chroma_settings(store))
        else:
            health.recover_interrupted_swap(store)
            store.chroma_dir.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=str(store.chroma_dir), settings=_chroma_settings(store))
    except open_failures as exc:
        if not store.chroma_host:
            health.forget_client(store.chroma_dir)
        if isinstance(exc, health.STORE_FAILURES):
            raise health.damaged_error(health.location(store), exc) from exc
        fix = ("Check CHROMA_HOST/CHROMA_PORT (and RNKBOT_CHROMA_AUTH_TOKEN)" if store.chroma_host
               else f"Check RNKBOT_DATA_DIR, or `{health.REBUILD}`")
        raise StoreError(f"cannot open the Chroma index at {where}: {exc}. {fix}.") from exc
    lexical = health.open_lexical(store)
    try:
        if not store.chroma_host:
            with health.reading(store):
                chunk_store = ChunkStore(client, embeddings, store.collection, lexical)
                chunk_store.count(), chunk_store.sentence_count()  # damage in Chroma's log shows on the first read
            return chunk_store
        try:
            return ChunkStore(client, embeddings, store.collection, lexical, server=where)
        except (httpx.HTTPError, ChromaError, ValueError) as exc:  # down, refused, or the token rejected
            raise StoreError(f"cannot reach the Chroma server at {where}: {exc}. "
                             "Is it running? Check CHROMA_HOST/CHROMA_PORT (and RNKBOT_CHROMA_AUTH_TOKEN).") from exc
    except StoreError:
        lexical.close()
        if not store.chroma_host:
            health.close_client(client)
            health.forget_client(store.chroma_dir)
        raise
