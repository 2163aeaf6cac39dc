"""The instructions the site's HTML pages cost, counted by Valgrind's callgrind: the same
count on every run, where the CPU time of a page varies by a fifth from run to run on a
shared machine (`site.py` measures the whole command; this one compares two versions of
the page code).

    .venv/bin/python benchmarks/pages.py [--people 1000] [--step 5] [--pages 250]
        [--src OTHER/src ...]

Every `--step`-th entity page and every `--step`-th source page of the generated dataset
of `--people` people (at most `--pages` of each kind) is rendered and
written into a temporary folder once to warm up, then again while callgrind counts; the
dataset is loaded and checked before counting starts. With `--src`, the same is counted
with each other checkout's `src` folder first on the import path (for example a
`git worktree` of an earlier commit), and the differences are printed. Needs `valgrind`
(the Debian package); about a minute a count.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

from common import dataset


def render(data: str, step: int, pages: int, ready: Path, go: Path) -> None:
    """Inside callgrind: load, warm up, say ready, wait to be counted, render again."""
    from personkg import pipeline
    from personkg.site import pages as site_pages

    checked, voc = pipeline.loaded_for_writing(Path(data))
    out = Path(tempfile.mkdtemp())
    try:
        (out / "id").mkdir()
        files = site_pages._SiteFiles(site_pages.Staged(checked.dataset, voc, lambda: None),
                                      out, None)
        # the entity pages, then the sources', whatever order the site takes them in
        chosen = [*(partial(files.entity_page_file, e) for e in files.entities[::step][:pages]),
                  *(partial(files.source_page_file, s) for s in files.sources[::step][:pages])]
        for write in chosen:  # warm: the templates compiled, the Context made
            write()
        ready.touch()
        while not go.exists():
            time.sleep(0.1)
        for write in chosen:
            write()
    finally:
        shutil.rmtree(out)


def count(data: Path, step: int, pages: int, src: Path | None) -> int:
    """The instructions of rendering the chosen pages once (`src` first on the path)."""
    with tempfile.TemporaryDirectory() as tmp:
        ready, go, log = Path(tmp, "ready"), Path(tmp, "go"), Path(tmp, "log")
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        if src is not None:
            env["PYTHONPATH"] = str(src.resolve())
        proc = subprocess.Popen(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no",
             f"--callgrind-out-file={tmp}/callgrind.out", f"--log-file={log}",
             sys.executable, __file__, "--child", str(data), str(step), str(pages),
             str(ready), str(go)], env=env)
        while not ready.exists():
            if proc.poll() is not None:
                raise SystemExit(f"the page run stopped early (status {proc.returncode})")
            time.sleep(0.5)
        subprocess.run(["callgrind_control", "--instr=on", str(proc.pid)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        go.touch()
        if proc.wait() != 0:
            raise SystemExit(f"the page run failed (status {proc.returncode})")
        found = re.search(r"Collected : (\d+)", log.read_text())
        if not found:
            raise SystemExit("callgrind reported no count")
        return int(found.group(1))


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        data, step, pages, ready, go = sys.argv[2:7]
        render(data, int(step), int(pages), Path(ready), Path(go))
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--people", type=int, default=1000)
    ap.add_argument("--step", type=int, default=5)
    ap.add_argument("--pages", type=int, default=250)
    ap.add_argument("--src", type=Path, action="append", default=[],
                    help="another checkout's src folder to count too")
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt install valgrind)")
    data = dataset(args.people)
    base = count(data, args.step, args.pages, None)
    print(f"installed personkg: {base:,} instructions for the pages")
    for src in args.src:
        other = count(data, args.step, args.pages, src)
        print(f"{src}: {other:,} instructions (the installed one: {(base - other) / other:+.1%})")


if __name__ == "__main__":
    main()
