"""The README keeps its promises: two copy-paste lines, CI runs the second, and the
verdict table agrees with the registry."""

import re

from mpspec import readme
from mpspec.registry import ANY, CLAIMS, Facts
from tests.helpers import ROOT

TEXT = (ROOT / "README.md").read_text(encoding="utf-8")


def quickstart_lines():
    block = TEXT[TEXT.index("<!-- quickstart:begin -->"): TEXT.index("<!-- quickstart:end -->")]
    return [line for line in block.splitlines() if line.startswith("python ")]


def test_the_readme_has_exactly_two_copy_paste_lines():
    spec_line, all_line = quickstart_lines()
    assert "pip install -e ." in spec_line and "pytest spec/" in spec_line
    assert "pip install -e" in all_line and "pytest spec/" not in all_line


def test_ci_runs_the_readmes_second_line():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "quickstart:begin" in ci and "sed -n 2p" in ci and 'eval "$line"' in ci


def test_the_verdict_table_agrees_with_the_registry():
    table = readme.current_table(TEXT)
    m = re.search(r"(\w+) (\d+)\.(\d+)\.(\d+) on (\w+), library `([\w-]+)`(, -O)?", table)
    assert m, "the table names its environment"
    facts = Facts(
        python=tuple(int(x) for x in m.group(2, 3, 4)),
        implementation=m.group(1),
        platform=m.group(5),
        optimize=1 if m.group(7) else 0,
        library=m.group(6),
    )
    rows = {r[1].strip("` ⚠️"): r for r in (line.split(" | ") for line in table.splitlines() if line.startswith("| ") and "| `" in line)}
    assert set(rows) == set(CLAIMS)
    for cid, claim in CLAIMS.items():
        cells = [c.strip(" |") for c in rows[cid][2:5]]
        if claim.per_method:
            expected = [readme.SHORT[claim.verdict(facts, m)] for m in readme.METHODS]
        else:
            expected = [readme.SHORT[claim.verdict(facts, ANY)] + " (any)"] * 3
        assert cells == expected, cid
