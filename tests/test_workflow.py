"""The CI workflow and the matrix tooling: the workflow passes actionlint, and the
merge turns reports into MATRIX.md and matrix.html."""

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
                   "python -O -m pytest", "--impl=", "mpspec.matrix"):
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


def test_the_matrix_merges_reports_and_marks_differences(tmp_path):
    a = _report(tmp_path / "a.json", "3.11.7")
    b = _report(tmp_path / "b.json", "3.11.7", library="multiprocess", verdict="does-not-hold", outcome="failed")
    assert matrix.main([str(a), str(b), "--out", str(tmp_path / "out")]) == 0
    md = (tmp_path / "out" / "MATRIX.md").read_text(encoding="utf-8")
    page = (tmp_path / "out" / "matrix.html").read_text(encoding="utf-8")
    assert "| E2 | linux · 3.11.7 · multiprocess |" in md
    assert "| `process.closure-target` **Δ** | ✅ ✅ ✅ | ❌⚠️ ❌⚠️ ❌⚠️ |" in md
    assert "| `basics.threads-share` | ✅ ✅ ✅ | ✅ ✅ ✅ |" in md
    assert md.index("### 基础 — Basics") < md.index("### 进程类 — The Process class")
    assert "http" not in page.replace("http-equiv", "")  # self-contained: nothing fetched
    # Each explanation is written once, beside its claim; cells point to it by number.
    assert page.count("note spawn") == 2  # once per verdict it explains
    # A cell names its explanation by number, and its outcome where it did not pass.
    assert "<td class='c does-not-hold failed' title='failed'>❌<sup>5</sup><br>⚠ failed</td>" in page
    assert "<b>does not hold</b>: note spawn <i>(linux · 3.11.7 · multiprocess spawn)</i>" in page
    # Filters: by chapter (each chapter of the reports is an option) and by difference.
    assert "<option value='process'>进程类 — The Process class (1)</option>" in page
    assert "id='only-diff'" in page and "data-chapter='process'" in page


def test_the_matrix_shows_what_code_that_names_no_start_method_gets(tmp_path):
    """Where the default start method differs (fork up to 3.13, forkserver from 3.14 on
    Linux), the claims whose verdict under the default differs are listed."""
    old = _report(tmp_path / "a.json", "3.13.0")
    data = json.loads(old.read_text(encoding="utf-8"))
    data["claims"][0]["results"]["fork"]["verdict"] = "does-not-hold"  # closures run under fork
    old.write_text(json.dumps(data), encoding="utf-8")
    new = _report(tmp_path / "b.json", "3.14.0", default="forkserver")
    assert matrix.main([str(old), str(new), "--out", str(tmp_path / "out")]) == 0
    md = (tmp_path / "out" / "MATRIX.md").read_text(encoding="utf-8")
    page = (tmp_path / "out" / "matrix.html").read_text(encoding="utf-8")
    assert "| E1 | linux · 3.13.0 | fork |" in md and "| E2 | linux · 3.14.0 | forkserver |" in md
    assert "## Code that never names a start method" in md
    assert "- **does not hold** (E1 fork): note fork" in md  # where environments disagree
    assert "| `process.closure-target` | ❌ | ✅ |" in md
    assert "`basics.threads-share` |" not in md.split("## Code that never names")[1].split("##")[0]
    assert "<th class='m dflt'>forkserver ★</th>" in page


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
    assert "| `process.closure-target` | does not hold on linux · 3.11.7 · -O (every method; elsewhere holds) |" in text \
        or "| `process.closure-target` | holds on linux · 3.11.7 (every method; elsewhere does not hold) |" in text
