"""Validation problems as data: `Issue` (stable code, severity, place, message) and
`Report`, rendered separately as text, JSON or GitHub workflow annotations."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["Issue", "Report", "RENDERERS", "CODES", "Code"]

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Code:
    """What an issue code means, and the layer that reports it (1 YAML, 2 JSON Schema,
    3 references between records, 4 SHACL)."""

    layers: tuple[int, ...]
    meaning: str
    severity: str = ERROR


#: Every code `personkg validate` reports. A test holds this table to the codes raised in
#: the code, the `pkgsh:code` of every shape and the README's table.
CODES: dict[str, Code] = {
    "yaml-syntax": Code((1,), "the file is not valid YAML (a duplicate key too)"),
    "not-utf8": Code((1,), "the file is not UTF-8 text"),
    "not-a-record": Code((1,), "the file does not hold one mapping"),
    "no-dataset-file": Code((1,), "the dataset has no dataset.yaml (its title and base IRI)"),
    "unknown-folder": Code((1,), "a folder of YAML files that is not a record folder (its "
                                 "files are not read)"),
    "unknown-key": Code((2,), "a key the record's schema does not allow"),
    "missing-key": Code((2,), "a required key is missing"),
    "wrong-type": Code((2,), "a value of the wrong type (text for a number, a list for text)"),
    "bad-date": Code((2,), "not a date written YYYY, YYYY-MM or YYYY-MM-DD"),
    "bad-value": Code((2,), "a value its schema does not allow"),
    "claim-without-source": Code((2, 4), "a claim with no source"),
    "deprecated-without-reason": Code((2, 4), "a deprecated claim that does not say why"),
    "unknown-id": Code((3,), "a claim points at an id that is not an entity of the dataset"),
    "unknown-source": Code((3,), "a reference names a source that is not a source record"),
    "duplicate-id": Code((3,), "two records with one id"),
    "stale-verdict": Code((3,), "reconciliation.yaml has a verdict for an id that is no "
                                "entity of the dataset", WARNING),
    "id-mismatch": Code((3,), "a record whose id is not its file name"),
    "duplicate-claim": Code((3,), "two claims with one value and the same qualifiers"),
    "entity-label": Code((4,), "an entity without exactly one name"),
    "source-field": Code((4,), "a source without one title, trust level, URL or retrieval "
                               "date as its shape requires"),
    "statement-without-reference": Code((4,), "a statement with no reference"),
    "reference-source": Code((4,), "a reference that is not stated in one source"),
    "statement-rank": Code((4,), "a statement without exactly one rank"),
    "start-after-end": Code((4,), "a statement that ends before it starts"),
    "duplicate-series-ordinal": Code((4,), "two values of a list share a series ordinal"),
    "value-type": Code((4,), "a value of the wrong class or datatype for its property"),
    "qualifier-type": Code((4,), "a qualifier value of the wrong class or datatype"),
    "domain": Code((4,), "a property used on a type it is not for"),
    "conflicting-values": Code((4,), "a single-valued property with two best-rank values"),
    "quotation-status-evidence": Code(
        (4,), "a quotation called verbatim-verified or altered without a medium- or "
              "high-trust source quoting the words found"),
    "altered-without-wording": Code((4,), "an altered quotation without `exact_wording`"),
    "author-order": Code((4,), "an author of a work with several authors has no "
                               "series_ordinal, so the author order is lost", WARNING),
    "alternative-values": Code((4,), "values kept side by side because sources disagree",
                               WARNING),
    "weakly-sourced": Code((4,), "a fact resting only on low-trust sources (not reported for "
                                 "statements about a quotation that has a status)", WARNING),
}


@dataclass(frozen=True, order=True)
class Issue:
    path: str
    line: int
    severity: str  # "error" fails validation; "warning" only with --strict
    code: str  # stable kebab-case, e.g. "unknown-id"
    message: str
    layer: str = field(default="", compare=False)  # yaml | schema | references | shacl
    # A SHACL result on a graph at a SPARQL endpoint has no file: its focus node (an IRI,
    # or a term in N-Triples), value (N-Triples) and path (an IRI) say where it is.
    focus: str = ""
    value: str = ""
    result_path: str = ""

    @classmethod
    def at(cls, path: Path | str, line: int | None, code: str, message: str,
           severity: str = ERROR, layer: str = "") -> Issue:
        return cls(display_path(path), line or 0, severity, code, message, layer)

    @classmethod
    def on_node(cls, focus: str, code: str, message: str, severity: str = ERROR,
                value: str = "", path: str = "") -> Issue:
        """A SHACL result at a node of a graph that no record file stands for."""
        return cls("", 0, severity, code, message, "shacl", focus, value, path)

    def where(self) -> str:
        if self.focus and not self.path:
            return self.focus
        return f"{self.path}:{self.line}" if self.line else self.path

    def as_dict(self) -> dict[str, object]:
        """The issue's fields (those of a node, only for an issue at a node)."""
        out = asdict(self)
        if not self.focus:
            for key in ("focus", "value", "result_path"):
                del out[key]
        return out


def display_path(path: Path | str) -> str:
    """A path relative to the working directory when it is below it."""
    p = Path(path)
    try:
        return os.path.relpath(p) if p.is_absolute() and p.resolve().is_relative_to(
            Path.cwd().resolve()) else str(p)
    except (ValueError, OSError):
        return str(p)


@dataclass
class Report:
    issues: list[Issue] = field(default_factory=list)
    records: int = 0
    triples: int = 0
    source: str = ""  # where the graph was checked, when not in record files (an endpoint)
    note: str = ""  # one line about what was and was not checked

    def add(self, issue: Issue) -> None:
        self.issues.append(issue)

    def extend(self, issues: list[Issue]) -> None:
        self.issues.extend(issues)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == WARNING]

    def conforms(self, strict: bool = False) -> bool:
        return not (self.errors or (strict and self.warnings))

    def sorted(self) -> list[Issue]:
        """Each problem once, in file and line order."""
        return sorted(set(self.issues))

    def flat(self) -> list[tuple[str, str, int]]:
        """`[(code, file name, line), ...]`: short and stable, for tests."""
        return [(i.code, Path(i.path).name, i.line) for i in self.sorted()]

    def summary(self, strict: bool = False) -> str:
        """One line: whether the data conforms, and the counts. With `strict`, warnings
        fail too, and a run that fails only because of them says so."""
        e, w = len(self.errors), len(self.warnings)
        if self.conforms(strict):
            state = "conforms"
        elif e:
            state = "does not conform"
        else:
            state = "does not conform because of warnings (strict)"
        counts = f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"
        if self.source:
            return f"{state}: {self.triples} triples at {self.source}, {counts}"
        return f"{state}: {self.records} records, {self.triples} triples, {counts}"


def render_text(report: Report, strict: bool = False) -> str:
    lines = [f"{i.where()}: {i.severity} {i.code}: {i.message}" for i in report.sorted()]
    note = [f"note: {report.note}"] if report.note else []
    return "\n".join([*note, *lines, report.summary(strict)]) + "\n"


def render_json(report: Report, strict: bool = False) -> str:
    where = {k: v for k, v in (("source", report.source), ("note", report.note)) if v}
    return json.dumps({
        "conforms": report.conforms(strict), "strict": strict,
        "records": report.records, "triples": report.triples, **where,
        "errors": len(report.errors), "warnings": len(report.warnings),
        "issues": [i.as_dict() for i in report.sorted()],
    }, indent=2, ensure_ascii=False) + "\n"


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def render_github(report: Report, strict: bool = False) -> str:
    """Workflow annotations. An issue at a node of a graph on a server has no file: its
    annotation names no file (GitHub shows it on the run, not on a line) and its message
    starts with the focus node."""
    out = [f"::notice::{_gh_escape(report.note)}"] if report.note else []
    for i in report.sorted():
        level = "error" if i.severity == ERROR or strict else "warning"
        title = f"title={_gh_escape(i.code, True)}"
        if i.focus and not i.path:
            out.append(f"::{level} {title}::{_gh_escape(i.focus + ': ' + i.message)}")
            continue
        props = f"file={_gh_escape(i.path, True)}"
        if i.line:
            props += f",line={i.line}"
        out.append(f"::{level} {props},{title}::{_gh_escape(i.message)}")
    out.append(report.summary(strict))
    return "\n".join(out) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "github": render_github}
