"""Generate a deterministic synthetic personkg dataset for benchmarks.

    .venv/bin/python benchmarks/generate.py --people N --out DIR [--seed 1] [--defects 0.01]
                                            [--force]

Writes DIR/dataset.yaml and DIR/<kind>/<id>.yaml records in the project's own format:
N people, about N/20 organizations (universities, companies, research labs, teams), a
handful of places and topics, about N/2 papers with ordered author lists (author claims
with series_ordinal) and about N/5 sources of high, medium and low trust. Every claim has
one or two sources (some with a quote); some claims are deprecated with a reason and some
preferred, so the rank machinery is exercised. The graph compiles to about 130 triples
per person (about 77 in the person's own record, 40 in papers, the rest in references,
sources and organizations).

The output depends only on the arguments: the same arguments give byte-identical files.

--defects F (default 0.01; 0 disables) gives a fraction F of the people one deliberate
defect that passes the YAML, JSON Schema and reference layers and is caught by SHACL. Each
kind is named after the code `personkg validate` reports for it:

    start-after-end           an employment that ends before it starts
    value-type                an employer claim whose value is a person
    qualifier-type            an educated_at whose academic_degree is a topic, not a degree
    conflicting-values        two normal-rank birth dates that differ
    domain                    a `guest` claim (for podcast episodes) on one of their papers
    duplicate-series-ordinal  on one of their papers, two authors share a series ordinal
    weakly-sourced            (warning) a citizenship resting only on a low-trust source

A one-line summary (records per kind, defects per kind) goes to stderr.
DIR must be missing or empty unless --force is given; --force first removes the YAML
files a previous run left in DIR's record folders.

Check the result with:

    .venv/bin/personkg validate --data DIR
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import re
import sys
import time
from pathlib import Path

BASE = "https://synthetic.example/personkg/id/"
LAST_YEAR = 2025  # no fact is dated after this year
RETRIEVED = ("2026-01", "2026-02", "2026-03")

RECORD_KINDS = ("awards", "events", "organizations", "people", "places", "quotations",
                "sources", "topics", "works")
SCHEMA_OF = {"organizations": "organizations", "people": "people", "places": "places",
             "sources": "sources", "topics": "topics", "works": "works"}

DEFECT_KINDS = ("start-after-end", "value-type", "qualifier-type", "conflicting-values",
                "domain", "duplicate-series-ordinal", "weakly-sourced")

ROLES = ("Research Scientist", "Senior Research Scientist", "Research Engineer",
         "Postdoctoral Fellow", "Professor", "Team Lead", "Director of Research",
         "Software Engineer", "Lecturer", "Principal Scientist")
DEGREES = (("bachelor-of-science", "Bachelor of Science", ["BSc"]),
           ("master-of-science", "Master of Science", ["MSc"]),
           ("doctor-of-philosophy", "Doctor of Philosophy", ["PhD"]))
SOURCE_KINDS = {"high": ("organization-site", "personal-site", "arxiv", "proceedings"),
                "medium": ("news", "encyclopedia", "podcast-page"),
                "low": ("wiki", "summary", "forum-post")}
PUBLISHERS = {"organization-site": "Example Institution Pages",
              "personal-site": "Example Homepages",
              "arxiv": "Example Preprint Server",
              "proceedings": "Example Proceedings Press",
              "news": "The Example Times",
              "encyclopedia": "Example Encyclopedia",
              "podcast-page": "Example Podcast Network",
              "wiki": "Example Wiki",
              "summary": "Example Paper Summaries",
              "forum-post": "Example Forum"}

_BARE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


# ------------------------------------------------------------------ YAML text

def scalar(value: object) -> str:
    """A YAML scalar: ints and simple ids bare, everything else double-quoted (JSON
    string syntax is valid YAML)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _BARE.match(text) and text not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


class Claim:
    """One claim of a record: value, qualifiers (in order), rank, reason, sources."""

    __slots__ = ("value", "quals", "rank", "reason", "note", "sources")

    def __init__(self, value: object, quals: list[tuple[str, object]] | None = None,
                 sources: list[tuple[str, str | None]] | None = None, rank: str | None = None,
                 reason: str | None = None, note: str | None = None) -> None:
        self.value = value
        self.quals = quals or []
        self.sources = sources or []
        self.rank = rank
        self.reason = reason
        self.note = note


class Record:
    __slots__ = ("kind", "id", "type", "name", "description", "aliases", "claims")

    def __init__(self, kind: str, rid: str, rtype: str, name: str,
                 description: str | None = None, aliases: list[str] | None = None) -> None:
        self.kind = kind
        self.id = rid
        self.type = rtype
        self.name = name
        self.description = description
        self.aliases = aliases or []
        self.claims: dict[str, list[Claim]] = {}

    def add(self, key: str, claim: Claim) -> Claim:
        self.claims.setdefault(key, []).append(claim)
        return claim

    def has(self, key: str, value: object, start: str) -> bool:
        """Whether a claim `key: value` with only the qualifier start already exists."""
        return any(c.value == value and c.quals == [("start", start)]
                   for c in self.claims.get(key, []))

    def text(self) -> str:
        out = [f"# yaml-language-server: $schema=../../shapes/{SCHEMA_OF[self.kind]}.schema.json",
               f"id: {self.id}", f"type: {self.type}", f"name: {scalar(self.name)}"]
        if self.description:
            out.append(f"description: {scalar(self.description)}")
        if self.aliases:
            out.append("aliases: [" + ", ".join(scalar(a) for a in self.aliases) + "]")
        out.append("wikidata: null")
        if self.claims:
            out.append("claims:")
            for key, claims in self.claims.items():
                out.append(f"  {key}:")
                for c in claims:
                    out.append(f"    - value: {scalar(c.value)}")
                    for qk, qv in c.quals:
                        out.append(f"      {qk}: {scalar(qv)}")
                    if c.rank:
                        out.append(f"      rank: {c.rank}")
                    if c.reason:
                        out.append(f"      reason: {scalar(c.reason)}")
                    if c.note:
                        out.append(f"      note: {scalar(c.note)}")
                    if all(q is None for _, q in c.sources):
                        out.append("      sources: [" + ", ".join(s for s, _ in c.sources) + "]")
                    else:
                        out.append("      sources:")
                        for sid, quote in c.sources:
                            out.append(f"        - source: {sid}")
                            if quote is not None:
                                out.append(f"          quote: {scalar(quote)}")
        return "\n".join(out) + "\n"


class Source:
    __slots__ = ("id", "title", "publisher", "author", "url", "date", "kind", "trust",
                 "retrieved", "year")

    def text(self) -> str:
        out = ["# yaml-language-server: $schema=../../shapes/sources.schema.json",
               f"id: {self.id}", "type: Source", f"title: {scalar(self.title)}",
               f"publisher: {scalar(self.publisher)}"]
        if self.author:
            out.append(f"author: {scalar(self.author)}")
        out += [f"url: {self.url}", f"date_published: {scalar(self.date)}",
                f"kind: {self.kind}", f"trust: {self.trust}", "language: en",
                "note: Synthetic source written by benchmarks/generate.py; it does not exist.",
                f"date_retrieved: {scalar(self.retrieved)}", "wikidata: null"]
        return "\n".join(out) + "\n"


# ------------------------------------------------------------------ generator

class Generator:
    def __init__(self, people: int, seed: int) -> None:
        self.n = people
        self.seed = seed
        self.rng = random.Random(seed)
        self.width = max(4, len(str(people)))
        self.records: list[Record] = []
        self.sources: list[Source] = []

    # ---- helpers

    def date(self, year: int, precision: float = 0.3) -> str:
        """A year, or (with probability `precision`) a month of that year."""
        if self.rng.random() < precision:
            return f"{year}-{self.rng.randint(1, 12):02d}"
        return str(year)

    def good(self, year: int) -> str:
        """A high- or medium-trust source published in or after `year`."""
        i = bisect.bisect_left(self.good_years, year)
        if i >= len(self.good_ids):
            i = max(0, len(self.good_ids) - 8)
        return self.good_ids[self.rng.randrange(i, len(self.good_ids))]

    def low(self, year: int) -> str:
        i = bisect.bisect_left(self.low_years, year)
        if i >= len(self.low_ids):
            i = max(0, len(self.low_ids) - 4)
        return self.low_ids[self.rng.randrange(i, len(self.low_ids))]

    def refs(self, year: int, quote: str | None = None) -> list[tuple[str, str | None]]:
        """One or two references for a fact of `year`: the first of high or medium trust,
        the second (20%) of any trust; the first quotes the source 30% of the time."""
        rng = self.rng
        first = self.good(year)
        out: list[tuple[str, str | None]] = [
            (first, quote if quote and rng.random() < 0.3 else None)]
        if rng.random() < 0.2:
            second = self.low(year) if rng.random() < 0.4 else self.good(year)
            if second != first:
                out.append((second, None))
        return out

    # ---- records

    def make_sources(self) -> None:
        rng = self.rng
        count = max(12, self.n // 5)
        trusts = ["high", "medium", "low"]
        for i in range(count):
            s = Source()
            s.id = f"source-{i:0{self.width}d}"
            s.trust = trusts[i] if i < 3 else rng.choices(trusts, weights=(4, 4, 2))[0]
            s.kind = rng.choice(SOURCE_KINDS[s.trust])
            s.year = rng.randint(1990, LAST_YEAR)
            s.date = (f"{s.year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                      if rng.random() < 0.7 else f"{s.year}-{rng.randint(1, 12):02d}")
            s.retrieved = rng.choice(RETRIEVED)
            s.publisher = PUBLISHERS[s.kind]
            s.title = f"Synthetic {s.kind.replace('-', ' ')} page {i:0{self.width}d}"
            s.author = (f"Reporter {rng.randint(1, 99):02d} Example" if s.kind == "news"
                        else None)
            s.url = f"https://sources.synthetic.example/{s.id}"
            self.sources.append(s)
        # three recent sources, one per trust level: every fact has a source published later
        self.sources[0].year, self.sources[0].date = 2025, "2025-06-01"
        self.sources[1].year, self.sources[1].date = 2025, "2025-07-01"
        self.sources[2].year, self.sources[2].date = 2025, "2025-08-01"
        good = sorted((s.year, s.id) for s in self.sources if s.trust != "low")
        low = sorted((s.year, s.id) for s in self.sources if s.trust == "low")
        self.good_years = [y for y, _ in good]
        self.good_ids = [i for _, i in good]
        self.low_years = [y for y, _ in low]
        self.low_ids = [i for _, i in low]

    def make_places(self) -> None:
        rng = self.rng
        n_countries = min(12, 3 + self.n // 1000)
        self.countries = [f"country-{i:02d}" for i in range(1, n_countries + 1)]
        self.cities = [f"city-{i:02d}" for i in range(1, 2 * n_countries + 1)]
        for cid in self.countries:
            self.records.append(Record("places", cid, "Country",
                                       f"Example Country {cid[-2:]}",
                                       "A fictional country of the synthetic dataset"))
        for cid in self.cities:
            rec = Record("places", cid, "Place", f"Example City {cid[-2:]}",
                         "A fictional city of the synthetic dataset")
            rec.add("country", Claim(rng.choice(self.countries),
                                     sources=self.refs(1990)))
            self.records.append(rec)

    def make_topics(self) -> None:
        n_topics = min(30, 8 + self.n // 500)
        self.topics = [f"topic-{i:02d}" for i in range(1, n_topics + 1)]
        self.topic_name = {t: f"Example Field {t[-2:]}" for t in self.topics}
        for t in self.topics:
            self.records.append(Record("topics", t, "Topic", self.topic_name[t],
                                       "A fictional research field of the synthetic dataset"))
        for did, name, aliases in DEGREES:
            self.records.append(Record("topics", did, "AcademicDegree", name, aliases=aliases))

    def make_organizations(self) -> None:
        rng = self.rng
        count = max(8, self.n // 20)
        pattern = ["University", "Company", "ResearchInstitute", "Team"]
        types = pattern + rng.choices(pattern, weights=(3, 4, 2, 1), k=count - len(pattern))
        prefix = {"University": "university", "Company": "company",
                  "ResearchInstitute": "lab", "Team": "team"}
        label = {"University": "Example University", "Company": "Example Company",
                 "ResearchInstitute": "Example Research Lab", "Team": "Example Team"}
        founded = {"University": (1800, 1960), "Company": (1950, 1995),
                   "ResearchInstitute": (1940, 1990), "Team": (1996, 2010)}
        self.orgs: dict[str, list[str]] = {t: [] for t in pattern}
        self.org_name: dict[str, str] = {}
        self.org_recs: list[Record] = []
        for k, typ in enumerate(sorted(types, key=lambda t: t == "Team")):  # teams last
            oid = f"{prefix[typ]}-{k + 1:03d}"
            name = f"{label[typ]} {k + 1:03d}"
            self.orgs[typ].append(oid)
            self.org_name[oid] = name
            rec = Record("organizations", oid, typ, name,
                         f"A fictional {typ.lower()} of the synthetic dataset"
                         if typ != "ResearchInstitute" else
                         "A fictional research lab of the synthetic dataset")
            year = rng.randint(*founded[typ])
            said = f"{name} was founded in {year}."
            rec.add("inception", Claim(str(year), sources=self.refs(year, said)))
            if typ == "Team":
                parent = rng.choice(self.orgs["Company"] + self.orgs["ResearchInstitute"])
                rec.add("parent_organization", Claim(parent, [("start", str(year))],
                                                     sources=self.refs(year)))
            else:
                rec.add("country", Claim(rng.choice(self.countries), sources=self.refs(year)))
                rec.add("headquarters", Claim(rng.choice(self.cities), sources=self.refs(year)))
                rec.add("website", Claim(f"https://{oid}.synthetic.example/",
                                         sources=self.refs(2000)))
            for t in sorted(rng.sample(self.topics, rng.randint(1, 2))):
                rec.add("field_of_work", Claim(t, sources=self.refs(year)))
            self.records.append(rec)
            self.org_recs.append(rec)

    def person_id(self, i: int) -> str:
        return f"person-{i:0{self.width}d}"

    def person_name(self, i: int) -> str:
        return f"Person {i:0{self.width}d} Example"

    def make_people(self) -> None:
        self.people: list[Record] = []
        self.first_employment: dict[int, Claim] = {}
        employers = self.orgs["Company"] + self.orgs["ResearchInstitute"] + self.orgs["University"]
        for i in range(self.n):
            rec = self.make_person(i, employers)
            self.records.append(rec)
            self.people.append(rec)

    def make_person(self, i: int, employers: list[str]) -> Record:
        """Person `i`: citizenship, birth date, education, employment and the rest."""
        rng = self.rng
        pid, name = self.person_id(i), self.person_name(i)
        fields = sorted(rng.sample(self.topics, rng.randint(1, 2)))
        rec = Record("people", pid, "Person", name,
                     f"Synthetic researcher working on {self.topic_name[fields[0]]}")
        birth = rng.randint(1950, 1990)
        # citizenship
        for c in sorted(rng.sample(self.countries, 1 if rng.random() < 0.85 else 2)):
            rec.add("citizenship", Claim(c, sources=self.refs(
                birth + 20, f"{name} is a citizen of Example Country {c[-2:]}.")))
        self.add_birth_date(rec, name, birth)
        end = self.add_education(rec, i, name, birth, fields[0])
        year = self.add_employment(rec, i, name, end + rng.randint(0, 1), employers)
        # a team
        if rng.random() < 0.3:
            team = rng.choice(self.orgs["Team"])
            since = min(max(year, 2010), LAST_YEAR)
            rec.add("member_of", Claim(team, [("start", str(since)), ("role", "member")],
                                       sources=self.refs(since)))
        self.add_fields_of_work(rec, name, fields)
        if rng.random() < 0.2:
            rec.add("website", Claim(f"https://synthetic.example/people/{pid}",
                                     sources=self.refs(2010)))
        if rng.random() < 0.15 and self.n > 1:
            rec.add("significant_person", Claim(self.person_id(self.other_person(i)),
                                                [("role", "colleague")],
                                                sources=self.refs(2000)))
        return rec

    def other_person(self, i: int) -> int:
        """A person other than `i`, uniformly (needs at least two people)."""
        other = self.rng.randrange(self.n - 1)
        return other + (other >= i)

    def add_birth_date(self, rec: Record, name: str, birth: int) -> None:
        """A birth date (70%), sometimes a precise preferred one and the year at normal rank."""
        rng = self.rng
        if rng.random() < 0.7:
            if rng.random() < 0.15:
                day = f"{birth}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                rec.add("birth_date", Claim(day, rank="preferred",
                                            sources=self.refs(birth + 20,
                                                              f"{name} was born on {day}.")))
                rec.add("birth_date", Claim(str(birth), sources=self.refs(birth + 20)))
            else:
                rec.add("birth_date", Claim(str(birth), sources=self.refs(birth + 20)))

    def add_education(self, rec: Record, i: int, name: str, birth: int, major: str) -> int:
        """A bachelor's degree, sometimes a master's and a PhD (with an advisor); returns
        the year the last one ended."""
        rng = self.rng
        uni = rng.choice(self.orgs["University"])
        start = birth + 18
        end = start + rng.randint(3, 4)
        rec.add("educated_at", Claim(uni, [("start", self.date(start)),
                                           ("end", self.date(end)),
                                           ("academic_degree", "bachelor-of-science"),
                                           ("academic_major", major)],
                                     sources=self.refs(end, f"{name} studied at "
                                                       f"{self.org_name[uni]}.")))
        if rng.random() < 0.3:
            uni = rng.choice(self.orgs["University"])
            start = end + rng.randint(0, 1)
            end = start + 2
            rec.add("educated_at", Claim(uni, [("start", self.date(start)),
                                               ("end", self.date(end)),
                                               ("academic_degree", "master-of-science"),
                                               ("academic_major", major)],
                                         sources=self.refs(end)))
        if rng.random() < 0.45:
            uni = rng.choice(self.orgs["University"])
            start = end + rng.randint(0, 2)
            end = start + rng.randint(4, 6)
            rec.add("educated_at", Claim(uni, [("start", str(start)), ("end", str(end)),
                                               ("academic_degree", "doctor-of-philosophy")],
                                         sources=self.refs(end, f"{name} received a PhD "
                                                           f"from {self.org_name[uni]} "
                                                           f"in {end}.")))
            if rng.random() < 0.6 and self.n > 1:
                rec.add("doctoral_advisor", Claim(self.person_id(self.other_person(i)),
                                                  sources=self.refs(end)))
        return end

    def add_employment(self, rec: Record, i: int, name: str, year: int,
                       employers: list[str]) -> int:
        """1-3 positions in sequence from `year`, the last possibly current, some with a
        deprecated low-trust start year; returns the start year of the last one."""
        rng = self.rng
        jobs = rng.randint(1, 3)
        for j in range(jobs):
            org = rng.choice(employers)
            role = rng.choice(ROLES)
            quals: list[tuple[str, object]] = [("start", self.date(year))]
            last = j == jobs - 1 or year >= LAST_YEAR - 1
            stop = min(year + rng.randint(1, 8), LAST_YEAR)
            if stop > year and (not last or rng.random() < 0.3):
                quals.append(("end", self.date(stop)))
            quals.append(("role", role))
            if rng.random() < 0.1 and self.n > 1:
                quals.append(("reports_to", self.person_id(self.other_person(i))))
            claim = rec.add("employer", Claim(org, quals, sources=self.refs(
                year, f"{name} joined {self.org_name[org]} as {role} in {year}.")))
            if j == 0:
                self.first_employment[i] = claim
            self.add_wrong_start(rec, name, org, year, claim)
            if last:
                break
            year = stop
        return year

    def add_wrong_start(self, rec: Record, name: str, org: str, year: int,
                        claim: Claim) -> None:
        """Sometimes (12%) a deprecated employer claim: a low-trust page with the wrong
        start year."""
        rng = self.rng
        wrong = year + rng.choice((-2, -1, 1, 2))
        if rng.random() < 0.12 and not rec.has("employer", org, str(wrong)):
            good = claim.sources[0][0]
            rec.add("employer", Claim(org, [("start", str(wrong))], rank="deprecated",
                                      reason=f"{good} gives {year} as the start; "
                                      f"the low-trust page says {wrong}.",
                                      sources=[(self.low(year), f"{name} joined "
                                                f"{self.org_name[org]} in {wrong}.")]))

    def add_fields_of_work(self, rec: Record, name: str, fields: list[str]) -> None:
        """The person's fields of work, sometimes one preferred, sometimes a deprecated one."""
        rng = self.rng
        for t in fields:
            rec.add("field_of_work", Claim(t, sources=self.refs(
                2000, f"{name} works on {self.topic_name[t]}.")))
        if rng.random() < 0.08:
            rec.claims["field_of_work"][0].rank = "preferred"
        if rng.random() < 0.1:
            wrong = rng.choice([t for t in self.topics if t not in fields])
            better = rec.claims["field_of_work"][0].sources[0][0]
            rec.add("field_of_work", Claim(
                wrong, rank="deprecated",
                reason=f"No better source supports it; {better} names other fields.",
                sources=[(self.low(2000), None)]))

    def make_organization_people(self) -> None:
        """Directors and founders, now that the people exist."""
        rng = self.rng
        for rec in self.org_recs:
            if rng.random() < 0.4:
                since = rng.randint(2000, LAST_YEAR)
                rec.add("director", Claim(self.person_id(rng.randrange(self.n)),
                                          [("start", str(since)), ("role", "Director")],
                                          sources=self.refs(since)))
            if rec.type == "Company" and rng.random() < 0.5:
                rec.add("founded_by", Claim(self.person_id(rng.randrange(self.n)),
                                            sources=self.refs(2000)))

    def make_works(self) -> None:
        rng = self.rng
        count = max(1, self.n // 2)
        self.works: list[Record] = []
        self.papers_of: dict[int, list[int]] = {}
        self.author_claims: list[list[Claim]] = []
        pool: list[int] = []
        for w in range(count):
            wid = f"paper-{w:0{self.width + 1}d}"
            topic = rng.choice(self.topics)
            title = f"A Synthetic Study {w:0{self.width + 1}d} in {self.topic_name[topic]}"
            year = rng.randint(2000, LAST_YEAR)
            rec = Record("works", wid, "ScholarlyArticle", title,
                         f"Fictional paper on {self.topic_name[topic]} ({year})")
            if rng.random() < 0.1:  # sentence case preferred, title case kept at normal rank
                rec.add("title", Claim(title[0] + title[1:].lower(), [("lang", "en")],
                                       rank="preferred", sources=self.refs(year)))
            rec.add("title", Claim(title, [("lang", "en")], sources=self.refs(year, title)))
            k = min(rng.randint(2, 8), self.n)
            authors: list[int] = []
            while len(authors) < k:
                if not pool:
                    pool = list(range(self.n))
                    rng.shuffle(pool)
                a = pool.pop()
                if a in authors:
                    a = rng.randrange(self.n)
                if a not in authors:
                    authors.append(a)
            claims = []
            for pos, a in enumerate(authors, 1):
                stated = (self.person_name(a) if rng.random() < 0.7
                          else f"P. {a:0{self.width}d} Example")
                claims.append(rec.add("author", Claim(self.person_id(a),
                                                      [("series_ordinal", pos),
                                                       ("stated_as", stated)],
                                                      sources=self.refs(year))))
                self.papers_of.setdefault(a, []).append(w)
            self.author_claims.append(claims)
            day = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            rec.add("publication_date", Claim(day, sources=self.refs(year)))
            if rng.random() < 0.08:
                wrong = f"{year - 1}-{rng.randint(1, 12):02d}"
                rec.add("publication_date", Claim(
                    wrong, rank="deprecated",
                    reason=f"{rec.claims['publication_date'][0].sources[0][0]} gives {day}.",
                    sources=[(self.low(year), None)]))
            if rng.random() < 0.5:
                rec.add("venue", Claim(f"Synthetic Conference {year}",
                                       [("point_in_time", str(year))], sources=self.refs(year)))
            if rng.random() < 0.6:
                rec.add("main_subject", Claim(topic, sources=self.refs(year)))
            rec.add("url", Claim(f"https://papers.synthetic.example/{wid}",
                                 sources=self.refs(year)))
            self.records.append(rec)
            self.works.append(rec)

    # ---- defects

    def inject_defects(self, fraction: float) -> dict[str, int]:
        counts = dict.fromkeys(DEFECT_KINDS, 0)
        k = round(self.n * fraction)
        if k <= 0:
            return counts
        rng = random.Random(self.seed * 1_000_003 + 7)  # apart from the data's own stream
        chosen = sorted(rng.sample(range(self.n), min(k, self.n)))
        kinds = list(DEFECT_KINDS)
        rng.shuffle(kinds)
        used_papers: set[int] = set()
        for n, i in enumerate(chosen):
            kind = kinds[n % len(kinds)]
            if kind in ("domain", "duplicate-series-ordinal"):
                free = [w for w in self.papers_of.get(i, []) if w not in used_papers]
                if not free:
                    kind = "start-after-end"
                else:
                    self._paper_defect(kind, i, free[0])
                    used_papers.add(free[0])
            if kind not in ("domain", "duplicate-series-ordinal"):
                self._person_defect(kind, i, rng)
            counts[kind] += 1
        return counts

    def _paper_defect(self, kind: str, i: int, w: int) -> None:
        rec = self.works[w]
        pid = self.person_id(i)
        if kind == "domain":
            rec.add("guest", Claim(pid, sources=self.refs(2000)))
            return
        claims = self.author_claims[w]
        mine = next(c for c in claims if c.value == pid)
        pos = dict(mine.quals)["series_ordinal"]
        other = pos - 1 if pos > 1 else 2
        mine.quals = [(q, other if q == "series_ordinal" else v) for q, v in mine.quals]

    def _person_defect(self, kind: str, i: int, rng: random.Random) -> None:
        rec = self.people[i]
        name = rec.name
        if kind == "start-after-end":
            claim = self.first_employment[i]
            q = dict(claim.quals)
            start = int(str(q["start"])[:4])
            q["end"] = str(start - rng.randint(1, 3))
            claim.quals = [(k, q[k]) for k in ("start", "end", "role", "reports_to") if k in q]
        elif kind == "value-type":
            other = (i + 1) % self.n
            rec.add("employer", Claim(self.person_id(other), [("role", "assistant")],
                                      sources=self.refs(2010)))
        elif kind == "qualifier-type":
            c = rec.claims["educated_at"][0]
            c.quals = [(k, rng.choice(self.topics) if k == "academic_degree" else v)
                       for k, v in c.quals]
        elif kind == "conflicting-values":
            birth = rng.randint(1950, 1990)
            rec.claims["birth_date"] = [
                Claim(str(birth), sources=self.refs(birth + 20)),
                Claim(str(birth + 1), sources=self.refs(birth + 20)),
            ]
        elif kind == "weakly-sourced":
            c = rec.claims["citizenship"][0]
            c.sources = [(self.low(2000), f"{name} holds citizenship of Example Country "
                                         f"{str(c.value)[-2:]}.")]

    # ---- the whole dataset

    def build(self, fraction: float) -> dict[str, int]:
        self.make_sources()
        self.make_places()
        self.make_topics()
        self.make_organizations()
        self.make_people()
        self.make_organization_people()
        self.make_works()
        return self.inject_defects(fraction)


def dataset_text(people: int, seed: int, defects: float) -> str:
    lines = [
        "# yaml-language-server: $schema=../shapes/dataset.schema.json",
        f"title: {scalar(f'Synthetic personkg dataset ({people} people, seed {seed})')}",
        "description: " + scalar(
            "Synthetic benchmark data written by benchmarks/generate.py: fictional people, "
            "organizations, papers and sources, none of which exist"
            + (f"; about {defects:g} of the people carry a deliberate defect"
               if defects else "") + "."),
        f"base: {BASE}",
        "license: https://creativecommons.org/publicdomain/zero/1.0/",
        "publisher: personkg benchmarks",
        "version: 0.1.0",
    ]
    return "\n".join(lines) + "\n"


def prepare_out(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        print(f"generate.py: {out}: exists and is not a directory", file=sys.stderr)
        sys.exit(2)
    if out.is_dir() and any(out.iterdir()):
        if not force:
            print(f"generate.py: {out}: directory is not empty (use --force to write into it)",
                  file=sys.stderr)
            sys.exit(2)
        for kind in RECORD_KINDS:
            folder = out / kind
            if folder.is_dir():
                for p in sorted(folder.glob("*.yaml")):
                    p.unlink()
        (out / "dataset.yaml").unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--people", type=int, required=True, help="number of people (N >= 2)")
    ap.add_argument("--out", type=Path, required=True, help="output folder (missing or empty)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--defects", type=float, default=0.01,
                    help="fraction of people with one deliberate defect (default 0.01; 0: none)")
    ap.add_argument("--force", action="store_true", help="write into a non-empty folder")
    args = ap.parse_args(argv)
    if args.people < 2:
        ap.error("--people must be at least 2")
    if not 0 <= args.defects <= 1:
        ap.error("--defects must be between 0 and 1")
    prepare_out(args.out, args.force)

    t0 = time.perf_counter()
    gen = Generator(args.people, args.seed)
    defects = gen.build(args.defects)
    (args.out / "dataset.yaml").write_text(dataset_text(args.people, args.seed, args.defects),
                                           encoding="utf-8")
    counts: dict[str, int] = {}
    folders: set[str] = set()
    for rec in gen.records:
        if rec.kind not in folders:
            (args.out / rec.kind).mkdir(exist_ok=True)
            folders.add(rec.kind)
        with open(args.out / rec.kind / f"{rec.id}.yaml", "w", encoding="utf-8",
                  newline="\n") as fh:
            fh.write(rec.text())
        counts[rec.kind] = counts.get(rec.kind, 0) + 1
    (args.out / "sources").mkdir(exist_ok=True)
    for src in gen.sources:
        with open(args.out / "sources" / f"{src.id}.yaml", "w", encoding="utf-8",
                  newline="\n") as fh:
            fh.write(src.text())
    counts["sources"] = len(gen.sources)
    dt = time.perf_counter() - t0
    records = ", ".join(f"{counts[k]} {k}" for k in sorted(counts))
    total = sum(defects.values())
    shown = ", ".join(f"{k} {v}" for k, v in sorted(defects.items()) if v)
    print(f"generate.py: wrote {args.out} in {dt:.1f} s: {records}; "
          f"{total} defect{'s' * (total != 1)}" + (f" ({shown})" if shown else ""),
          file=sys.stderr)


if __name__ == "__main__":
    main()
