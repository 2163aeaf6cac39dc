"""Every IRI namespace personkg uses, and the prefix maps built from them: the only module
that spells them out. The dataset's own namespace (`id:`) is an argument wherever it is
used (`prefixes(base)`); `DEFAULT_BASE` is what a dataset without a `base:` gets.

Namespaces are plain strings; `PKG.Statement` and `PKG["Statement"]` give the full IRI as
a `str` (no rdflib: this module is imported by every command, and rdflib takes a quarter
of a second to import).
"""

from __future__ import annotations

__all__ = [
    "Namespace", "PKG", "PKGD", "PKGP", "PKGPS", "PKGPSV", "PKGPQ", "PKGPQV", "PKGPR", "PKGSH",
    "DEFAULT_BASE", "DEFAULT_GRAPH", "SCHEMA_BASE", "RDF", "RDFS", "XSD", "OWL", "SH",
    "SKOS", "SCHEMA", "PROV", "WD", "WDT", "WDP", "WDPS", "WDPSV", "WDPQ", "WDPR",
    "WIKIDATA_PAGE", "WDQS",
    "WDQS_SCHOLARLY", "WIKIBASE", "SVG", "JSON_SCHEMA", "prefixes", "PREFIXES",
]


class Namespace(str):
    """An IRI prefix; attribute or item access appends a local name."""

    __slots__ = ()

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        return str(self) + name

    def __getitem__(self, name: str) -> str:  # type: ignore[override]
        return str(self) + name


_PROJECT = "https://w3id.org/personkg/"

PKG = Namespace(_PROJECT + "ontology#")
PKGD = Namespace(_PROJECT + "prop/direct/")
PKGP = Namespace(_PROJECT + "prop/")
PKGPS = Namespace(_PROJECT + "prop/statement/")
PKGPSV = Namespace(_PROJECT + "prop/statement/value/")
PKGPQ = Namespace(_PROJECT + "prop/qualifier/")
PKGPQV = Namespace(_PROJECT + "prop/qualifier/value/")
PKGPR = Namespace(_PROJECT + "prop/reference/")
PKGSH = Namespace(_PROJECT + "shapes#")
#: The namespace of a dataset's entities when its dataset.yaml names no `base:`.
DEFAULT_BASE = _PROJECT + "id/"
#: The named graph `personkg publish` replaces by default.
DEFAULT_GRAPH = _PROJECT + "graph"
#: The `$id` base of the generated record JSON Schemas.
SCHEMA_BASE = _PROJECT + "schema/"

RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
SCHEMA = Namespace("http://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SVG = "http://www.w3.org/2000/svg"
JSON_SCHEMA = "https://json-schema.org/draft/2020-12/schema"

WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
WDP = Namespace("http://www.wikidata.org/prop/")
WDPS = Namespace("http://www.wikidata.org/prop/statement/")
WDPSV = Namespace("http://www.wikidata.org/prop/statement/value/")
WDPQ = Namespace("http://www.wikidata.org/prop/qualifier/")
WDPR = Namespace("http://www.wikidata.org/prop/reference/")
WIKIBASE = Namespace("http://wikiba.se/ontology#")
WIKIDATA_PAGE = "https://www.wikidata.org/wiki/{}"
WDQS = "https://query.wikidata.org/sparql"
WDQS_SCHOLARLY = "https://query-scholarly.wikidata.org/sparql"


def prefixes(base: str = DEFAULT_BASE) -> dict[str, str]:
    """The prefixes written in Turtle and JSON-LD and predeclared for SPARQL queries, with
    `id:` as the dataset's `base`, and `st:`/`ref:`/`val:` its statements', references' and
    full values' namespaces (`<base>statement/`, `<base>reference/`, `<base>value/`, like
    Wikidata's wds:, wdref: and wdv:)."""
    spaces = {
        "pkg": PKG, "pkgd": PKGD, "pkgp": PKGP, "pkgps": PKGPS, "pkgpsv": PKGPSV,
        "pkgpq": PKGPQ, "pkgpqv": PKGPQV, "pkgpr": PKGPR,
        "id": base, "st": base + "statement/", "ref": base + "reference/", "val": base + "value/",
        "rdf": RDF, "rdfs": RDFS, "xsd": XSD, "schema": SCHEMA, "prov": PROV,
        "skos": SKOS, "wd": WD, "wdt": WDT,
    }
    return {name: str(iri) for name, iri in spaces.items()}


#: The prefixes of a dataset with the default base.
PREFIXES: dict[str, str] = prefixes()
