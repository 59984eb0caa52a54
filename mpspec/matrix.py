"""Merge any number of report.json files: the compact data the site is built from
(``results.json``), a short ``MATRIX.md`` that links to the site, and the README's
table of differences.

    python -m mpspec.matrix REPORT.json [REPORT.json ...] --out docs/ [--readme README.md]

The matrix itself, with every explanation, is a page of the site
(``python -m mpspec.site DIR``), drawn from the same data.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, OrderedDict
from pathlib import Path

from mpspec import vocab
from mpspec.results import Results, Usage, dump, load_reports, merge
from mpspec.site import SITE_URL, claim_url

METHODS = ("fork", "spawn", "forkserver")
README_BEGIN, README_END = "<!-- differences:begin -->", "<!-- differences:end -->"


def differs(r: Results, claim) -> bool:
    """True when some start method's verdict differs between environments (n/a counts
    as a verdict: a claim that begins or stops applying differs)."""
    for m in r.methods_of(claim):
        if len({x.verdict for x in (r.cell(claim, e, m) for e in r.envs if r.in_scope(claim, e)) if x}) > 1:
            return True
    return False


def departures(r: Results, claim):
    """Where the claim departs from the verdict most environments share, per start
    method: [(environment label, verdict, usual verdict, methods)]."""
    out = OrderedDict()
    for m in r.methods_of(claim):
        seen = [(e.label, x.verdict) for e in r.envs if r.in_scope(claim, e) for x in [r.cell(claim, e, m)] if x]
        if not seen:
            continue
        usual = Counter(v for _, v in seen).most_common(1)[0][0]
        for lab, verdict in seen:
            if verdict != usual:
                out.setdefault((lab, verdict, usual), []).append(m)
    return [(lab, v, usual, ms) for (lab, v, usual), ms in out.items()]


def render_md(r: Results, site_url: str = SITE_URL) -> str:
    site = site_url.rstrip("/")
    out = ["# The multiprocessing spec across environments\n"]
    out.append(
        f"{len(r.claims)} claims, observed in {len(r.envs)} environments. This page is a summary; "
        f"the [site]({site}/) has [the matrix]({site}/matrix/) with every note, a page per claim, "
        f"[upgrade guides]({site}/upgrade/) for each pair of Python versions and "
        f"[library differences]({site}/libraries/) (billiard, multiprocess, PyPy, `-O`), built from "
        "[`results.json`](results.json) by `python -m mpspec.site DIR`.\n"
    )
    out.append("## Environments\n")
    out.append(
        "Per environment, the verdicts per claim and start method, then what its run made of "
        "the ones that apply: observed by a test, the registry's word only (the tests passed "
        "without observing the verdict), a demonstration not shown, a failed test.\n"
    )
    out.append(
        "| environment | default start method | holds | partly | does not hold | n/a "
        "| observed | registered only | not shown | failed | time |"
    )
    out.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for e in r.envs:
        cells = [x for c in r.claims for m in r.methods_of(c) for x in [r.cell(c, e, m)] if x]
        verdicts = Counter(x.verdict for x in cells)
        outcomes = Counter(x.outcome for x in cells if x.applies)
        out.append(
            f"| {e.label} | {e.default_start_method or '?'} | {verdicts['holds']} | {verdicts['partly']} | "
            f"{verdicts['does-not-hold']} | {verdicts['n/a']} | {outcomes['observed']} | {outcomes['passed']} | "
            f"{outcomes['not-shown']} | {outcomes['failed']} | {e.raw.get('duration_seconds', '?')} s |"
        )
    out.append("")
    diffs = [c for c in r.claims if differs(r, c)]
    out.append(f"## Claims whose verdict differs between environments ({len(diffs)})\n")
    for c in diffs:
        where = "; ".join(
            f"{vocab.word(v)} on {lab} ({'/'.join(ms) if len(ms) < 3 else 'every method'})"
            for lab, v, usual, ms in departures(r, c)
        )
        out.append(f"- [`{c['id']}`]({claim_url(c['id'], site)}): {where}")
    return "\n".join(out) + "\n"


def render_differences(r: Results) -> str:
    """For the README: per claim whose verdict differs, where it departs from the
    verdict most environments share."""
    rows = []
    for c in r.claims:
        if not differs(r, c):
            continue
        where = "; ".join(
            f"{vocab.word(v)} on {lab} ({'/'.join(ms) if len(ms) < 3 else 'every method'}; elsewhere {vocab.word(usual)})"
            for lab, v, usual, ms in departures(r, c)
        )
        rows.append(f"| `{c['id']}` | {where} |")
    head = [
        f"Where the verdicts differ between the {len(r.envs)} environments of the last local matrix "
        f"({', '.join(e.label for e in r.envs)}):",
        "",
        "| claim | where it differs |",
        "|---|---|",
    ]
    return "\n".join(head + (rows or ["| (none) | |"]))


def update_readme(path, r: Results):
    from mpspec.readme import link_claims

    text = Path(path).read_text(encoding="utf-8")
    if README_BEGIN not in text or README_END not in text:
        raise Usage(f"{path} has no {README_BEGIN} ... {README_END} block")
    start, end = text.index(README_BEGIN) + len(README_BEGIN), text.index(README_END)
    text = text[:start] + "\n" + render_differences(r) + "\n" + text[end:]
    Path(path).write_text(link_claims(text), encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m mpspec.matrix", description=__doc__.split("\n\n")[0])
    parser.add_argument("reports", nargs="+", metavar="REPORT.json")
    parser.add_argument("--out", default="docs", metavar="DIR", help="where results.json and MATRIX.md go (default docs/)")
    parser.add_argument("--readme", metavar="FILE", help="also rewrite the differences block of this README")
    args = parser.parse_args(argv)
    try:
        data = merge(load_reports(args.reports))
        r = Results(data)
        if args.readme:
            update_readme(args.readme, r)
    except Usage as exc:
        print(f"mpspec.matrix: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    dump(data, out / "results.json")
    (out / "MATRIX.md").write_text(render_md(r), encoding="utf-8")
    print(f"{len(r.envs)} environments, {len(r.claims)} claims -> {out / 'results.json'}, {out / 'MATRIX.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
