"""Keep README.md's verdict table in step with a run.

    python -m mpspec.readme spec-report/report.json   # rewrites the table in README.md

The table sits between the markers ``<!-- verdicts:begin -->`` and
``<!-- verdicts:end -->``.  A self-test checks it against the registry.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from mpspec.registry import ANY, SECTIONS

README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN, END = "<!-- verdicts:begin -->", "<!-- verdicts:end -->"
SHORT = {"holds": "✅ holds", "does-not-hold": "❌ does not hold", "partly": "🟡 partly", "n/a": "— n/a"}
METHODS = ("fork", "spawn", "forkserver")


def table(data) -> str:
    e = data["environment"]
    lines = [
        f"Verdicts of the last recorded run: {e['implementation']} {e['python_version']} on "
        f"{e['platform']}, library `{e['library']}`{', -O' if e['optimize'] else ''}. "
        "The full story of each claim is in the living doc that `--spec-report` writes.",
        "",
        "| section | claim | fork | spawn | forkserver |",
        "|---|---|---|---|---|",
    ]
    for key, zh, en in SECTIONS:
        for c in (c for c in data["claims"] if c["section"] == key):
            res = c["results"]
            if ANY in res:
                cells = [SHORT[res[ANY]["verdict"]] + " (any)"] * 3
            else:
                cells = [SHORT[res[m]["verdict"]] if m in res else "" for m in METHODS]
            unproven = {r["outcome"] for r in res.values()} - {"passed"}
            flag = " ⚠️" if "failed" in unproven else ""
            lines.append(f"| {zh} | `{c['id']}`{flag} | " + " | ".join(cells) + " |")
    elsewhere = [
        f"- `{c['id']}` — {r['when']}: **{r['verdict']}**"
        for c in data["claims"]
        for r in c["rules"]
        if r["depends_on_environment"]
    ]
    if elsewhere:
        lines += ["", "Registered differences in other environments (Python versions, `-O`, platforms):", ""]
        lines += elsewhere
    return "\n".join(lines)


def replace_table(text: str, new_table: str) -> str:
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:start] + "\n" + new_table + "\n" + text[end:]


def current_table(text: str) -> str:
    return text[text.index(BEGIN) + len(BEGIN): text.index(END)].strip()


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m mpspec.readme DIR/report.json", file=sys.stderr)
        return 2
    data = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    README.write_text(replace_table(README.read_text(encoding="utf-8"), table(data)), encoding="utf-8")
    print(f"updated the verdict table in {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
