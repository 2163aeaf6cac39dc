"""The one HTTP client behind every request personkg sends (SPARQL queries, Graph Store PUT).

Built on urllib3. What it guarantees:

- a total deadline per attempt: a watchdog shuts the socket down when `timeout` seconds have
  passed, whatever the server does (a trickle of one byte a second is cut like silence);
- a cap on the size of an answer (`MAX_RESPONSE_BYTES`), read in chunks: an endless body is cut
  with bounded memory;
- retries on 429/503 as counted by urllib3's `Retry` (Retry-After honoured, else a doubling
  backoff, each wait at most `MAX_WAIT` seconds);
- redirects followed at most `MAX_REDIRECTS` times, only to http(s); the Authorization header
  is sent only to the scheme, host and port it was given for;
- no credential in any message: errors name the endpoint as given (which holds no userinfo,
  see `check_url`), never a redirect target or a header.

It also computes HTTP digest answers (`digest_authorization`, RFC 7616) for the stores that
take no basic authentication (Virtuoso's stock Graph Store endpoint).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import re
import socket
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import takewhile
from typing import Any

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import (
    HTTPError,
    InvalidHeader,
    LocationParseError,
    MaxRetryError,
    NewConnectionError,
    SSLError,
)
from urllib3.exceptions import TimeoutError as Urllib3Timeout
from urllib3.util.retry import Retry

from .errors import RunError

__all__ = ["Client", "Response", "check_url", "MAX_RESPONSE_BYTES", "MAX_REDIRECTS",
           "MAX_WAIT", "RETRY_STATUS", "Challenge", "challenges", "digest_authorization"]

MAX_RESPONSE_BYTES = 512 * 1024 * 1024  # read at each request, so a test can lower it
MAX_REDIRECTS = 5
MAX_WAIT = 60.0
RETRY_STATUS = (429, 503)
REDIRECT_STATUS = (301, 302, 303, 307, 308)
CHUNK = 64 * 1024
ORIGIN_ONLY_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})

_USERINFO = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*@")


def check_url(url: str) -> None:
    """A RunError unless `url` is an http(s) URL with a host, a valid port and no userinfo
    (the message then does not repeat the URL, which holds a password)."""
    if _USERINFO.match(url):
        raise RunError("the endpoint URL holds a user name or password: remove it from the "
                       "URL, put user:password in an environment variable and give its name "
                       "with --auth-env")
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
        urllib3.util.parse_url(url)
    except (ValueError, LocationParseError):
        raise RunError(f"{url}: not a valid URL") from None
    if parts.scheme not in ("http", "https"):
        raise RunError(f"{url}: not an http(s) URL")
    if not parts.hostname or any(c.isspace() or ord(c) < 32 for c in url):
        raise RunError(f"{url}: not a valid URL (no host, or a space or control character)")


def check_limits(timeout: float, retries: int) -> None:
    if not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout > 0):
        raise RunError("timeout must be a finite positive number of seconds", option="timeout")
    if not 0 <= retries <= 10:
        raise RunError("retries must be between 0 and 10", option="retries")


@dataclass(frozen=True)
class Response:
    status: int
    reason: str
    content_type: str
    body: bytes
    attempts: int
    www_authenticate: str = ""  # the challenge(s) of a 401 answer, as sent
    headers: Mapping[str, str] = field(default_factory=dict)  # names in lower case


# ------------------------------------------------------------ the deadline watchdog
_local = threading.local()


class _Watchdog:
    """Shuts down the socket in use when the deadline passes. It holds the socket itself:
    http.client lets go of it on the connection once the headers say the server will close."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self.sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        _local.watchdog = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        _local.watchdog = None

    def attach(self, sock: socket.socket) -> None:
        with self._lock:
            self.sock = sock
            if self.fired:
                self._shutdown()

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            self._shutdown()

    def _shutdown(self) -> None:
        if self.sock is not None:
            # the plain socket's shutdown, also under TLS: any blocked read returns
            with contextlib.suppress(OSError):
                socket.socket.shutdown(self.sock, socket.SHUT_RDWR)


def _watched(connection: HTTPConnection) -> None:
    watchdog = getattr(_local, "watchdog", None)
    if watchdog is not None and connection.sock is not None:
        watchdog.attach(connection.sock)


class _HTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _watched(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watched(self)  # a connection kept alive from an earlier request
        super().request(*args, **kwargs)


class _HTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _watched(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watched(self)
        super().request(*args, **kwargs)


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class _Retry(Retry):
    """urllib3's Retry with today's waits: the server's Retry-After (at most MAX_WAIT; an
    unreadable one is ignored), else backoff, 2×backoff, 4×backoff … from the first retry."""

    def get_backoff_time(self) -> float:
        n = len(list(takewhile(lambda h: h.redirect_location is None, reversed(self.history))))
        return min(self.backoff_factor * 2 ** (n - 1), self.backoff_max) if n else 0.0

    def get_retry_after(self, response: Any) -> float | None:
        try:
            value = super().get_retry_after(response)
        except InvalidHeader:
            return None
        return None if value is None else min(max(0.0, float(value)), MAX_WAIT)


# ------------------------------------------------------------ the client
class Client:
    """Sends requests for one endpoint; `label` (the endpoint URL) starts every message."""

    def __init__(self, label: str, timeout: float, retries: int, backoff: float,
                 sleep: Callable[[float], None]) -> None:
        self.label = label
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self._managers: dict[str | None, urllib3.PoolManager] = {}

    def __repr__(self) -> str:
        return f"Client({self.label!r})"

    def send(self, method: str, url: str, body: bytes | None,
             headers: Mapping[str, str]) -> Response:
        """The final answer (any status) after redirects and retries on 429/503."""
        retry = _Retry(total=None, connect=0, read=0, other=0, status=self.retries,
                       redirect=MAX_REDIRECTS, status_forcelist=RETRY_STATUS,
                       allowed_methods=None, backoff_factor=self.backoff, backoff_max=MAX_WAIT,
                       raise_on_status=False, respect_retry_after_header=True,
                       remove_headers_on_redirect=ORIGIN_ONLY_HEADERS)
        origin = _origin(url)
        send_headers = dict(headers)
        attempts = 0
        while True:
            attempts += 1
            raw, data = self._attempt(method, url, body, send_headers)
            location = raw.headers.get("Location") if raw.status in REDIRECT_STATUS else None
            retrying = location is None and retry.is_retry(method, raw.status, True)
            if location is None and not retrying:
                return _response(raw, data, attempts)
            try:
                retry = retry.increment(method, url, response=raw)
            except MaxRetryError:
                if location is not None:
                    raise RunError(f"{self.label}: more than {MAX_REDIRECTS} redirects") from None
                return _response(raw, data, attempts)
            if location is None:
                wait = retry.get_retry_after(raw)
                self.sleep(retry.get_backoff_time() if wait is None else wait)
                continue
            url = self._redirect_target(url, location)
            if _origin(url) != origin:  # credentials stay with the origin they were given for
                send_headers = {k: v for k, v in send_headers.items()
                                if k.lower() not in retry.remove_headers_on_redirect}
            if raw.status == 303:  # "see other": fetch it; other redirects repeat the request
                method, body = "GET", None
            attempts = 0

    def _redirect_target(self, url: str, location: str) -> str:
        target = urllib.parse.urljoin(url, location)
        if urllib.parse.urlsplit(target).scheme not in ("http", "https"):
            raise RunError(f"{self.label}: the server redirects to a URL that is not http(s)")
        return target

    def _manager(self, url: str) -> urllib3.PoolManager:
        """A pool manager, through the proxy the environment names for this URL (if any)."""
        parts = urllib.parse.urlsplit(url)
        proxy = urllib.request.getproxies().get(parts.scheme)
        if proxy and urllib.request.proxy_bypass(parts.hostname or ""):
            proxy = None
        manager = self._managers.get(proxy)
        if manager is None:
            manager = urllib3.ProxyManager(proxy) if proxy else urllib3.PoolManager()
            manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
            self._managers[proxy] = manager
        return manager

    def _attempt(self, method: str, url: str, body: bytes | None,
                 headers: Mapping[str, str]) -> tuple[urllib3.BaseHTTPResponse, bytes]:
        """One request and its whole answer, within the deadline and the size cap."""
        with _Watchdog(self.timeout) as watchdog:
            raw = None
            try:
                raw = self._manager(url).urlopen(
                    method, url, body=body, headers=dict(headers), retries=False,
                    redirect=False, preload_content=False, assert_same_host=False,
                    timeout=urllib3.Timeout(connect=self.timeout, read=self.timeout))
                data = self._read(raw)
            except (HTTPError, OSError) as exc:
                if raw is not None:
                    raw.close()
                raise self._error(exc, watchdog.fired) from None
            except RunError:
                if raw is not None:
                    raw.close()
                raise
            if watchdog.fired:  # an answer cut short by the watchdog may look complete
                raise self._timeout()
            raw.release_conn()
            return raw, data

    def _read(self, raw: urllib3.BaseHTTPResponse) -> bytes:
        cap = MAX_RESPONSE_BYTES
        length = raw.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > cap:
            raise self._too_big(cap)
        chunks: list[bytes] = []
        size = 0
        for chunk in raw.stream(CHUNK):
            size += len(chunk)
            if size > cap:
                raise self._too_big(cap)
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_big(self, cap: int) -> RunError:
        return RunError(f"{self.label}: the answer is larger than {cap / 2**20:g} MiB; "
                        "stopped reading")

    def _timeout(self) -> RunError:
        return RunError(f"{self.label}: no answer within {self.timeout:g} s",
                        "a longer time limit waits longer", option="timeout")

    def _error(self, exc: BaseException, fired: bool) -> RunError:
        if fired or isinstance(exc, (Urllib3Timeout, TimeoutError)) \
                and not isinstance(exc, NewConnectionError):
            return self._timeout()
        if isinstance(exc, LocationParseError):
            return RunError(f"{self.label}: not a valid URL")
        if isinstance(exc, SSLError):
            return RunError(f"{self.label}: TLS error: {_reason(exc)}")
        return RunError(f"{self.label}: cannot reach the server: {_reason(exc)}")


def _response(raw: urllib3.BaseHTTPResponse, data: bytes, attempts: int) -> Response:
    challenge = ", ".join(raw.headers.getlist("WWW-Authenticate")) if raw.status == 401 else ""
    return Response(raw.status, raw.reason or "", raw.headers.get("Content-Type", ""), data,
                    attempts, challenge, {k.lower(): v for k, v in raw.headers.items()})


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    default = 443 if parts.scheme == "https" else 80
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port or default


def _reason(exc: BaseException) -> str:
    """The innermost OS-level reason (e.g. "Connection refused"), else the last words."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.strerror:
            return seen.strerror
        seen = seen.__cause__ or seen.__context__
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    text = re.sub(r"<[^>]*object at 0x[0-9a-f]+>:?\s*", "", text)
    return text.strip(" :()'\"") or type(exc).__name__


# ------------------------------------------------------------ digest authentication
# urllib3 has no digest authentication, and the libraries that do (requests, httpx) would
# each replace this whole client (its deadline, size cap and origin rules). Digest is a
# few hashes (RFC 7616, section 3.4), so it is done here: MD5 and SHA-256 (and their -sess
# forms), with qop "auth" or, for RFC 2069 servers, no qop. "auth-int" (hashing the body) is
# not offered by the stores we know and is refused.

@dataclass(frozen=True)
class Challenge:
    scheme: str  # lower case: "digest", "basic", ...
    params: dict[str, str]


# a scheme token, then auth-params (name=token or name="quoted string") up to the next scheme
_SCHEME = re.compile(r'\s*,?\s*([A-Za-z][A-Za-z0-9!#$%&\'*+.^_`|~-]*)(?=\s+[^\s=,]+\s*=|\s*,|\s*$)')
_PARAM = re.compile(r'\s*,?\s*([A-Za-z0-9!#$%&\'*+.^_`|~-]+)\s*=\s*'
                    r'(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))')


def challenges(header: str) -> list[Challenge]:
    """The challenges in a WWW-Authenticate value (one or several, comma-separated)."""
    found: list[Challenge] = []
    pos = 0
    while pos < len(header):
        m = _SCHEME.match(header, pos)
        if not m:
            break
        params: dict[str, str] = {}
        pos = m.end()
        while True:
            p = _PARAM.match(header, pos)
            if not p:
                break
            value = p.group(2) if p.group(2) is not None else p.group(3)
            params[p.group(1).lower()] = re.sub(r"\\(.)", r"\1", value)
            pos = p.end()
        found.append(Challenge(m.group(1).lower(), params))
        if pos == m.end() and not params and not header[pos:].strip(" ,"):
            break
    return found


_HASHES = {"md5": "md5", "sha-256": "sha256"}


def digest_authorization(challenge: Challenge, user: str, password: str, method: str,
                         uri: str, nc: int = 1, cnonce: str | None = None) -> str:
    """The Authorization value answering a digest `challenge` for `method` on `uri` (the
    request target: path and query). RunError for an algorithm or qop it does not offer."""
    params = challenge.params
    algorithm = params.get("algorithm", "MD5")
    base, _, sess = algorithm.lower().partition("-sess")
    if base not in _HASHES or sess:
        raise RunError(f"the server asks for digest algorithm {algorithm!r}, which personkg "
                       "does not support (MD5 and SHA-256 are)")
    name = _HASHES[base]

    def h(text: str) -> str:
        return hashlib.new(name, text.encode("utf-8")).hexdigest()

    realm, nonce = params.get("realm", ""), params.get("nonce", "")
    qops = [q.strip().lower() for q in params.get("qop", "").split(",") if q.strip()]
    if qops and "auth" not in qops:
        raise RunError(f"the server asks for digest qop {params['qop']!r}, which personkg does "
                       "not support (auth is)")
    cnonce = cnonce or os.urandom(16).hex()
    ha1 = h(f"{user}:{realm}:{password}")
    if algorithm.lower().endswith("-sess"):
        ha1 = h(f"{ha1}:{nonce}:{cnonce}")
    ha2 = h(f"{method}:{uri}")
    count = f"{nc:08x}"
    fields = [("username", _quoted(user)), ("realm", _quoted(realm)), ("nonce", _quoted(nonce)),
              ("uri", _quoted(uri)), ("algorithm", algorithm)]
    if qops:
        response = h(f"{ha1}:{nonce}:{count}:{cnonce}:auth:{ha2}")
        fields += [("qop", "auth"), ("nc", count), ("cnonce", _quoted(cnonce))]
    else:
        response = h(f"{ha1}:{nonce}:{ha2}")
    fields.append(("response", _quoted(response)))
    if "opaque" in params:
        fields.append(("opaque", _quoted(params["opaque"])))
    return "Digest " + ", ".join(f"{k}={v}" for k, v in fields)


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
