"""`personkg export --format quickstatements --against URL`: only what Wikidata lacks.

The items' existing statements are read from a Wikidata SPARQL endpoint (Wikibase RDF:
p:/ps:/prov:), and the QuickStatements lines are compared with them: a statement Wikidata
has is left out, one it has without a reference gets the reference alone, and a different
value of a single-valued property is a conflict, reported and not emitted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..export.quickstatements import QSExport, QSLine
from ..namespaces import PROV, WD, WDP, WDPS, WIKIBASE
from ..remote import Endpoint
from ..vocab import Vocabulary

__all__ = ["Existing", "Diff", "fetch_existing", "against"]

_P, _PS, _WD = WDP, WDPS, WD
_DEPRECATED, _RANK = WIKIBASE.DeprecatedRank, WIKIBASE.rank


@dataclass
class Existing:
    """What Wikidata states: (item, property) -> [(comparable value, has a reference)]."""

    statements: dict[tuple[str, str], list[tuple[str, bool]]] = field(default_factory=dict)


def _comparable_wd(value: str) -> str:
    """A Wikidata RDF value (as a plain string) in the same form as `_comparable_qs`."""
    if value.startswith(_WD):
        return value[len(_WD):]
    return value


def _comparable_qs(value: str) -> str:
    """A QuickStatements value reduced for comparison with `_comparable_wd`."""
    if value.startswith('"') and value.endswith('"'):
        return value[1:-1]
    m = re.match(r'^[a-z-]+:"(.*)"$', value)
    if m:
        return m.group(1)
    return value


def _same(qs_value: str, wd_value: str) -> bool:
    a, b = _comparable_qs(qs_value), wd_value
    m = re.match(r"^\+(\d{4})-(\d\d)-(\d\d)T00:00:00Z/(9|10|11)$", a)
    if m:  # a time: equal at the exported precision
        year, month, day, prec = m.groups()
        want = {"9": year, "10": f"{year}-{month}", "11": f"{year}-{month}-{day}"}[prec]
        return b.lstrip("+").startswith(want)
    if re.fullmatch(r"[+-]?\d+(\.\d+)?", a) and re.fullmatch(r"[+-]?\d+(\.\d+)?", b):
        return float(a) == float(b)
    return a == b


def fetch_existing(endpoint: Endpoint, qids: list[str]) -> Existing:
    """The non-deprecated statements of `qids`, in Wikibase RDF shape (p:/ps:/prov:)."""
    out = Existing()
    for start in range(0, len(qids), 100):
        chunk = qids[start:start + 100]
        values = " ".join(f"<{_WD}{q}>" for q in chunk)
        query = (
            "SELECT ?item ?p ?value ?ref WHERE { VALUES ?item { " + values + " } "
            "?item ?p ?st . FILTER (STRSTARTS(STR(?p), \"" + _P + "P\")) "
            "?st ?ps ?value . FILTER (STR(?ps) = CONCAT(\"" + _PS + "\", "
            "STRAFTER(STR(?p), \"" + _P + "\"))) "
            "OPTIONAL { ?st <" + _RANK + "> ?rank } "
            "FILTER (!BOUND(?rank) || ?rank != <" + _DEPRECATED + ">) "
            "OPTIONAL { ?st <" + PROV.wasDerivedFrom + "> ?ref } }")
        for sol in endpoint.query(query):
            item = sol["item"].value[len(_WD):]
            prop = sol["p"].value[len(_P):]
            key = (item, prop)
            entry = (_comparable_wd(sol["value"].value), sol["ref"] is not None)
            lst = out.statements.setdefault(key, [])
            if entry not in lst:
                lst.append(entry)
    return out


@dataclass
class Diff:
    kept: list[QSLine] = field(default_factory=list)
    present: int = 0
    references_only: int = 0
    conflicts: list[str] = field(default_factory=list)


def against(export: QSExport, existing: Existing, voc: Vocabulary) -> tuple[QSExport, Diff]:
    """Only what Wikidata lacks: statements it does not have; for statements it has without a
    reference, the reference alone; conflicts on single-valued properties are reported, not
    emitted."""
    single = {p.wikidata for p in voc.claims.values() if p.wikidata and p.single_valued}
    diff = Diff()
    blocks = []
    for block in export.blocks:
        new_block = []
        for ln in block:
            if not ln.prop.startswith("P") or ln.subject in ("", "LAST"):
                new_block.append(ln)
                continue
            have = existing.statements.get((ln.subject, ln.prop), [])
            same = [has_ref for value, has_ref in have if _same(ln.value, value)]
            if same:
                if any(same) or not ln.references:
                    diff.present += 1
                    continue
                diff.references_only += 1
                new_block.append(QSLine(ln.subject, ln.prop, ln.value, (), ln.references))
                continue
            if have and ln.prop in single:
                diff.conflicts.append(
                    f"{ln.subject} {ln.prop}: Wikidata has {', '.join(v for v, _ in have)}, "
                    f"the dataset {ln.value}")
                continue
            new_block.append(ln)
        blocks.append(list(dict.fromkeys(new_block)))
    out = QSExport(blocks, export.skipped)
    diff.conflicts = sorted(set(diff.conflicts))
    return out, diff
