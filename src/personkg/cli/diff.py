"""`personkg diff`: a statement-level review of a change to the dataset."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import options

__all__ = ["diff"]


@click.command()
@click.argument("base")
@click.argument("head", required=False)
@options.data_option
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json", "github"]),
              default="text", show_default=True,
              help="text; markdown (a pull-request comment); json; or GitHub annotations at "
                   "the changed lines of HEAD.")
@click.option("--fail-on", "fail_on", multiple=True,
              type=click.Choice(["weakened", "removed", "deprecated"]),
              help="Exit 1 when the diff has such a change (repeatable).")
def diff(base: str, head: str | None, data_dir: Path | None, fmt: str,
         fail_on: tuple[str, ...]) -> None:
    """What a change does to the facts: statements added, removed, deprecated or changed
    (qualifiers, references), facts whose best source's trust went down, entities added,
    removed, renamed or relabelled, and QIDs set.

    BASE and HEAD are revisions of the git repository holding the dataset (--data, else
    ./data; HEAD defaults to the working tree), or dataset folders. Each side is read and
    checked (not SHACL); one that does not validate stops the diff (exit 2).
    Exit 0, or 1 with --fail-on when such a change is there, 2 when it cannot run."""
    from ..diff import FAIL_ON, review

    reviewed = review(base, head, lambda: options.data(data_dir))
    click.echo(reviewed.render(fmt), nl=False)
    if any(FAIL_ON[kind](reviewed.diff) for kind in fail_on):
        sys.exit(1)
