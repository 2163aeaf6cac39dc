"""personkg: a sourced knowledge graph of people, published as RDF, JSON-LD and QuickStatements.

The Python API is the pipeline the `personkg` command runs:

    import personkg
    report = personkg.check("data")            # every problem, with file and line
    personkg.build("data", out="build")       # every format of personkg.FORMATS
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("personkg")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"

from .checks.report import Issue, Report  # noqa: E402
from .errors import DataError, PersonkgError, RunError, SourceError  # noqa: E402
from .export import FORMATS, Compiled, Format  # noqa: E402
from .pipeline import Built, Invalid, build, check, compiled  # noqa: E402
from .vocab import Vocabulary  # noqa: E402

__all__ = [
    "__version__", "build", "check", "compiled", "Built", "Compiled", "Invalid", "FORMATS",
    "Format", "Vocabulary", "Report", "Issue", "PersonkgError", "DataError", "RunError",
    "SourceError",
]
