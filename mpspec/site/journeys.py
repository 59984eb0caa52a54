"""Pages for two readers: someone upgrading Python (``upgrade/<from>-to-<to>/``) and a
maintainer of a drop-in library or another implementation (``libraries/<name>/``).
Both are comparisons of two environments of the merged results."""

from __future__ import annotations

from collections import OrderedDict
from typing import List

from mpspec.registry import ANY, LIBRARY_CHAPTERS
from mpspec.results import Env, classify
from mpspec.site.pages import Pages, front
from mpspec.site.text import badge, change_url, changes_in, rel

# The environments a library page is about, by page name: its title, how the text
# names it, and which environments it covers.
LIBRARIES = OrderedDict(
    [
        ("billiard", ("billiard", "billiard, Celery's fork of multiprocessing,", lambda e: e.library == "billiard")),
        ("multiprocess", ("multiprocess", "multiprocess, the dill-based fork of multiprocessing,", lambda e: e.library == "multiprocess")),
        ("pypy", ("PyPy", "PyPy, another implementation of Python,", lambda e: e.implementation == "PyPy" and e.library == "multiprocessing")),
        ("optimized", ("python -O", "CPython run with -O (assertions removed)", lambda e: e.optimize and e.implementation == "CPython" and e.library == "multiprocessing")),
        ("loky", ("loky vs the stdlib executor", "loky, joblib's reimplementation of ProcessPoolExecutor,", lambda e: e.library == "loky")),
    ]
)


def upgrade_page(a: str, b: str) -> str:
    return f"upgrade/{a}-to-{b}.md"


def library_page(name: str) -> str:
    return f"libraries/{name}.md"


class Journeys(Pages):
    def change_entry(self, page, w, ch, before_label="before", after_label="after") -> List[str]:
        """One change: the claim, what happened before and after, its tests and the
        CPython change behind it where a note names one."""
        c = ch.claim
        where = "any start method" if ch.methods == (ANY,) else "/".join(ch.methods)
        out = [
            f"- {w.claim_link(c['id'])} ({where}): {badge(ch.before.verdict, ch.before.outcome)} → "
            f"{badge(ch.after.verdict, ch.after.outcome)}  \n  {w(c['statement'])}",
            f"    - *{before_label}:* {w(ch.before.note)}",
            f"    - *{after_label}:* {w(ch.after.note)}",
        ]
        changes = changes_in(ch.before.note + " " + ch.after.note)
        if changes:
            out.append("    - *CPython change:* " + ", ".join(f"[{k}-{n}]({change_url(k, n)})" for k, n in changes))
        tests = [t for t, _ in c["tests"]]
        if tests:
            shown = ", ".join(self.test_link(page, t, c["id"]) for t in tests[:4])
            more = f" and {len(tests) - 4} more" if len(tests) > 4 else ""
            out.append(f"    - *Tests:* {shown}{more}")
        return out

    def section(self, page, w, title, changes, empty, intro="", level="##", **labels) -> List[str]:
        out = [f"{level} {title} ({len(changes)})\n" if changes else f"{level} {title}\n"]
        if not changes:
            return out + [empty + "\n"]
        if intro:
            out.append(intro + "\n")
        for ch in changes:
            out += self.change_entry(page, w, ch, **labels)
        return out + [""]

    # --- upgrading ------------------------------------------------------------------

    def upgrade(self, platform_pairs, a: str, b: str) -> None:
        """The page for upgrading from minor version ``a`` to ``b``; platform_pairs is
        [(platform, Env a, Env b)]."""
        page = upgrade_page(a, b)
        w = self.writer(page)
        out = [front(title=f"Upgrading from Python {a} to {b}"), f"# Upgrading from Python {a} to {b}\n"]
        out.append(
            "What changes for `multiprocessing` code, claim by claim, as the spec observed it in "
            "both versions of CPython's standard library. Each entry shows what really happened "
            "before and after, the tests behind it, and the CPython change where the registry names one.\n"
        )
        for platform, ea, eb in platform_pairs:
            if len(platform_pairs) > 1:
                out.append(f"## On {platform}\n")
            out += self.compare_pythons(page, w, ea, eb, level="##" if len(platform_pairs) == 1 else "###")
        self.add(page, "\n".join(out))

    def compare_pythons(self, page, w, ea: Env, eb: Env, level="##") -> List[str]:
        verdict, applicability, notes = classify(self.r.compare(ea, eb))
        labels = dict(before_label=f"{ea.minor}", after_label=f"{eb.minor}", level=level)
        out = [
            f"Compared: **{ea.label}** and **{eb.label}**: {len(verdict)} verdict changes, "
            f"{len(applicability)} claims that begin or stop applying, {len(notes)} changes in the notes only.\n"
        ]
        da, db = ea.default_start_method, eb.default_start_method
        out.append(f"{level} Code that relies on the default start method\n")
        if da and db and da != db:
            out.append(
                f'!!! warning "The default start method changes from {da} to {db}"\n'
                f"    Code that never names a start method (no `get_context()` or `set_start_method()`) "
                f"runs its children with **{db}** on {eb.label}, where it got **{da}** on {ea.label}. "
                f"These claims behave differently for such code ({da} on {ea.minor} compared with {db} on {eb.minor}):\n"
            )
            per_method = [c for c in self.r.claims if c.get("per_method", True)]
            moved = self.r.compare(ea, eb, per_method, methods_a=da, methods_b=db)
            moved_verdicts = [ch for ch in moved if ch.before.verdict != ch.after.verdict]
            moved_notes = [ch for ch in moved if ch.before.verdict == ch.after.verdict]
            for ch in moved_verdicts:
                out += self.change_entry(page, w, ch, before_label=f"{da} on {ea.minor}", after_label=f"{db} on {eb.minor}")
            out.append("")
            if moved_notes:
                out.append(
                    f'??? note "{len(moved_notes)} more claims keep their verdict but behave differently under {db}"\n'
                )
                for ch in moved_notes:
                    entry = self.change_entry(page, w, ch, before_label=f"{da} on {ea.minor}", after_label=f"{db} on {eb.minor}")
                    out += ["    " + line for line in entry]
                out.append("")
        else:
            out.append(
                f"The default start method stays **{db or '?'}** on {eb.platform}: code that never names "
                f"one sees the changes below for {db or 'that method'}.\n"
            )
        out += self.section(page, w, "Verdicts that change", verdict, "No verdict changes between these versions.", **labels)
        out += self.section(
            page, w, "Claims that begin or stop applying", applicability,
            "No claim begins or stops applying between these versions.",
            intro="A feature that is new, or gone, in one of the two versions: n/a on one side.", **labels,
        )
        out += self.section(
            page, w, "Changes that show only in the notes", notes,
            "No other behaviour changes were observed.",
            intro="The verdict stays the same, but what really happens differs.", **labels,
        )
        return out

    def upgrades(self) -> List[str]:
        """Every pair of CPython versions (from older to newer) with a page; returns the
        adjacent pairs' pages, newest first, for the navigation."""
        minors = OrderedDict()
        for platform in self.r.platforms():
            for e in self.r.stdlib_pythons(platform):
                minors.setdefault(e.minor, {})[platform] = e
        versions = sorted(minors, key=lambda v: tuple(int(x) for x in v.split(".")))
        pages, adjacent = OrderedDict(), []
        for i, a in enumerate(versions):
            for b in versions[i + 1:]:
                pairs = [(p, minors[a][p], minors[b][p]) for p in self.r.platforms() if p in minors[a] and p in minors[b]]
                if pairs:
                    self.upgrade(pairs, a, b)
                    pages[(a, b)] = pairs
        for a, b in zip(versions, versions[1:]):
            if (a, b) in pages:
                adjacent.append(upgrade_page(a, b))
        self.upgrade_index(versions, pages)
        return list(reversed(adjacent))

    def upgrade_index(self, versions, pages) -> None:
        page = "upgrade/index.md"
        out = [front(title="Upgrading Python"), "# Upgrading Python\n"]
        out.append(
            "Pick the version you run and the one you move to. Each page lists the verdicts that "
            "change per start method, what changes for code that relies on the default start "
            "method, the claims that begin or stop applying, and the changes that show only in "
            "the notes.\n"
        )
        out.append("## One version up, newest first\n")
        for a, b in reversed(list(zip(versions, versions[1:]))):
            if (a, b) in pages:
                counts = []
                for _, ea, eb in pages[(a, b)]:
                    v, ap, n = classify(self.r.compare(ea, eb))
                    flip = f"; default start method {ea.default_start_method} → {eb.default_start_method}" if ea.default_start_method != eb.default_start_method else ""
                    counts.append(f"{len(v)} verdict changes, {len(ap)} begin or stop applying, {len(n)} in the notes{flip}")
                out.append(f"- [{a} → {b}]({rel(page, upgrade_page(a, b))}): " + "; ".join(counts))
        out.append("\n## Any two versions\n")
        out.append("From the version in the row to the one in the column:\n")
        out.append('<div class="fit pairs" markdown>\n')
        out.append("| from \\ to | " + " | ".join(versions[1:]) + " |")
        out.append("|---|" + "---|" * (len(versions) - 1))
        for a in versions[:-1]:
            cells = [f"[{b}]({rel(page, upgrade_page(a, b))})" if (a, b) in pages else "" for b in versions[1:]]
            out.append(f"| **{a}** | " + " | ".join(cells) + " |")
        out.append("\n</div>")
        self.add(page, "\n".join(out))

    # --- libraries and implementations ------------------------------------------------

    def libraries(self) -> List[str]:
        made = []
        rows = []
        for name, (title, subject, picks) in LIBRARIES.items():
            envs = [e for e in self.r.envs if picks(e)]
            page = library_page(name)
            w = self.writer(page)
            out = [front(title=title), f"# {title}\n"]
            out.append(
                f"Where {subject} differs from CPython's standard library of the same Python "
                "version, claim by claim. A claim that does not apply on one side (n/a) counts as a "
                "difference. Each entry says what really happens on both sides.\n"
            )
            if not envs:
                out.append(f"No environment of the matrix ran {title}.")
            for e in envs:
                peer = self.r.peer(e)
                if len(envs) > 1:
                    out.append(f"## {e.label}\n")
                if peer is None:
                    out.append(f"The matrix has no plain CPython {e.minor} on {e.platform} to compare {e.label} with.\n")
                    continue
                scope = LIBRARY_CHAPTERS.get(e.library)
                if scope:  # it replaces only part of what the spec covers: the rest is n/a there by design
                    out.append(f"Only these chapters apply: {', '.join(scope[0])} ({w(scope[1])}).\n")
                claims = [c for c in self.r.claims if not scope or c["section"] in scope[0]]
                verdict, applicability, notes = classify(self.r.compare(peer, e, claims))
                labels = dict(before_label=f"stdlib {peer.minor}", after_label=e.library if e.library != "multiprocessing" else title,
                              level="###" if len(envs) > 1 else "##")
                out.append(
                    f"Compared: **{e.label}** with **{peer.label}**: {len(verdict)} verdicts differ, "
                    f"{len(applicability)} apply on one side only, {len(notes)} differ in the notes only.\n"
                )
                if e.default_start_method != peer.default_start_method:
                    out.append(
                        f"Its default start method is **{e.default_start_method}**, the standard library's "
                        f"**{peer.default_start_method}**.\n"
                    )
                out += self.section(page, w, "Verdicts that differ", verdict, "No verdict differs.", **labels)
                out += self.section(page, w, "Claims that apply on one side only", applicability, "None.", **labels)
                out += self.section(
                    page, w, "Differences in the notes only", notes, "None.",
                    intro="The same verdict, but what really happens differs.", **labels,
                )
                rows.append(f"- [{title}]({name}.md) on {e.label}: {len(verdict)} verdicts differ, "
                            f"{len(applicability)} apply on one side only, {len(notes)} in the notes only")
            self.add(page, "\n".join(out))
            made.append(page)
        index = [front(title="Libraries and implementations"), "# Libraries and implementations\n"]
        index.append(
            "For maintainers of drop-in replacements of `multiprocessing`, and for anyone running "
            "PyPy or `python -O`: every claim where they differ from CPython's standard library "
            "of the same Python version.\n"
        )
        index += rows or ["No such environment in the matrix."]
        self.add("libraries/index.md", "\n".join(index))
        return made
