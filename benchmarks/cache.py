"""The build cache: later commands against the floor and against a cold run, at several
sizes, each command in a fresh process, interleaved run by run.

    .venv/bin/python benchmarks/cache.py [--sizes 1000,10000] [--runs 3] [--query NAME]
        [--out docs/benchmarks-cache.md]

For each size N, on a copy of the generated dataset (benchmarks/generate.py, no defects):

- the floor: a bare Python process that loads the built `dataset.nt` into pyoxigraph and
  answers the named query (the least any query of the graph can cost);
- `validate` cold (`--no-cache`), with the cache unchanged since the last run, and after
  one record was edited (each run edits it again);
- the named query without the cache, and with it (the graph's store kept on disk: `build`
  loads it there; the first query after an edit loads a new one, shown apart);
- `export --format turtle` without and with the cache.

Targets (issue 20): a query after a build within 1.5x of the floor; validate after one
edited record at most 0.4 of a cold validate.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from common import WORK, dataset, options, parsed, publish, run

FLOOR = """import sys, pyoxigraph as ox
store = ox.Store()
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES)
for _ in store.query(open(sys.argv[2]).read()):
    pass
"""


def _edit(record: Path, n: int) -> None:
    text = record.read_text(encoding="utf-8")
    record.write_text(re.sub(r'\nname: "[^"]*"', f'\nname: "Edited Person {n}"', text,
                             count=1), encoding="utf-8")


def measure(n: int, runs: int, query: str, work: Path = WORK) -> dict[str, list[float]]:
    from personkg.query import named_query, with_prefixes

    times: dict[str, list[float]] = {}

    def timed(name: str, *args: str, program: list[str] | None = None) -> None:
        wall = run(*args, program=program).wall
        times.setdefault(name, []).append(wall)
        print(f"N={n} {name}: {wall:.2f} s", file=sys.stderr)

    with tempfile.TemporaryDirectory(dir=work) as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(dataset(n, work), data)
        cache, out = ["--cache", str(Path(tmp) / "cache")], Path(tmp) / "out"
        base = re.search(r"\nbase: (\S+)", (data / "dataset.yaml").read_text()).group(1)
        text = Path(tmp) / "query.rq"
        text.write_text(with_prefixes(named_query(query).text, base.strip('"')))
        timed("build (no cache)", "build", "--no-cache", "--data", str(data), "--out", str(out))
        timed("build (filling the cache)", "build", *cache, "--data", str(data),
              "--out", str(Path(tmp) / "out2"))
        timed("query, first after a build (loads the store on disk)", "query", *cache,
              "--data", str(data), "--name", query)
        record = sorted((data / "people").glob("*.yaml"))[0]
        floor = [sys.executable, "-c", FLOOR, str(out / "dataset.nt"), str(text)]
        for i in range(runs):
            timed("floor: pyoxigraph loads dataset.nt and answers", program=floor)
            timed("query (no cache)", "query", "--no-cache", "--data", str(data), "--name",
                  query)
            timed("query (cache)", "query", *cache, "--data", str(data), "--name", query)
            timed("export turtle (no cache)", "export", "--no-cache", "--data", str(data),
                  "--format", "turtle", "-o", os.devnull)
            timed("export turtle (cache)", "export", *cache, "--data", str(data),
                  "--format", "turtle", "-o", os.devnull)
            timed("validate cold (no cache)", "validate", "--no-cache", "--data", str(data))
            timed("validate, unchanged (cache)", "validate", *cache, "--data", str(data))
            _edit(record, i)
            timed("validate after one record edited (cache)", "validate", *cache, "--data",
                  str(data))
            _edit(record, runs + i)
            timed("validate after one record edited (cache)", "validate", *cache, "--data",
                  str(data))
            timed("query, first after an edit (loads a new store on disk)", "query", *cache,
                  "--data", str(data), "--name", query)
    return times


REFERENCE = {"query (cache)": "floor: pyoxigraph loads dataset.nt and answers",
             "query (no cache)": "floor: pyoxigraph loads dataset.nt and answers",
             "query, first after a build (loads the store on disk)":
                 "floor: pyoxigraph loads dataset.nt and answers",
             "query, first after an edit (loads a new store on disk)":
                 "floor: pyoxigraph loads dataset.nt and answers",
             "export turtle (cache)": "export turtle (no cache)",
             "validate, unchanged (cache)": "validate cold (no cache)",
             "validate after one record edited (cache)": "validate cold (no cache)"}


def table(results: dict[int, dict[str, list[float]]], runs: int, query: str) -> str:
    lines = ["# The build cache", "",
             f"`benchmarks/cache.py`: medians of interleaved runs (about {runs} each), "
             f"fresh processes, generated data without defects, {os.cpu_count()} cores; the "
             f"named query is `{query}`. Targets: a query after a build within 1.5x of the "
             "floor; validate after one edited record at most 0.4 of a cold validate.", ""]
    for n, times in sorted(results.items()):
        lines += [f"## {n:,} people", "", "| task | median | compared with | ratio |",
                  "|---|---:|---|---:|"]
        for name, values in times.items():
            ref = REFERENCE.get(name)
            ratio = (f"{statistics.median(values) / statistics.median(times[ref]):.2f}"
                     if ref in times else "")
            lines.append(f"| {name} | {statistics.median(values):.2f} s | {ref or ''} | "
                         f"{ratio} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    ap = options(__doc__)
    ap.add_argument("--query", default="entities-by-type")
    args = parsed(ap)
    results = {n: measure(n, args.runs, args.query, args.work) for n in args.sizes}
    publish(table(results, args.runs, args.query), args.out)


if __name__ == "__main__":
    main()
