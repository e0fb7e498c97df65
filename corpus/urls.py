"""URLs as a message may show them: without the credentials a URL can carry.

A server URL setting may hold ``user:password@`` (``http://user:pw@llm.internal/v1``), and so may a
feed or page URL given to ``rnkbot ingest``. Every log line and error message that names such a
URL goes through :func:`shown_url`; :func:`hide_credentials` is the safety net the log formatter
and the command line apply to whole lines (a library's exception text, a traceback). Imports
nothing of rnkbot's.
"""

from __future__ import annotations

import re

HIDDEN = "***"
# scheme://userinfo@ : the userinfo runs to the last "@" before the path, query or fragment
_SCHEME = r"\b([A-Za-z][A-Za-z0-9+.-]*://)"
_USERINFO = re.compile(_SCHEME + r"[^\s/?#@]*(?:@[^\s/?#@]*)*@")
# A password holding a raw "/" (it should be written %2F, but people paste them as they are):
# "user:pa/ss@host" is no host and path; what follows the colon is no port (digits, then the path).
_SLASHED = re.compile(_SCHEME + r"[^\s/?#@:]+:(?!\d+(?:[/?#]|$))[^\s@]*/[^\s@]*@")


def shown_url(url: str) -> str:
    """``url`` with its userinfo replaced by ``***`` (``http://***@host:1/v1``); a bare host such as
    a Chroma host (``user:pw@chroma``) too. A URL without credentials is returned as it is."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    end = min([i for i in (rest.find(c) for c in "/?#") if i >= 0] or [len(rest)])
    authority = rest[:end]
    if "@" not in authority:
        return hide_credentials(url) if sep else url
    return f"{scheme}{sep}{HIDDEN}@{authority.rpartition('@')[2]}{rest[end:]}"


def hide_credentials(text: str) -> str:
    """Every ``scheme://user:password@`` in ``text`` shown as ``scheme://***@`` (a password with a raw
    "/" too)."""
    if "@" not in text:
        return text
    return _USERINFO.sub(rf"\1{HIDDEN}@", _SLASHED.sub(rf"\1{HIDDEN}@", text))
