"""personkg: a sourced knowledge graph of people, published as RDF, JSON-LD and QuickStatements.

The Python API is the pipeline the `personkg` command runs:

    import personkg
    report = personkg.check("data")            # every problem, with file and line
    personkg.build("data", out="build")       # every format of personkg.FORMATS
"""

from .checks.report import Issue, Report
from .errors import DataError, PersonkgError, RunError, SourceError
from .export import FORMATS, Compiled, Format
from .pipeline import Built, Invalid, build, check, compiled
from .resources import __version__
from .vocab import Vocabulary

__all__ = [
    "__version__", "build", "check", "compiled", "Built", "Compiled", "Invalid", "FORMATS",
    "Format", "Vocabulary", "Report", "Issue", "PersonkgError", "DataError", "RunError",
    "SourceError",
]
