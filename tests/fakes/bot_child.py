"""The bot in a child process, for tests that ``kill -9`` it or read every byte it prints.

``python -m tests.fakes.bot_child [-v] serve`` runs ``bot.cli.main`` (so the logging, redaction,
``run_bot`` and long polling are the real ones) with the answer service replaced by
:class:`tests.fakes.core.FastCore`, set up from ``TESTHOOK_*`` variables:

- ``TESTHOOK_LONG_CHARS``: answers at least this long (several messages);
- ``TESTHOOK_DIGEST_ITEMS``: items in each digest;
- ``TESTHOOK_HANG_MARKER`` / ``TESTHOOK_DIGEST_HANG_MARKER``: a file; the first answer (digest)
  while it does not exist creates it and blocks for good;
- ``TESTHOOK_LEAK``: ``/about`` raises an error whose text holds this value (a bug that
  prints a secret), to show the redaction of tracebacks.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    import bot.telegram.app as app
    from bot.cli import main as cli_main
    from retrieval.settings import Settings
    from tests.fakes.core import FastCore

    def path(name: str) -> Path | None:
        value = os.environ.get(name)
        return Path(value) if value else None

    class LeakyCore(FastCore):
        def stats(self):
            leak = os.environ.get("TESTHOOK_LEAK")
            if leak:
                raise RuntimeError(f"GET http://127.0.0.1/bot{leak}/getChat failed")
            return super().stats()

    def factory(settings: Settings) -> FastCore:
        return LeakyCore(settings, long_chars=int(os.environ.get("TESTHOOK_LONG_CHARS") or 0),
                         digest_items=int(os.environ.get("TESTHOOK_DIGEST_ITEMS") or 3),
                         hang_marker=path("TESTHOOK_HANG_MARKER"), digest_hang_marker=path("TESTHOOK_DIGEST_HANG_MARKER"))

    app.build_application = functools.partial(app.build_application, service_factory=factory)
    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
