"""personkg: a sourced knowledge graph of people, published as RDF, JSON-LD and QuickStatements.

The Python API is the pipeline the `personkg` command runs:

    import personkg
    report = personkg.check("data")            # every problem, with file and line
    personkg.build("data", out="build")       # every format of personkg.FORMATS
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import DataError, PersonkgError, RunError, SourceError
from .resources import __version__

if TYPE_CHECKING:
    from .checks.report import Issue, Report
    from .export import FORMATS, Compiled, Format
    from .pipeline import Built, Invalid, build, check, compiled
    from .vocab import Vocabulary

# The rest is imported when first asked for (`personkg --help` needs none of it).
_LAZY = {"Issue": "checks.report", "Report": "checks.report", "FORMATS": "export",
         "Compiled": "export", "Format": "export", "Built": "pipeline", "Invalid": "pipeline",
         "build": "pipeline", "check": "pipeline", "compiled": "pipeline",
         "Vocabulary": "vocab"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value

__all__ = [
    "__version__", "build", "check", "compiled", "Built", "Compiled", "Invalid", "FORMATS",
    "Format", "Vocabulary", "Report", "Issue", "PersonkgError", "DataError", "RunError",
    "SourceError",
]
