"""The living documentation: ``report.json`` (data) and ``SPEC.md`` (for people).

``build`` turns the per-test outcomes of a run into per-claim, per-start-method
results; ``render`` turns that data into Markdown.  ``python -m mpspec.report
DIR/report.json`` re-renders SPEC.md from saved data.
"""

from __future__ import annotations

import datetime
import json
import sys
from collections import Counter, OrderedDict
from pathlib import Path

from mpspec import env, vocab
from mpspec.registry import ANY, CHAPTERS, CLAIMS, NOT_APPLICABLE, SOURCES

SCHEMA = 3  # 3: a result says whether a test observed its verdict ("observed") or a
# demonstration did not show ("not-shown"); 2: claims carry source, chapter and cite
OUTCOMES = ("passed", "failed", "skipped", "not-run")  # of a test
# Of a claim on one start method, the most telling first (see vocab.OUTCOMES).
RESULT_OUTCOMES = ("failed", "not-shown", "observed", "passed", "skipped", "not-run")


def _observations(row, claim_id):
    return [o for o in row.get("observed", ()) if o["claim"] == claim_id]


def _not_shown(row, claim_id):
    ns = row.get("not_shown")
    return ns if ns and claim_id in ns["claims"] else None


def _aggregate(rows, claim_id=""):
    """One outcome for the tests of one claim on one start method: failed if a test
    failed; not shown if a demonstration behind it did not show; observed if a test
    that passed observed the verdict; passed if tests passed without observing it."""
    if not rows:
        return {"outcome": "not-run"}
    outcomes = Counter(r["outcome"] for r in rows)
    skipped = [
        {"test": r["nodeid"], "reason": r["reason"]}
        for r in rows
        if r["outcome"] == "skipped" and not _not_shown(r, claim_id)
    ]
    not_shown = [
        {"test": r["nodeid"], "reason": r["reason"]} for r in rows if r["outcome"] == "skipped" and _not_shown(r, claim_id)
    ]
    observed = [
        dict(o, test=r["nodeid"]) for r in rows if r["outcome"] == "passed" for o in _observations(r, claim_id)
    ]
    # A contradicting observation is a failure even where it could not fail its test (a thread).
    contradicted = {o["test"] for o in observed if o["verdict"] != o.get("registered", o.get("predicted"))}
    if outcomes["failed"] or contradicted:
        result = {"outcome": "failed", "failed": sorted({r["nodeid"] for r in rows if r["outcome"] == "failed"} | contradicted)}
    elif not_shown:
        result = {"outcome": "not-shown", "not_shown": not_shown}
    elif observed:
        result = {"outcome": "observed", "observed": [{k: o[k] for k in ("test", "verdict", "because")} for o in observed]}
    elif outcomes["passed"]:
        result = {"outcome": "passed"}
    elif outcomes["skipped"]:
        reasons = sorted({s["reason"] for s in skipped})
        result = {"outcome": "skipped", "reason": "; ".join(reasons)}
    else:
        result = {"outcome": "not-run"}
    if skipped and result["outcome"] != "skipped":
        result["skipped"] = skipped
    return result


def _worse(a, b):
    """Of two outcomes of one test's variants, the one that says more."""
    rank = {None: -1, "not-run": 0, "skipped": 1, "passed": 2, "observed": 3, "not-shown": 4, "failed": 5}
    return a if rank[a] >= rank[b] else b


def build(results, selected_methods, duration, facts):
    environment = env.describe(selected_methods)
    available = environment["start_methods"]
    claims = []
    for claim in CLAIMS.values():
        rows = [dict(r, nodeid=n) for n, r in results.items() if claim.id in r["claims"]]
        per_method = OrderedDict()
        for method in claim.methods:
            mine = [r for r in rows if r["method"] == method]
            entry = _aggregate(mine, claim.id)
            if method != ANY and method not in available:
                entry = {"outcome": "skipped", "reason": env.not_applicable_reason(method)}
                entry["verdict"] = NOT_APPLICABLE
            else:
                entry["verdict"] = claim.verdict(facts, method)
                entry["note"] = claim.note(facts, method)
                if entry["outcome"] == "not-run" and method != ANY and method not in selected_methods:
                    entry["reason"] = "start method not selected (--start-method)"
            entry["tests"] = sorted(r["nodeid"] for r in mine)
            per_method[method] = entry
        evidence = OrderedDict()
        order = {m: i for i, m in enumerate(claim.methods)}
        for r in sorted(rows, key=lambda r: (r["nodeid"].split("[")[0], order.get(r["method"], 9), r["nodeid"])):
            base = r["nodeid"].split("[")[0]
            item = evidence.setdefault(base, {"test": base, "doc": r["doc"], "outcomes": {}})
            seen = item["outcomes"].get(r["method"])
            outcome = r["outcome"]
            if outcome == "passed" and _observations(r, claim.id):
                outcome = "observed"
            elif outcome == "skipped" and _not_shown(r, claim.id):
                outcome = "not-shown"
            item["outcomes"][r["method"]] = _worse(seen, outcome)
        claims.append(
            {
                "id": claim.id,
                "section": claim.section,
                "source": claim.source,
                "chapter": claim.section,
                "cite": claim.cite,
                "statement": claim.statement,
                "explanation": claim.explanation,
                "beyond": claim.beyond,
                "per_method": claim.per_method,
                "rules": [
                    {
                        "when": rule.condition(),
                        "verdict": rule.verdict,
                        "note": rule.note or claim.explanation,
                        "depends_on_environment": rule.depends_on_environment(),
                    }
                    for rule in claim.verdicts
                ],
                "tests": sorted(r["nodeid"] for r in rows),
                "evidence": list(evidence.values()),
                **({"measurements": load_measurements(claim.measurements)} if claim.measurements else {}),
                "results": per_method,
            }
        )
    outcomes = Counter(r["outcome"] for r in results.values())
    cells = Counter(r["outcome"] for c in claims for r in c["results"].values() if r["verdict"] != NOT_APPLICABLE)
    return {
        "schema": SCHEMA,
        "generated": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
        "duration_seconds": round(duration, 2),
        "environment": environment,
        "summary": {
            "tests": {o: outcomes.get(o, 0) for o in OUTCOMES},
            # per claim and start method where the claim applies (a method-independent
            # claim counts once)
            "results": {o: cells.get(o, 0) for o in RESULT_OUTCOMES},
            "claims": len(claims),
            "chapters": chapter_counts(claims),
            "not_fully_holding": not_fully_holding(claims),
        },
        "claims": claims,
    }


COUNTED = ("holds", "partly", "does-not-hold", NOT_APPLICABLE)


def chapter_counts(claims):
    """Per source and chapter: how many claims, and the verdicts per claim and start
    method (an ``any`` result counts once), plus how many results a failed test left
    unconfirmed."""
    rows = []
    for chapter in CHAPTERS:
        mine = [c for c in claims if c["section"] == chapter.key]
        if not mine:
            continue
        verdicts = Counter(r["verdict"] for c in mine for r in c["results"].values())
        outcomes = Counter(r["outcome"] for c in mine for r in c["results"].values() if r["verdict"] != NOT_APPLICABLE)
        rows.append(
            dict(
                {"source": chapter.source, "chapter": chapter.key, "claims": len(mine)},
                **{v: verdicts.get(v, 0) for v in COUNTED},
                **{o: outcomes.get(o, 0) for o in RESULT_OUTCOMES},
            )
        )
    return rows


def not_fully_holding(claims):
    """The claims with a does-not-hold or partly verdict on some start method, each
    with the methods per verdict."""
    rows = []
    for c in claims:
        by_verdict = OrderedDict()
        for method, r in c["results"].items():
            by_verdict.setdefault(r["verdict"], []).append(method)
        if {"does-not-hold", "partly"} & set(by_verdict):
            rows.append({"id": c["id"], "source": c["source"], "verdicts": by_verdict})
    return rows


def write(directory: Path, data) -> None:
    directory = Path(directory)
    (directory / "report.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (directory / "SPEC.md").write_text(render(data), encoding="utf-8")


# --- rendering --------------------------------------------------------------

VERDICT_MARK = {v: vocab.emoji(v) for v in vocab.VERDICTS}
# Beside a verdict: nothing when a test observed it; else what the run made of it.
OUTCOME_MARK = {"observed": "", "passed": " (registered, not observed)", "not-shown": " (not shown this run)",
                "failed": " ⚠️ test failed", "skipped": " (skipped)", "not-run": " (not run)"}


def counted(result) -> bool:
    """Whether a result's outcome is shown and counted: never for an n/a verdict."""
    return result["verdict"] != NOT_APPLICABLE


def cell(result) -> str:
    mark = OUTCOME_MARK[result["outcome"]] if counted(result) else ""
    return VERDICT_MARK.get(result["verdict"], result["verdict"]) + mark


def _methods_of(data):
    methods = []
    for claim in data["claims"]:
        for m in claim["results"]:
            if m != ANY and m not in methods:
                methods.append(m)
    return methods


def _row(claim, methods):
    res = claim["results"]
    if ANY in res:
        cells = [cell(res[ANY]) + "¹"] * len(methods)  # method-independent: the same everywhere
    else:
        cells = [cell(res[m]) if m in res else "" for m in methods]
    return cells


def anchor(claim_id: str) -> str:
    return claim_id.replace(".", "")


def summary_lines(data):
    """A few lines for the terminal: how many claims hold, fail, are partly true."""
    verdicts, outcomes = Counter(), Counter()
    for claim in data["claims"]:
        for result in claim["results"].values():
            if result["verdict"] != NOT_APPLICABLE:
                verdicts[result["verdict"]] += 1
                outcomes[result["outcome"]] += 1
    lines = [
        f"{len(data['claims'])} claims; per claim and start method: "
        + ", ".join(f"{verdicts[v]} {v}" for v in ("holds", "partly", "does-not-hold")),
        "evidence: " + ", ".join(f"{outcomes[o]} {vocab.OUTCOMES[o].word}" for o in RESULT_OUTCOMES if outcomes[o]),
    ]
    unproven = [
        f"{c['id']}[{m}]: {r['outcome']}"
        for c in data["claims"]
        for m, r in c["results"].items()
        if r["outcome"] == "failed" and counted(r)
    ]
    if unproven:
        lines.append("verdicts NOT confirmed (a test failed): " + ", ".join(unproven))
    return lines


SOURCE_INTRO = {
    "article": "Each claim of the tutorial *Process 进程模块* (QZQ的小世界, 2025, CC BY-NC 4.0), "
    "restated in our own words and cited by section.",
    "docs": "The promises of Python's own `multiprocessing` documentation (the library reference "
    "and the What's New pages), restated in our own words and cited by section, with the "
    "version wherever a promise changed.",
}


def _chapters_of(data, source):
    return [
        (ch, [c for c in data["claims"] if c["section"] == ch.key])
        for ch in CHAPTERS
        if ch.source == source and any(c["section"] == ch.key for c in data["claims"])
    ]


def _short_verdicts(by_verdict):
    """{"partly": ["fork"], "holds": ["spawn", ...]} as "partly (fork); holds (spawn, forkserver)"."""
    return "; ".join(
        f"{VERDICT_MARK.get(v, v)}" + ("" if ms == [ANY] else f" ({', '.join(ms)})") for v, ms in by_verdict.items()
    )


def render_summary(data, w):
    """The top of SPEC.md: verdict counts per source and chapter, then every claim
    that does not fully hold."""
    chapters = data.get("summary", {}).get("chapters") or chapter_counts(data["claims"])
    titles = {ch.key: f"{ch.heading} — {ch.title}" if ch.heading != ch.title else ch.title for ch in CHAPTERS}
    w("## Summary\n")
    w(
        "Verdicts per claim and start method (a method-independent claim counts once), then "
        "what this run made of them: *observed* by a test that saw the behaviour, "
        "*registered only* (the tests passed, none observed the verdict), *not shown* (a "
        "demonstration did not show within its bounded effort) and *failed*.\n"
    )
    w(
        "| source | chapter | claims | ✅ holds | 🟡 partly | ❌ does not hold | — n/a "
        "| observed | registered only | not shown | ⚠️ failed |"
    )
    w("|---|---|---|---|---|---|---|---|---|---|---|")
    counted = ("claims",) + COUNTED + ("observed", "passed", "not-shown", "failed")
    for source, label, _ in SOURCES:
        rows = [r for r in chapters if r["source"] == source]
        for r in rows:
            w(f"| {label} | [{titles[r['chapter']]}](#chapter-{r['chapter']}) | " + _counts(r, counted) + " |")
        if len(rows) > 1:
            total = {k: sum(r.get(k, 0) for r in rows) for k in counted}
            w(f"| **{label}** | **all** | " + _counts(total, counted, bold=True) + " |")
    w("")
    rows = data.get("summary", {}).get("not_fully_holding") or not_fully_holding(data["claims"])
    if rows:
        w("**Claims that do not fully hold here:**\n")
        for source, label, _ in SOURCES:
            mine = [r for r in rows if r["source"] == source]
            if mine:
                w(f"- *{label}:* " + ", ".join(
                    f"[`{r['id']}`](#{anchor(r['id'])}) ({_short_verdicts(r['verdicts'])})" for r in mine
                ))
        w("")


def _counts(row, keys, bold=False):
    """The count cells of a summary row: zero outcomes left empty, so what needs a
    look stands out."""
    cells = []
    for k in keys:
        n = row.get(k, 0)
        text = "" if not n and k in ("observed", "passed", "not-shown", "failed") else str(n)
        cells.append(f"**{text}**" if bold and text else text)
    return " | ".join(cells)


def render_claim(c, w):
    w(f'<a id="{anchor(c["id"])}"></a>\n')
    w(f"### `{c['id']}`{' (beyond the ' + c.get('source', 'article') + ')' if c['beyond'] else ''}\n")
    w(f"> {c['statement']}\n")
    w(f"*{'Docs' if c.get('source') == 'docs' else 'Article'}:* {c.get('cite') or c.get('article')}.\n")
    labels = ["any start method" if m == ANY else m for m in c["results"]]
    w("| " + " | ".join(labels) + " |")
    w("|" + "---|" * len(labels))
    w("| " + " | ".join(cell(r) for r in c["results"].values()) + " |\n")
    notes = OrderedDict()
    for m, r in c["results"].items():
        if r["verdict"] != NOT_APPLICABLE:
            notes.setdefault(r.get("note", ""), []).append(m)
    if len(notes) == 1:
        w(f"**What really happens:** {next(iter(notes))}\n")
    elif notes:
        w("**What really happens:**\n")
        for note, ms in notes.items():
            w(f"- *{'/'.join(ms)}:* {note}")
        w("")
    for m, r in c["results"].items():
        if r["outcome"] == "failed":
            w(f"**{m}: tests failed:** " + ", ".join(f"`{t}`" for t in r.get("failed", [])) + "\n")
        elif r["outcome"] == "not-shown":
            w(f"*{m}: not shown this run:* " + "; ".join(f"`{s['test']}`: {s['reason']}" for s in r["not_shown"]) + "\n")
        elif r["outcome"] in ("skipped", "not-run") and r.get("reason"):
            w(f"*{m}: {r['outcome']}: {r['reason']}*\n")
    seen = OrderedDict()
    for m, r in c["results"].items():
        for o in r.get("observed", ()):
            seen.setdefault((o["verdict"], o["because"]), []).append(m)
    if seen:
        w("*Observed in this run:*\n")
        for (verdict, because), ms in seen.items():
            w(f"- {'/'.join(ms)}: **{verdict}** — {because}")
        w("")
    if c.get("measurements"):
        w(render_measurements(c["measurements"]))
    others = [r for r in c["rules"] if r["depends_on_environment"]]
    if others:
        w("*In other environments (registered):*\n")
        for r in others:
            w(f"- {r['when']}: **{r['verdict']}** — {r['note']}")
        w("")
    skipped = [(s["test"], s["reason"]) for r in c["results"].values() for s in r.get("skipped", [])]
    if c["evidence"]:
        w("*Evidence:*\n")
        for ev in c["evidence"]:
            marks = ", ".join(f"{m} {_OUTCOME_WORD[o]}" for m, o in ev["outcomes"].items())
            w(f"- {ev['doc'] or ev['test']} — `{ev['test']}` ({marks})")
        w("")
    if skipped:
        w("*Demonstrations not observed in this run:*\n")
        for test, reason in skipped:
            w(f"- `{test}`: {reason}")
        w("")


def render(data) -> str:
    e = data["environment"]
    methods = _methods_of(data)
    out = []
    w = out.append
    w("# What multiprocessing really does: the living spec\n")
    w(
        "Two sources, each claim restated in our own words with the verdict this run established "
        "for every start method: first the tutorial *Process 进程模块* (QZQ的小世界, 2025, CC BY-NC "
        "4.0), then Python's own documentation of `multiprocessing`. A verdict counts only when the "
        "tests behind it passed: they would fail if the behaviour changed.\n"
    )
    opt = f"-O{'O' * (e['optimize'] - 1)}" if e["optimize"] else "no -O"
    w(
        f"**Environment:** {e['implementation']} {e['python_version']} on {e['platform']} "
        f"({e.get('machine', '?')}), {opt}, library `{e['library']}`; start methods "
        f"{', '.join(e['start_methods'])}; code that never names a start method gets "
        f"**{e.get('default_start_method', '?')}** here. "
        f"Generated {data['generated']} in {data['duration_seconds']} s.\n"
    )
    w(
        "**Verdicts:** ✅ holds — the source's claim is true here; ❌ does not hold — it is "
        "false, and the tests pin what happens instead; 🟡 partly — true with a caveat given "
        "under the claim; — n/a — it does not apply here (the reason is given). A bare verdict "
        "was observed by a test; *(registered, not observed)*: the tests passed, none observed "
        "it; *(not shown this run)*: a demonstration did not show its hazard; ⚠️: a test failed "
        "(not confirmed); *(skipped)*, *(not run)*: this run did not check it.\n"
    )
    for line in summary_lines(data):
        w(f"- {line}")
    w("")
    render_summary(data, w)
    for source, label, long in SOURCES:
        chapters = _chapters_of(data, source)
        if not chapters:
            continue
        w(f"# {label}: {long}\n")
        w(SOURCE_INTRO[source] + "\n")
        w("| claim | " + " | ".join(methods) + " |")
        w("|---|" + "---|" * len(methods))
        for ch, claims in chapters:
            w(f"| **{ch.heading} — {ch.title}** |" + " |" * len(methods))
            for c in claims:
                w(f"| [`{c['id']}`](#{anchor(c['id'])}) | " + " | ".join(_row(c, methods)) + " |")
        w("\n¹ method-independent: checked once, true for every start method.\n")
        for ch, claims in chapters:
            w(f'<a id="chapter-{ch.key}"></a>\n')
            w(f"## {ch.heading} — {ch.title}\n" if ch.heading != ch.title else f"## {ch.title}\n")
            for c in claims:
                render_claim(c, w)
    return "\n".join(out) + "\n"


def render_measurements(m) -> str:
    """A measurements file (see ``load_measurements``) as Markdown."""
    if "missing" in m:
        return f"*Measurements: {m['missing']} not found; run the benchmark to produce it.*\n"
    lines = [f"**Measured** ({m.get('title', 'benchmark')}):\n"]
    if m.get("columns"):
        lines.append("| " + " | ".join(m["columns"]) + " |")
        lines.append("|" + "---|" * len(m["columns"]))
        for row in m.get("rows", []):
            lines.append("| " + " | ".join(str(x) for x in row) + " |")
        lines.append("")
    if m.get("summary"):
        lines.append(m["summary"] + "\n")
    if m.get("environment"):
        lines.append(f"*Measured on:* {m['environment']}.\n")
    return "\n".join(lines)


def load_measurements(relpath: str):
    """A claim's measurements: JSON with title, columns, rows, summary, environment."""
    path = Path(__file__).resolve().parent.parent / relpath
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"missing": relpath}
    data["source"] = relpath
    return data


_OUTCOME_WORD = {
    "observed": "✓ observed", "passed": "✓", "not-shown": "not shown", "failed": "✗", "skipped": "skipped",
    "not-run": "not run",
}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m mpspec.report DIR/report.json  (re-renders DIR/SPEC.md)", file=sys.stderr)
        return 2
    path = Path(argv[0])
    data = json.loads(path.read_text(encoding="utf-8"))
    (path.parent / "SPEC.md").write_text(render(data), encoding="utf-8")
    print(path.parent / "SPEC.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
