"""Fetching web pages and feeds politely and safely.

Every request has a time-out (per operation and for the whole download), a size cap that is
enforced while streaming (a 50 MB page is never read into memory), our user agent, a
content-type check, and, when configured, the site's robots.txt. Failures raise
:class:`FetchError` with a message that says what went wrong; callers skip the item.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from .errors import RnkbotError
from .urls import hide_credentials

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml")
ROBOTS_MAX_BYTES = 500_000


class FetchError(RnkbotError, RuntimeError):
    """A page or feed that could not be fetched; the message names the URL and the reason."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(hide_credentials(message))  # a page or feed URL may hold user:password@
        self.status = status


@dataclass(frozen=True)
class Fetched:
    """A downloaded resource: the final URL (after redirects), its media type, charset and bytes."""

    url: str
    media_type: str
    charset: str | None
    body: bytes


def is_web_url(value: str) -> bool:
    return urlsplit(value).scheme in ("http", "https") and bool(urlsplit(value).netloc)


@dataclass(frozen=True)
class FetchPolicy:
    """How politely and how much we fetch (the product's settings fill it in)."""

    timeout_s: float
    max_bytes: int
    user_agent: str
    respect_robots: bool = True


class Fetcher:
    """One HTTP client for a whole run (connection reuse, one robots.txt read per site)."""

    def __init__(self, policy: FetchPolicy) -> None:
        self.timeout_s = policy.timeout_s
        self.max_bytes = policy.max_bytes
        self.user_agent = policy.user_agent
        self.respect_robots = policy.respect_robots
        self._robots: dict[str, RobotFileParser | None] = {}
        self._client = httpx.Client(
            timeout=httpx.Timeout(policy.timeout_s),
            headers={"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"},
            follow_redirects=True,
            max_redirects=5,
            event_hooks={"request": [self._robots_gate]},  # every request, redirects included
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- public ------------------------------------------------------------------
    def fetch(self, url: str, accept: tuple[str, ...] = HTML_TYPES) -> Fetched:
        """Download ``url`` if robots.txt allows it and it is one of the ``accept`` media types."""
        if not is_web_url(url):
            raise FetchError(f"{url}: not an http(s) URL")
        if self.respect_robots and not self.allowed(url):
            raise FetchError(f"{url}: disallowed by the site's robots.txt (set RNKBOT_RESPECT_ROBOTS=false to ignore it)")
        return self._get(url, accept, self.max_bytes)

    def allowed(self, url: str) -> bool:
        """Whether the site's robots.txt lets our user agent fetch ``url`` (no robots.txt: yes)."""
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        if site not in self._robots:
            try:
                self._robots[site] = self._read_robots(site)
            except FetchError as exc:
                raise FetchError(f"{url}: skipped because the site's robots.txt could not be read ({exc})") from exc
        rules = self._robots[site]
        return rules is None or rules.can_fetch(self.user_agent, url)

    # --- internals ---------------------------------------------------------------
    def _robots_gate(self, request: httpx.Request) -> None:
        """robots.txt also rules where a redirect leads (``fetch`` checks the first URL itself)."""
        if not self.respect_robots or request.url.path == "/robots.txt":
            return
        url = str(request.url)
        if not self.allowed(url):
            raise FetchError(f"{url}: disallowed by the site's robots.txt (set RNKBOT_RESPECT_ROBOTS=false to ignore it)")

    def _read_robots(self, site: str) -> RobotFileParser | None:
        try:
            got = self._get(f"{site}/robots.txt", ("text/plain",), ROBOTS_MAX_BYTES, lenient_type=True)
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500:  # no robots.txt (404, 403...): all allowed
                return None
            raise
        rules = RobotFileParser()
        rules.parse(got.body.decode("utf-8", errors="replace").splitlines())
        return rules

    def _get(self, url: str, accept: tuple[str, ...], max_bytes: int, lenient_type: bool = False) -> Fetched:
        deadline = time.monotonic() + self.timeout_s
        try:
            with self._client.stream("GET", url) as resp:
                if resp.status_code >= 400:
                    raise FetchError(f"{url}: HTTP {resp.status_code}", status=resp.status_code)
                media_type = resp.headers.get("content-type", "").split(";")[0].strip().lower()
                if not lenient_type and media_type not in accept:
                    want = " or ".join(accept[:2])
                    raise FetchError(f"{url}: not a page we can read (content type {media_type or 'missing'}, want {want})")
                declared = resp.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError(f"{url}: too large ({int(declared):,} bytes, limit {max_bytes:,}; RNKBOT_FETCH_MAX_BYTES)")
                body = bytearray()
                for piece in resp.iter_bytes():
                    body += piece
                    if len(body) > max_bytes:
                        raise FetchError(f"{url}: too large (more than {max_bytes:,} bytes; RNKBOT_FETCH_MAX_BYTES)")
                    if time.monotonic() > deadline:
                        raise FetchError(f"{url}: download took longer than {self.timeout_s:g} s (RNKBOT_FETCH_TIMEOUT_S)")
                return Fetched(str(resp.url), media_type, resp.charset_encoding, bytes(body))
        except httpx.TimeoutException as exc:
            raise FetchError(f"{url}: timed out after {self.timeout_s:g} s (RNKBOT_FETCH_TIMEOUT_S)") from exc
        except httpx.TooManyRedirects as exc:
            raise FetchError(f"{url}: too many redirects") from exc
        except httpx.TransportError as exc:
            raise FetchError(f"{url}: cannot connect ({type(exc).__name__}: {exc or 'no details'})") from exc
        except httpx.InvalidURL as exc:
            raise FetchError(f"{url}: invalid URL ({exc})") from exc
