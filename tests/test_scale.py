"""The synthetic dataset of the scale benchmark, and the fast path on it: the generator is
deterministic and its defects are the ones SHACL reports; the fast SHACL engine gives
pySHACL's results on it, result for result; progress bars appear only on a terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections import Counter

import pytest
from test_shacl_engines import assert_same

from conftest import REPO, generate

PERSONKG = [sys.executable, "-m", "personkg"]


def _tree(root):
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_generator_is_deterministic(tmp_path):
    a = _tree(generate(tmp_path / "a", 40, 0.2, seed=7))
    b = _tree(generate(tmp_path / "b", 40, 0.2, seed=7))
    c = _tree(generate(tmp_path / "c", 40, 0.2, seed=8))
    assert len(a) > 60
    assert a == b
    assert a != c


def test_generated_defects_are_found_by_shacl_only(tmp_path):
    root = generate(tmp_path / "data", 60, 0.25)
    proc = subprocess.run([*PERSONKG, "validate", "--data", str(root), "--format", "json"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1, proc.stderr
    import json

    issues = json.loads(proc.stdout)["issues"]
    assert {i["layer"] for i in issues} == {"shacl"}
    assert set(Counter(i["code"] for i in issues)) == {
        "start-after-end", "value-type", "qualifier-type", "conflicting-values", "domain",
        "duplicate-series-ordinal", "weakly-sourced"}


def test_a_clean_synthetic_dataset_conforms(tmp_path):
    root = generate(tmp_path / "data", 60, 0)
    proc = subprocess.run([*PERSONKG, "validate", "--data", str(root), "--strict"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert ", 0 errors, 0 warnings" in proc.stdout


def test_engines_agree_on_synthetic_defective_data(voc, tmp_path):
    """Every defect kind, several times, in one graph: the same results from both."""
    root = generate(tmp_path / "data", 14, 0.5, seed=3)
    results = assert_same(root, voc)
    assert len({r[3] for r in results}) >= 5


def _run_on_terminal(args, env):
    """Run with stderr on a pseudo-terminal; returns (exit code, what stderr showed)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return proc.wait(), b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture(scope="module")
def medium(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("medium") / "data", 300, 0)


def test_progress_bars_on_a_terminal(medium):
    env = {**os.environ, "PERSONKG_PROGRESS_DELAY": "0"}
    code, shown = _run_on_terminal([*PERSONKG, "validate", "--data", str(medium)], env)
    assert code == 0
    assert "reading records [" in shown
    assert "SHACL core constraints [" in shown
    assert "\x1b[K" in shown  # each bar is erased when its step ends


def test_no_progress_bars_when_stderr_is_not_a_terminal(medium):
    env = {**os.environ, "PERSONKG_PROGRESS_DELAY": "0"}
    proc = subprocess.run([*PERSONKG, "validate", "--data", str(medium)], capture_output=True,
                          text=True, env=env, check=False)
    assert proc.returncode == 0
    assert proc.stderr == ""


def test_progress_bars_can_be_turned_off(medium):
    env = {**os.environ, "PERSONKG_PROGRESS_DELAY": "0", "PERSONKG_PROGRESS": "0"}
    code, shown = _run_on_terminal([*PERSONKG, "validate", "--data", str(medium)], env)
    assert code == 0
    assert shown == ""


def test_the_benchmark_runs_end_to_end(tmp_path):
    """`make bench` in miniature: tiny sizes, one run, short naive time limit."""
    out = tmp_path / "benchmarks.md"
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench.py"), "--sizes", "10,20", "--runs", "1",
         "--naive-timeout", "5", "--naive-shacl-timeout", "3", "--work", str(tmp_path / "work"),
         "--out", str(out)],
        capture_output=True, text=True, check=False, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    assert "| `personkg build` (validate + every export, written) <= 30 s |" in text
    assert "| export turtle |" in text and "| query sourcing |" in text
    assert "pySHACL after 3 s" in text
    assert "| peak memory of `personkg build` <= 1.5 GiB (all its processes together) |" in text
    import json

    results = json.loads((tmp_path / "work" / "results.json").read_text())
    assert results["20"]["triples"] > results["10"]["triples"] > 0
    assert results["20"]["fast"]["shacl"] > 0
    assert results["20"]["build_peak_pss_mb"] > 10
    # again, with the naive path's figures taken from that run
    again = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench.py"), "--sizes", "10,20", "--runs", "1",
         "--reuse-naive", "--work", str(tmp_path / "work"), "--out", str(out)],
        capture_output=True, text=True, check=False, timeout=600)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "figures are from the run before" in out.read_text(encoding="utf-8")
    rerun = json.loads((tmp_path / "work" / "results.json").read_text())
    assert rerun["20"]["naive"] == results["20"]["naive"]


def test_the_site_benchmark_runs_end_to_end(tmp_path):
    """`benchmarks/site.py` in miniature: the table has a row per size and a ratio."""
    out = tmp_path / "site.md"
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "site.py"), "--sizes", "10", "--runs", "1",
         "--work", str(tmp_path / "work"), "--out", str(out)],
        capture_output=True, text=True, check=False, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    row = next(ln for ln in out.read_text(encoding="utf-8").splitlines()
               if ln.startswith("| 10 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    build, site, ratio = float(cells[1][:-2]), float(cells[2][:-2]), float(cells[3])
    # the table rounds the times to 0.1 s, the ratio is of the unrounded ones (and rounded
    # to 0.01): it lies between the ratios the rounded times allow
    assert build > 0 and site > 0
    assert (site - 0.05) / (build + 0.05) - 0.005 <= ratio <= (site + 0.05) / (build - 0.05) + 0.005
