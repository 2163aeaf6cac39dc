"""Where the ontology, shapes, embedded dataset and named queries live.

In an installed wheel they are inside the package (`personkg/_resources/<name>`);
in a source checkout (editable install or tests run from the tree) they are the
top-level folders of the repository.
"""

from __future__ import annotations

from pathlib import Path

from ._version import __version__

__all__ = ["resource_dir", "local_data_dir", "default_data_dir", "data_folder", "KINDS_HINT",
           "RECONCILIATION", "__version__"]

_PACKAGE = Path(__file__).resolve().parent
KINDS_HINT = "people, organizations, works, quotations, events, awards, topics, places, sources"
#: reconcile's verdicts, beside dataset.yaml (written by `personkg reconcile --write`)
RECONCILIATION = "reconciliation.yaml"


def resource_dir(name: str) -> Path:
    """The folder `name` (ontology, shapes, data or queries) shipped with personkg."""
    packaged = _PACKAGE / "_resources" / name
    if packaged.is_dir():
        return packaged
    checkout = _PACKAGE.parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"personkg resource folder {name!r} is missing from the installation")


def local_data_dir(cwd: Path | None = None) -> Path:
    """`./data`: the dataset folder a command without `--data` reads when it is there."""
    return (cwd or Path.cwd()) / "data"


def default_data_dir(cwd: Path | None = None) -> Path:
    """`./data` whenever there is one (used as it is, errors and all: never silently replaced
    by another dataset), else the embedded example dataset (whoever gets another folder than
    `local_data_dir()` got that one, and says so)."""
    local = local_data_dir(cwd)
    if local.exists() or local.is_symlink():
        return local
    return resource_dir("data")


def data_folder(given: Path | str | None = None) -> Path:
    """The dataset folder that a `--data` value names: the folder itself, or its `data/`
    when it is a repository that keeps its dataset there (as `personkg init` lays one out);
    with no value, the default (see `default_data_dir`)."""
    if given is None:
        return default_data_dir()
    given = Path(given)
    if not (given / "sources").is_dir() and (given / "data" / "sources").is_dir():
        return given / "data"
    return given
