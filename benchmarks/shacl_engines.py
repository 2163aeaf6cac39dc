"""Time the two SHACL engines on the embedded dataset.

    .venv/bin/python benchmarks/shacl_engines.py [--data DIR] [--engines fast,pyshacl]

Prints one line per engine: wall time of the SHACL layer alone (records already compiled),
the number of issues, and whether both engines found the same issues.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from personkg.checks.report import Report
from personkg.checks.shacl import shacl_check
from personkg.compile import compile_dataset
from personkg.reading import load_dataset
from personkg.resources import default_data_dir
from personkg.vocab import Vocabulary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--engines", default="fast,pyshacl")
    args = ap.parse_args()
    voc = Vocabulary.load()
    root = args.data or default_data_dir()
    ds = load_dataset(root, voc, Report())
    graph = compile_dataset(ds, voc)
    print(f"{root}: {len(ds.entities) + len(ds.sources)} records, {len(graph.lines)} triples")
    results = {}
    for engine in args.engines.split(","):
        t0 = time.perf_counter()
        issues = sorted(set(shacl_check(graph, voc, engine)))
        dt = time.perf_counter() - t0
        results[engine] = issues
        print(f"{engine:8s} {dt:8.1f} s  {len(issues)} issues")
    if len(results) > 1:
        first, *rest = results.values()
        print("same issues:", all(r == first for r in rest))


if __name__ == "__main__":
    main()
