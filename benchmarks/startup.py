"""Startup: `personkg --help` and `personkg validate` of the embedded dataset (without the
build cache, and with it filled by an earlier run), each in a fresh process, against a bare
`python -c "import pyoxigraph"` process, interleaved; medians.

    python benchmarks/startup.py [--runs 10] [--out docs/benchmarks.md]

With --out, the table replaces the startup section of that file (between its markers), or is
appended to it.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- startup: begin -->", "<!-- startup: end -->"

CACHE = tempfile.mkdtemp(prefix="personkg-startup-cache-")
COMMANDS = {
    'a bare `python -c "import pyoxigraph"` (the floor)': ["-c", "import pyoxigraph"],
    "`personkg --help`": ["-m", "personkg", "--help"],
    "`personkg validate` (embedded dataset, `--no-cache`)": [
        "-m", "personkg", "validate", "--no-cache", "--data", str(REPO / "data")],
    "`personkg validate` (embedded dataset, build cache filled by an earlier run)": [
        "-m", "personkg", "validate", "--cache", CACHE, "--data", str(REPO / "data")],
}


def measure(runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    subprocess.run([sys.executable, *list(COMMANDS.values())[-1]], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)  # fills the cache
    for _ in range(runs):
        for name, args in COMMANDS.items():
            start = time.perf_counter()
            subprocess.run([sys.executable, *args], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
            times[name].append(time.perf_counter() - start)
    return times


def table(times: dict[str, list[float]], runs: int) -> str:
    floor = statistics.median(next(iter(times.values())))
    lines = [f"Startup, measured by `benchmarks/startup.py` ({runs} interleaved runs of each in "
             f"a fresh process; Python {platform.python_version()}):", "",
             "| command | median | fastest | ratio to the floor |", "|---|---|---|---|"]
    for name, values in times.items():
        median = statistics.median(values)
        lines.append(f"| {name} | {median:.3f} s | {min(values):.3f} s | "
                     f"{median / floor:.1f}x |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    text = table(measure(args.runs), args.runs)
    print(text, end="")
    if args.out is None:
        return
    section = f"{BEGIN}\n{text}{END}\n"
    old = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    if BEGIN in old and END in old:
        new = old[:old.index(BEGIN)] + section + old[old.index(END) + len(END) + 1:]
    else:
        new = old + ("\n" if old else "") + section
    args.out.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main()
