"""`personkg report`: what the dataset holds and how well it is sourced.

Every number comes from a named query in `queries/` (see SECTIONS), run on the compiled graph,
so the same figures can be asked of any SPARQL endpoint that holds the export.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pyoxigraph as ox

from .namespaces import DEFAULT_BASE, XSD, prefixes
from .query import named_queries, with_prefixes
from .vocab import Vocabulary

__all__ = ["SECTIONS", "DataReport", "collect", "REPORT_FORMATS"]

# (section, named query); the order is the order of the report
SECTIONS = (
    ("entities", "entities-by-type"),
    ("statements", "statements-by-property"),
    ("sourcing", "sourcing"),
    ("deprecated", "deprecated"),
    ("conflicts", "conflicts"),
    ("weakly_sourced", "low-trust"),
    ("quotations", "quotations"),
    ("completeness", "completeness"),
)
STATUS_ORDER = ("verbatim-verified", "altered", "as-reported")

Row = dict[str, object]


def _plain(term: object, spaces: dict[str, str]) -> object:
    """A term as the report shows it: an entity by its id, other IRIs prefixed."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        iri = term.value
        base = spaces["id"]
        if iri.startswith(base):
            return iri[len(base):]
        for prefix, ns in spaces.items():
            if iri.startswith(ns):
                return f"{prefix}:{iri[len(ns):]}"
        return iri
    if isinstance(term, ox.Literal):
        if term.datatype.value == XSD.integer:
            return int(term.value)
        return term.value
    return str(term)


@dataclass
class DataReport:
    sections: dict[str, list[Row]] = field(default_factory=dict)
    trust_order: tuple[str, ...] = ()  # most trusted first, then "none"

    # ------------------------------------------------------------ figures
    @property
    def records(self) -> int:
        return sum(int(r["records"]) for r in self.sections["entities"])  # type: ignore[call-overload]

    def _count(self, rows: list[Row], key: str) -> int:
        return sum(int(r[key]) for r in rows)  # type: ignore[call-overload]

    @property
    def statements(self) -> int:
        return self._count(self.sections["sourcing"], "statements")

    @property
    def referenced(self) -> int:
        return self._count([r for r in self.sections["sourcing"] if r["sources"]], "statements")

    def by_rank(self) -> dict[str, int]:
        rows = self.sections["statements"]
        return {k: self._count(rows, k) for k in ("preferred", "normal", "deprecated")}

    def by_trust(self, about: str | None = None) -> dict[str, int]:
        """Statements by the trust of their best source; `about` is "fact" or "quotation"."""
        out = dict.fromkeys(self.trust_order, 0)
        for r in self.sections["sourcing"]:
            if about is None or r["about"] == about:
                out[str(r["bestTrust"])] += int(r["statements"])  # type: ignore[call-overload]
        return {k: v for k, v in out.items() if v or k != "none"}

    def by_source_count(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.sections["sourcing"]:
            n = int(r["sources"])  # type: ignore[call-overload]
            key = "3 or more" if n >= 3 else str(n)
            out[key] = out.get(key, 0) + int(r["statements"])  # type: ignore[call-overload]
        return {k: out[k] for k in ("0", "1", "2", "3 or more") if k in out}

    def quotation_status(self) -> dict[str, int]:
        out = dict.fromkeys(STATUS_ORDER, 0)
        for r in self.sections["quotations"]:
            key = str(r["status"]) if r["status"] else "no status"
            out[key] = out.get(key, 0) + 1
        return out

    def completeness(self) -> dict[str, object]:
        """Works (scholarly articles and theses) per year, the share whose authors are complete
        and ordered (at least one, every one with a series ordinal), the share of facts whose
        best source is high-trust, and quotations by status."""
        works = self.sections["completeness"]
        per_year: dict[str, int] = {}
        for r in works:
            per_year[str(r["year"])] = per_year.get(str(r["year"]), 0) + 1
        years = sorted(y for y in per_year if y != "unknown")
        if "unknown" in per_year:
            years.append("unknown")
        ordered = 0
        for r in works:
            authors, placed = int(r["authors"]), int(r["ordered"])  # type: ignore[call-overload]
            if authors and placed == authors:
                ordered += 1
        facts = self.by_trust("fact")
        nf = sum(facts.values())
        high = facts.get("high", 0)  # the `sourcing` query names the best trust level "high"
        return {
            "works": len(works),
            "works_by_year": {y: per_year[y] for y in years},
            "works_with_complete_ordered_authors": ordered,
            "complete_ordered_authors_percent": round(100 * ordered / len(works), 1)
            if works else 0.0,
            "facts": nf,
            "facts_with_high_trust_source": high,
            "high_trust_percent": round(100 * high / nf, 1) if nf else 0.0,
            "quotations": self.quotation_status(),
        }

    def summary(self) -> dict[str, object]:
        total = self.statements
        return {
            "records": self.records,
            "statements": total,
            "referenced": self.referenced,
            "referenced_percent": round(100 * self.referenced / total, 1) if total else 100.0,
            "by_rank": self.by_rank(),
            "by_best_source_trust": {"facts": self.by_trust("fact"),
                                     "quotations": self.by_trust("quotation")},
            "by_number_of_sources": self.by_source_count(),
            "deprecated": len(self.sections["deprecated"]),
            "conflicts": len(self.sections["conflicts"]),
            "weakly_sourced": len(self.sections["weakly_sourced"]),
            "quotations": self.quotation_status(),
            "completeness": self.completeness(),
        }

    # ------------------------------------------------------------ renderers
    def to_json(self) -> str:
        return json.dumps({"summary": self.summary(), **self.sections}, indent=2,
                          ensure_ascii=False) + "\n"

    def to_text(self) -> str:
        return _render(self, markdown=False)

    def to_markdown(self) -> str:
        return _render(self, markdown=True)


def collect(store: ox.Store, voc: Vocabulary, base: str = DEFAULT_BASE) -> DataReport:
    """Run every report query on `store` (a dataset with namespace `base`); properties are
    shown by their YAML key."""
    library = named_queries()
    spaces = prefixes(base)
    keys = {p.name: p.key for p in voc.claims.values()}
    report = DataReport(trust_order=(*voc.trust_order(), "none"))
    for section, name in SECTIONS:
        result = store.query(with_prefixes(library[name].text, base))
        names = [v.value for v in result.variables]  # type: ignore[union-attr]
        rows = [{n: _plain(sol[n], spaces)
                 for n in names} for sol in result]  # type: ignore[union-attr]
        for row in rows:
            if "property" in row:
                row["property"] = keys.get(str(row["property"]), row["property"])
        if section == "conflicts":
            for row in rows:
                row["values"] = " | ".join(sorted(str(row["values"]).split(" | ")))
        report.sections[section] = rows
    return report


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def _render(rep: DataReport, markdown: bool) -> str:
    out: list[str] = []

    def head(text: str) -> None:
        out.append(f"\n## {text}\n" if markdown else f"\n{text}\n{'-' * len(text)}")

    def table(cols: list[str], rows: list[list[object]]) -> None:
        cells = [[("" if c is None else str(c)).replace("\n", " ") for c in r] for r in rows]
        if markdown:
            out.append("| " + " | ".join(cols) + " |")
            out.append("|" + "|".join("---" for _ in cols) + "|")
            out.extend("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in cells)
        else:
            widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(cols)]
            out.append("  ".join(h.ljust(w) for h, w in zip(cols, widths, strict=True)).rstrip())
            out.extend("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                       for r in cells)

    s = rep.summary()
    total = int(s["statements"])  # type: ignore[call-overload]
    ranks: dict[str, int] = s["by_rank"]  # type: ignore[assignment]
    out.append("# Data report" if markdown else "Data report")
    out.append("")
    out.append(f"{s['records']} records; {total} statements "
               f"({ranks['preferred']} preferred, {ranks['normal']} normal, "
               f"{ranks['deprecated']} deprecated).")
    out.append(f"Referenced: {s['referenced']} of {total} statements "
               f"({_pct(int(s['referenced']), total)}).")  # type: ignore[call-overload]
    quotes: dict[str, int] = s["quotations"]  # type: ignore[assignment]
    out.append(f"Quotations: {sum(quotes.values())} "
               f"({', '.join(f'{v} {k}' for k, v in quotes.items())}).")
    out.append(f"Deprecated claims: {s['deprecated']}; unresolved conflicts: {s['conflicts']}; "
               f"facts resting only on low-trust sources: {s['weakly_sourced']}.")

    head("Records by type")
    table(["type", "records"], [[r["type"], r["records"]] for r in rep.sections["entities"]])

    head("Statements by the trust of their best source")
    facts, quoted = rep.by_trust("fact"), rep.by_trust("quotation")
    nf, nq = sum(facts.values()), sum(quoted.values())
    table(["best source", "facts", "share", "about quotations", "share"],
          [[k, facts[k], _pct(facts[k], nf), quoted[k], _pct(quoted[k], nq)] for k in facts])
    out.append("")
    out.append("Statements about quotations record what a compilation attributes to whom; "
               "how far each quotation was checked is its status (below).")

    head("Statements by number of sources")
    counts: dict[str, int] = s["by_number_of_sources"]  # type: ignore[assignment]
    table(["sources", "statements", "share"], [[k, v, _pct(v, total)] for k, v in counts.items()])

    head("Statements by property")
    table(["property", "statements", "preferred", "normal", "deprecated"],
          [[r["property"], r["statements"], r["preferred"], r["normal"], r["deprecated"]]
           for r in rep.sections["statements"]])

    head("Deprecated claims (a better source contradicts them)")
    table(["entity", "property", "value", "claimed by", "reason"],
          [[r["entity"], r["property"], r["value"], r["claimedBy"], r["reason"]]
           for r in rep.sections["deprecated"]])

    head("Unresolved conflicts (values kept side by side)")
    table(["entity", "property", "values", "note"],
          [[r["entity"], r["property"], r["values"], r["note"]]
           for r in rep.sections["conflicts"]])

    head("Facts resting only on low-trust sources (validate warns)")
    table(["entity", "property", "value", "note"],
          [[r["entity"], r["property"], r["value"], r["note"]]
           for r in rep.sections["weakly_sourced"]])

    head("Completeness")
    c = rep.completeness()
    nworks = int(c["works"])  # type: ignore[call-overload]
    complete = int(c["works_with_complete_ordered_authors"])  # type: ignore[call-overload]
    high, nfacts = int(c["facts_with_high_trust_source"]), int(c["facts"])  # type: ignore[call-overload]
    out.append(f"Works (scholarly articles and theses): {nworks}; with complete ordered authors: "
               f"{complete} ({_pct(complete, nworks)}).")
    out.append(f"Facts with a high-trust source: {high} of {nfacts} ({_pct(high, nfacts)}).")
    out.append(f"Quotations by status: "
               f"{', '.join(f'{v} {k}' for k, v in quotes.items())}.")
    out.append("")
    by_year: dict[str, int] = c["works_by_year"]  # type: ignore[assignment]
    table(["year", "works"], [[y, n] for y, n in by_year.items()])

    head("Quotations by status")
    table(["status", "quotations"], [[k, v] for k, v in quotes.items()])
    for status in ("altered", "as-reported"):
        rows = [r for r in rep.sections["quotations"] if r["status"] == status]
        if not rows:
            continue
        head(f"Quotations {status}" + (" (words differ from the original)"
                                       if status == "altered" else " (not confirmed)"))
        table(["quotation", "claimed source", "found in"],
              [[r["quotation"], r["claimedSource"], r["foundIn"]] for r in rows])
    return "\n".join(out).lstrip("\n") + "\n"


REPORT_FORMATS = {"text": DataReport.to_text, "markdown": DataReport.to_markdown,
                  "json": DataReport.to_json}
