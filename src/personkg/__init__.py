"""personkg: a sourced knowledge graph of people, published as RDF, JSON-LD and QuickStatements."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("personkg")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"

__all__ = ["__version__"]
