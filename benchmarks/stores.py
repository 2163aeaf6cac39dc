"""Every named query on three stores: embedded (pyoxigraph, in this process), a local
Oxigraph server and a scratch Virtuoso, at one dataset size, before and after a change to
the queries' text.

    .venv/bin/python benchmarks/stores.py [--people 1000] [--runs 3] [--before REF]
        [--out docs/benchmarks-stores.md]

The dataset (benchmarks/generate.py, seed 1, no defects) is generated under .cache/bench/,
exported as N-Triples and loaded into both servers in the graph `personkg publish` uses:
Oxigraph (`oxigraph serve`, from PyPI) through the Graph Store protocol, Virtuoso (Debian's
virtuoso-opensource, started with the stock limits: answers cut at 10,000 rows, queries
stopped at 60 s) with isql; the servers are started and stopped by tests/servers.py, as in
the test suite. Each query runs `--runs` times per store, as `personkg query --endpoint`
sends it (the project's prefixes, parameters bound to the dataset's subject); a figure is
the median wall time of sending it and reading the whole answer. "Before" is the query's
text at the git revision `--before` (shown only where it differs); a query a server stops
is shown as "stopped at N s" and not run again. The answers of the current texts are
compared across the three stores (rows as sets, and GROUP_CONCAT parts as sets).
"""

from __future__ import annotations

import csv
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import PERSONKG, REPO, dataset, options, parsed, publish

sys.path.insert(0, str(REPO / "tests"))  # the servers the test suite starts

import pyoxigraph as ox  # noqa: E402
from servers import oxigraph_server, virtuoso_server  # noqa: E402

from personkg.errors import PersonkgError  # noqa: E402
from personkg.namespaces import DEFAULT_GRAPH  # noqa: E402
from personkg.pipeline import describe  # noqa: E402
from personkg.query import (  # noqa: E402
    bind_params,
    named_queries,
    render,
    subject_parameters,
    with_prefixes,
)
from personkg.remote import Endpoint  # noqa: E402

#: the revision whose queries/*.rq are "before" (the texts before they named statement links)
BEFORE = "21969ae"
STORES = ("embedded", "Oxigraph", "Virtuoso")


def _before(ref: str, name: str) -> str | None:
    proc = subprocess.run(["git", "-C", str(REPO), "show", f"{ref}:queries/{name}.rq"],
                          capture_output=True, text=True)
    return proc.stdout if proc.returncode == 0 else None


def _rows(csv_text: str) -> list[tuple[str, ...]]:
    """Rows as a sorted list, GROUP_CONCAT parts sorted within a cell (their order, like
    that of unordered rows, is the engine's)."""
    head, *rows = list(csv.reader(io.StringIO(csv_text)))
    norm = [tuple(" | ".join(sorted(", ".join(sorted(p.split(", "))) for p in c.split(" | ")))
                  for c in row) for row in rows]
    return [tuple(head), *sorted(norm)]


Runner = Callable[[str], str]  # query text (prefixes and parameters in) -> CSV


def _time(run: Runner, text: str, runs: int) -> tuple[float | None, str, str]:
    """(median seconds, or None when the store stopped it; the last answer as CSV; the
    store's reason when it stopped the query)."""
    times, out = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        try:
            out = run(text)
        except PersonkgError as exc:
            return None, "", f"{time.perf_counter() - start:.0f} s: {str(exc)[:160]}"
        times.append(time.perf_counter() - start)
    return statistics.median(times), out, ""


def measure(people: int, runs: int, before_ref: str, work: Path) -> tuple[list[dict], int]:
    data = dataset(people, work)
    base, subject = describe(data)
    nt = subprocess.run([str(PERSONKG), "export", "--data", str(data), "--format", "ntriples"],
                        check=True, capture_output=True).stdout
    embedded = ox.Store()
    embedded.bulk_load(nt, format=ox.RdfFormat.N_TRIPLES)

    def text_of(query: str) -> str:
        params = {name: subject for name in subject_parameters(query) if subject}
        return with_prefixes(bind_params(query, params, base), base)

    results = []
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        (Path(tmp) / "oxigraph").mkdir()
        (Path(tmp) / "virtuoso").mkdir()
        with oxigraph_server(Path(tmp) / "oxigraph") as ox_base, \
                virtuoso_server(Path(tmp) / "virtuoso") as virtuoso:
            Endpoint(f"{ox_base}/store", timeout=600).put_graph(nt.decode("utf-8"),
                                                                 DEFAULT_GRAPH)
            virtuoso.load(DEFAULT_GRAPH, nt)
            # longer than Virtuoso's own 60 s limit, so that it is the server that stops
            remotes = {"Oxigraph": Endpoint(f"{ox_base}/query", timeout=300, retries=0),
                       "Virtuoso": Endpoint(f"{virtuoso.base}/sparql", timeout=300,
                                            retries=0)}
            runners: dict[str, Runner] = {
                "embedded": lambda q: render(embedded.query(q), "csv", base),
                **{store: (lambda q, ep=ep: render(ep.query(q, (DEFAULT_GRAPH,)), "csv", base))
                   for store, ep in remotes.items()}}
            for name, nq in named_queries().items():
                old = _before(before_ref, name)
                row: dict = {"name": name, "changed": old is not None and old != nq.text}
                answers = {}
                for store in STORES:
                    secs, out, why = _time(runners[store], text_of(nq.text), runs)
                    row[store], answers[store], row[f"{store} why"] = secs, out, why
                    print(f"{name} {store}: {secs if secs is not None else why}",
                          file=sys.stderr, flush=True)
                    if row["changed"]:
                        assert old is not None
                        secs, _, why = _time(runners[store], text_of(old), runs)
                        row[f"{store} before"], row[f"{store} before why"] = secs, why
                        print(f"{name} {store} before: {secs if secs is not None else why}",
                              file=sys.stderr, flush=True)
                done = [_rows(a) for a in answers.values() if a]
                row["rows"] = len(done[0]) - 1 if done else None
                row["agree"] = len(done) == len(STORES) and all(d == done[0] for d in done)
                results.append(row)
    return results, len(nt.splitlines())


def _cell(row: dict, key: str) -> str:
    if key not in row:
        return "="
    if row[key] is None:
        return "stopped at " + row[f"{key} why"].split(":")[0]
    return f"{row[key]:.2f} s"


def table(results: list[dict], people: int, triples: int, runs: int, ref: str) -> str:
    lines = [
        "# Named queries on three stores", "",
        f"`benchmarks/stores.py`: {people:,} generated people ({triples:,} triples, no "
        f"defects), medians of {runs} runs, {os.cpu_count()} cores. Embedded is pyoxigraph "
        "in the process; Oxigraph a local `oxigraph serve` (PyPI); Virtuoso Debian's "
        "virtuoso-opensource 7.2 with its stock limits (10,000 rows, 60 s). A time is "
        "sending the query and reading the whole answer. *Before* is the query's text at "
        f"`{ref}`, shown where the text has changed since; `=` where it has not. *Same "
        "rows*: the three stores give the same answer to the current text.", "",
        "| query | rows | embedded before | embedded | Oxigraph before | Oxigraph | "
        "Virtuoso before | Virtuoso | same rows |",
        "|---|---:|---:|---:|---:|---:|---:|---:|:---:|"]
    for r in results:
        cells = [_cell(r, k) for k in ("embedded before", "embedded", "Oxigraph before",
                                       "Oxigraph", "Virtuoso before", "Virtuoso")]
        lines.append(f"| `{r['name']}` | {r['rows'] if r['rows'] is not None else '?'} | "
                     + " | ".join(cells) + f" | {'yes' if r['agree'] else '**no**'} |")
    slowest = max((r["Virtuoso"] for r in results if r["Virtuoso"] is not None), default=0)
    stopped = [r["name"] for r in results if r["Virtuoso"] is None]
    lines += ["", f"Slowest on Virtuoso now: {slowest:.2f} s"
              + (f"; stopped: {', '.join(stopped)}." if stopped else
                 " (its limit is 60 s); none stopped.")]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = options(__doc__, sizes=None)
    ap.add_argument("--people", type=int, default=1000)
    ap.add_argument("--before", default=BEFORE, help="git revision of the 'before' queries")
    args = parsed(ap)
    results, triples = measure(args.people, args.runs, args.before, args.work)
    publish(table(results, args.people, triples, args.runs, args.before), args.out)
    if not all(r["agree"] for r in results) or any(r["Virtuoso"] is None for r in results):
        raise SystemExit("stores.py: a query was stopped or the stores disagree (see above)")


if __name__ == "__main__":
    main()
