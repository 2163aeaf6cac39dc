"""The Turtle writer against pyoxigraph's serializer (issue 20, point 5): time on the
compiled graph of generated data, and whether each gives the same bytes run after run (each
run in a fresh process, as `personkg build` is); then whether the writer is the slow part
of `personkg build`: the whole build, run by run, with its Turtle written by each (the
pyoxigraph one only here, by replacing the format's writer in the benchmark's process).

    .venv/bin/python benchmarks/writers.py [--sizes 1000,10000] [--out docs/benchmarks-writers.md]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import WORK, dataset, options, parsed, publish, run_writing

ONE_RUN = """import hashlib, json, sys, time
import pyoxigraph as ox
from personkg import pipeline
from personkg.export.turtle import to_turtle
from personkg.namespaces import prefixes
g = pipeline.compiled(sys.argv[1]).graph
triples = g.triples
t = time.perf_counter(); ours = to_turtle(g).encode(); a = time.perf_counter() - t
t = time.perf_counter()
theirs = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=dict(prefixes(g.base)))
b = time.perf_counter() - t
print(json.dumps({"ours": a, "pyoxigraph": b, "ours_digest": hashlib.sha256(ours).hexdigest(),
                  "pyoxigraph_digest": hashlib.sha256(theirs).hexdigest()}))
"""


#: `personkg build --no-cache` with the Turtle format written by pyoxigraph's serializer
#: (from the canonical lines, so that the input order is fixed)
BUILD_WITH_PYOXIGRAPH = """import dataclasses, sys
import pyoxigraph as ox
from personkg import export
from personkg.namespaces import prefixes

def chunks(c):
    nt = "".join(f"{line} .\\n" for line in c.graph.canonical()).encode()
    triples = ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)
    return [ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes(c.graph.base))]

export.FORMATS["turtle"] = dataclasses.replace(export.FORMATS["turtle"], chunks=chunks)
from personkg.cli import main
main(sys.argv[1:])
"""


def builds(n: int, runs: int, scratch: Path, work: Path = WORK) -> dict[str, float]:
    """Median wall time of `build` with each Turtle writer, runs interleaved."""
    data = dataset(n, work)
    times: dict[str, list[float]] = {"ours": [], "pyoxigraph": []}
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        for i in range(runs):
            for what in times:
                out = Path(tmp) / f"{what}-{i}"
                args = ["build", "--no-cache", "--data", str(data), "--out", str(out)]
                program = ([sys.executable, "-c", BUILD_WITH_PYOXIGRAPH, *args]
                           if what == "pyoxigraph" else None)
                times[what].append(run_writing(out, *args, program=program).wall)
    return {k: statistics.median(v) for k, v in times.items()}


def measure(n: int, runs: int, work: Path = WORK) -> dict:
    data = dataset(n, work)
    rows = [json.loads(subprocess.run([sys.executable, "-c", ONE_RUN, str(data)], check=True,
                                      capture_output=True, text=True).stdout)
            for _ in range(runs)]
    return {"ours": min(r["ours"] for r in rows), "pyoxigraph": min(r["pyoxigraph"] for r in rows),
            "ours_same": len({r["ours_digest"] for r in rows}) == 1,
            "pyoxigraph_same": len({r["pyoxigraph_digest"] for r in rows}) == 1}


def main() -> None:
    args = parsed(options(__doc__, scratch=True))
    lines = ["# The Turtle writer against pyoxigraph's serializer", "",
             f"`benchmarks/writers.py`: fastest of {args.runs} fresh processes each; "
             "\"same bytes\": every run gave one output.", "",
             "| people | personkg's writer | same bytes | pyoxigraph (project prefixes) | "
             "same bytes |", "|---:|---:|---|---:|---|"]
    sizes = args.sizes
    for n in sizes:
        r = measure(n, args.runs, args.work)
        lines.append(f"| {n:,} | {r['ours']:.2f} s | {'yes' if r['ours_same'] else 'no'} | "
                     f"{r['pyoxigraph']:.2f} s | {'yes' if r['pyoxigraph_same'] else 'no'} |")
    lines += ["", f"The whole `personkg build --no-cache` with each (medians of {args.runs} "
              f"interleaved runs, outputs written to {args.scratch}):", "",
              "| people | build, personkg's writer | build, pyoxigraph's | saved |",
              "|---:|---:|---:|---:|"]
    for n in sizes:
        b = builds(n, args.runs, args.scratch, args.work)
        lines.append(f"| {n:,} | {b['ours']:.1f} s | {b['pyoxigraph']:.1f} s | "
                     f"{(b['ours'] - b['pyoxigraph']) / b['ours']:.0%} |")
    publish("\n".join(lines) + "\n", args.out)


if __name__ == "__main__":
    main()
