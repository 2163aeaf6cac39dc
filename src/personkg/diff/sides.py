"""The two sides of a diff: a dataset folder, or the dataset folder of a git repository at a
revision, checked out through a temporary index into a temporary folder (the working tree and the
index are never touched), each read and checked (layers 1-3: YAML, JSON Schema, references
between records; SHACL stays `validate`'s job)."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import cache
from ..checks.report import Report, display_path
from ..errors import RunError
from ..model import Dataset
from ..pipeline import vocabulary
from ..reading import load_dataset
from ..resources import data_folder
from ..vocab import Vocabulary

__all__ = ["Side", "open_side", "WORKING_TREE"]

#: the label of HEAD when it is not given: the dataset folder as it is on disk
WORKING_TREE = "working tree"


@dataclass
class Side:
    """One side of a diff: its label (a revision or folder, as given), the records that
    were read and their vocabulary. `shown` maps a record's path to the path shown in
    reports: relative to the repository for an exported revision (where the file is in the
    repository), else relative to the working directory."""

    label: str
    dataset: Dataset
    voc: Vocabulary
    exported_to: Path | None = None  # the temporary folder of a revision
    repo_prefix: str = ""  # the dataset folder inside the repository ("" at its top)
    notes: list[str] = field(default_factory=list)

    def shown(self, path: Path) -> str:
        if self.exported_to is not None:
            try:
                rel = Path(path).relative_to(self.exported_to)
            except ValueError:
                return display_path(path)
            return rel.as_posix()
        return display_path(path)


def _git(args: list[str], cwd: Path, check: bool = True,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=300,
                              env=env)
    except FileNotFoundError:
        raise RunError("git is not installed: give two dataset folders instead of "
                       "revisions") from None
    if check and proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RunError(f"git {args[0]}: {message[-1] if message else 'failed'}")
    return proc


def _repository(data: Path) -> tuple[Path, str]:
    """The top of the git repository holding the folder `data`, and `data` inside it
    (`data/`, or "" at its top)."""
    proc = _git(["rev-parse", "--show-toplevel", "--show-prefix"], data, check=False)
    if proc.returncode != 0:
        raise RunError(f"{display_path(data)} is not in a git repository: give two dataset "
                       "folders, or revisions of the repository that holds the dataset")
    top, prefix = (proc.stdout.decode("utf-8").splitlines() + ["", ""])[:2]
    return Path(top), prefix


def _export(revision: str, data: Path, into: Path) -> tuple[Path | None, str]:
    """The dataset folder `data` as it is at `revision`, written below `into`; None when the
    revision does not have it (the dataset is new)."""
    top, prefix = _repository(data)
    proc = _git(["rev-parse", "--verify", "--quiet", "--end-of-options",
                 f"{revision}^{{commit}}"], top, check=False)
    if proc.returncode != 0 or not proc.stdout.strip():
        raise RunError(f"{revision!r} is neither a folder nor a revision of the git "
                       f"repository {display_path(top)}")
    commit = proc.stdout.decode("ascii").strip()
    where = prefix.rstrip("/")
    if where and not _git(["ls-tree", "-d", commit, "--", where], top).stdout.strip():
        return None, prefix
    # the revision's tree into a temporary index, written out below `into`: git's own
    # checkout, fast, and the user's index and working tree are not touched
    index = into.parent / f"{into.name}.index"
    into.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GIT_INDEX_FILE": str(index)}
    for args in (["read-tree", f"{commit}:{where}" if where else commit],
                 ["checkout-index", "--all", "--force", f"--prefix={into / where}/"]):
        _git(args, top, env=env)
    return into / where if where else into, prefix


def open_side(spec: str | None, data: Callable[[], Path], into: Path) -> Side:
    """The side named `spec`: an existing folder (the dataset, or a folder holding it as
    data/), else a revision of the git repository of the dataset folder `data()`; None is
    that folder as it is on disk. A revision is exported below `into`."""
    if spec is None:
        return _read(WORKING_TREE, data())
    if os.path.isdir(spec):
        return _read(spec, data_folder(spec))
    root, prefix = _export(spec, data(), into)
    if root is None:
        voc = vocabulary(into)
        side = Side(spec, Dataset(root=into), voc, into, prefix)
        side.notes.append(f"{spec} has no {prefix.rstrip('/') or 'dataset'}: every record "
                          "is new")
        return side
    return _read(spec, root, exported_to=into, prefix=prefix)


def _read(label: str, root: Path, exported_to: Path | None = None, prefix: str = "") -> Side:
    voc = vocabulary(root)
    report = Report()
    with cache.paused() if exported_to is not None else contextlib.nullcontext():
        dataset = load_dataset(root, voc, report)
    side = Side(label, dataset, voc, exported_to, prefix)
    if not report.conforms():
        first = min(report.errors) if report.errors else None
        where = f"{side.shown(Path(first.path))}:{first.line}: " if first and first.path else ""
        what = f"{where}{first.message}" if first else "see personkg validate"
        n = len(report.errors)
        raise RunError(f"{label}: the dataset does not validate ({n} error"
                       f"{'s' if n != 1 else ''}; first: {what})",
                       "fix it, or see `personkg validate`")
    return side
