"""The Turtle writer against pyoxigraph's serializer (issue 20, point 5): time on the
compiled graph of generated data, and whether each gives the same bytes run after run (each
run in a fresh process, as `personkg build` is).

    .venv/bin/python benchmarks/writers.py [--sizes 1000,10000] [--out docs/benchmarks-writers.md]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from common import WORK, dataset

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


def measure(n: int, runs: int) -> dict:
    data = dataset(n, WORK)
    rows = [json.loads(subprocess.run([sys.executable, "-c", ONE_RUN, str(data)], check=True,
                                      capture_output=True, text=True).stdout)
            for _ in range(runs)]
    return {"ours": min(r["ours"] for r in rows), "pyoxigraph": min(r["pyoxigraph"] for r in rows),
            "ours_same": len({r["ours_digest"] for r in rows}) == 1,
            "pyoxigraph_same": len({r["pyoxigraph_digest"] for r in rows}) == 1}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    lines = ["# The Turtle writer against pyoxigraph's serializer", "",
             f"`benchmarks/writers.py`: fastest of {args.runs} fresh processes each; "
             "\"same bytes\": every run gave one output.", "",
             "| people | personkg's writer | same bytes | pyoxigraph (project prefixes) | "
             "same bytes |", "|---:|---:|---|---:|---|"]
    for n in (int(s) for s in args.sizes.split(",")):
        r = measure(n, args.runs)
        lines.append(f"| {n:,} | {r['ours']:.2f} s | {'yes' if r['ours_same'] else 'no'} | "
                     f"{r['pyoxigraph']:.2f} s | {'yes' if r['pyoxigraph_same'] else 'no'} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
