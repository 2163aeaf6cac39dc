"""Local HTTP servers for the tests: a real Oxigraph server, and one that misbehaves on purpose.

Both listen on 127.0.0.1 on a free port and are stopped by the fixtures that start them, also
when a test fails."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def oxigraph_binary() -> str:
    here = Path(sys.executable).parent / "oxigraph"
    found = str(here) if here.exists() else shutil.which("oxigraph")
    if not found:
        raise RuntimeError("the `oxigraph` server is not installed (pip install oxigraph)")
    return found


@contextmanager
def oxigraph_server(tmp: Path) -> Iterator[str]:
    """A real Oxigraph server with its store in `tmp`; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp / "oxigraph.log").open("w")
    proc = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(tmp / "store"),
                             "--bind", f"127.0.0.1:{port}"], stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2).read()
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log_text = (tmp / "oxigraph.log").read_text()
                    raise RuntimeError(f"oxigraph did not start: {log_text}") from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    # instead of `body`: bytes written one piece at a time, `pause` seconds apart, until the
    # client hangs up or the pieces run out (no Content-Length unless `headers` gives one);
    # with `raw`, the pieces are the whole answer, status line and headers included
    pieces: Iterable[bytes] | None = None
    pause: float = 0.0
    raw: bool = False


Behaviour = Callable[[Request, int], Reply]  # (request, number of the request from 1) -> reply


@contextmanager
def misbehaving_server(behaviour: Behaviour) -> Iterator[tuple[str, list[Request]]]:
    """An HTTP server whose every answer comes from `behaviour`; yields (base URL, requests
    seen)."""
    seen: list[Request] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            req = Request(self.command, self.path, dict(self.headers.items()),
                          self.rfile.read(length) if length else b"")
            with lock:
                seen.append(req)
                n = len(seen)
            reply = behaviour(req, n)
            if reply.delay:
                time.sleep(reply.delay)
            if reply.pieces is not None:
                self._stream(reply)
                return
            body = reply.body.encode() if isinstance(reply.body, str) else reply.body
            try:
                self.send_response(reply.status)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _stream(self, reply: Reply) -> None:
            self.close_connection = True
            try:
                if not reply.raw:
                    self.send_response(reply.status)
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                for piece in reply.pieces or ():
                    self.wfile.write(piece)
                    self.wfile.flush()
                    if reply.pause:
                        time.sleep(reply.pause)
            except (BrokenPipeError, ConnectionResetError, OSError):
                pass

        do_GET = do_POST = do_PUT = do_HEAD = _handle

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def select_json(var: str, values: list[str]) -> str:
    """A SPARQL 1.1 JSON results body with one literal binding per row."""
    return json.dumps({"head": {"vars": [var]}, "results": {"bindings": [
        {var: {"type": "literal", "value": v}} for v in values]}})


WIKIDATA_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "wikidata"


@dataclass(frozen=True)
class Wikidata:
    """Two Oxigraph servers split like Wikidata since 2025: `main` (people, organizations,
    sources, classes) and `scholarly` (scholarly articles); SPARQL query URLs."""

    main: str
    scholarly: str


def _load(base: str, path: Path) -> None:
    import pyoxigraph as ox

    from personkg.remote import Endpoint

    triples = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    nt = "".join(f"{ox.Triple(t.subject, t.predicate, t.object)} .\n" for t in triples)
    Endpoint(f"{base}/store").put_graph(nt, None)


@contextmanager
def wikidata_servers(tmp: Path, main: Path = WIKIDATA_FIXTURES / "main.ttl",
                     scholarly: Path = WIKIDATA_FIXTURES / "scholarly.ttl") -> Iterator[Wikidata]:
    """The Wikidata fixtures (tests/fixtures/wikidata/, fake QIDs) on two local servers."""
    (tmp / "main").mkdir()
    (tmp / "scholarly").mkdir()
    with oxigraph_server(tmp / "main") as main_base, \
            oxigraph_server(tmp / "scholarly") as scholarly_base:
        _load(main_base, main)
        _load(scholarly_base, scholarly)
        yield Wikidata(f"{main_base}/query", f"{scholarly_base}/query")


# ------------------------------------------------------------ Virtuoso
VIRTUOSO_USER = ("dba", "dba")  # a scratch database's stock administrator

# Debian's stock limits (/etc/virtuoso-opensource-7/virtuoso.ini), kept so the tests meet
# what a user of the package meets: answers cut at 10,000 rows, queries stopped at 60 s.
_VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {d}/virtuoso.db
ErrorLogFile       = {d}/virtuoso.log
LockFile           = {d}/virtuoso.lck
TransactionFile    = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
TempStorage        = TempDatabase
[TempDatabase]
DatabaseFile       = {d}/virtuoso-temp.db
TransactionFile    = {d}/virtuoso-temp.trx
[Parameters]
ServerPort         = 127.0.0.1:{sql}
DisableUnixSocket  = 1
NumberOfBuffers    = 10000
MaxDirtyBuffers    = 6000
DirsAllowed        = {d}
[HTTPServer]
ServerPort         = 127.0.0.1:{http}
ServerRoot         = {d}
ServerThreads      = 10
[SPARQL]
ResultSetMaxRows           = 10000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 60
"""


def virtuoso_binary() -> str:
    found = shutil.which("virtuoso-t")
    if not found:
        raise RuntimeError("Virtuoso is not installed (apt-get install virtuoso-opensource; "
                           "`make test` does it)")
    return found


@dataclass(frozen=True)
class Virtuoso:
    """A running Virtuoso: `base` (SPARQL at /sparql, the Graph Store with digest auth at
    /sparql-graph-crud-auth, user dba:dba), its SQL port and its database folder."""

    base: str
    sql_port: int
    folder: Path

    def load(self, graph: str, ntriples: bytes) -> None:
        """Replace `graph` with `ntriples`, through isql (independent of the HTTP client
        under test; the file is read from the database folder, which DirsAllowed names)."""
        path = self.folder / "load.nt"
        path.write_bytes(ntriples)
        self.isql(f"SPARQL CLEAR GRAPH <{graph}>;\n"
                  f"DB.DBA.TTLP(file_to_string_output('{path}'), '', '{graph}', 0);\n"
                  "checkpoint;\n")
        path.unlink()

    def isql(self, script: str, timeout: float = 600) -> str:
        """Run SQL statements with isql-vt as dba; returns what it printed. isql-vt exits 0
        after a failed statement too, so its output is searched for an error."""
        proc = subprocess.run([isql_binary(), f"127.0.0.1:{self.sql_port}", *VIRTUOSO_USER,
                               "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF", "ERRORS=STDOUT"],
                              input=script, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0 or "Error" in proc.stdout:
            raise RuntimeError(f"isql failed: {proc.stdout} {proc.stderr}")
        return proc.stdout


def isql_binary() -> str:
    found = shutil.which("isql-vt")
    if not found:
        raise RuntimeError("Virtuoso's isql-vt is not installed (apt-get install "
                           "virtuoso-opensource; `make test` does it)")
    return found


@contextmanager
def virtuoso_server(tmp: Path) -> Iterator[Virtuoso]:
    """A real Virtuoso (Debian's virtuoso-opensource) with a scratch database in `tmp`,
    listening on 127.0.0.1 only, on free ports."""
    http = free_port()
    sql = free_port()
    ini = tmp / "virtuoso.ini"
    ini.write_text(_VIRTUOSO_INI.format(d=tmp, sql=sql, http=http))
    base = f"http://127.0.0.1:{http}"
    log = (tmp / "virtuoso.out").open("w")
    proc = subprocess.Popen([virtuoso_binary(), "+foreground", "+configfile", str(ini)],
                            cwd=tmp, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/sparql?query=ASK%7B%7D", timeout=2).read()
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log_text = (tmp / "virtuoso.out").read_text()
                    raise RuntimeError(f"virtuoso did not start: {log_text}") from None
                time.sleep(0.2)
        yield Virtuoso(base, sql, tmp)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
