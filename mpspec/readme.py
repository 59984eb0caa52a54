"""Keep README.md's generated blocks in step with a run.

    python -m mpspec.readme spec-report/report.json   # rewrites both blocks in README.md

The article's verdict table sits between ``<!-- verdicts:begin -->`` and
``<!-- verdicts:end -->``; the docs' counts per chapter and the list of what the docs
get wrong or leave unsaid between ``<!-- docs:begin -->`` and ``<!-- docs:end -->``.
Self-tests check both against the registry.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from mpspec import report, vocab
from mpspec.registry import ANY, CHAPTERS, CLAIMS

README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN, END = "<!-- verdicts:begin -->", "<!-- verdicts:end -->"
DOCS_BEGIN, DOCS_END = "<!-- docs:begin -->", "<!-- docs:end -->"
SHORT = {v: vocab.emoji(v) for v in vocab.VERDICTS}
METHODS = ("fork", "spawn", "forkserver")


def table(data) -> str:
    e = data["environment"]
    lines = [
        f"Verdicts of the last recorded run: {e['implementation']} {e['python_version']} on "
        f"{e['platform']}, library `{e['library']}`{', -O' if e['optimize'] else ''}. "
        "The full story of each claim is in the living doc that `--spec-report` writes.",
        "",
        "A verdict no test observed in that run is marked ·, one whose demonstration did not "
        "show or that was skipped ?, one whose test failed ⚠️ (see Reading the verdicts).",
        "",
        "| section | claim | fork | spawn | forkserver |",
        "|---|---|---|---|---|",
    ]
    for key, zh, en, source in ((c.key, c.heading, c.title, c.source) for c in CHAPTERS):
        if source != "article":
            continue
        for c in (c for c in data["claims"] if c["section"] == key):
            res = c["results"]
            if ANY in res:
                cells = [SHORT[res[ANY]["verdict"]] + _flag(res[ANY]) + " (any)"] * 3
            else:
                cells = [SHORT[res[m]["verdict"]] + _flag(res[m]) if m in res else "" for m in METHODS]
            flag = " ⚠️" if any(r["outcome"] == "failed" and report.counted(r) for r in res.values()) else ""
            lines.append(f"| {zh} | `{c['id']}`{flag} | " + " | ".join(cells) + " |")
    elsewhere = [
        f"- `{c['id']}` — {r['when']}: **{r['verdict']}**"
        for c in data["claims"]
        for r in c["rules"]
        if r["depends_on_environment"] and c.get("source", "article") == "article"
    ]
    if elsewhere:
        lines += ["", "Registered differences in other environments (Python versions, `-O`, platforms):", ""]
        lines += elsewhere
    return "\n".join(lines)


def docs_block(data) -> str:
    """The docs' verdict counts per chapter, then the docs claims that do not fully
    hold, a line per chapter."""
    e = data["environment"]
    docs = [c for c in data["claims"] if c.get("source") == "docs"]
    lines = [
        f"Counts of the last recorded run ({e['implementation']} {e['python_version']} on {e['platform']}): "
        "verdicts per claim and start method (a method-independent claim counts once), then "
        "how many of them a test observed, how many are the registry's word only (the tests "
        "passed without observing the verdict), how many demonstrations did not show, and "
        "how many tests failed.",
        "",
        "| docs chapter | claims | ✅ holds | 🟡 partly | ❌ does not hold | — n/a | observed | registered only | not shown | ⚠️ failed |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for ch in (c for c in CHAPTERS if c.source == "docs"):
        mine = [c for c in docs if c["section"] == ch.key]
        if not mine:
            continue
        v = [r["verdict"] for c in mine for r in c["results"].values()]
        o = [r["outcome"] for c in mine for r in c["results"].values() if r["verdict"] != "n/a"]
        lines.append(
            f"| {ch.title} (`{ch.key}.*`) | {len(mine)} | {v.count('holds')} | {v.count('partly')} | "
            f"{v.count('does-not-hold')} | {v.count('n/a')} | {o.count('observed')} | {o.count('passed')} | "
            f"{o.count('not-shown')} | {o.count('failed')} |"
        )
    lines += [
        "",
        "The docs claims that do not fully hold here, chapter by chapter (❌ does not hold, "
        "🟡 partly; start methods are named where the three differ). A promise the docs make "
        "for spawn and forkserver often does not hold under fork, by design. What really "
        "happens, claim by claim, is on each claim's page (linked) and in the matrix "
        "([docs/MATRIX.md](docs/MATRIX.md)).",
        "",
    ]
    listed = 0
    for ch in (c for c in CHAPTERS if c.source == "docs"):
        entries = []
        for c in (c for c in docs if c["section"] == ch.key):
            marks = {}
            for m, r in c["results"].items():
                if r["verdict"] in ("does-not-hold", "partly"):
                    marks.setdefault(MARK[r["verdict"]], []).append(m)
            if marks:
                entries.append(f"`{c['id']}` " + " ".join(
                    mark if methods == [ANY] or len(methods) == 3 else f"{mark} {'/'.join(methods)}"
                    for mark, methods in marks.items()
                ))
        if entries:
            listed += len(entries)
            lines.append(f"- **{ch.title}**: " + "; ".join(entries))
    if not listed:
        lines.append("- (none)")
    return "\n".join(lines)


MARK = {v: vocab.VERDICTS[v].emoji for v in ("does-not-hold", "partly")}
# After a verdict in the article's table: how far the run confirmed it.
# What a run made of a verdict, after it: the outcome's emoji, else its text symbol.
FLAG = {k: f" {m.emoji or m.symbol}" if (m.emoji or m.symbol) else "" for k, m in vocab.OUTCOMES.items()}


def _flag(result) -> str:
    """The mark after a verdict: none for an n/a one (its outcome says nothing)."""
    return FLAG[result["outcome"]] if report.counted(result) else ""
# A claim ID in backticks that is not yet a link (not "[`id`](...)").
_UNLINKED_ID = re.compile(r"(?<!\[)`([a-z][a-z-]*\.[a-z0-9-]+)`(?!\]\()")


_LINKED_ID = re.compile(r"\[`([a-z][a-z-]*\.[a-z0-9-]+)`\]\([^)\s]*/claims/\1/\)")


def link_claims(text: str, base: str = "") -> str:
    """Every registered claim ID the text names in backticks becomes a link to its page
    on the site (``base``, default ``mpspec.site.SITE_URL``: links to another address
    are pointed there too); names that are not claims stay as they are."""
    from mpspec.site import claim_url

    def link(m):
        cid = m.group(1)
        return f"[`{cid}`]({claim_url(cid, base)})" if cid in CLAIMS else m.group(0)

    return _UNLINKED_ID.sub(link, _LINKED_ID.sub(r"`\1`", text))


def replace_block(text: str, new: str, begin: str = BEGIN, end: str = END) -> str:
    start, stop = text.index(begin) + len(begin), text.index(end)
    return text[:start] + "\n" + new + "\n" + text[stop:]


def replace_table(text: str, new_table: str) -> str:
    return replace_block(text, new_table)


def current_block(text: str, begin: str = BEGIN, end: str = END) -> str:
    return text[text.index(begin) + len(begin): text.index(end)].strip()


def current_table(text: str) -> str:
    return current_block(text)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m mpspec.readme DIR/report.json", file=sys.stderr)
        return 2
    data = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    text = replace_table(README.read_text(encoding="utf-8"), table(data))
    if any(c.get("source") == "docs" for c in data["claims"]):
        text = replace_block(text, docs_block(data), DOCS_BEGIN, DOCS_END)
    README.write_text(link_claims(text), encoding="utf-8")
    print(f"updated the verdict table and the docs summary in {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
