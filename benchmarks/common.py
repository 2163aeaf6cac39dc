"""What the benchmark scripts share: the generated datasets, a timed personkg process, their
common options and where a table goes."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = REPO / ".cache" / "bench"  # not build/: `make demo` writes there
PERSONKG = Path(sys.executable).with_name("personkg")
#: Where the benchmarks write their outputs: a RAM folder when there is one. On the disk of
#: the machine the figures were taken on, creating a file took from 0.05 to 0.9 ms depending
#: on the folder (ext4 skips recently freed inodes one by one), and the site creates three
#: files per record: its figures then measured the disk more than personkg.
SCRATCH = Path("/dev/shm") if Path("/dev/shm").is_dir() else None


def dataset(n: int, work: Path = WORK) -> Path:
    """The generated dataset of `n` people without defects (made once, under `work`)."""
    path = work / f"people-{n}-defects-0"
    if not (path / "dataset.yaml").is_file():
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--people", str(n),
                        "--defects", "0", "--out", str(path)], check=True)
    return path


class Ran(NamedTuple):
    """One timed process: wall seconds, max RSS in MiB, and CPU seconds (user and system,
    its own processes' too: the CPU a run needs is steadier than its wall time on a shared
    machine)."""

    wall: float
    rss: float
    cpu: float


def run(*args: str, program: list[str] | None = None) -> Ran:
    """One personkg command (or `program`) in a fresh process, timed."""
    start = time.perf_counter()
    proc = subprocess.Popen(program or [str(PERSONKG), *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)  # (on Linux with its reaped children's)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(program or ['personkg', *args])} failed (status {status})")
    return Ran(wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def run_writing(out: Path, *args: str, program: list[str] | None = None) -> Ran:
    """`run` of a command that writes the folder `out`, which is removed once timed: the
    outputs of earlier runs left in a RAM folder take memory the runs after them then have
    to find. A site at 10,000 people took 53.5 s (23.4 s of it the system's) beside 5 GiB of
    earlier outputs in /dev/shm, against 33.5 s (4.3 s) without."""
    try:
        return run(*args, program=program)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def options(doc: str, sizes: str | None = "1000,10000",
            scratch: bool = False) -> argparse.ArgumentParser:
    """A parser with the options the benchmarks share: `--sizes` (unless None), `--runs`,
    `--out` (the table's file), `--work` (where the data is generated) and, with `scratch`,
    `--scratch` (where outputs are written)."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    if sizes is not None:
        ap.add_argument("--sizes", default=sizes, type=lambda s: [int(n) for n in s.split(",")],
                        help=f"people, comma-separated [default: {sizes}]")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None, help="write the table to this file")
    ap.add_argument("--work", type=Path, default=WORK, help="where the data is generated")
    if scratch:
        ap.add_argument("--scratch", type=Path, default=SCRATCH or WORK,
                        help=f"where the outputs are written [default: {SCRATCH or WORK}]")
    return ap


def parsed(ap: argparse.ArgumentParser) -> argparse.Namespace:
    """The options, with the folders they name made."""
    args = ap.parse_args()
    for name in ("work", "scratch"):
        if getattr(args, name, None) is not None:
            getattr(args, name).mkdir(parents=True, exist_ok=True)
    return args


def publish(text: str, out: Path | None) -> None:
    """A benchmark's table: printed, and written to `out` when given."""
    print(text)
    if out:
        out.write_text(text, encoding="utf-8")
