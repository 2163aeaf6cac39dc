"""Validation problems as data: `Issue` (stable code, severity, place, message) and
`Report`, rendered separately as text, JSON or GitHub workflow annotations."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["Issue", "Report", "RENDERERS"]

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Issue:
    path: str
    line: int
    severity: str  # "error" fails validation; "warning" only with --strict
    code: str  # stable kebab-case, e.g. "unknown-id"
    message: str
    layer: str = field(default="", compare=False)  # yaml | schema | references | shacl

    @classmethod
    def at(cls, path: Path | str, line: int | None, code: str, message: str,
           severity: str = ERROR, layer: str = "") -> Issue:
        return cls(_display(path), line or 0, severity, code, message, layer)

    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


def _display(path: Path | str) -> str:
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

    def summary(self) -> str:
        e, w = len(self.errors), len(self.warnings)
        state = "conforms" if not e else "does not conform"
        return (f"{state}: {self.records} records, {self.triples} triples, "
                f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}")


def render_text(report: Report, strict: bool = False) -> str:
    lines = [f"{i.where()}: {i.severity} {i.code}: {i.message}" for i in report.sorted()]
    return "\n".join([*lines, report.summary()]) + "\n"


def render_json(report: Report, strict: bool = False) -> str:
    return json.dumps({
        "conforms": report.conforms(strict),
        "records": report.records, "triples": report.triples,
        "errors": len(report.errors), "warnings": len(report.warnings),
        "issues": [{k: v for k, v in asdict(i).items()} for i in report.sorted()],
    }, indent=2, ensure_ascii=False) + "\n"


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def render_github(report: Report, strict: bool = False) -> str:
    out = []
    for i in report.sorted():
        level = "error" if i.severity == ERROR or strict else "warning"
        props = f"file={_gh_escape(i.path, True)}"
        if i.line:
            props += f",line={i.line}"
        out.append(f"::{level} {props},title={_gh_escape(i.code, True)}::{_gh_escape(i.message)}")
    out.append(report.summary())
    return "\n".join(out) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "github": render_github}
