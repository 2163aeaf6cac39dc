"""Talking to SPARQL servers: queries through SPARQLWrapper, publishing through the SPARQL 1.1
Graph Store HTTP Protocol, both with timeouts, bounded retries on 429/503 (honouring
Retry-After), a descriptive User-Agent and one-line errors.

Answers are parsed with pyoxigraph into the same objects an embedded query returns, so
`personkg query` prints remote and embedded results the same way.
"""

from __future__ import annotations

import base64
import os
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import pyoxigraph as ox

from .errors import DataError, RunError
from .namespaces import DEFAULT_GRAPH
from .resources import __version__

__all__ = ["Endpoint", "USER_AGENT", "DEFAULT_TIMEOUT", "DEFAULT_RETRIES", "DEFAULT_GRAPH"]

USER_AGENT = (f"personkg/{__version__} (sourced knowledge graphs; "
              "https://pypi.org/project/personkg/) SPARQLWrapper")
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3
RETRY_STATUS = (429, 503)
MAX_WAIT = 60.0

T = TypeVar("T")


@dataclass
class Endpoint:
    """A SPARQL endpoint (or Graph Store endpoint) and how patiently to talk to it."""

    url: str
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    auth_env: str | None = None  # name of an environment variable holding "user:password"
    backoff: float = 1.0  # first wait when the server gives no Retry-After; doubles
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def __post_init__(self) -> None:
        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise RunError(f"{self.url}: not an http(s) URL")

    # ------------------------------------------------------------ credentials
    def credentials(self) -> tuple[str, str] | None:
        if not self.auth_env:
            return None
        value = os.environ.get(self.auth_env)
        if not value:
            raise RunError(f"environment variable {self.auth_env} is not set "
                           "(it should hold user:password)")
        user, sep, password = value.partition(":")
        if not sep:
            raise RunError(f"environment variable {self.auth_env} must hold user:password")
        return user, password

    # ------------------------------------------------------------ retries
    def _wait(self, error: urllib.error.HTTPError, attempt: int) -> float:
        header = error.headers.get("Retry-After") if error.headers else None
        if header:
            header = header.strip()
            if header.isdigit():
                return min(float(header), MAX_WAIT)
            try:
                when = parsedate_to_datetime(header).timestamp()
                return min(max(0.0, when - time.time()), MAX_WAIT)
            except (TypeError, ValueError):
                pass
        return min(self.backoff * 2 ** attempt, MAX_WAIT)

    def _call(self, what: str, call: Callable[[], T]) -> T:
        """Run `call`, retrying on 429/503; every failure becomes a one-line RunError."""
        for attempt in range(self.retries + 1):
            try:
                return call()
            except urllib.error.HTTPError as exc:
                if exc.code in RETRY_STATUS and attempt < self.retries:
                    self.sleep(self._wait(exc, attempt))
                    continue
                tries = f" after {attempt + 1} attempts" if attempt else ""
                raise RunError(f"{self.url}: {what} failed{tries}: HTTP {exc.code} "
                               f"{exc.reason}{_detail(_body(exc))}") from None
            except TimeoutError:
                raise RunError(f"{self.url}: no answer within {self.timeout:g} s",
                               "a longer time limit waits longer", option="timeout") from None
            except urllib.error.URLError as exc:
                reason = exc.reason
                if isinstance(reason, (TimeoutError, socket.timeout)):
                    raise RunError(f"{self.url}: no answer within {self.timeout:g} s",
                                   "a longer time limit waits longer",
                                   option="timeout") from None
                text = getattr(reason, "strerror", None) or str(reason)
                raise RunError(f"{self.url}: cannot reach the server: {text}") from None
            except (ConnectionError, OSError) as exc:
                raise RunError(f"{self.url}: cannot reach the server: "
                               f"{exc.strerror or exc}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    # ------------------------------------------------------------ queries
    def query(self, text: str, graphs: tuple[str, ...] = (), origin: str = "query",
              prefix_lines: int = 0) -> Any:
        """Run a SPARQL query; returns pyoxigraph QuerySolutions, QueryBoolean or a list of
        triples, like an embedded query. `prefix_lines` is how many lines were prepended to
        the user's text (to report syntax error positions in the user's own lines)."""
        from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

        sparql = SPARQLWrapper(self.url, agent=USER_AGENT)
        sparql.setMethod(POST)
        sparql.setTimeout(max(1, round(self.timeout)))
        sparql.setQuery(text)
        for g in graphs:
            sparql.addDefaultGraph(g)
        creds = self.credentials()
        if creds:
            sparql.setCredentials(*creds)
        kind = sparql.queryType
        graph_result = kind in ("CONSTRUCT", "DESCRIBE")
        sparql.setReturnFormat(TURTLE if graph_result else JSON)

        def call() -> tuple[bytes, str]:
            try:
                response = sparql.query().response
            except QueryBadFormed as exc:
                raise DataError(f"{origin}: SPARQL syntax error reported by {self.url}: "
                                f"{_server_message(exc, prefix_lines)}") from None
            except SPARQLWrapperException as exc:
                raise RunError(f"{self.url}: the query failed: "
                               f"{_server_message(exc, prefix_lines)}") from None
            return response.read(), response.headers.get("Content-Type", "")

        body, ctype = self._call("the query", call)
        try:
            if graph_result:
                fmt = ox.RdfFormat.N_TRIPLES if "n-triples" in ctype else ox.RdfFormat.TURTLE
                return [ox.Triple(q.subject, q.predicate, q.object)
                        for q in ox.parse(body, format=fmt)]
            fmt_r = ox.QueryResultsFormat.JSON
            checked = ox.parse_query_results(body, format=fmt_r)
            if isinstance(checked, ox.QuerySolutions):
                for _ in checked:  # read it all once, so a malformed body fails here
                    pass
            return ox.parse_query_results(body, format=fmt_r)
        except (SyntaxError, ValueError, OSError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise RunError(f"{self.url}: malformed response ({ctype or 'no content type'}): "
                           f"{first}") from None

    # ------------------------------------------------------------ graph store
    def put_graph(self, ntriples: str, graph: str | None) -> int:
        """Replace `graph` (None: the default graph) with the given N-Triples; returns the
        HTTP status. PUT replaces, so publishing twice leaves the same graph."""
        target = self.url + ("&" if "?" in self.url else "?") + (
            "graph=" + urllib.parse.quote(graph, safe="") if graph else "default")
        headers = {"Content-Type": "application/n-triples; charset=utf-8",
                   "User-Agent": USER_AGENT}
        creds = self.credentials()
        if creds:
            token = base64.b64encode(":".join(creds).encode("utf-8")).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
        data = ntriples.encode("utf-8")

        def call() -> int:
            req = urllib.request.Request(target, data=data, headers=headers, method="PUT")
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310
                return int(resp.status)

        return self._call("publishing", call)


def _body(exc: urllib.error.HTTPError) -> str:
    try:
        return exc.read().decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - a body we cannot read adds nothing
        return ""


def _detail(body: str) -> str:
    line = " ".join(body.split())
    return f": {line[:300]}" if line else ""


def _server_message(exc: Exception, prefix_lines: int) -> str:
    """The server's own words from a SPARQLWrapper exception, with line numbers shifted back
    to the user's text."""
    text = str(exc)
    m = re.search(r"Response:\s*(?:b['\"])?(.*)", text, re.S)
    body = m.group(1) if m else text
    body = body.encode("utf-8").decode("unicode_escape", "replace") if "\\n" in body else body
    body = " ".join(body.strip().strip("'\"").split())

    def shift(m: re.Match[str]) -> str:
        line = max(1, int(m.group(2)) - prefix_lines)
        return f"{m.group(1)}line {line}, column {m.group(3)}"

    body = re.sub(r"(\bat |\bposition )?(\d+):(\d+)\b", shift, body, count=1)
    return body[:300] or type(exc).__name__
