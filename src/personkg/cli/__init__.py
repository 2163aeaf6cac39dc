"""The `personkg` command: a thin click layer. Each command parses options, calls one
library function and renders its result; `main()` maps errors to exit codes
(0 success, 1 the data is wrong, 2 the command could not run)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import cache, pipeline, scaffold
from ..checks.report import RENDERERS
from ..errors import DataError, PersonkgError, RunError
from ..export import FORMATS
from ..namespaces import DEFAULT_GRAPH, PREFIXES, WDQS, WDQS_SCHOLARLY
from ..output import write_file
from ..query import (
    RESULT_FORMATS,
    bind_params,
    check_params,
    named_queries,
    named_query,
    render,
    run_query,
    subject_parameters,
    unknown_terms,
    with_prefixes,
)
from ..resources import __version__
from ..vocab import Vocabulary
from . import options
from .diff import diff
from .wikidata import creatable, reconcile

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="personkg",
                      message="%(prog)s %(version)s")
def cli() -> None:
    """A sourced knowledge graph of people: validate, query and publish it."""


@cli.command()
@options.data_option
@click.option("--format", "fmt", type=click.Choice(list(RENDERERS)), default="text",
              show_default=True, help="Report format: text, json, or GitHub annotations.")
@click.option("--strict", is_flag=True, help="Warnings fail validation too.")
@click.option("--engine", type=click.Choice(["fast", "pyshacl"]), default=None,
              help="SHACL engine: fast, or pySHACL (the reference: slow on large graphs) "
                   "[default: fast].")
@click.option("--endpoint", metavar="URL",
              help="Check the graph at this SPARQL endpoint instead of record files: the "
                   "SHACL shapes only, each query run by the server.")
@click.option("--graph", "graphs", multiple=True, metavar="IRI",
              help="With --endpoint: check this named graph (as the default graph).")
@click.option("--ontology", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="With --endpoint: a dataset's own ontology.ttl, whose properties' shapes "
                   "are checked too.")
@options.with_network_options
def validate(data_dir: Path | None, fmt: str, strict: bool, engine: str | None,
             endpoint: str | None, graphs: tuple[str, ...], ontology: Path | None,
             timeout: float, retries: int, auth_env: str | None, auth_method: str) -> None:
    """Check the dataset: YAML, JSON Schema, references between records, SHACL.

    Every problem is printed once as FILE:LINE: SEVERITY CODE: MESSAGE; with --endpoint,
    as FOCUS-NODE: SEVERITY CODE: MESSAGE (SHACL only, on the server).
    Exit 0 when it conforms, 1 when it does not, 2 when the check could not run."""
    if endpoint is None:
        if graphs or ontology:
            raise RunError("--graph and --ontology need --endpoint")
        report = pipeline.check(options.data(data_dir), engine=engine or "fast")
    else:
        if data_dir is not None:
            raise RunError("--endpoint checks the graph on the server: give --endpoint or "
                           "--data, not both")
        if engine == "pyshacl":
            raise RunError("--endpoint runs the fast engine's queries on the server; "
                           "pySHACL cannot (--engine pyshacl is for record files)")
        if ontology is not None and not ontology.is_file():
            raise RunError(f"--ontology {ontology}: not a file")
        remote = options.endpoint(endpoint, timeout, retries, auth_env, auth_method)
        report = pipeline.check_endpoint(remote, graphs, ontology)
    click.echo(RENDERERS[fmt](report, strict), nl=False)
    if not report.conforms(strict):
        sys.exit(1)


QS_FORMATS = ("quickstatements", "qs-csv")


@cli.command()
@options.data_option
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)),
              required=True,
              help="Output format (quickstatements = QuickStatements V1, qs-csv = its CSV form, "
                   "schemaorg = a schema.org ProfilePage for one person).")
@click.option("--entity", "entity_id", metavar="ID", shell_complete=options.complete_entities,
              help="schemaorg: the person [default: the one with the most statements]; "
                   "bibtex, csl-json: one work, or a person's works [default: every work].")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write to this file (atomically) instead of standard output.")
@click.option("--create-missing", is_flag=True,
              help="QuickStatements: create items (CREATE/LAST) for the entities without a QID "
                   "that `personkg reconcile --write` checked absent (never for candidates, "
                   "duplicates or unchecked entities).")
@click.option("--checked-within", "window", type=click.IntRange(0, 365), default=None,
              metavar="DAYS",
              help="With --create-missing: trust an 'absent' verdict this many days "
                   "[default: 7].")
@click.option("--against", "against_url", metavar="URL",
              help="QuickStatements: only what Wikidata lacks, asked at this SPARQL endpoint "
                   f"(`wikidata`: {WDQS}); scholarly works at --scholarly-endpoint.")
@click.option("--scholarly-endpoint", metavar="URL", default=None,
              help=f"With --against: the endpoint for scholarly works [default: {WDQS_SCHOLARLY}].")
@click.option("--timeout", type=float, default=90.0, show_default=True,
              help="With --against: seconds to wait for an answer (the Wikidata Query Service "
                   "stops queries at 60).")
@click.option("--contact", metavar="EMAIL_OR_URL", default=None,
              help="With --against: who runs this, for the User-Agent (needed for Wikimedia "
                   "endpoints) [default: $PERSONKG_CONTACT].")
def export(data_dir: Path | None, fmt: str, entity_id: str | None, output: Path | None,
           create_missing: bool, window: int | None, against_url: str | None,
           scholarly_endpoint: str | None, timeout: float, contact: str | None) -> None:
    """Export the compiled graph (records that fail validation stop the export).

    QuickStatements formats list what they leave out (and why) on standard error."""
    if fmt not in QS_FORMATS and (create_missing or against_url or scholarly_endpoint):
        raise RunError("--create-missing, --against and --scholarly-endpoint are for the "
                       "QuickStatements formats")
    if (scholarly_endpoint or contact) and not against_url:
        raise RunError("--scholarly-endpoint and --contact need --against")
    if create_missing and fmt == "qs-csv":
        raise RunError("--create-missing needs --format quickstatements: in the CSV form "
                       "every row with an empty qid creates a new item")
    if window is not None and not create_missing:
        raise RunError("--checked-within needs --create-missing")
    endpoints = None  # refused (no contact for Wikimedia) before the data is read
    if against_url:
        endpoints = (options.wikidata_endpoint(WDQS if against_url == "wikidata" else against_url,
                                               timeout, 3, contact),
                     options.wikidata_endpoint(scholarly_endpoint or WDQS_SCHOLARLY, timeout, 3,
                                               contact))
    c = options.compiled(data_dir, shacl=False)
    c.entity = entity_id
    if fmt == "schemaorg" and entity_id and (entity_id not in c.dataset.entities
                                             or c.dataset.entities[entity_id].type != "Person"):
        raise RunError(f"--entity {entity_id}: no person with that id in the dataset")
    if fmt in QS_FORMATS:
        from ..export.quickstatements import quickstatements

        qs = quickstatements(c.dataset, c.voc, create=creatable(c, create_missing, window))
        if endpoints:
            from ..wikidata.diff import against, fetch_for

            qs, diff = against(qs, fetch_for(c.dataset, c.voc, *endpoints), c.voc)
            sys.stderr.write(diff.summary(f"{endpoints[0].url} and {endpoints[1].url}"))
        qs.not_created.update(c.memo.get("not-created", {}))
        c.memo["quickstatements"] = qs
    text = FORMATS[fmt].text(c)
    if fmt in ("bibtex", "csl-json") and entity_id and not text.strip(" \n[]"):
        raise RunError(f"--entity {entity_id}: no work, and no author of a work, with that id")
    if fmt in QS_FORMATS:
        sys.stderr.write(c.memo["quickstatements"].summary())
    if output is None:
        click.echo(text, nl=False)
    else:
        write_file(output, text)


@cli.command()
@options.data_option
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("build"),
              show_default=True, help="Folder to write; replaced only once complete.")
def build(data_dir: Path | None, out_dir: Path) -> None:
    """Validate, then write every export and the validation report into one folder:
    the graph as Turtle, N-Triples and JSON-LD, QuickStatements (V1 and CSV), the
    schema.org ProfilePage of the main person, and validation.json."""
    built = pipeline.build(options.data(data_dir), out_dir)
    qs = built.compiled.memo.get("quickstatements")
    if qs is not None:
        sys.stderr.write(qs.summary())
    click.echo(built.report.summary())
    click.echo(f"wrote {', '.join(built.files)} to {out_dir}")


@cli.command()
@click.argument("sparql", required=False)
@options.data_option
@click.option("--file", "query_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Read the query from a .rq file.")
@click.option("--name", "query_name", metavar="NAME", shell_complete=options.complete_query_names,
              help="Run a named query from the library (see --list).")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              shell_complete=options.complete_params,
              help="Bind ?NAME (repeatable): an id, IRI, date, number or text.")
@click.option("--endpoint", metavar="URL",
              help="Ask this SPARQL endpoint instead of the embedded dataset.")
@click.option("--graph", "graphs", multiple=True, metavar="IRI",
              help="With --endpoint: query this named graph as the default graph.")
@options.with_network_options
@click.option("--format", "fmt", type=click.Choice(RESULT_FORMATS), default="table",
              show_default=True,
              help="SELECT/ASK: table, csv, tsv, json. CONSTRUCT/DESCRIBE: turtle or jsonld.")
@click.option("--allow-service", is_flag=True,
              help="Let an embedded query use SERVICE (it sends requests to other hosts).")
def query(sparql: str | None, data_dir: Path | None, query_file: Path | None,
          query_name: str | None, list_queries: bool, params: tuple[str, ...],
          endpoint: str | None, graphs: tuple[str, ...], timeout: float, retries: int,
          auth_env: str | None, auth_method: str, fmt: str, allow_service: bool) -> None:
    """Ask the graph a SPARQL question (inline, --file F.rq or --name NAME), embedded or on
    a SPARQL endpoint (--endpoint URL). --timeout limits an embedded query too.

    The project's prefixes (pkg, pkgd, pkgp, pkgps, pkgpsv, pkgpq, pkgpqv, pkgpr, id, rdf,
    rdfs, xsd, schema, prov, skos, wd, wdt) are predeclared."""
    library = named_queries()
    if list_queries:
        width = max(len(n) for n in library) if library else 0
        for q in library.values():
            params_note = f" [parameters: {q.parameters}]" if q.parameters else ""
            click.echo(f"{q.name.ljust(width)}  {q.title}: {q.answers}{params_note}")
        return
    given = [x for x in (sparql, query_file, query_name) if x]
    if len(given) != 1:
        raise RunError("give exactly one of: a SPARQL string, --file F.rq, --name NAME")
    options.check_timeout(timeout)  # before any work, embedded or remote
    bindings = options.params(params)
    if query_name:
        named = named_query(query_name, library)
        check_params(named, bindings)
        text, origin = named.text, str(named.path)
    elif query_file:
        try:
            text, origin = query_file.read_text(encoding="utf-8"), str(query_file)
        except (OSError, UnicodeDecodeError) as exc:
            raise RunError(f"{query_file}: cannot read: {exc}") from None
    else:
        text, origin = str(sparql), "query"
    if graphs and not endpoint:
        raise RunError("--graph needs --endpoint (the embedded dataset has one graph)")
    bound = bindings
    c = None if endpoint else pipeline.queryable(options.data(data_dir))
    if c is not None:
        base, subject = c.dataset.base, c.dataset.subject
    else:
        base, subject = pipeline.describe(options.data(data_dir))
    for name in subject_parameters(text):
        if name not in bound and subject:
            bound[name] = subject
    for warning in unknown_terms(text, c.voc if c is not None else None):
        click.echo(f"personkg: warning: {warning}", err=True)
    if c is not None:
        options.warn_unknown_ids(bound, c.dataset)
        click.echo(run_query(c.store, text, fmt, origin, base, bound,
                             allow_service=allow_service, timeout=timeout), nl=False)
        return
    text = bind_params(text, bound, base)
    remote = options.endpoint(str(endpoint), timeout, retries, auth_env, auth_method)
    result = remote.query(with_prefixes(text, base), graphs, origin, prefix_lines=len(PREFIXES))
    click.echo(render(result, fmt, base), nl=False)


@cli.command()
@options.data_option
@click.option("--endpoint", required=True, metavar="URL",
              help="Graph Store Protocol endpoint, e.g. http://127.0.0.1:7878/store.")
@click.option("--graph", "graph", default=None, metavar="IRI",
              help=f"Named graph to replace [default: {DEFAULT_GRAPH}].")
@click.option("--default-graph", is_flag=True, help="Replace the default graph instead.")
@options.with_network_options
def publish(data_dir: Path | None, endpoint: str, graph: str | None, default_graph: bool,
            timeout: float, retries: int, auth_env: str | None, auth_method: str) -> None:
    """Validate, then load the compiled graph into a triple store with the SPARQL 1.1 Graph
    Store HTTP Protocol. PUT replaces the graph, so publishing again is idempotent."""
    if graph and default_graph:
        raise RunError("give --graph IRI or --default-graph, not both")
    target = None if default_graph else (graph or DEFAULT_GRAPH)
    remote = options.endpoint(endpoint, timeout, retries, auth_env, auth_method)
    c = options.compiled(data_dir, shacl=True)
    status = remote.put_graph(c.graph.ntriples(), target)
    click.echo(f"published {len(c.graph.lines)} triples to "
               f"{'the default graph' if target is None else '<' + target + '>'} at {endpoint} "
               f"(HTTP {status})")


@cli.command()
@options.data_option
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("site"),
              show_default=True, help="Folder to write; replaced only once complete.")
@click.option("--site-url", default=None,
              help="Where the folder will be served, for the sitemap and dataset metadata "
                   "[default: site_url in dataset.yaml, else derived from its base].")
def site(data_dir: Path | None, out_dir: Path, site_url: str | None) -> None:
    """Validate, then write a static linked-data site: a page per entity (facts with numbered
    citations, deprecated claims with reasons, schema.org JSON-LD, a career timeline and
    publications for people) and per source (every fact it supports), .ttl and .jsonld
    beside each page, an index with search, the full dump, dataset metadata and a sitemap."""
    from ..site import site as write_site

    site_url = options.site_url(site_url)
    pages = write_site(options.data(data_dir), out_dir, site_url)
    click.echo(f"wrote {pages} pages to {out_dir} (open {out_dir}/index.html)")


@cli.command()
@options.data_option
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]),
              default="text", show_default=True, help="Report format.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write to this file instead of standard output.")
def report(data_dir: Path | None, fmt: str, output: Path | None) -> None:
    """Summarize the dataset: records and statements by kind, how well they are sourced,
    deprecated claims, conflicts, weakly sourced facts and the status of every quotation."""
    from ..stats import REPORT_FORMATS, collect

    c = pipeline.queryable(options.data(data_dir))
    text = REPORT_FORMATS[fmt](collect(c.store, c.voc, c.dataset.base))
    if output is None:
        click.echo(text, nl=False)
    else:
        write_file(output, text)


@cli.command()
@click.option("--check", "check_only", is_flag=True,
              help="Only report whether the generated files are up to date (exit 1 if not).")
@click.option("--root", "root", type=click.Path(path_type=Path), default=".", show_default=True,
              help="The personkg source tree: ontology/personkg.ttl is read, shapes/ written.")
def generate(check_only: bool, root: Path) -> None:
    """Regenerate shapes/*.schema.json and shapes/properties.shacl.ttl from the ontology."""
    from ..generate import generated_files, write_generated

    ontology = root / "ontology" / "personkg.ttl"
    if not ontology.is_file():
        raise RunError(f"{ontology}: not found (run from a personkg source tree or pass --root)")
    voc = Vocabulary.load(ontology)
    shapes = root / "shapes"
    if check_only:
        stale = [n for n, text in generated_files(voc).items()
                 if not (shapes / n).is_file()
                 or (shapes / n).read_text(encoding="utf-8") != text]
        if stale:
            raise DataError(f"out of date: {', '.join(stale)} (run `personkg generate`)")
        click.echo("generated files are up to date")
        return
    for path in write_generated(voc, shapes):
        click.echo(f"wrote {path}")


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--title", help="The dataset's title [default: NAME: a sourced knowledge graph].")
@click.option("--base", metavar="IRI",
              help="Base IRI of the entities, ending in / or # "
                   "[default: https://example.org/<folder name>/id/].")
@click.option("--person-name", default=scaffold.DEFAULT_PERSON, show_default=True,
              help="The name of the example person, the dataset's subject.")
@click.option("--person-id", metavar="ID", help="Their id [default: made from the name].")
@click.option("--license", "license_url", metavar="URL", default=scaffold.DEFAULT_LICENSE,
              show_default=True, help="The dataset's licence.")
def init(folder: Path, title: str | None, base: str | None, person_name: str,
         person_id: str | None, license_url: str) -> None:
    """Start a dataset repository in FOLDER (new or empty) that validates at once.

    The dataset is FOLDER/data: dataset.yaml, one person, a co-author, one source and a
    paper with ordered authors (all examples, on example.org), and the JSON Schemas in
    data/schemas/ that the records name for editor completion. Beside it: a GitHub Actions
    workflow (validate with --format github --strict, build the site), a pre-commit
    configuration, .gitignore and README.md. `personkg validate` in FOLDER, or
    `personkg validate --data FOLDER` anywhere, checks it."""
    written = scaffold.init_dataset(folder, title=title, base=base, person_name=person_name,
                                    person_id=person_id, license=license_url)
    click.echo(f"wrote {len(written)} files to {folder} (check them: personkg validate "
               f"--data {folder})")


@cli.command()
@click.argument("kind", shell_complete=options.complete_kinds)
@click.argument("record_id", metavar="ID")
@options.data_option
@click.option("--type", "type_name", metavar="TYPE",
              help="The record's type [default: the kind's own: Organization, CreativeWork...].")
def new(kind: str, record_id: str, data_dir: Path | None, type_name: str | None) -> None:
    """Add a record skeleton: KIND/ID.yaml in the dataset (KIND is its folder: people,
    organizations, works, sources, ...).

    Required fields are empty placeholders that `personkg validate` points at until they are
    filled in; the optional ones and an example claim with its source are comments. The
    dataset is --data, else ./data or the current folder when either holds a dataset."""
    path = scaffold.new_record(kind, record_id, data_dir, type_name)
    click.echo(f"wrote {path}")


cli.add_command(reconcile)
cli.add_command(diff)


def main(argv: list[str] | None = None) -> None:
    try:
        try:
            cli.main(args=argv, prog_name="personkg", standalone_mode=False)
        finally:
            cache.use(None)  # a run's cache is not the next caller's (tests, the API)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("personkg: interrupted", err=True)
        sys.exit(130)
    except click.Abort as exc:
        if isinstance(exc.__cause__, KeyboardInterrupt):  # click has ended the ^C line
            click.echo("personkg: interrupted", err=True)
            sys.exit(130)
        click.echo("personkg: aborted", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except PersonkgError as exc:
        if isinstance(exc, pipeline.Invalid):
            sys.stderr.write(RENDERERS["text"](exc.report))
        option = f" [--{exc.option}]" if exc.option else ""
        click.echo(f"personkg: {exc}{option}", err=True)
        sys.exit(exc.exit_code)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"personkg: {where}{exc.strerror or exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
