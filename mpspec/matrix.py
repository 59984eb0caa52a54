"""Merge any number of report.json files into one matrix: MATRIX.md and a
self-contained matrix.html (no network needed to view it).

    python -m mpspec.matrix REPORT.json [REPORT.json ...] --out docs/

Rows are the claims, grouped by source (the article, then the docs) and chapter;
columns are environments (OS / Python / implementation / library / -O), each split by
start method.  Every cell shows the verdict and whether this environment's run
confirmed it; claims whose verdict differs between environments are marked.  The HTML
page filters by chapter and by "differs between environments", and carries each
distinct explanation once, beside its claim (cells refer to it by number).
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from collections import Counter, OrderedDict
from pathlib import Path

from mpspec.registry import ANY, CHAPTERS, SOURCES

METHODS = ("fork", "spawn", "forkserver")
MARK = {"holds": "✅", "does-not-hold": "❌", "partly": "🟡", "n/a": "—"}
WORD = {"holds": "holds", "does-not-hold": "does not hold", "partly": "partly", "n/a": "n/a"}


class Usage(Exception):
    pass


def load(paths):
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
        data["_path"] = str(path)
        reports.append(data)
    if not reports:
        raise Usage("no reports given")
    reports.sort(key=env_sort_key)
    return reports


def env_sort_key(report):
    e = report["environment"]
    version = tuple(int(x) for x in e["python_version"].split(".")[:3] if x.isdigit())
    return (e["platform"], e["library"] != "multiprocessing", e["library"], e["implementation"] != "CPython",
            e["implementation"], version, e["optimize"])


def label(report) -> str:
    """e.g. "linux · 3.11.7", "linux · PyPy 3.9.16", "linux · 3.11.7 · billiard · -O"."""
    e = report["environment"]
    impl = "" if e["implementation"] == "CPython" else e["implementation"] + " "
    parts = [e["platform"], impl + e["python_version"]]
    if e["library"] != "multiprocessing":
        parts.append(e["library"])
    if e["optimize"]:
        parts.append("-O")
    return " · ".join(parts)


def cell(report, claim_id, method):
    """The result of one claim on one start method in one report, or None."""
    claim = next((c for c in report["claims"] if c["id"] == claim_id), None)
    if claim is None:
        return None
    results = claim["results"]
    return results.get(ANY) if ANY in results else results.get(method)


def claims_index(reports):
    """Every claim of every report, in the article's order, with its statement."""
    seen = OrderedDict()
    for report in reports:
        for c in report["claims"]:
            seen.setdefault(c["id"], c)
    order = {ch.key: i for i, ch in enumerate(CHAPTERS)}
    return sorted(seen.values(), key=lambda c: order.get(c["section"], 99))


def chapters(claims):
    """(source key, source label, [(chapter, [claims])]) for the sources that have claims."""
    out = []
    for source, label, _ in SOURCES:
        groups = []
        for ch in CHAPTERS:
            mine = [c for c in claims if c["section"] == ch.key]
            if ch.source == source and mine:
                groups.append((ch, mine))
        if groups:
            out.append((source, label, groups))
    return out


def chapter_title(ch) -> str:
    return f"{ch.heading} — {ch.title}" if ch.heading != ch.title else ch.title


def default_method(report):
    """The start method that code which never names one gets in this environment."""
    return report["environment"].get("default_start_method")


def default_verdicts(reports, claim_id):
    """Per environment, the claim's verdict under that environment's default start
    method (None where unknown or n/a)."""
    out = []
    for report in reports:
        method = default_method(report)
        r = cell(report, claim_id, method) if method in METHODS else None
        out.append(None if r is None or r["verdict"] == "n/a" else r["verdict"])
    return out


def default_changes(reports, claims):
    """The per-method claims whose verdict for code that names no start method differs
    between environments because their default start methods differ."""
    if len({default_method(r) for r in reports}) < 2:
        return []
    changed = []
    for c in claims:
        if ANY in c["results"]:
            continue
        verdicts = default_verdicts(reports, c["id"])
        if len({v for v in verdicts if v}) > 1:
            changed.append((c, verdicts))
    return changed


def differs(reports, claim_id) -> bool:
    verdicts = set()
    for report in reports:
        for m in METHODS:
            r = cell(report, claim_id, m)
            if r is not None and r["verdict"] != "n/a":
                verdicts.add((m, r["verdict"]))
    by_method = {}
    for m, v in verdicts:
        by_method.setdefault(m, set()).add(v)
    return any(len(v) > 1 for v in by_method.values())


def summary(report):
    verdicts, outcomes = Counter(), Counter()
    for c in report["claims"]:
        for r in c["results"].values():
            if r["verdict"] != "n/a":
                verdicts[r["verdict"]] += 1
            outcomes[r["outcome"]] += 1
    return verdicts, outcomes


def _md_cell(report, claim_id):
    marks = []
    for m in METHODS:
        r = cell(report, claim_id, m)
        if r is None:
            marks.append("·")
            continue
        mark = MARK.get(r["verdict"], "?")
        if r["outcome"] == "failed":
            mark += "⚠️"
        elif r["outcome"] in ("skipped", "not-run") and r["verdict"] != "n/a":
            mark += "?"
        marks.append(mark)
    return " ".join(marks)


def render_md(reports) -> str:
    claims = claims_index(reports)
    labels = [label(r) for r in reports]
    out = ["# The multiprocessing spec across environments\n"]
    out.append(
        "Each cell gives the verdict on **fork spawn forkserver**, in that order: ✅ holds, "
        "❌ does not hold, 🟡 partly, — not applicable (the start method does not exist "
        "there); ⚠️ the run's tests failed (verdict not confirmed), ? not checked in that "
        "run, · no data. **Δ** marks a claim whose verdict differs between environments. "
        "Each environment's default start method (what code gets that never names one) is "
        "in the table of environments. "
        "`matrix.html` has the same data with every explanation.\n"
    )
    out.append("## Environments\n")
    out.append("| # | environment | default start method | holds | partly | does not hold | passed | failed | skipped | not run | time |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for i, report in enumerate(reports, 1):
        v, o = summary(report)
        out.append(
            f"| E{i} | {labels[i - 1]} | {default_method(report) or '?'} | {v['holds']} | {v['partly']} | {v['does-not-hold']} | "
            f"{o['passed']} | {o['failed']} | {o['skipped']} | {o['not-run']} | "
            f"{report.get('duration_seconds', '?')} s |"
        )
    out.append("")
    for _, source_label, groups in chapters(claims):
        out.append(f"## {source_label}\n")
        for ch, section in groups:
            out.append(f"### {chapter_title(ch)}\n")
            out.append("| claim | " + " | ".join(f"E{i}" for i in range(1, len(reports) + 1)) + " |")
            out.append("|---|" + "---|" * len(reports))
            for c in section:
                delta = " **Δ**" if differs(reports, c["id"]) else ""
                out.append(f"| `{c['id']}`{delta} | " + " | ".join(_md_cell(r, c["id"]) for r in reports) + " |")
            out.append("")
    changes = default_changes(reports, claims)
    if changes:
        out.append("## Code that never names a start method\n")
        out.append(
            "The default start method differs between these environments ("
            + ", ".join(f"E{i} {default_method(r)}" for i, r in enumerate(reports, 1))
            + "). These claims get a different verdict for code that uses the default:\n"
        )
        out.append("| claim | " + " | ".join(f"E{i} ({default_method(r)})" for i, r in enumerate(reports, 1)) + " |")
        out.append("|---|" + "---|" * len(reports))
        for c, verdicts in changes:
            out.append(f"| `{c['id']}` | " + " | ".join(MARK.get(v, "·") if v else "·" for v in verdicts) + " |")
        out.append("")
    diffs = [c for c in claims if differs(reports, c["id"])]
    if diffs:
        out.append("## Where environments disagree\n")
        for c in diffs:
            out.append(f"### `{c['id']}`\n")
            notes = OrderedDict()  # (verdict, note) -> {environment number: [methods]}
            for i, report in enumerate(reports, 1):
                for m in METHODS:
                    r = cell(report, c["id"], m)
                    if r is not None and r["verdict"] != "n/a":
                        notes.setdefault((r["verdict"], r.get("note", "")), OrderedDict()).setdefault(i, []).append(m)
            for (verdict, note), where in notes.items():
                out.append(f"- **{WORD[verdict]}** ({_places(where)}): {note}")
            out.append("")
    return "\n".join(out) + "\n"


def _places(where):
    """{1: [fork, spawn, forkserver], 2: [fork]} as "E1; E2 fork": environments that
    share the methods listed are run together ("E1–E3, E5")."""
    groups = OrderedDict()
    for i, ms in where.items():
        groups.setdefault("" if len(ms) == len(METHODS) else " " + "/".join(ms), []).append(i)
    parts = []
    for methods, envs in groups.items():
        runs, start = [], envs[0]
        for a, b in zip(envs, envs[1:] + [None]):
            if b != a + 1:
                runs.append(f"E{start}" if start == a else f"E{start}–E{a}")
                start = b
        parts.append(", ".join(runs) + methods)
    return "; ".join(parts)


CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em} h2{font-size:1.15em;margin-top:1.5em}
table{border-collapse:collapse} th,td{border:1px solid #ccc;padding:3px 6px;vertical-align:top}
thead th{position:sticky;top:0;background:#f4f4f4;z-index:1}
th.env{font-weight:600;text-align:center;font-size:12px} th.m{font-weight:400;font-size:11px;color:#555}
td.c{text-align:center;vertical-align:middle;font-size:12px;white-space:nowrap;cursor:help}
td.holds{background:#d9f2d9} td.does-not-hold{background:#f8d4d4} td.partly{background:#fcf0c2}
td.na{background:#eee;color:#888} td.none{background:#fff;color:#bbb}
td.failed{outline:3px solid #d00;outline-offset:-3px} td.unchecked{opacity:.6}
td.dflt{border-bottom:3px solid #225} th.dflt{font-weight:700;color:#225}
td.claim{min-width:22em;max-width:34em} td.claim code{font-weight:600} .stmt{color:#555;font-size:12px}
tr.src td{background:#111;color:#fff;font-weight:700;font-size:15px}
tr.sec td{background:#444;color:#fff;font-weight:600}
.delta{background:#7a3cff;color:#fff;border-radius:3px;padding:0 4px;font-size:11px;margin-left:4px}
.hide{display:none}
.controls{position:sticky;top:0;background:#fff;padding:6px 0;z-index:2}
.controls label{margin-right:1.5em}
.legend span{display:inline-block;padding:1px 6px;margin-right:6px;border:1px solid #ccc}
details{margin:2px 0;font-size:12px} summary{cursor:pointer;color:#345} ol{margin:2px 0;padding-left:1.6em}
sup{color:#555}
"""

SCRIPT = """
function applyFilters(){
  var chapter = document.getElementById('chapter').value;
  var onlyDiff = document.getElementById('only-diff').checked;
  document.querySelectorAll('tr.claim-row').forEach(function(r){
    var show = (!chapter || r.dataset.chapter === chapter || r.dataset.source === chapter) &&
               (!onlyDiff || r.classList.contains('diff'));
    r.classList.toggle('hide', !show);
  });
  document.querySelectorAll('tr.sec, tr.src').forEach(function(h){
    var key = h.dataset.chapter || h.dataset.source;
    var attr = h.dataset.chapter ? 'chapter' : 'source';
    var visible = document.querySelectorAll('tr.claim-row[data-' + attr + '="' + key + '"]:not(.hide)').length;
    h.classList.toggle('hide', visible === 0);
  });
}
document.getElementById('chapter').addEventListener('change', applyFilters);
document.getElementById('only-diff').addEventListener('change', applyFilters);
"""


def _notes(reports, labels, claim_id):
    """The distinct (verdict, note) pairs of a claim across the matrix, numbered from 1,
    with where each applies."""
    notes = OrderedDict()
    for report, lab in zip(reports, labels):
        for m in METHODS:
            r = cell(report, claim_id, m)
            if r is not None:
                text = r.get("note") or r.get("reason", "") if r["verdict"] != "n/a" else r.get("reason", "")
                notes.setdefault((r["verdict"], text), []).append(f"{lab} {m}")
    return notes


def render_html(reports) -> str:
    esc = html.escape
    claims = claims_index(reports)
    labels = [label(r) for r in reports]
    groups = chapters(claims)
    h = []
    w = h.append
    w("<!doctype html><html lang='en'><head><meta charset='utf-8'>")
    w("<title>multiprocessing spec — matrix</title>")
    w(f"<style>{CSS}</style></head><body>")
    w("<h1>What multiprocessing really does, across environments</h1>")
    w("<p>Claims of two sources — the tutorial <i>Process 进程模块</i> and Python's own documentation — "
      "with the verdict each environment's run established, per start method.</p>")
    w("<p class='legend'><span style='background:#d9f2d9'>holds</span><span style='background:#fcf0c2'>partly</span>"
      "<span style='background:#f8d4d4'>does not hold</span><span style='background:#eee'>n/a</span>"
      "<span style='outline:3px solid #d00'>test failed</span><span style='opacity:.6'>not checked</span>"
      " A cell's number points to the explanation under its claim (open <i>what really happens</i>); "
      "★ and an underline mark each environment's default start method (what code gets that never names one); "
      "<span class='delta'>Δ</span> marks a claim whose verdict differs between environments.</p>")
    w("<div class='controls'><label>chapter <select id='chapter'><option value=''>all chapters</option>")
    for source, source_label, chs in groups:
        w(f"<optgroup label='{esc(source_label, quote=True)}'><option value='{source}'>all of {esc(source_label.lower())}</option>")
        for ch, mine in chs:
            w(f"<option value='{ch.key}'>{esc(chapter_title(ch))} ({len(mine)})</option>")
        w("</optgroup>")
    w("</select></label><label><input type='checkbox' id='only-diff'> only claims that differ between "
      "environments</label></div>")
    w("<h2>Environments</h2><table><thead><tr><th>#</th><th>environment</th><th>default start method</th><th>holds</th><th>partly</th>"
      "<th>does not hold</th><th>passed</th><th>failed</th><th>skipped</th><th>not run</th><th>time</th></tr></thead><tbody>")
    for i, report in enumerate(reports, 1):
        v, o = summary(report)
        w(f"<tr><td>E{i}</td><td>{esc(labels[i - 1])}</td><td>{esc(default_method(report) or '?')}</td><td>{v['holds']}</td><td>{v['partly']}</td>"
          f"<td>{v['does-not-hold']}</td><td>{o['passed']}</td><td>{o['failed']}</td><td>{o['skipped']}</td>"
          f"<td>{o['not-run']}</td><td>{esc(str(report.get('duration_seconds', '?')))} s</td></tr>")
    w("</tbody></table>")
    w("<h2>Claims</h2><table><thead><tr><th rowspan='2'>claim</th>")
    for i, lab in enumerate(labels, 1):
        w(f"<th class='env' colspan='3'>E{i}<br>{esc(lab)}</th>")
    w("</tr><tr>" + "".join(
        "".join(f"<th class='m dflt'>{m} ★</th>" if m == default_method(r) else f"<th class='m'>{m}</th>" for m in METHODS)
        for r in reports))
    w("</tr></thead><tbody>")
    width = 1 + 3 * len(reports)
    for source, source_label, chs in groups:
        w(f"<tr class='src' data-source='{source}'><td colspan='{width}'>{esc(source_label)}</td></tr>")
        for ch, section in chs:
            w(f"<tr class='sec' data-chapter='{ch.key}'><td colspan='{width}'>{esc(chapter_title(ch))}</td></tr>")
            for c in section:
                _claim_row(w, esc, c, reports, labels, source, ch.key)
    w("</tbody></table>")
    changes = default_changes(reports, claims)
    if changes:
        w("<h2>Code that never names a start method</h2><p>The default start method differs between these "
          "environments; these claims get a different verdict for code that uses the default.</p>")
        w("<table><thead><tr><th>claim</th>" + "".join(
            f"<th class='env'>E{i}<br>{esc(default_method(r) or '?')}</th>" for i, r in enumerate(reports, 1))
          + "</tr></thead><tbody>")
        for c, verdicts in changes:
            w(f"<tr><td class='claim'><code>{esc(c['id'])}</code></td>" + "".join(
                f"<td class='c {v or 'none'}'>{esc(WORD.get(v, '·') if v else '·')}</td>" for v in verdicts) + "</tr>")
        w("</tbody></table>")
    w(f"<script>{SCRIPT}</script></body></html>")
    return "\n".join(h) + "\n"


def _claim_row(w, esc, c, reports, labels, source, chapter):
    diff = differs(reports, c["id"])
    notes = _notes(reports, labels, c["id"])
    number = {key: i for i, key in enumerate(notes, 1)}
    w(f"<tr class='claim-row {'diff' if diff else 'same'}' data-source='{source}' data-chapter='{chapter}'>"
      f"<td class='claim'><code>{esc(c['id'])}</code>" + ("<span class='delta'>Δ</span>" if diff else "")
      + f"<div class='stmt'>{esc(c['statement'])}</div><details><summary>what really happens</summary><ol>")
    for (verdict, note), where in notes.items():
        places = ", ".join(where) if len(where) <= 6 else f"{len(where)} cells"
        w(f"<li><b>{esc(WORD.get(verdict, verdict))}</b>: {esc(note)} <i>({esc(places)})</i></li>")
    w("</ol></details></td>")
    for report, lab in zip(reports, labels):
        for m in METHODS:
            r = cell(report, c["id"], m)
            if r is None:
                w("<td class='c none' title='no data'>·</td>")
                continue
            verdict, outcome = r["verdict"], r["outcome"]
            classes = ["c", "na" if verdict == "n/a" else verdict]
            if outcome == "failed":
                classes.append("failed")
            elif outcome in ("skipped", "not-run") and verdict != "n/a":
                classes.append("unchecked")
            if m == default_method(report):
                classes.append("dflt")
            text = r.get("note") or r.get("reason", "") if verdict != "n/a" else r.get("reason", "")
            n = number[(verdict, text)]
            # Environment and method are in the (sticky) column headings: a title only
            # where the outcome needs saying, a number only where explanations differ.
            tip = f" title='{esc(outcome, quote=True)}'" if outcome != "passed" else ""
            sup = f"<sup>{n}</sup>" if len(number) > 1 else ""
            w(f"<td class='{' '.join(classes)}'{tip}>{MARK.get(verdict, '?')}{sup}"
              + ("<br>⚠ failed" if outcome == "failed" else "") + "</td>")
    w("</tr>")


README_BEGIN, README_END = "<!-- differences:begin -->", "<!-- differences:end -->"


def render_differences(reports) -> str:
    """For the README: per claim whose verdict differs, where it departs from the
    verdict most environments share."""
    labels = [label(r) for r in reports]
    rows = []
    for c in claims_index(reports):
        if not differs(reports, c["id"]):
            continue
        departures = OrderedDict()
        for m in METHODS:
            seen = [(lab, cell(r, c["id"], m)) for r, lab in zip(reports, labels)]
            seen = [(lab, r["verdict"]) for lab, r in seen if r is not None and r["verdict"] != "n/a"]
            if not seen:
                continue
            usual = Counter(v for _, v in seen).most_common(1)[0][0]
            for lab, verdict in seen:
                if verdict != usual:
                    departures.setdefault((lab, verdict, usual), []).append(m)
        where = "; ".join(
            f"{WORD[v]} on {lab} ({'/'.join(ms) if len(ms) < 3 else 'every method'}; elsewhere {WORD[usual]})"
            for (lab, v, usual), ms in departures.items()
        )
        rows.append(f"| `{c['id']}` | {where} |")
    head = [
        f"Where the verdicts differ between the {len(reports)} environments of the last local matrix "
        f"({', '.join(labels)}):",
        "",
        "| claim | where it differs |",
        "|---|---|",
    ]
    return "\n".join(head + (rows or ["| (none) | |"]))


def update_readme(path, reports):
    text = Path(path).read_text(encoding="utf-8")
    if README_BEGIN not in text or README_END not in text:
        raise Usage(f"{path} has no {README_BEGIN} ... {README_END} block")
    start, end = text.index(README_BEGIN) + len(README_BEGIN), text.index(README_END)
    Path(path).write_text(text[:start] + "\n" + render_differences(reports) + "\n" + text[end:], encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m mpspec.matrix", description=__doc__.split("\n\n")[0])
    parser.add_argument("reports", nargs="+", metavar="REPORT.json")
    parser.add_argument("--out", default="docs", metavar="DIR", help="where MATRIX.md and matrix.html go (default docs/)")
    parser.add_argument("--readme", metavar="FILE", help="also rewrite the differences block of this README")
    args = parser.parse_args(argv)
    try:
        reports = load(args.reports)
        if args.readme:
            update_readme(args.readme, reports)
    except Usage as exc:
        print(f"mpspec.matrix: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "MATRIX.md").write_text(render_md(reports), encoding="utf-8")
    (out / "matrix.html").write_text(render_html(reports), encoding="utf-8")
    print(f"{len(reports)} environments, {len(claims_index(reports))} claims -> {out / 'MATRIX.md'}, {out / 'matrix.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
