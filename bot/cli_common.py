"""What the ``rnkbot`` commands share: the service they answer from (:func:`_service`: built, its
index built when empty, then checked) and :class:`UsageError`.
"""

from __future__ import annotations

import sys

from corpus.errors import RnkbotError
from retrieval.settings import Settings


class UsageError(RnkbotError):
    """Arguments that do not fit together; the message says which."""


def _service(settings: Settings, *, with_llm: bool = True):
    from retrieval.service import AnswerService

    service = AnswerService.build(settings, with_llm=with_llm)
    report = service.ensure_index(progress=sys.stderr.isatty())
    if report is not None:
        print(f"index built: {report.summary()}", file=sys.stderr)
    service.check_index()  # an index still empty: say how to fill it before any question
    return service
