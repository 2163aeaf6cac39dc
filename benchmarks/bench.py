"""Scale benchmark: personkg's path against the naive one, at several dataset sizes.

    .venv/bin/python benchmarks/bench.py [--sizes 100,1000,10000] [--runs 5]
        [--naive-runs 1] [--naive-timeout 60] [--naive-shacl-timeout 300]
        [--out docs/benchmarks.md]

For each size N a synthetic dataset of N people is generated (benchmarks/generate.py,
seed 1, 1% deliberate defects) under .cache/bench/, then, each in a fresh process:

- `personkg build` end to end (validate + every export, files written), `--runs` times:
  wall time and peak memory (max RSS of its largest process); then once more while the
  memory of all its processes together (PSS, so pages shared after a fork count once)
  is read every 0.1 s, for the peak of that sum;
- the personkg stages one by one, `--runs` times: load (YAML + JSON Schema +
  references), compile, SHACL (fast engine), every export, the pyoxigraph store, every
  named query;
- the naive path, `--naive-runs` times: the same records compiled into an rdflib graph,
  pySHACL on the same shapes, rdflib's Turtle / N-Triples / JSON-LD serializers and
  rdflib's SPARQL for every named query. A naive step that runs longer than
  `--naive-timeout` seconds (pySHACL: `--naive-shacl-timeout`) is stopped and shown as
  "> T s" (its ratio is then a lower bound).

Figures are medians over the runs; memory is the largest max RSS seen. The Markdown
tables go to `--out` and standard output; raw figures to .cache/bench/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import HERE, PERSONKG, WORK

# ------------------------------------------------------------------ workers
# Each worker runs in its own process and prints one JSON object: stage -> seconds
# (None when stopped by the timeout), plus "peak_rss_mb".

class Timeout(Exception):
    pass


def _on_alarm(signum: int, frame: object) -> None:
    raise Timeout


def _timed(out: dict, stage: str, fn, timeout: float | None = None):
    """Run `fn()`, store its wall time under `stage`; None if it hit the timeout."""
    if timeout:
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
    t0 = time.perf_counter()
    try:
        value = fn()
        out[stage] = time.perf_counter() - t0
        return value
    except Timeout:
        out[stage] = None
        return None
    finally:
        if timeout:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return None


def _person(data: Path) -> str:
    """The first person id of the dataset (named-query parameter)."""
    return sorted(p.stem for p in (data / "people").glob("*.yaml"))[0]


def _queries(data: Path) -> dict[str, str]:
    from personkg.query import bind_params, named_queries, with_prefixes

    out = {}
    person = _person(data)
    for name, nq in named_queries().items():
        params = {}
        for p in ("person", "entity"):
            if f"?{p}" in nq.parameters:
                params[p] = person
        out[name] = with_prefixes(bind_params(nq.text, params))
    return out


def worker_fast(data: Path) -> dict:
    from personkg.checks.report import Report
    from personkg.checks.shacl import shacl_check
    from personkg.compile import compile_dataset
    from personkg.export import FORMATS, GRAPH_FORMATS, Compiled
    from personkg.export.quickstatements import quickstatements, to_csv, to_v1
    from personkg.export.schemaorg import default_entity, profile_page
    from personkg.query import run_query
    from personkg.reading import load_dataset
    from personkg.vocab import Vocabulary

    out: dict = {}
    voc = Vocabulary.load()
    ds = _timed(out, "load", lambda: load_dataset(data, voc, Report()))
    graph = _timed(out, "compile", lambda: compile_dataset(ds, voc))
    out["triples"] = len(graph.lines)
    issues = _timed(out, "shacl", lambda: shacl_check(graph, voc))
    out["shacl_issues"] = len(issues)
    compiled = Compiled(ds, graph, voc)
    for fmt in GRAPH_FORMATS:
        _timed(out, f"export {fmt}", lambda f=FORMATS[fmt]: f.text(compiled))
    every = {e.id for e in ds.entities.values() if not e.wikidata}  # as if all checked absent
    _timed(out, "export quickstatements", lambda: to_v1(quickstatements(ds, voc, every)))
    _timed(out, "export qs-csv", lambda: to_csv(quickstatements(ds, voc)))
    _timed(out, "export schemaorg",
           lambda: json.dumps(profile_page(ds, voc, default_entity(ds))))
    store = _timed(out, "store", graph.store)
    for name, text in _queries(data).items():
        _timed(out, f"query {name}", lambda t=text: run_query(store, t, "table"))
    return out


def worker_naive(data: Path, timeout: float, shacl_timeout: float) -> dict:
    from pyshacl import validate
    from rdflib import Graph

    from personkg.checks.report import Report
    from personkg.compile import compile_dataset
    from personkg.reading import load_dataset
    from personkg.resources import resource_dir
    from personkg.vocab import Vocabulary

    out: dict = {}
    voc = Vocabulary.load()
    ds = _timed(out, "load", lambda: load_dataset(data, voc, Report()))

    def to_graph() -> Graph:  # the same triples, in an rdflib graph
        g = Graph()
        g.parse(data=compile_dataset(ds, voc).ntriples(), format="nt")
        return g

    g = _timed(out, "compile", to_graph)
    out["triples"] = len(g)
    shapes = Graph()
    for path in sorted(resource_dir("shapes").glob("*.shacl.ttl")):
        shapes.parse(path, format="turtle")
    _timed(out, "shacl", lambda: validate(g, shacl_graph=shapes, ont_graph=voc.rdflib_graph(),
                                          inference="none", advanced=True,
                                          allow_warnings=True), shacl_timeout)
    for fmt, rdflib_fmt in (("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld")):
        _timed(out, f"export {fmt}", lambda f=rdflib_fmt: g.serialize(format=f), timeout)
    for name, text in _queries(data).items():
        _timed(out, f"query {name}", lambda t=text: list(g.query(t)), timeout)
    return out


def worker_main(argv: list[str]) -> None:
    kind, data = argv[0], Path(argv[1])
    result = (worker_fast(data) if kind == "fast"
              else worker_naive(data, float(argv[2]), float(argv[3])))
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


# ------------------------------------------------------------------ the driver

def _run_worker(*args: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--worker", *args], capture_output=True,
                          text=True, check=False, env={**os.environ, "PERSONKG_PROGRESS": "0"})
    if proc.returncode != 0:
        sys.exit(f"worker {args} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.splitlines()[-1])


def _tree(root: int) -> list[int]:
    """`root` and every process below it."""
    parent: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(stat.parent.name)] = int(fields[1])
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += [p for p, pp in parent.items() if pp == pid]
    return out


def _pss_mb(pids: list[int]) -> float:
    """Proportional set size summed over `pids` (pages shared after a fork count once)."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return total / 1024


def _run_build(data: Path, sample: bool = False) -> dict:
    """`personkg build` in a child process: wall time and the child's max RSS (of its
    largest process); with `sample`, also the peak of the memory all its processes use
    together (PSS summed, read every 0.1 s), and the wall time is not used."""
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        proc = subprocess.Popen([str(PERSONKG), "build", "--data", str(data), "--out",
                                 str(Path(tmp) / "out")], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, env={**os.environ,
                                                             "PERSONKG_PROGRESS": "0"})
        peak = 0.0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG if sample else 0)
            if pid:
                break
            peak = max(peak, _pss_mb(_tree(proc.pid)))
            time.sleep(0.1)
        wall = time.perf_counter() - t0
        err = proc.stderr.read().decode() if proc.stderr else ""
        code = os.waitstatus_to_exitcode(status)
    # the synthetic data has deliberate defects: build stops at validation (exit 1) -
    # so the benchmark builds a defect-free copy (see _dataset)
    if code != 0:
        sys.exit(f"personkg build failed ({code}):\n{err[-2000:]}")
    return {"build": wall, "peak_rss_mb": usage.ru_maxrss / 1024, "peak_pss_mb": peak}


def _validate_embedded() -> float:
    """`personkg validate` on the embedded dataset in a fresh process (cold): wall time."""
    t0 = time.perf_counter()
    subprocess.run([str(PERSONKG), "validate"], cwd=tempfile.gettempdir(), check=True,
                   stdout=subprocess.DEVNULL, env={**os.environ, "PERSONKG_PROGRESS": "0"})
    return time.perf_counter() - t0


def _dataset(n: int, defects: float, work: Path) -> Path:
    dest = work / f"people-{n}-defects-{defects}"
    stamp = dest / ".generated"
    key = f"{n} {defects} {(HERE / 'generate.py').stat().st_mtime_ns}"
    if stamp.is_file() and stamp.read_text() == key:
        return dest
    subprocess.run([sys.executable, str(HERE / "generate.py"), "--people", str(n), "--out",
                    str(dest), "--seed", "1", "--defects", str(defects), "--force"],
                   check=True, stdout=subprocess.DEVNULL)
    stamp.write_text(key)
    return dest


def _median(runs: list[dict], key: str) -> float | None:
    values = [r.get(key) for r in runs]
    if any(v is None for v in values):
        return None
    return statistics.median(values)


def _fmt(seconds: float | None, timeout: float) -> str:
    if seconds is None:
        return f"> {timeout:.0f} s"
    return f"{seconds:.3f} s" if seconds < 1 else f"{seconds:.2f} s"


def _ratio(fast: float | None, naive: float | None, timeout: float) -> str:
    if fast is None or fast <= 0:
        return ""
    if naive is None:
        return f"> {timeout / fast:.0f}x"
    return f"{naive / fast:.1f}x" if naive / fast < 100 else f"{naive / fast:.0f}x"


END_TO_END = ("load", "compile", "shacl", "export turtle", "export ntriples", "export jsonld")
#: Steps of the naive path with their own time limit (`--naive-shacl-timeout`).
LIMITS: dict[str, float] = {}


def _limit(stage: str, timeout: float) -> float:
    return LIMITS.get(stage, timeout)


GIB = 1024


def table(results: dict, timeout: float) -> str:
    """Per-step medians at each size: personkg, the naive path, the ratio."""
    sizes = sorted(results, key=int)
    lines = ["| step | " + " | ".join(
        f"{int(n):,} people ({results[n]['triples']:,} triples): personkg | naive | ratio"
        for n in sizes) + " |",
        "|---" * (1 + 3 * len(sizes)) + "|"]
    stages = list(results[sizes[-1]]["fast"])
    for stage in [*stages, "end to end"]:
        row = [stage if stage != "end to end" else "**" + " + ".join(
            s.replace("export ", "") for s in END_TO_END) + "**"]
        for n in sizes:
            fast, naive = results[n]["fast"], results[n]["naive"]
            if stage == "end to end":
                f = sum(fast[s] for s in END_TO_END)
                nv = (None if any(naive.get(s) is None for s in END_TO_END)
                      else sum(naive[s] for s in END_TO_END))
                if nv is None:  # a lower bound: the steps that stopped count as the timeout
                    lower = sum(_limit(s, timeout) if naive.get(s) is None else naive[s]
                                for s in END_TO_END)
                    row += [_fmt(f, timeout), f"> {lower:.0f} s", f"> {lower / f:.0f}x"]
                    continue
            else:
                f, nv = fast.get(stage), naive.get(stage, "")
            limit = _limit(stage, timeout)
            row += [_fmt(f, timeout), "same code" if nv == "" else _fmt(nv, limit),
                    "" if nv == "" else _ratio(f, nv, limit)]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def targets(results: dict, cold: float, timeout: float) -> str:
    """The issue's targets at the largest size, measured."""
    n = max(results, key=int)
    r = results[n]
    fast, naive = r["fast"], r["naive"]
    exports = {k: v for k, v in fast.items() if k.startswith("export ")}
    queries = {k: v for k, v in fast.items() if k.startswith("query ")}
    worst_export = max(exports, key=exports.get)
    worst_query = max(queries, key=queries.get)
    f = sum(fast[s] for s in END_TO_END)
    nv = sum(_limit(s, timeout) if naive.get(s) is None else naive[s] for s in END_TO_END)
    bound = "> " if any(naive.get(s) is None for s in END_TO_END) else ""

    def row(what: str, measured: str, ok: bool) -> str:
        return f"| {what} | {measured} | {'met' if ok else '**not met**'} |"

    lines = [f"| target ({int(n):,} people, {r['triples']:,} triples) | measured | |",
             "|---|---|---|",
             row("`personkg build` (validate + every export, written) <= 30 s",
                 f"{r['build']:.1f} s", r["build"] <= 30),
             row("peak memory of `personkg build` <= 1.5 GiB (all its processes together)",
                 f"{r['build_peak_pss_mb'] / GIB:.2f} GiB (its largest process: "
                 f"{r['build_peak_rss_mb'] / GIB:.2f} GiB)",
                 max(r["build_peak_pss_mb"], r["build_peak_rss_mb"]) <= 1.5 * GIB),
             row("each export <= 2 s", f"slowest: {worst_export[7:]} {exports[worst_export]:.2f} s",
                 exports[worst_export] <= 2),
             row("each named query <= 0.5 s",
                 f"slowest: {worst_query[6:]} {queries[worst_query]:.2f} s",
                 queries[worst_query] <= 0.5),
             row(">= 10x faster than the naive path end to end",
                 f"{bound}{nv / f:.1f}x ({f:.1f} s against {bound}{nv:.0f} s)", nv / f >= 10),
             row("embedded dataset: `personkg validate` cold <= 1 s", f"{cold:.2f} s", cold <= 1)]
    return "\n".join(lines) + "\n"


def main() -> None:
    # every step does its whole work: the build cache (benchmarks/cache.py) is off here
    os.environ["PERSONKG_CACHE"] = "off"
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker_main(sys.argv[2:])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,1000,10000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--naive-runs", type=int, default=1)
    ap.add_argument("--naive-timeout", type=float, default=60)
    ap.add_argument("--naive-shacl-timeout", type=float, default=None,
                    help="time limit of the naive SHACL step (default: --naive-timeout)")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--reuse-naive", action="store_true",
                    help="take the naive path's figures from the last run's results.json "
                         "(same sizes, same triples) instead of running it again")
    ap.add_argument("--work", type=Path, default=WORK,
                    help="where the datasets and results.json go (default .cache/bench)")
    args = ap.parse_args()
    LIMITS["shacl"] = args.naive_shacl_timeout or args.naive_timeout
    results: dict = {}
    earlier: dict = {}
    if args.reuse_naive:
        try:
            earlier = json.loads((args.work / "results.json").read_text())
        except (OSError, ValueError):
            sys.exit(f"--reuse-naive: no results.json from an earlier run in {args.work}")
    cold = statistics.median(_validate_embedded() for _ in range(args.runs))
    for n in (int(s) for s in args.sizes.split(",")):
        clean, defective = _dataset(n, 0.0, args.work), _dataset(n, 0.01, args.work)
        print(f"N={n}: {args.runs} runs of personkg, {args.naive_runs} of the naive path",
              file=sys.stderr)
        builds = [_run_build(clean) for _ in range(args.runs)]
        sampled = _run_build(clean, sample=True)
        fast = [_run_worker("fast", str(defective)) for _ in range(args.runs)]
        stages = [k for k in fast[0] if k not in ("triples", "shacl_issues", "peak_rss_mb")]
        if args.reuse_naive:
            before = earlier.get(str(n))
            if not before or before["triples"] != fast[0]["triples"]:
                sys.exit(f"--reuse-naive: no naive figures for {n} people with "
                         f"{fast[0]['triples']} triples in the earlier results")
            naive = [{**before["naive"], "peak_rss_mb": before["naive_peak_rss_mb"]}]
        else:
            naive = [_run_worker("naive", str(defective), str(args.naive_timeout),
                                 str(LIMITS["shacl"]))
                     for _ in range(args.naive_runs)]
        results[str(n)] = {
            "triples": fast[0]["triples"], "shacl_issues": fast[0]["shacl_issues"],
            "build": statistics.median(b["build"] for b in builds),
            "build_peak_rss_mb": max(b["peak_rss_mb"] for b in builds),
            "build_peak_pss_mb": sampled["peak_pss_mb"],
            "fast": {s: _median(fast, s) for s in stages},
            "naive": {s: _median(naive, s) for s in stages if s in naive[0]},
            "fast_peak_rss_mb": max(r["peak_rss_mb"] for r in fast),
            "naive_peak_rss_mb": max(r["peak_rss_mb"] for r in naive),
            "runs": args.runs, "naive_runs": args.naive_runs,
        }
        args.work.mkdir(parents=True, exist_ok=True)
        (args.work / "results.json").write_text(json.dumps({"validate_cold": cold, **results},
                                                      indent=2))
        print(f"  build {results[str(n)]['build']:.2f} s, "
              f"{results[str(n)]['build_peak_rss_mb']:.0f} MB largest process, "
              f"{sampled['peak_pss_mb']:.0f} MB all processes", file=sys.stderr)
    machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    how = "`bench.py --reuse-naive`" if args.reuse_naive else "`make bench`"
    text = (f"Measured with {how} ({machine}; medians of {args.runs} runs of personkg "
            f"and {args.naive_runs} of the naive path, naive steps stopped after "
            f"{args.naive_timeout:.0f} s, pySHACL after {LIMITS['shacl']:.0f} s"
            + ("; the naive path's figures are from the run before, on the same datasets"
               if args.reuse_naive else "") + ").\n\n"
            + targets(results, cold, args.naive_timeout) + "\n"
            + table(results, args.naive_timeout))
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
