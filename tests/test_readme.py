"""The README keeps its promises: two copy-paste lines, CI runs the second, and the
verdict table agrees with the registry."""

import re

from mpspec import readme
from mpspec.site import claim_url
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


def _facts(block):
    """The environment a generated README block names."""
    m = re.search(r"(\w+) (\d+)\.(\d+)\.(\d+) on (\w+)(?:, library `([\w-]+)`)?(, -O)?", block)
    assert m, "the block names its environment"
    return Facts(
        python=tuple(int(x) for x in m.group(2, 3, 4)),
        implementation=m.group(1),
        platform=m.group(5),
        optimize=1 if m.group(7) else 0,
        library=m.group(6) or "multiprocessing",
    )


def test_the_verdict_table_agrees_with_the_registry():
    table = readme.current_table(TEXT)
    facts = _facts(table)
    rows = {
        re.search(r"`([^`]+)`", r[1]).group(1): r
        for r in (line.split(" | ") for line in table.splitlines() if line.startswith("| ") and "`" in line)
    }
    article = {cid: c for cid, c in CLAIMS.items() if c.source == "article"}
    assert set(rows) == set(article)
    for cid, claim in article.items():
        # (a run's mark after the verdict, readme.FLAG, says what the run made of it)
        marks = "|".join(re.escape(f) for f in set(readme.FLAG.values()) if f)
        cells = [re.sub(rf"({marks})(?= \(any\)|$)", "", c.strip(" |")) for c in rows[cid][2:5]]
        if claim.per_method:
            expected = [readme.SHORT[claim.verdict(facts, m)] for m in readme.METHODS]
        else:
            expected = [readme.SHORT[claim.verdict(facts, ANY)] + " (any)"] * 3
        assert cells == expected, cid


def test_the_docs_summary_lists_every_docs_claim_that_does_not_fully_hold():
    block = readme.current_block(TEXT, readme.DOCS_BEGIN, readme.DOCS_END)
    facts = _facts(block)
    chapter_lines = "\n".join(line for line in block.splitlines() if line.startswith("- **"))
    listed = set(re.findall(r"`([a-z-]+\.[a-z0-9-]+)`", chapter_lines))
    expected = {
        cid
        for cid, claim in CLAIMS.items()
        if claim.source == "docs"
        and {claim.verdict(facts, m) for m in claim.methods} & {"does-not-hold", "partly"}
    }
    assert listed == expected
    counted = dict(re.findall(r"^\| .*?\(`([a-z-]+)\.\*`\) \| (\d+) \|", block, re.M))
    docs_chapters = {c.section for c in CLAIMS.values() if c.source == "docs"}
    assert set(counted) == docs_chapters
    for chapter, count in counted.items():
        assert int(count) == sum(c.section == chapter for c in CLAIMS.values())


def test_every_claim_id_the_readme_names_links_to_its_page_on_the_site():
    named = set(re.findall(r"`([a-z][a-z-]*\.[a-z0-9-]+)`", TEXT)) & set(CLAIMS)
    assert named, "the README names claims"
    unlinked = sorted(set(readme._UNLINKED_ID.findall(TEXT)) & set(CLAIMS))
    assert not unlinked, unlinked
    for cid in named:
        assert f"[`{cid}`]({claim_url(cid)})" in TEXT, cid
