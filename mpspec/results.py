"""The merged results of the matrix: every leg's report.json folded into one compact
file (``docs/results.json``) that the site and MATRIX.md are built from.

    python -m mpspec.results REPORT.json [REPORT.json ...] --out docs/results.json

What it keeps of each leg: the environment, and per claim and start method the
verdict, the outcome of the tests behind it and what really happens there.  A claim's
own text (statement, citation, rules, tests) is stored once, and every distinct note
once, in ``notes``; a cell is ``[verdict, outcome, note index]`` plus, where the run
said more, ``{"reason": ..., "failed": [...], "skipped": [...]}``.

``Results`` reads the file back and answers the questions the site asks: a cell, an
environment's peers, and what changes between two environments (``compare``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections import OrderedDict
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional

from mpspec.registry import ALL_METHODS, ANY, CHAPTERS, LIBRARY_CHAPTERS

SCHEMA = 1
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "docs" / "results.json"


class Usage(Exception):
    pass


# --- merging reports ----------------------------------------------------------


def load_reports(paths) -> List[dict]:
    reports = []
    for path in paths:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise Usage(f"no such report: {path}") from None
        except json.JSONDecodeError as exc:
            raise Usage(f"{path} is not a report (invalid JSON: {exc.msg})") from None
        if "environment" not in data or "claims" not in data:
            raise Usage(f"{path} is not a report: it lacks 'environment' or 'claims'")
        reports.append(data)
    if not reports:
        raise Usage("no reports given")
    reports.sort(key=lambda r: env_sort_key(r["environment"]))
    return reports


def _version(text: str):
    return tuple(int(x) for x in text.split(".")[:3] if x.isdigit())


def env_sort_key(e):
    return (
        e["platform"],
        e["library"] != "multiprocessing",
        e["library"],
        e["implementation"] != "CPython",
        e["implementation"],
        _version(e["python_version"]),
        e["optimize"],
    )


def _env_parts(e, implementation, optimize):
    """The platform, the interpreter (not CPython, as ``implementation`` spells it) and
    its version, the library (not the standard one) and ``optimize`` under -O."""
    parts = [e["platform"]]
    if e["implementation"] != "CPython":
        parts.append(implementation(e["implementation"]))
    parts.append(e["python_version"])
    if e["library"] != "multiprocessing":
        parts.append(e["library"])
    if e["optimize"]:
        parts.append(optimize)
    return parts


def env_label(e) -> str:
    """e.g. "linux · 3.11.7", "linux · PyPy 3.9.16", "linux · 3.11.7 · billiard · -O"."""
    parts = _env_parts(e, str, "-O")
    if e["implementation"] != "CPython":  # "PyPy 3.9.16", one part
        parts[1:3] = [f"{parts[1]} {parts[2]}"]
    return " · ".join(parts)


def env_id(e) -> str:
    """e.g. "linux-3.11.7", "linux-pypy-3.9.16", "linux-3.11.7-billiard-O": for URLs."""
    return "-".join(_env_parts(e, str.lower, "O"))


def merge(reports) -> dict:
    """One compact dictionary from reports sorted by ``load_reports``."""
    notes: Dict[str, int] = OrderedDict()

    def note(text):
        return notes.setdefault(text or "", len(notes))

    environments = []
    for r in reports:
        e = r["environment"]
        tests = r.get("summary", {}).get("tests", {})
        environments.append(
            {
                "id": env_id(e),
                "label": env_label(e),
                "platform": e["platform"],
                "implementation": e["implementation"],
                "python_version": e["python_version"],
                "library": e["library"],
                "optimize": e["optimize"],
                "start_methods": e.get("start_methods", []),
                "default_start_method": e.get("default_start_method"),
                # A library that replaces only some chapters' subject (loky): the rest is n/a there.
                "scope": list(LIBRARY_CHAPTERS[e["library"]][0]) if e["library"] in LIBRARY_CHAPTERS else None,
                "generated": r.get("generated"),
                "duration_seconds": r.get("duration_seconds"),
                "tests": tests,
            }
        )
    ids = set(e["id"] for e in environments)
    if len(ids) != len(environments):
        dupes = sorted(i for i in ids if sum(e["id"] == i for e in environments) > 1)
        raise Usage(f"two reports of the same environment: {', '.join(dupes)}")
    order = {ch.key: i for i, ch in enumerate(CHAPTERS)}
    seen: Dict[str, dict] = OrderedDict()
    for r in reports:
        for c in r["claims"]:
            seen[c["id"]] = c  # the last (newest environment's) text wins
    claims = []
    for cid, c in sorted(seen.items(), key=lambda kv: order.get(kv[1]["section"], 99)):
        results = []
        for r in reports:
            mine = next((x for x in r["claims"] if x["id"] == cid), None)
            if mine is None:
                results.append(None)
                continue
            row = {}
            for method, res in mine["results"].items():
                text = res.get("note") or res.get("reason") or ""
                cell = [res["verdict"], res["outcome"], note(text)]
                extra = {}
                if res.get("reason") and res.get("reason") != text:
                    extra["reason"] = res["reason"]
                if res.get("failed"):
                    extra["failed"] = res["failed"]
                if res.get("skipped") or res.get("not_shown"):
                    extra["skipped"] = sorted({s["reason"] for s in res.get("skipped", []) + res.get("not_shown", [])})
                if extra:
                    cell.append(extra)
                row[method] = cell
            results.append(row)
        claims.append(
            {
                "id": cid,
                "section": c["section"],
                "source": c.get("source", "article"),
                "cite": c.get("cite", ""),
                "statement": c["statement"],
                "explanation": c.get("explanation", ""),
                "beyond": c.get("beyond", False),
                "per_method": c.get("per_method", True),
                "rules": [
                    {"when": x["when"], "verdict": x["verdict"], "note": note(x["note"])} for x in c.get("rules", [])
                ],
                "tests": [[ev["test"], ev.get("doc", "")] for ev in c.get("evidence", [])],
                **({"measurements": c["measurements"]} if c.get("measurements") else {}),
                "results": results,
            }
        )
    return {
        "schema": SCHEMA,
        "generated": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
        "methods": list(ALL_METHODS),
        "chapters": [
            {"key": ch.key, "source": ch.source, "heading": ch.heading, "title": ch.title}
            for ch in CHAPTERS
            if any(c["section"] == ch.key for c in claims)
        ],
        "environments": environments,
        "notes": list(notes),
        "claims": claims,
    }


def dump(data, path) -> None:
    Path(path).write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


# --- reading them back ----------------------------------------------------------


class Cell(NamedTuple):
    verdict: str
    outcome: str
    note: str
    reason: str = ""
    failed: tuple = ()
    skipped: tuple = ()

    @property
    def applies(self) -> bool:
        return self.verdict != "n/a"


class Env(NamedTuple):
    index: int
    id: str
    label: str
    platform: str
    implementation: str
    python_version: str
    library: str
    optimize: int
    default_start_method: Optional[str]
    start_methods: tuple
    raw: dict

    @property
    def minor(self) -> str:
        return ".".join(self.python_version.split(".")[:2])

    @property
    def is_stdlib(self) -> bool:
        """Plain CPython with the standard library, without -O."""
        return self.implementation == "CPython" and self.library == "multiprocessing" and not self.optimize

    @property
    def version(self):
        return _version(self.python_version)


class Change(NamedTuple):
    """One claim whose result differs between two environments."""

    claim: dict
    methods: tuple  # where this before/after pair applies ("any" for a method-independent claim)
    before: Cell
    after: Cell


class Results:
    def __init__(self, data: dict):
        if data.get("schema") != SCHEMA:
            raise Usage(f"results schema {data.get('schema')!r}, expected {SCHEMA}")
        self.data = data
        self.notes = data["notes"]
        self.envs = [
            Env(
                i, e["id"], e["label"], e["platform"], e["implementation"], e["python_version"], e["library"],
                e["optimize"], e.get("default_start_method"), tuple(e.get("start_methods", ())), e,
            )
            for i, e in enumerate(data["environments"])
        ]
        self.claims = data["claims"]
        self.claim = {c["id"]: c for c in self.claims}

    @classmethod
    def load(cls, path=DEFAULT_PATH) -> "Results":
        try:
            return cls(json.loads(Path(path).read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise Usage(f"no results file {path}: run the matrix (nox) or pass reports") from None

    def env(self, env_id: str) -> Env:
        for e in self.envs:
            if e.id == env_id:
                return e
        raise Usage(f"no environment {env_id!r}; there are: {', '.join(e.id for e in self.envs)}")

    def cell(self, claim: dict, env: Env, method: str) -> Optional[Cell]:
        row = claim["results"][env.index]
        if row is None:
            return None
        raw = row.get(ANY) if ANY in row else row.get(method)
        if raw is None:
            return None
        extra = raw[3] if len(raw) > 3 else {}
        return Cell(
            raw[0], raw[1], self.notes[raw[2]], extra.get("reason", ""),
            tuple(extra.get("failed", ())), tuple(extra.get("skipped", ())),
        )

    def in_scope(self, claim, env: Env) -> bool:
        """False where the environment's library replaces only other parts of what the
        spec covers (loky: the executor), so the claim is n/a there by design and says
        nothing about a difference."""
        scope = LIBRARY_CHAPTERS.get(env.library)
        return scope is None or claim["section"] in scope[0]

    def methods_of(self, claim) -> tuple:
        return ALL_METHODS if claim.get("per_method", True) else (ANY,)

    def stdlib_pythons(self, platform: str) -> List[Env]:
        """The plain CPython environments of a platform, one per minor version (the
        first by sort order), oldest first."""
        out: Dict[str, Env] = OrderedDict()
        for e in self.envs:
            if e.platform == platform and e.is_stdlib:
                out.setdefault(e.minor, e)
        return list(out.values())

    def platforms(self) -> List[str]:
        return list(OrderedDict.fromkeys(e.platform for e in self.envs))

    def peer(self, env: Env) -> Optional[Env]:
        """The plain CPython environment of the same platform and minor version: what a
        drop-in library, PyPy or -O is compared with."""
        same = [e for e in self.stdlib_pythons(env.platform) if e.minor == env.minor]
        return same[0] if same and same[0] is not env else None

    def compare(self, a: Env, b: Env, claims=None, methods_a=None, methods_b=None):
        """Per claim, the start methods whose (verdict, note) differ from ``a`` to ``b``,
        grouped by identical before/after pairs.  ``methods_a``/``methods_b`` compare
        one method of ``a`` with one of ``b`` instead (the default start methods)."""
        changes = []
        for c in claims if claims is not None else self.claims:
            pairs: Dict[tuple, list] = OrderedDict()
            methods = self.methods_of(c)
            if methods_a and methods != (ANY,):
                methods = ((methods_a, methods_b),)
            else:
                methods = tuple((m, m) for m in methods)
            for ma, mb in methods:
                x, y = self.cell(c, a, ma), self.cell(c, b, mb)
                if x is None or y is None:
                    continue
                if (x.verdict, x.note) != (y.verdict, y.note):
                    pairs.setdefault((x, y), []).append(mb)
            for (x, y), ms in pairs.items():
                changes.append(Change(c, tuple(ms), x, y))
        return changes


def classify(changes):
    """Split changes into verdict changes, claims that begin or stop applying (n/a on
    either side) and changes that show only in the notes."""
    verdict, applicability, notes = [], [], []
    for ch in changes:
        if ch.before.verdict == ch.after.verdict:
            notes.append(ch)
        elif "n/a" in (ch.before.verdict, ch.after.verdict):
            applicability.append(ch)
        else:
            verdict.append(ch)
    return verdict, applicability, notes


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m mpspec.results", description="Merge report.json files into one compact results file."
    )
    parser.add_argument("reports", nargs="+", metavar="REPORT.json")
    parser.add_argument("--out", default=str(DEFAULT_PATH), metavar="FILE", help="default docs/results.json")
    args = parser.parse_args(argv)
    try:
        data = merge(load_reports(args.reports))
    except Usage as exc:
        print(f"mpspec.results: {exc}", file=sys.stderr)
        return 2
    dump(data, args.out)
    size = Path(args.out).stat().st_size
    print(f"{len(data['environments'])} environments, {len(data['claims'])} claims -> {args.out} ({size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
