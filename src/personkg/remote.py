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
import sys
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from .errors import DataError, RunError
from .httpclient import (
    MAX_WAIT,
    RETRY_STATUS,
    Challenge,
    Client,
    Response,
    challenges,
    check_limits,
    check_url,
    digest_authorization,
)
from .namespaces import DEFAULT_GRAPH
from .resources import __version__

__all__ = ["Endpoint", "USER_AGENT", "user_agent", "DEFAULT_TIMEOUT", "DEFAULT_RETRIES",
           "DEFAULT_GRAPH", "MAX_WAIT", "RETRY_STATUS", "query_form", "AUTH_METHODS",
           "incomplete"]

USER_AGENT = (f"personkg/{__version__} (sourced knowledge graphs; "
              "https://pypi.org/project/personkg/) urllib3")


def user_agent(contact: str | None = None) -> str:
    """The User-Agent header: with a contact (an e-mail address or URL), in the form
    Wikimedia's User-Agent policy asks for, `personkg/<version> (<contact>) urllib3`."""
    if not contact:
        return USER_AGENT
    return f"personkg/{__version__} ({contact}) urllib3"


DEFAULT_TIMEOUT = 30.0
# basic: sent with the request; digest: answers the challenge of a request sent without
# credentials first (HEAD, so no body is sent twice); auto: digest when the server
# challenges with it, else basic
AUTH_METHODS = ("basic", "digest", "auto")
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
    auth_method: str = "basic"  # one of AUTH_METHODS
    # where a warning about an answer goes (one line, without "personkg: warning: ")
    warn: Callable[[str], None] = field(default=lambda line: _warn_stderr(line), repr=False,
                                        compare=False)
    client: Client = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_url(self.url)
        check_limits(self.timeout, self.retries)
        if self.auth_method not in AUTH_METHODS:
            raise RunError(f"--auth-method {self.auth_method}: expected one of "
                           f"{', '.join(AUTH_METHODS)}", option="auth-method")
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
        if not creds:
            return self.client.send(method, url, body, headers)
        challenge = None
        if self.auth_method != "basic":
            probe = self.client.send("HEAD", url, None, {"User-Agent": headers["User-Agent"]})
            challenge = _digest_challenge(probe)
            if challenge is None and self.auth_method == "digest":
                raise RunError(f"{self.url}: the server asks for no digest authentication "
                               f"(HTTP {probe.status} without credentials); try "
                               "--auth-method basic", option="auth-method")
        if challenge is None:
            token = base64.b64encode(":".join(creds).encode("utf-8")).decode("ascii")
            resp = self.client.send(method, url, body, {**headers,
                                                        "Authorization": f"Basic {token}"})
            if self.auth_method != "auto" or resp.status != 401:
                return resp
            challenge = _digest_challenge(resp)  # auto: refused as basic, offered digest
            if challenge is None:
                return resp
        resp = self._send_digest(method, url, body, headers, challenge, creds)
        fresh = _digest_challenge(resp) if resp.status == 401 else None
        if fresh is not None and fresh.params.get("stale", "").lower() == "true":
            resp = self._send_digest(method, url, body, headers, fresh, creds)  # new nonce
        return resp

    def _send_digest(self, method: str, url: str, body: bytes, headers: dict[str, str],
                     challenge: Challenge, creds: tuple[str, str]) -> Response:
        parts = urllib.parse.urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        answer = digest_authorization(challenge, *creds, method, target)
        return self.client.send(method, url, body, {**headers, "Authorization": answer})

    def _refused(self, what: str, resp: Response) -> RunError:
        tries = f" after {resp.attempts} attempts" if resp.attempts > 1 else ""
        hint = ""
        if resp.status == 401 and self.auth_env:
            hint = f" (the user:password in {self.auth_env} was refused"
            if self.auth_method == "basic":  # Virtuoso refuses basic without a challenge
                hint += (" as basic authentication; a server that takes digest, such as "
                         "Virtuoso, needs --auth-method digest or auto")
            hint += ")"
        return RunError(f"{self.url}: {what} failed{tries}: HTTP {resp.status} {resp.reason}"
                        f"{hint}{_detail(resp.body.decode('utf-8', 'replace'))}")

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
        result, rows = _parse_answer(resp, graph_result, self.url)
        for line in incomplete(resp.headers, rows):
            self.warn(f"{self.url}: {line}")
        return result

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


def _parse_answer(resp: Response, graph_result: bool, url: str) -> tuple[Any, int]:
    """The answer as pyoxigraph objects, and how many rows or triples it has."""
    body, ctype = resp.body, resp.content_type
    try:
        if graph_result:
            fmt = ox.RdfFormat.N_TRIPLES if "n-triples" in ctype else ox.RdfFormat.TURTLE
            triples = [ox.Triple(q.subject, q.predicate, q.object)
                       for q in ox.parse(body, format=fmt)]
            return triples, len(triples)
        fmt_r = ox.QueryResultsFormat.XML if "xml" in ctype else ox.QueryResultsFormat.JSON
        checked = ox.parse_query_results(body, format=fmt_r)
        rows = 0
        if isinstance(checked, ox.QuerySolutions):
            for _ in checked:  # read it all once, so a malformed body fails here
                rows += 1
        return ox.parse_query_results(body, format=fmt_r), rows
    except (SyntaxError, ValueError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise RunError(f"{url}: malformed response ({ctype or 'no content type'}): "
                       f"{first}") from None


def incomplete(headers: Mapping[str, str], rows: int) -> list[str]:
    """What the server's headers say about an answer it did not give in full, one line
    each. Virtuoso (7.2, seen with its stock settings) sends `X-SPARQL-MaxRows: N` when a
    SELECT answer holds N rows, its `ResultSetMaxRows`: the answer may have been cut there
    (it sends the header also when the answer has exactly N rows of its own); and
    `X-SQL-State: S1TAT` with `X-SQL-Message` when it returns what it found before an
    anytime time limit (a `timeout` request parameter). At its `MaxQueryExecutionTime` it
    answers HTTP 500 instead, and a CONSTRUCT cut at the row cap comes without any sign."""
    out = []
    cap = headers.get("x-sparql-maxrows", "").strip()
    if cap:
        shown = cap if cap.isdigit() else _printable(cap)
        out.append(f"the answer may be cut: it has {rows} rows and the server sends at most "
                   f"{shown} (X-SPARQL-MaxRows; raise the server's limit, e.g. Virtuoso's "
                   "ResultSetMaxRows, or narrow the query)")
    if headers.get("x-sql-state", "").strip().upper() == "S1TAT":
        why = _printable(headers.get("x-sql-message", "")).split("Activity:")[0].strip()
        out.append("the answer is incomplete: the server stopped the query at its time limit "
                   f"and returned what it had found (X-SQL-State S1TAT{': ' * bool(why)}{why})")
    return out


def _printable(text: str) -> str:
    """A header value from the server, safe on one line of a terminal, at most 200 characters."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())[:200]


def _warn_stderr(line: str) -> None:
    sys.stderr.write(f"personkg: warning: {line}\n")


def _digest_challenge(resp: Response) -> Challenge | None:
    """The digest challenge of a 401 answer, if it offers one."""
    if resp.status != 401:
        return None
    return next((c for c in challenges(resp.www_authenticate) if c.scheme == "digest"), None)


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the query's first form keyword ("" if none)."""
    for m in _FORM.finditer(text):
        if m.group(1):
            return m.group(1).upper()
    return ""


def _detail(body: str) -> str:
    if re.match(r"\s*<(!DOCTYPE\s+html|html)\b", body, re.I):  # an HTML error page: its words
        body = re.sub(r"<(title|head)>.*?</\1>|<[^>]*>", " ", body, flags=re.I | re.S)
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
