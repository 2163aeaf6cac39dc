"""The site against a build: `personkg site` and `personkg build` on the same generated data,
each in a fresh process, interleaved run by run (so both see the same machine load).

    .venv/bin/python benchmarks/site.py [--sizes 1000,10000] [--runs 3]
        [--out docs/benchmarks-site.md]

For each size N a synthetic dataset of N people is generated (benchmarks/generate.py, seed
1, no defects, so both commands do their whole work) under .cache/bench/. Figures are
medians of wall time and the largest max RSS; the ratio site / build is the target of
issue 20 (at most about 1.5: the site writes every build file plus a page, a Turtle and a
JSON-LD file per entity).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

from common import SCRATCH, WORK, Ran, dataset, options, parsed, publish, run_writing


def measure(n: int, runs: int, work: Path = WORK,
            scratch: Path | None = SCRATCH) -> dict[str, float]:
    data = dataset(n, work)
    ran: dict[str, list[Ran]] = {"build": [], "site": []}
    with tempfile.TemporaryDirectory(dir=scratch or work) as tmp:
        for i in range(runs):
            for what in ("build", "site"):
                out = Path(tmp) / f"{what}-{i}"
                one = run_writing(out, what, "--no-cache", "--data", str(data), "--out",
                                  str(out))
                ran[what].append(one)
                print(f"N={n} {what} run {i + 1}: {one.wall:.1f} s, CPU {one.cpu:.1f} s",
                      file=sys.stderr)
    result: dict[str, float] = {}
    for what, runs_of in ran.items():
        result[what] = statistics.median(r.wall for r in runs_of)
        result[f"{what}_cpu"] = statistics.median(r.cpu for r in runs_of)
        result[f"{what}_rss"] = max(r.rss for r in runs_of)
    result["ratio"] = result["site"] / result["build"]
    result["cpu_ratio"] = result["site_cpu"] / result["build_cpu"]
    return result


def table(results: dict[int, dict[str, float]], runs: int, scratch: Path | None) -> str:
    lines = [
        "# The site against a build", "",
        f"`benchmarks/site.py`: medians of {runs} interleaved runs each, fresh processes, "
        f"generated data without defects, {os.cpu_count()} cores, outputs written to "
        f"{scratch or 'the work folder'} and removed once timed. Target: the site costs at "
        "most about 1.5 builds "
        "(wall time). CPU is user and system time of all the command's processes: steadier "
        "than wall time on a shared machine, and the work each command does.",
        "",
        "| people | build | site | site / build | build CPU | site CPU | CPU site / build "
        "| build max RSS | site max RSS |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n, r in sorted(results.items()):
        lines.append(f"| {n:,} | {r['build']:.1f} s | {r['site']:.1f} s | {r['ratio']:.2f} | "
                     f"{r['build_cpu']:.1f} s | {r['site_cpu']:.1f} s | {r['cpu_ratio']:.2f} | "
                     f"{r['build_rss']:.0f} MiB | {r['site_rss']:.0f} MiB |")
    return "\n".join(lines) + "\n"


def main() -> None:
    args = parsed(options(__doc__, scratch=True))
    results = {n: measure(n, args.runs, args.work, args.scratch) for n in args.sizes}
    publish(table(results, args.runs, args.scratch), args.out)


if __name__ == "__main__":
    main()
