"""Build the site with MkDocs and the Material theme: the pages (``pages.py``,
``journeys.py``) are written into a temporary docs folder with the configuration,
and MkDocs renders them, with its navigation, search and phone layout."""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from pathlib import Path

from mpspec.registry import CHAPTERS, SOURCES
from mpspec.results import Results, dump
from mpspec.site.journeys import LIBRARIES, Journeys
from mpspec.site.pages import chapter_page, front
from mpspec.site.text import badge

ASSETS = Path(__file__).resolve().parent / "assets"
MARKER = ".mpspec-site"  # what says a folder holds a site we built (and may replace)
TITLE = "mpspec: what multiprocessing really guarantees"


class BuildError(Exception):
    pass


def home(site: Journeys, upgrades, libraries) -> str:
    r = site.r
    out = [front(title="Home"), "# What Python's multiprocessing really guarantees\n"]
    out.append(
        "An executable specification of `multiprocessing`: every claim of a popular tutorial "
        "and of Python's own documentation, turned into tests that run real processes on every "
        f"start method (fork, spawn, forkserver). {len(r.claims)} claims, observed in "
        f"{len(r.envs)} environments.\n"
    )
    out.append("## Find your answer\n")
    newest = upgrades[0] if upgrades else None
    if newest:
        a, b = Path(newest).stem.split("-to-")
        out.append(
            f"- **Upgrading Python?** Start with [{a} → {b}]({newest}) or pick any two versions on "
            "[Upgrading Python](upgrade/index.md): the verdicts that change, what changes for code that "
            "relies on the default start method, and the changes that show only in the notes."
        )
    out.append(
        "- **Maintaining a drop-in library, or running PyPy or `-O`?** "
        + ", ".join(f"[{Path(p).stem}]({p})" for p in libraries)
        + ": every claim where it differs from the standard library of the same Python."
    )
    out.append(
        "- **A question** (*does SharedMemory outlive its creator? can I put a Lock on a Queue?*)? "
        "Search (press <kbd>/</kbd>), browse the [API index](api.md) or a chapter below. Every claim "
        "has a page with its verdict in every environment and the tests behind it."
    )
    out.append("- **Everything at once:** [the matrix](matrix.md), claims by environment.\n")
    out.append("## Reading a verdict\n")
    out.append(f"- {badge('holds')}: what the source says is true there.")
    out.append(f"- {badge('does-not-hold')}: it is false there; the tests pin what really happens instead.")
    out.append(f"- {badge('partly')}: true with a caveat, which the claim's notes spell out.")
    out.append(f"- {badge('n/a')}: it does not apply there (another platform, a newer Python, a start method that does not exist), with the reason.")
    out.append(
        "- A verdict is confirmed when a test of that run observed it (saw the behaviour "
        "and found the verdict right); "
        '<span class="o o-passed">·</span> marks one that is the registry\'s word only (its '
        "tests passed without observing the verdict), "
        '<span class="o o-notshown">? not shown this run</span> a demonstration that did '
        'not show within its bounded effort, and <span class="o o-failed">! test failed</span> '
        "a failure.\n"
    )
    out.append("## Chapters\n")
    for source, label, long in SOURCES:
        out.append(f"**{label}**: {long}\n")
        for ch in CHAPTERS:
            n = sum(c["section"] == ch.key for c in r.claims)
            if ch.source == source and n:
                zh_heading = f' <span lang="zh">{ch.heading}</span>' if source == "article" else ""
                out.append(f"- [{ch.title}]({chapter_page(ch.key)}){zh_heading}: {n} claims")
        out.append("")
    out.append("## The environments\n")
    for e in r.envs:
        tests = e.raw.get("tests") or {}
        counts = ", ".join(f"{v} {k}" for k, v in tests.items() if v)
        out.append(
            f"- **{e.label}**: default start method {e.default_start_method or '?'}; tests {counts or 'not recorded'}"
            f"; run {str(e.raw.get('generated') or '?')[:10]}."
        )
    return "\n".join(out)


MATRIX_PAGE = """{front}
# The matrix

Every claim (rows) in every environment and start method (columns). Pick the environments
to show, or two to compare; columns that agree on every row shown are merged. Hover or tap a
cell for what really happens there. The filters are kept in the page's address, so a view
can be shared.

<div id="mpspec-matrix" data-results="../assets/matrix.json" markdown="0">
<p>Loading the matrix… It needs JavaScript; every claim's page has the same data.</p>
</div>
"""


def matrix_data(data):
    """What the matrix page loads: per claim its ID, chapter, statement and cells, and
    only the notes the cells use (the claim pages carry the rest)."""
    used = {}
    claims = []
    for c in data["claims"]:
        rows = [
            None if row is None else {m: [cell[0], cell[1], used.setdefault(cell[2], len(used))] for m, cell in row.items()}
            for row in c["results"]
        ]
        claims.append(dict({k: c[k] for k in ("id", "section", "source", "statement")}, results=rows))
    notes = [None] * len(used)
    for old, new in used.items():
        notes[new] = data["notes"][old]
    head = {k: data[k] for k in ("schema", "generated", "methods", "chapters", "environments")}
    return dict(head, notes=notes, claims=claims)


def nav(site: Journeys, upgrades, libraries):
    chapters = []
    for source, label, _ in SOURCES:
        mine = [
            {ch.title: chapter_page(ch.key)}
            for ch in CHAPTERS
            if ch.source == source and any(c["section"] == ch.key for c in site.r.claims)
        ]
        if mine:
            chapters.append({label: mine})
    def upgrade_title(path):
        a, b = Path(path).stem.split("-to-")
        return {f"{a} → {b}": path}

    titles = {name: title for name, (title, _, _) in LIBRARIES.items()}
    return [
        {"Home": "index.md"},
        {"Upgrading Python": ["upgrade/index.md"] + [upgrade_title(p) for p in upgrades]},
        {"Libraries and implementations": ["libraries/index.md"] + [{titles[Path(p).stem]: p} for p in libraries]},
        {"Claims by chapter": chapters},
        {"API index": "api.md"},
        {"Matrix": "matrix.md"},
    ]


def config(docs: Path, out: Path, site: Journeys, upgrades, libraries, site_url="", repo_url=""):
    cfg = {
        "site_name": TITLE,
        "docs_dir": str(docs),
        "site_dir": str(out),
        "use_directory_urls": True,
        "theme": {
            "name": "material",
            "font": False,  # no web fonts: nothing is fetched from elsewhere
            "language": "en",
            "features": ["navigation.indexes", "navigation.top", "search.suggest", "search.highlight", "toc.follow"],
            "palette": [
                {"scheme": "default", "primary": "indigo", "toggle": {"icon": "material/brightness-4", "name": "Dark mode"}},
                {"scheme": "slate", "primary": "indigo", "toggle": {"icon": "material/brightness-7", "name": "Light mode"}},
            ],
        },
        # Claim IDs and API names are split at dots and dashes too: "outlives-creator" finds shm.outlives-creator.
        "plugins": [{"search": {"separator": r"[\s\-\.]+"}}, "tags"],
        "markdown_extensions": [
            "tables", "admonition", "pymdownx.details", "attr_list", "md_in_html",
            {"toc": {"permalink": True}},
        ],
        "extra_css": ["assets/site.css"],
        "extra_javascript": ["assets/matrix.js"],
        "nav": nav(site, upgrades, libraries),
        "validation": {"nav": {"omitted_files": "ignore", "not_found": "warn"}, "links": {"not_found": "warn", "anchors": "ignore"}},
    }
    if site_url:
        cfg["site_url"] = site_url
    if repo_url:
        cfg["repo_url"] = repo_url
    return cfg


class _Warnings(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def build(results: Results, out: Path, site_url: str = "", repo_url: str = "", keep_sources: Path = None):
    """Write the site into ``out``; returns (pages written, seconds, MkDocs' warnings)."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    out = Path(out).resolve()
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise BuildError(f"{out} exists and is not a site this command built (no {MARKER}): choose an empty or new folder")
    started = time.monotonic()
    site = Journeys(results, repo_url)
    site.all()
    upgrades = site.upgrades()
    libraries = site.libraries()
    site.add("index.md", home(site, upgrades, libraries))
    site.add("matrix.md", MATRIX_PAGE.format(front=front(title="Matrix", hide=["navigation", "toc"])))
    with tempfile.TemporaryDirectory(prefix="mpspec-site-") as tmp:
        tmp = Path(tmp)
        docs = tmp / "docs"
        for rel_path, text in site.files.items():
            path = docs / rel_path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        shutil.copytree(ASSETS, docs / "assets")
        dump(matrix_data(results.data), docs / "assets" / "matrix.json")
        cfg_path = tmp / "mkdocs.yml"
        # JSON is YAML: the configuration is written as data, never as text to parse.
        cfg_path.write_text(json.dumps(config(docs, out, site, upgrades, libraries, site_url, repo_url)), encoding="utf-8")
        if keep_sources:
            shutil.copytree(tmp, keep_sources, dirs_exist_ok=True)
        handler = _Warnings()
        log = logging.getLogger("mkdocs")
        log.addHandler(handler)
        try:
            cfg = load_config(config_file=str(cfg_path))
            mkdocs_build(cfg)
        finally:
            log.removeHandler(handler)
    (out / MARKER).write_text("built by python -m mpspec.site\n", encoding="utf-8")
    return len(site.files), time.monotonic() - started, handler.messages
