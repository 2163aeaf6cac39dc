"""Talking to SPARQL servers: queries with the SPARQL 1.1 Protocol (POST, form-encoded) and
publishing with the SPARQL 1.1 Graph Store HTTP Protocol, both through the one HTTP client in
`httpclient` (a total deadline per request, a cap on the answer's size, bounded retries on
429/503 honouring Retry-After, credentials only to their own origin), with a descriptive
User-Agent and one-line errors.

Answers are parsed with pyoxigraph into the same objects an embedded query returns, so
`personkg query` prints remote and embedded results the same way.
"""

from __future__ import annotations

import base64
import os
import re
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from .errors import DataError, RunError
from .httpclient import MAX_WAIT, RETRY_STATUS, Client, Response, check_limits, check_url
from .namespaces import DEFAULT_GRAPH
from .resources import __version__

__all__ = ["Endpoint", "USER_AGENT", "user_agent", "DEFAULT_TIMEOUT", "DEFAULT_RETRIES",
           "DEFAULT_GRAPH", "MAX_WAIT", "RETRY_STATUS", "query_form"]

USER_AGENT = (f"personkg/{__version__} (sourced knowledge graphs; "
              "https://pypi.org/project/personkg/) urllib3")


def user_agent(contact: str | None = None) -> str:
    """The User-Agent header: with a contact (an e-mail address or URL), in the form
    Wikimedia's User-Agent policy asks for, `personkg/<version> (<contact>) urllib3`."""
    if not contact:
        return USER_AGENT
    return f"personkg/{__version__} ({contact}) urllib3"


DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3
ACCEPT_RESULTS = ("application/sparql-results+json, application/json;q=0.9, "
                  "application/sparql-results+xml;q=0.8")
ACCEPT_GRAPH = "text/turtle, application/n-triples;q=0.9"

# The first query form keyword, skipping IRIs, strings and comments (which may hold one).
_FORM = re.compile(
    r"<[^<>\"{}|^`\\\s]*>"
    r"|'''.*?'''|\"\"\".*?\"\"\""
    r"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\""
    r"|\#[^\n]*"
    r"|\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b",
    re.S | re.I)


@dataclass
class Endpoint:
    """A SPARQL endpoint (or Graph Store endpoint) and how patiently to talk to it."""

    url: str
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    auth_env: str | None = None  # name of an environment variable holding "user:password"
    backoff: float = 1.0  # first wait when the server gives no Retry-After; doubles
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    contact: str | None = None  # e-mail address or URL for the User-Agent
    client: Client = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_url(self.url)
        check_limits(self.timeout, self.retries)
        self.client = Client(self.url, self.timeout, self.retries, self.backoff,
                             lambda seconds: self.sleep(seconds))

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

    def _send(self, method: str, url: str, body: bytes, headers: dict[str, str]) -> Response:
        headers = {"User-Agent": user_agent(self.contact), **headers}
        creds = self.credentials()
        if creds:
            token = base64.b64encode(":".join(creds).encode("utf-8")).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
        return self.client.send(method, url, body, headers)

    def _refused(self, what: str, resp: Response) -> RunError:
        tries = f" after {resp.attempts} attempts" if resp.attempts > 1 else ""
        return RunError(f"{self.url}: {what} failed{tries}: HTTP {resp.status} {resp.reason}"
                        f"{_detail(resp.body.decode('utf-8', 'replace'))}")

    # ------------------------------------------------------------ queries
    def query(self, text: str, graphs: tuple[str, ...] = (), origin: str = "query",
              prefix_lines: int = 0) -> Any:
        """Run a SPARQL query; returns pyoxigraph QuerySolutions, QueryBoolean or a list of
        triples, like an embedded query. `prefix_lines` is how many lines were prepended to
        the user's text (to report syntax error positions in the user's own lines)."""
        graph_result = query_form(text) in ("CONSTRUCT", "DESCRIBE")
        form = [("query", text)] + [("default-graph-uri", g) for g in graphs]
        resp = self._send("POST", self.url, urllib.parse.urlencode(form).encode("utf-8"), {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": ACCEPT_GRAPH if graph_result else ACCEPT_RESULTS})
        if resp.status == 400:
            raise DataError(f"{origin}: SPARQL syntax error reported by {self.url}: "
                            f"{_server_message(resp.body, prefix_lines)}")
        if not 200 <= resp.status < 300:
            raise self._refused("the query", resp)
        body, ctype = resp.body, resp.content_type
        try:
            if graph_result:
                fmt = ox.RdfFormat.N_TRIPLES if "n-triples" in ctype else ox.RdfFormat.TURTLE
                return [ox.Triple(q.subject, q.predicate, q.object)
                        for q in ox.parse(body, format=fmt)]
            fmt_r = ox.QueryResultsFormat.XML if "xml" in ctype else ox.QueryResultsFormat.JSON
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
        resp = self._send("PUT", target, ntriples.encode("utf-8"),
                          {"Content-Type": "application/n-triples; charset=utf-8"})
        if not 200 <= resp.status < 300:
            raise self._refused("publishing", resp)
        return resp.status


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the query's first form keyword ("" if none)."""
    for m in _FORM.finditer(text):
        if m.group(1):
            return m.group(1).upper()
    return ""


def _detail(body: str) -> str:
    line = " ".join(body.split())
    return f": {line[:300]}" if line else ""


def _server_message(body: bytes, prefix_lines: int) -> str:
    """The server's own words, with the first line number shifted back to the user's text."""
    text = " ".join(body.decode("utf-8", "replace").split())

    def shift(m: re.Match[str]) -> str:
        line = max(1, int(m.group(2)) - prefix_lines)
        return f"{m.group(1)}line {line}, column {m.group(3)}"

    text = re.sub(r"(\bat |\bposition )?(\d+):(\d+)\b", shift, text, count=1)
    return text[:300] or "no details"
