"""The Wikidata commands' parts: `personkg reconcile`, and which entities `export
--create-missing` may create."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import pipeline
from ..namespaces import WDQS, WDQS_SCHOLARLY
from ..resources import RECONCILIATION
from . import options

__all__ = ["reconcile", "creatable"]


def creatable(c: pipeline.Compiled, create_missing: bool, window: int | None) -> set[str]:
    """The entities `--create-missing` may create; the others counted on standard error."""
    if not create_missing:
        return set()
    from ..wikidata.verdicts import plan

    create, left_out, said = plan(c.dataset, c.voc, window)
    c.memo["not-created"] = left_out
    click.echo(said, err=True)
    return create


@click.command()
@options.data_option
@click.option("--endpoint", metavar="URL", default=None,
              help=f"Wikidata SPARQL endpoint [default: {WDQS}].")
@click.option("--scholarly-endpoint", metavar="URL", default=None,
              help=f"Endpoint for scholarly works [default: {WDQS_SCHOLARLY}].")
@click.option("--write", is_flag=True,
              help="Store accepted QIDs in the records (only their wikidata: lines change) and "
                   "every verdict in reconciliation.yaml (what --create-missing reads).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--max-age", "max_age", metavar="DURATION", default="7d", show_default=True,
              help="Ask again when a cached answer is older than this (30d, 12h, 90m); an "
                   "empty answer (nothing found) expires after 1 day, or --max-age if shorter.")
@click.option("--timeout", type=float, default=90.0, show_default=True,
              help="Seconds to wait for an answer (above the Wikidata Query Service's own 60 s "
                   "limit, so its error is seen rather than a hang-up).")
@click.option("--retries", type=int, default=3, show_default=True,
              help="Retries on 429/503 (Retry-After is honoured).")
@click.option("--contact", metavar="EMAIL_OR_URL", default=None,
              help="Who runs this, for the User-Agent (Wikimedia's policy; needed for "
                   "*.wikidata.org and *.wikimedia.org endpoints) [default: $PERSONKG_CONTACT].")
def reconcile(data_dir: Path | None, endpoint: str | None, scholarly_endpoint: str | None,
              write: bool, fmt: str, max_age: str,
              timeout: float, retries: int, contact: str | None) -> None:
    """Find the Wikidata items of entities and sources without a QID: by arXiv id, DOI,
    ORCID, X username and website (sources: DOI, ISSN, URL) first, then entities by name and
    aliases among the labels and aliases of their class and its subclasses (a candidate
    only); report QIDs that are redirects."""
    from ..wikidata.cache import parse_duration
    from ..wikidata.reconcile import reconcile as run_reconcile
    from ..wikidata.reconcile import write_qids

    age = parse_duration(max_age)
    main_ep = options.wikidata_endpoint(endpoint or WDQS, timeout, retries, contact)
    scholarly_ep = options.wikidata_endpoint(scholarly_endpoint or WDQS_SCHOLARLY, timeout,
                                             retries, contact)
    c = options.compiled(data_dir, shacl=False)
    root = options.cache_root()  # answers beside the build cache (--no-cache: ask again)
    cache = None if root is None else root / "wikidata"
    rec = run_reconcile(c.dataset, c.voc, main_ep, scholarly_ep, cache, max_age=age)
    click.echo(rec.to_text() if fmt == "text" else rec.to_json(), nl=False)
    if write:
        from ..wikidata.verdicts import verdicts_file, verdicts_of

        # the records and the verdicts about them are written together, or not at all
        verdicts, table = verdicts_file(c.dataset, verdicts_of(rec, c.dataset, c.voc))
        written, refused = write_qids(c.dataset, rec, also=(verdicts,))
        c.dataset.verdicts = table
        for r in refused:
            click.echo(str(r), err=True)
        click.echo(f"wrote the QIDs into {len(written)} record(s)", err=True)
        click.echo(f"recorded the verdicts of {len(table)} entities in "
                   f"{c.dataset.root / RECONCILIATION}", err=True)
        if refused:
            sys.exit(1)
