"""``rnkbot`` in a child process with the hashed-bag embedder (no model is loaded), for tests that
``kill -9`` it, fill its disk, or read every byte it prints.

``python -m tests.fakes.cli_child ARGS...`` runs ``bot.cli.main(ARGS)``. Hooks, from ``TESTHOOK_*``:

- ``TESTHOOK_PAUSE_BEFORE_CHUNKS=N``: before the chunks of the N-th batch of articles are written
  (their sentences are already in), write the batch's doc ids to ``TESTHOOK_MARKER`` and wait to
  be killed;
- ``TESTHOOK_FSIZE=BYTES``: no file may grow beyond BYTES (``RLIMIT_FSIZE``, with SIGXFSZ
  ignored so a write fails with EFBIG instead of killing the process): a full disk;
- ``TESTHOOK_BUG``: ``AnswerService.ask`` raises an error whose text holds this value.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrieval.index.records import ArticleWrite


def main(argv: list[str]) -> int:
    import retrieval.service as service_module
    from bot.cli import main as cli_main
    from retrieval.index.store import ChunkStore
    from tests.fakes.embeddings import FakeEmbeddings

    service_module.build_embeddings = lambda settings: FakeEmbeddings()  # type: ignore[assignment,return-value]

    pause = int(os.environ.get("TESTHOOK_PAUSE_BEFORE_CHUNKS") or 0)
    if pause:
        real = ChunkStore.write_chunks
        written = [0]

        def write_chunks(self: ChunkStore, writes: Sequence[ArticleWrite]) -> list[str]:
            written[0] += 1
            if written[0] == pause:
                Path(os.environ["TESTHOOK_MARKER"]).write_text("\n".join(w.meta.doc_id for w in writes), encoding="utf-8")
                while True:
                    time.sleep(60)
            return real(self, writes)

        ChunkStore.write_chunks = write_chunks  # type: ignore[method-assign]

    limit = int(os.environ.get("TESTHOOK_FSIZE") or 0)
    if limit:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    bug = os.environ.get("TESTHOOK_BUG")
    if bug:
        def ask(self, question, **kwargs):
            raise RuntimeError(f"internal error near {bug}")

        service_module.AnswerService.ask = ask  # type: ignore[method-assign]
    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
