from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from personkg.cli import main
from personkg.vocab import Vocabulary

REPO = Path(__file__).resolve().parent.parent

# Every command of the suite (in this process and in the ones it starts) uses the build
# cache, as users do, in a folder of this run rather than the user's own.
if "PERSONKG_CACHE" not in os.environ:
    os.environ["PERSONKG_CACHE"] = tempfile.mkdtemp(prefix="personkg-test-cache-")
    atexit.register(shutil.rmtree, os.environ["PERSONKG_CACHE"], True)
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CASES = Path(__file__).resolve().parent / "cases"


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture(scope="session")
def voc() -> Vocabulary:
    return Vocabulary.load()


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A fresh copy of the small valid dataset, to break on purpose."""
    dest = tmp_path / "data"
    shutil.copytree(FIXTURES / "mini", dest)
    return dest


@pytest.fixture(scope="session")
def wikidata(tmp_path_factory: pytest.TempPathFactory):
    """The Wikidata fixtures (tests/fixtures/wikidata/, fake QIDs) on two local Oxigraph
    servers, main and scholarly graphs, for the whole session (tests only read them)."""
    from servers import wikidata_servers

    with wikidata_servers(tmp_path_factory.mktemp("wikidata")) as servers:
        yield servers


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]):
    """Run the CLI in-process; returns exit code, stdout and stderr."""

    def _run(*args: str) -> Result:
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return _run


def run_process(*args: str, cwd: Path | None = None) -> Result:
    """Run the installed `personkg` in a separate process (real exit codes, streams)."""
    proc = subprocess.run([sys.executable, "-m", "personkg", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def generate(dest: Path, people: int, defects: float | str, seed: int = 1) -> Path:
    """A synthetic dataset of `people` people in `dest` (`benchmarks/generate.py`, which
    makes the same files for the same arguments), with `defects` of them failing SHACL
    only. Returns `dest`."""
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate.py"), "--people",
                    str(people), "--out", str(dest), "--defects", str(defects), "--seed",
                    str(seed), "--force"], check=True, capture_output=True)
    return dest


def mark_absent(data: Path) -> Path:
    """Record in `data`'s reconciliation.yaml that every entity without a QID was checked
    absent on Wikidata today, as `personkg reconcile --write` would after finding nothing
    (for tests of `--create-missing` that need no server). Returns `data`."""
    import datetime

    from personkg.pipeline import compiled
    from personkg.wikidata.verdicts import fingerprint

    c = compiled(data, shacl=False)
    today = datetime.date.today().isoformat()
    lines = [f'  {e.id}: {{verdict: absent, checked: "{today}", endpoint: '
             f'"http://127.0.0.1/sparql", of: "{fingerprint(e, c.voc)}"}}\n'
             for e in sorted(c.dataset.entities.values(), key=lambda e: e.id) if not e.wikidata]
    (data / "reconciliation.yaml").write_text("verdicts:\n" + "".join(lines), encoding="utf-8")
    return data
