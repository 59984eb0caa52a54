"""The site: built offline from the committed results, and its readers' journeys work
in a real browser (Debian's chromium through selenium) at a desktop and a phone width.

Without a browser the browser tests skip and say why; under CI (CI=true) a missing
browser is a failure, since .ci/run installs one."""

import os
import re
import time

import pytest

from mpspec.results import DEFAULT_PATH, Results, classify, merge
from mpspec.site import browser

RESULTS = Results.load(DEFAULT_PATH)


def _report(version, default="fork", library="multiprocessing", verdicts=None, notes=None):
    """A small report.json as a leg of the matrix writes it."""
    verdicts = verdicts or {}
    notes = notes or {}
    claims = []
    for cid, section in (("process.closure-target", "process"), ("manager.shared-set-314", "manager")):
        claims.append({
            "id": cid, "section": section, "source": "article" if section == "process" else "docs",
            "statement": f"statement of {cid}", "explanation": "what happens", "cite": "Managers",
            "rules": [{"when": "otherwise", "verdict": "holds", "note": "what happens"}],
            "evidence": [{"test": f"spec/x.py::test_{section}", "doc": "A test."}],
            "results": {m: {"outcome": "passed", "verdict": verdicts.get((cid, m), "holds"),
                            "note": notes.get((cid, m), "what happens")} for m in ("fork", "spawn", "forkserver")},
        })
    return {"environment": {"python_version": version, "implementation": "CPython", "platform": "linux",
                            "optimize": 0, "library": library, "default_start_method": default,
                            "start_methods": ["fork", "spawn", "forkserver"]},
            "generated": "2026-12-06T00:00:00+00:00", "duration_seconds": 1.0,
            "summary": {"tests": {"passed": 6}}, "claims": claims}


def test_an_upgrade_sorts_changes_into_verdicts_applicability_and_notes():
    old = _report("3.13.0", verdicts={("process.closure-target", "fork"): "does-not-hold",
                                      ("manager.shared-set-314", "fork"): "n/a",
                                      ("manager.shared-set-314", "spawn"): "n/a",
                                      ("manager.shared-set-314", "forkserver"): "n/a"})
    new = _report("3.14.0", default="forkserver", notes={("process.closure-target", "spawn"): "PicklingError now"})
    r = Results(merge([old, new]))
    a, b = r.envs
    verdict, applicability, notes = classify(r.compare(a, b))
    assert [(c.claim["id"], c.methods) for c in verdict] == [("process.closure-target", ("fork",))]
    # n/a on one side counts as a change: a feature new in 3.14 begins to apply.
    assert [(c.claim["id"], c.methods) for c in applicability] == [("manager.shared-set-314", ("fork", "spawn", "forkserver"))]
    assert [(c.claim["id"], c.after.note) for c in notes] == [("process.closure-target", "PicklingError now")]
    # Code that names no start method: fork on 3.13 against forkserver on 3.14.
    moved = r.compare(a, b, [r.claim["process.closure-target"]], methods_a="fork", methods_b="forkserver")
    assert [(c.before.verdict, c.after.verdict) for c in moved] == [("does-not-hold", "holds")]


def test_the_merged_results_are_compact_and_complete():
    """One file for every leg: each note is stored once, every claim has a cell per
    environment, and each environment says its default start method."""
    data = RESULTS.data
    assert len(data["notes"]) == len(set(data["notes"]))
    assert (DEFAULT_PATH.stat().st_size) < 2_000_000
    for c in data["claims"]:
        assert len(c["results"]) == len(data["environments"]), c["id"]
    assert all(e.get("default_start_method") for e in data["environments"])


def test_the_site_command_refuses_a_folder_it_did_not_build(tmp_path, capsys):
    pytest.importorskip("mkdocs", reason="not applicable here: the site extra is not installed")
    from mpspec.site.__main__ import main

    (tmp_path / "precious.txt").write_text("keep me", encoding="utf-8")
    assert main([str(tmp_path)]) == 2
    assert "is not a site this command built" in capsys.readouterr().err
    assert (tmp_path / "precious.txt").exists()


def test_the_site_command_says_when_the_results_are_missing(tmp_path, capsys):
    pytest.importorskip("mkdocs", reason="not applicable here: the site extra is not installed")
    from mpspec.site.__main__ import main

    assert main([str(tmp_path / "site"), "--results", str(tmp_path / "nothing.json")]) == 2
    assert "no results file" in capsys.readouterr().err


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site, built from the committed results as `python -m mpspec.site DIR` does."""
    pytest.importorskip("mkdocs", reason="not applicable here: the site extra is not installed (pip install -e '.[site]')")
    from mpspec.site.build import build

    out = tmp_path_factory.mktemp("site") / "site"
    pages, seconds, warnings = build(RESULTS, out)
    assert not warnings, warnings
    return out


def test_the_site_has_a_page_per_claim_upgrade_and_library(site):
    for c in RESULTS.claims:
        assert (site / "claims" / c["id"] / "index.html").is_file(), c["id"]
    pythons = RESULTS.stdlib_pythons("linux")
    for a, b in zip(pythons, pythons[1:]):
        assert (site / "upgrade" / f"{a.minor}-to-{b.minor}" / "index.html").is_file()
    for name in ("billiard", "multiprocess", "pypy", "optimized"):
        assert (site / "libraries" / name / "index.html").is_file()
    assert (site / "search" / "search_index.json").is_file()
    page = (site / "claims" / "process.closure-target" / "index.html").read_text(encoding="utf-8")
    assert 'lang="zh"' in page  # the article's Chinese section names are marked
    assert "https://docs.python.org/" in (site / "claims" / "start.default-per-platform" / "index.html").read_text(encoding="utf-8")


def test_every_cpython_change_a_note_names_is_a_link(site):
    page = (site / "claims" / "manager.shared-set-314" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://github.com/python/cpython/issues/129949"' in page


def test_nothing_on_the_site_is_fetched_from_elsewhere(site):
    """No web font, script or stylesheet from another host: the site works offline."""
    page = (site / "index.html").read_text(encoding="utf-8")
    assert not re.search(r'<(?:link|script)[^>]+(?:href|src)="https?://', page)


# --- in a real browser ------------------------------------------------------------


@pytest.fixture(scope="module")
def served(site):
    why = browser.missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"CI must drive a real browser: {why}")
        pytest.skip(f"not applicable here: {why}")
    with browser.serve(site) as url:
        yield url


@pytest.fixture
def desktop(served):
    with browser.chromium(1400, 900) as d:
        yield d


@pytest.fixture
def phone(served):
    with browser.chromium(browser.PHONE, 844) as d:
        yield d


def _wait(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return predicate()


def _rare_note_word():
    """A word that only one claim's notes use, and that claim."""
    owners = {}
    for c in RESULTS.claims:
        notes = {RESULTS.notes[r["note"]] for r in c["rules"]}
        for word in set(re.findall(r"\b[a-z]{9,}\b", " ".join(notes))):
            owners.setdefault(word, set()).add(c["id"])
    statements = " ".join(c["statement"] + " " + c["explanation"] for c in RESULTS.claims).lower()
    for word, ids in sorted(owners.items()):
        if len(ids) == 1 and word not in statements:
            return word, next(iter(ids))
    raise AssertionError("no note word is unique to one claim")


def test_search_finds_a_claim_by_a_word_from_its_note(served, desktop):
    from selenium.webdriver.common.by import By

    word, claim_id = _rare_note_word()
    desktop.get(served)
    desktop.find_element(By.CSS_SELECTOR, "label.md-search__icon, .md-search__input").click()
    box = desktop.find_element(By.CSS_SELECTOR, "input.md-search__input")
    box.send_keys(word)
    links = _wait(lambda: [a.get_attribute("href") for a in desktop.find_elements(By.CSS_SELECTOR, ".md-search-result__link")])
    assert any(f"/claims/{claim_id}/" in (h or "") for h in links), (word, claim_id, links)


def test_the_3_13_to_3_14_upgrade_lists_the_start_method_default_change(served, desktop):
    from selenium.webdriver.common.by import By

    desktop.get(served + "upgrade/3.13-to-3.14/")
    text = desktop.find_element(By.CSS_SELECTOR, "article").text
    assert "The default start method changes from fork to forkserver" in text
    section = text.split("Code that relies on the default start method")[1].split("Verdicts that change")[0]
    assert "process.closure-target" in section  # closures now fail under the new default


def test_no_matrix_header_is_covered_after_scrolling(served, desktop):
    desktop.get(served + "matrix/")
    assert _wait(lambda: desktop.execute_script("return document.getElementById('mpspec-matrix').dataset.ready"))
    desktop.execute_script("const w = document.querySelector('.mx-wrap'); w.scrollTop = 4000; w.scrollLeft = 600;")
    desktop.execute_script("window.scrollBy(0, 300)")
    time.sleep(0.3)
    seen, covered = desktop.execute_script(browser.COVERED_HEADERS)
    assert seen >= 10 and not covered, covered
    # The claim column stays in view while the columns scroll.
    left = desktop.execute_script(
        "return document.querySelector('.mx-wrap tbody th.mx-claim').getBoundingClientRect().left"
        " - document.querySelector('.mx-wrap').getBoundingClientRect().left")
    assert abs(left) <= 2


def test_the_matrix_keeps_its_filters_in_the_address(served, desktop):
    from selenium.webdriver.common.by import By

    desktop.get(served + "matrix/?chapter=shm&diff=1")
    assert _wait(lambda: desktop.execute_script("return document.getElementById('mpspec-matrix').dataset.ready"))
    rows = [a.text for a in desktop.find_elements(By.CSS_SELECTOR, ".mx-wrap tbody th.mx-claim a")]
    assert rows and all(r.startswith("shm.") for r in rows)
    desktop.find_element(By.CSS_SELECTOR, "[name=diff]").click()
    assert _wait(lambda: "diff=1" not in desktop.current_url and "chapter=shm" in desktop.current_url)


@pytest.mark.parametrize(
    "page", ["", "claims/process.closure-target/", "upgrade/", "upgrade/3.13-to-3.14/", "libraries/billiard/", "chapters/shm/", "api/", "matrix/"]
)
def test_a_page_has_no_sideways_scrolling_on_a_phone(served, phone, page):
    phone.get(served + page)
    doc_width, viewport, wide = phone.execute_script(browser.OVERFLOW)
    assert viewport == browser.PHONE
    assert doc_width <= viewport and not wide, (doc_width, wide)
