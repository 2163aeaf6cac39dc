"""What the benchmark scripts share: the generated datasets and a timed personkg process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

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


def run(*args: str, program: list[str] | None = None) -> tuple[float, float]:
    """Wall seconds and max RSS (MiB) of one personkg command (or `program`) in a fresh
    process."""
    start = time.perf_counter()
    proc = subprocess.Popen(program or [str(PERSONKG), *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(program or ['personkg', *args])} failed (status {status})")
    return wall, usage.ru_maxrss / 1024
