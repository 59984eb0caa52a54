"""The CI workflow and the matrix tooling: the workflow passes actionlint, and the
merge turns reports into results.json (the site's data) and a short MATRIX.md."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mpspec import matrix
from tests.helpers import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "spec.yml"


def test_the_workflow_passes_actionlint():
    # Beside this interpreter first: the venv's bin need not be on PATH.
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    actionlint = shutil.which("actionlint", path=search)
    if actionlint is None:
        pytest.skip("not applicable: actionlint is not installed (pip install -e '.[dev]')")
    done = subprocess.run([actionlint, str(WORKFLOW)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_workflow_covers_every_os_and_python():
    text = WORKFLOW.read_text(encoding="utf-8")
    for needle in ("ubuntu-latest", "macos-latest", "windows-latest", '"3.9"', '"3.14"', '"3.14t"',
                   "python -O -m pytest", "--impl=", "mpspec.matrix", "mpspec.site",
                   "actions/upload-pages-artifact", "actions/deploy-pages"):
        assert needle in text


def _report(path, version, library="multiprocessing", optimize=0, verdict="holds", outcome="passed", default="fork"):
    data = {
        "environment": {"python_version": version, "implementation": "CPython", "platform": "linux",
                        "default_start_method": default,
                        "optimize": optimize, "library": library, "start_methods": ["fork", "spawn", "forkserver"]},
        "duration_seconds": 1.0,
        "claims": [
            {"id": "process.closure-target", "section": "process", "statement": "A closure cannot be a target.",
             "results": {m: {"outcome": outcome, "verdict": verdict, "note": f"note {m}"}
                         for m in ("fork", "spawn", "forkserver")}},
            {"id": "basics.threads-share", "section": "basics", "statement": "Threads share.",
             "results": {"any": {"outcome": "passed", "verdict": "holds", "note": "shared"}}},
        ],
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_the_matrix_merges_reports_into_results_and_a_short_summary(tmp_path):
    a = _report(tmp_path / "a.json", "3.11.7")
    b = _report(tmp_path / "b.json", "3.11.7", library="multiprocess", verdict="does-not-hold", outcome="failed")
    assert matrix.main([str(a), str(b), "--out", str(tmp_path / "out")]) == 0
    md = (tmp_path / "out" / "MATRIX.md").read_text(encoding="utf-8")
    data = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert [e["label"] for e in data["environments"]] == ["linux · 3.11.7", "linux · 3.11.7 · multiprocess"]
    closure = next(c for c in data["claims"] if c["id"] == "process.closure-target")
    assert [row["spawn"][:2] for row in closure["results"]] == [["holds", "passed"], ["does-not-hold", "failed"]]
    assert "| linux · 3.11.7 · multiprocess | fork |" in md
    # The summary links each claim that differs to its page on the site.
    assert "- [`process.closure-target`](" in md and "/claims/process.closure-target/)" in md
    assert "`basics.threads-share`" not in md
    assert not (tmp_path / "out" / "matrix.html").exists()  # the matrix is a page of the site now


def test_a_claim_that_begins_to_apply_differs_between_environments(tmp_path):
    """n/a on one side counts as a difference: a feature new in 3.14 is listed."""
    old = _report(tmp_path / "a.json", "3.13.0", verdict="n/a")
    new = _report(tmp_path / "b.json", "3.14.0", default="forkserver")
    assert matrix.main([str(old), str(new), "--out", str(tmp_path / "out")]) == 0
    md = (tmp_path / "out" / "MATRIX.md").read_text(encoding="utf-8")
    assert "| linux · 3.13.0 | fork |" in md and "| linux · 3.14.0 | forkserver |" in md
    assert "- [`process.closure-target`](" in md


def test_a_library_that_replaces_only_the_executor_differs_only_in_its_chapter(tmp_path):
    """On the loky leg every claim outside the futures chapter is n/a by design: that
    is not listed as a difference."""
    stdlib = _report(tmp_path / "a.json", "3.11.7")
    loky = _report(tmp_path / "b.json", "3.11.7", library="loky", verdict="n/a")
    assert matrix.main([str(stdlib), str(loky), "--out", str(tmp_path / "out")]) == 0
    md = (tmp_path / "out" / "MATRIX.md").read_text(encoding="utf-8")
    assert "| linux · 3.11.7 · loky | fork |" in md
    assert "process.closure-target" not in md and "(0)" in md
    data = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert [e["scope"] for e in data["environments"]] == [None, ["futures"]]


def test_a_bad_report_is_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    assert matrix.main([str(bad)]) == 2
    assert "is not a report" in capsys.readouterr().err


def test_the_readme_lists_where_environments_differ(tmp_path):
    a = _report(tmp_path / "a.json", "3.11.7")
    b = _report(tmp_path / "b.json", "3.11.7", optimize=1, verdict="does-not-hold")
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{matrix.README_BEGIN}\nSTALE-CONTENT\n{matrix.README_END}\nrest\n", encoding="utf-8")
    assert matrix.main([str(a), str(b), "--out", str(tmp_path / "out"), "--readme", str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert "STALE-CONTENT" not in text and text.startswith("intro\n") and text.endswith("rest\n")
    row = next(line for line in text.splitlines() if "process.closure-target" in line)
    assert row.startswith("| [`process.closure-target`](") and "/claims/process.closure-target/) |" in row
    assert row.endswith("| does not hold on linux · 3.11.7 · -O (every method; elsewhere holds) |") \
        or row.endswith("| holds on linux · 3.11.7 (every method; elsewhere does not hold) |")
