"""The contract tier's shared pieces: the real e5 embedder (once per module) and a Chroma server
(`chroma run` on a free 127.0.0.1 port, once per module)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from retrieval.models.embeddings import VectorEmbeddings, build_embeddings
from tests.conftest import make_settings
from tests.servers import chroma_server as chroma


@pytest.fixture(scope="module")
def embeddings(tmp_path_factory: pytest.TempPathFactory) -> VectorEmbeddings:
    return build_embeddings(make_settings(tmp_path_factory.mktemp("emb")))


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The port of a `chroma run` serving a temporary folder."""
    logs: Path = tmp_path_factory.mktemp("chroma-log")
    try:
        server = chroma(tmp_path_factory.mktemp("chroma-server"), logs / "chroma.log").start()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield server.port
    server.stop()
