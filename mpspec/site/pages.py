"""The site's pages as Markdown, generated from the merged results: the home page, a
page per chapter and per claim, and the API index.  The journeys of a reader who
upgrades Python or maintains another implementation are in ``journeys.py``; the
matrix page is drawn in the browser from the same data (``assets/matrix.js``)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Dict, List

from mpspec import vocab
from mpspec.registry import ANY, CHAPTER, CHAPTERS, SOURCES
from mpspec.results import Env, Results
from mpspec.site.apis import apis_of
from mpspec.site.text import Writer, badge, claim_page, rel, zh


def chapter_page(key: str) -> str:
    return f"chapters/{key}.md"


def front(**fields) -> str:
    """YAML front matter (values are JSON strings, which YAML reads as they are)."""
    import json

    lines = ["---"]
    for k, v in fields.items():
        lines.append(f"{k}: {json.dumps(v, ensure_ascii=False)}")
    return "\n".join(lines + ["---", ""])


def ranges(versions: List[str]) -> str:
    """["3.8", "3.9", "3.10"] of a list of all minors as "3.8–3.10"."""
    return f"{versions[0]}–{versions[-1]}" if len(versions) > 1 else versions[0]


class Pages:
    def __init__(self, results: Results, repo_url: str = ""):
        self.r = results
        self.repo_url = repo_url.rstrip("/")
        self.files: Dict[str, str] = OrderedDict()
        self.ids = [c["id"] for c in results.claims]
        platforms = results.platforms()
        self.home_platform = "linux" if "linux" in platforms else platforms[0]
        pythons = results.stdlib_pythons(self.home_platform)
        self.ref = pythons[-1] if pythons else results.envs[0]

    def writer(self, page: str) -> Writer:
        return Writer(page, self.ids)

    def add(self, path: str, text: str) -> None:
        self.files[path] = text if text.endswith("\n") else text + "\n"

    # --- pieces -----------------------------------------------------------------

    def glance(self, claim, env: Env) -> str:
        """One environment's verdicts of a claim, in a line."""
        methods = self.r.methods_of(claim)
        cells = [(m, self.r.cell(claim, env, m)) for m in methods]
        if methods == (ANY,):
            c = cells[0][1]
            return badge(c.verdict, c.outcome) + " (any start method)" if c else "no data"
        return " · ".join(f"{m} {badge(c.verdict, c.outcome)}" for m, c in cells if c)

    def across_versions(self, claim, platform: str) -> List[str]:
        """Per start method, the verdict by CPython version as ranges: "fork: ✓ holds
        3.8–3.13, ✗ does not hold 3.14–3.15" (caniuse's view of a feature)."""
        pythons = self.r.stdlib_pythons(platform)
        lines = []
        for m in self.r.methods_of(claim):
            runs = []  # [verdict, [minors]]
            for e in pythons:
                c = self.r.cell(claim, e, m)
                v = c.verdict if c else "no data"
                if runs and runs[-1][0] == v:
                    runs[-1][1].append(e.minor)
                else:
                    runs.append([v, [e.minor]])
            label = "any start method" if m == ANY else m
            lines.append(f"**{label}**: " + ", ".join(f"{badge(v)} {ranges(vs)}" for v, vs in runs))
        return lines

    def differs_from(self, claim, env: Env) -> List[str]:
        """The environments where some verdict of the claim differs from ``env``'s."""
        out = []
        for e in self.r.envs:
            if e is env or not self.r.in_scope(claim, e):
                continue
            for m in self.r.methods_of(claim):
                a, b = self.r.cell(claim, env, m), self.r.cell(claim, e, m)
                if a and b and a.verdict != b.verdict:
                    out.append(e.label)
                    break
        return out

    def test_link(self, page: str, nodeid: str, claim_id: str) -> str:
        path, _, name = nodeid.partition("::")
        if self.repo_url:
            return f"[`{name or path}`]({self.repo_url}/blob/main/{path})"
        return f"[`{name or path}`]({rel(page, claim_page(claim_id))}#tests)"

    # --- pages ------------------------------------------------------------------

    def claim(self, c) -> None:
        page = claim_page(c["id"])
        w = self.writer(page)
        ch = CHAPTER[c["section"]]
        out = [front(title=c["id"], description=c["statement"], tags=apis_of(c))]
        out.append(f"# `{c['id']}`\n")
        out.append(f"> {w(c['statement'])}\n")
        beyond = " This claim is ours: the source implies or omits it, and a reader needs it." if c["beyond"] else ""
        title = zh(ch.heading) + " — " + ch.title if ch.heading != ch.title else ch.title
        out.append(f"**Source:** {w.cite(c)}. **Chapter:** [{title}]({rel(page, chapter_page(ch.key))}).{beyond}\n")
        out.append(f"**What really happens:** {w(c['explanation'])}\n")
        out.append("## At a glance\n")
        for platform in self.r.platforms():
            if self.r.stdlib_pythons(platform):
                out.append(f"CPython on {platform}, by version:\n")
                out += [f"- {line}" for line in self.across_versions(c, platform)]
                out.append("")
        others = [e for e in self.r.envs if not e.is_stdlib]
        if others:
            out.append("Other implementations and libraries:\n")
            for e in others:
                out.append(f"- **{e.label}**: {self.glance(c, e)}")
            out.append("")
        out += self.every_environment(c, w)
        rules = c.get("rules", [])
        if len(rules) > 1:
            out.append("## How the verdict is registered\n")
            out.append("The first rule that matches an environment and start method gives its verdict:\n")
            for r in rules:
                out.append(f"- *{w(r['when'])}*: {badge(r['verdict'])} — {w(self.r.notes[r['note']])}")
            out.append("")
        if c.get("measurements"):
            out += self.measurements(c["measurements"], w)
        out.append("## Tests {#tests}\n")
        if c["tests"]:
            out.append("Each would fail if the behaviour changed:\n")
            for nodeid, doc in c["tests"]:
                out.append(f"- {self.test_link(page, nodeid, c['id'])} (`{nodeid.partition('::')[0]}`): {w(doc)}")
        else:
            out.append("No test recorded in these runs.")
        self.add(page, "\n".join(out))

    def every_environment(self, c, w) -> List[str]:
        methods = self.r.methods_of(c)
        labels = ["any start method"] if methods == (ANY,) else list(methods)
        notes: Dict[str, int] = OrderedDict()
        rows, unconfirmed = [], []
        for e in self.r.envs:
            cells = []
            for m in methods:
                cell = self.r.cell(c, e, m)
                if cell is None:
                    cells.append("·")
                    continue
                n = notes.setdefault(cell.note, len(notes) + 1)
                cells.append(f"{badge(cell.verdict, cell.outcome)}<sup>{n}</sup>")
                if cell.applies and cell.outcome == "failed":
                    unconfirmed.append(f"{e.label}, {m}: test failed: " + ", ".join(f"`{t}`" for t in cell.failed))
                elif cell.applies and cell.outcome != "observed":  # registered only, not shown, skipped
                    why = "; ".join(cell.skipped) or cell.reason or cell.outcome
                    unconfirmed.append(f"{e.label}, {m}: {vocab.OUTCOMES[cell.outcome].word}: {w(why)}")
            rows.append(f"| {e.label} | " + " | ".join(cells) + " |")
        out = ["## In every environment\n", '<div class="fit" markdown>\n']
        out.append("| environment | " + " | ".join(labels) + " |")
        out.append("|---|" + "---|" * len(labels))
        out += rows
        out.append("\n</div>\n\nWhat the numbers say, in each environment:\n")
        out += [f"{n}. {w(note) or '(no note)'}" for note, n in notes.items()]
        out.append("")
        if unconfirmed:
            out.append("**Not confirmed in every run:**\n")
            out += [f"- {line}" for line in unconfirmed]
            out.append("")
        return out

    def measurements(self, m, w) -> List[str]:
        out = ["## Measured\n"]
        if "missing" in m:
            return out + [f"{m['missing']} was not found when the report was written.\n"]
        out.append(f"{w(m.get('title', 'benchmark'))}, stored data shown as it was measured, not as evidence.\n")
        cols = m.get("columns") or []
        if cols:
            out.append("| " + " | ".join(w(str(x)) for x in cols) + " |")
            out.append("|" + "---|" * len(cols))
            out += ["| " + " | ".join(w(str(x)) for x in row) + " |" for row in m.get("rows", [])]
            out.append("")
        if m.get("summary"):
            out.append(w(m["summary"]) + "\n")
        if m.get("environment"):
            out.append(f"*Measured on:* {w(m['environment'])}.\n")
        return out

    def chapter(self, ch, claims) -> None:
        page = chapter_page(ch.key)
        w = self.writer(page)
        source = dict((k, label) for k, label, _ in SOURCES)[ch.source]
        heading = f"{ch.title} <span lang=\"zh\">{ch.heading}</span>" if ch.source == "article" else ch.title
        out = [front(title=ch.title), f"# {heading}\n"]
        if ch.source == "docs" and ch.heading != ch.title:
            out.append(f"*The docs' section:* {w(ch.heading)}.\n")
        out.append(
            f"{source}: {len(claims)} claims. Each line gives the verdicts on {self.ref.label}; "
            "the claim's page has every environment.\n"
        )
        for c in claims:
            differs = self.differs_from(c, self.ref)
            tail = f"  \n  *Differs on:* {', '.join(differs)}." if differs else ""
            out.append(f"- {w.claim_link(c['id'])} — {w(c['statement'])}  \n  {self.glance(c, self.ref)}{tail}")
        self.add(page, "\n".join(out))

    def api_index(self) -> None:
        self.add(
            "api.md",
            "\n".join(
                [
                    front(title="API index"),
                    "# API index\n",
                    "Every claim, by the names of the API it is about. The search box finds "
                    "the same names, and words from every claim's statement and notes.\n",
                    "<!-- material/tags -->",
                ]
            ),
        )

    def all(self) -> None:
        for ch in CHAPTERS:
            mine = [c for c in self.r.claims if c["section"] == ch.key]
            if mine:
                self.chapter(ch, mine)
        for c in self.r.claims:
            self.claim(c)
        self.api_index()
