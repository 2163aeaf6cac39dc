"""A SHACL result, as both engines report it (pyoxigraph terms)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ..report import ERROR

if TYPE_CHECKING:
    from .shapes import Shape

__all__ = ["ShaclResult", "Term"]

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True, slots=True)
class ShaclResult:
    """One result: the focus node, the value node (or None), the path (or None), and the
    code, severity and message of the shape that raised it."""

    focus: Term
    value: Term | None
    path: Term | None
    code: str
    severity: str  # report.ERROR or report.WARNING
    message: str

    @classmethod
    def of(cls, shape: Shape | None, focus: Term, value: Term | None, path: Term | None,
           message: str | None = None, severity: str = ERROR) -> ShaclResult:
        """The result of `shape`; without a shape (one pySHACL reports that the shapes
        files do not name), `message` and `severity` as given."""
        return cls(
            focus=focus, value=value, path=path,
            code=shape.code if shape else "shacl",
            severity=shape.severity if shape else severity,
            message=shape.message if shape else (message or "SHACL constraint not met"),
        )
