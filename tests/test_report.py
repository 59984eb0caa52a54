"""The living doc: report.json carries the data, SPEC.md reads well, also under xdist."""

import json
import re

import pytest

from mpspec import env, report
from mpspec.registry import ALL_METHODS, CLAIMS
from tests.helpers import pytest_run


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """A real run of two claims under xdist, restricted to two start methods."""
    out = tmp_path_factory.mktemp("report")
    done = pytest_run(
        "spec", "-n", "2", "-q",
        "--claim", "basics.threads-share,process.closure-target",
        "--start-method", "fork,spawn",
        "--spec-report", out,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done, json.loads((out / "report.json").read_text(encoding="utf-8")), (out / "SPEC.md").read_text(encoding="utf-8")


def test_the_environment_is_described(small_run):
    environment = small_run[1]["environment"]
    for key in ("python_version", "implementation", "platform", "optimize", "library", "start_methods"):
        assert key in environment
    assert environment["library"] == "multiprocessing"
    assert environment["selected_start_methods"] == ["fork", "spawn"]


def test_every_claim_is_listed_with_a_verdict_per_method(small_run):
    claims = {c["id"]: c for c in small_run[1]["claims"]}
    assert set(claims) == set(CLAIMS)
    for claim in claims.values():
        assert set(claim["results"]) == set(CLAIMS[claim["id"]].methods)
        for result in claim["results"].values():
            assert result["outcome"] in report.RESULT_OUTCOMES
            assert result["verdict"] in ("holds", "does-not-hold", "partly", "n/a")


def test_selected_claims_passed_and_the_rest_is_not_run(small_run):
    claims = {c["id"]: c for c in small_run[1]["claims"]}
    closure = claims["process.closure-target"]["results"]
    confirmed = ("observed", "passed")  # observed, or only registered where no test observes it
    assert closure["fork"]["verdict"] == "does-not-hold" and closure["fork"]["outcome"] in confirmed
    assert closure["spawn"]["verdict"] == "holds" and closure["spawn"]["outcome"] in confirmed
    assert closure["forkserver"]["outcome"] == "not-run"
    assert "not selected" in closure["forkserver"]["reason"]
    assert claims["basics.threads-share"]["results"]["any"]["outcome"] in confirmed
    assert claims["process.target-args"]["results"]["fork"]["outcome"] == "not-run"
    assert all(t.startswith("spec/article/test_process.py::") for t in claims["process.closure-target"]["tests"])


def test_spec_md_is_grouped_by_the_articles_sections(small_run):
    text = small_run[2]
    assert text.index("## 基础 — Basics") < text.index("## 进程类 — The Process class")
    # Each verdict is followed by what the run made of it: nothing when a test observed
    # it, "(registered, not observed)" when its tests passed without observing it.
    assert re.search(
        r"\| \[`process.closure-target`\]\(#processclosure-target\) \| ❌ does not hold( \(registered, not observed\))? "
        r"\| ✅ holds( \(registered, not observed\))? \|",
        text,
    )
    assert "**What really happens:**" in text and "*Evidence:*" in text


def test_the_terminal_summary_points_to_the_doc(small_run):
    assert "living doc:" in small_run[0].stdout


def _result(outcome, nodeid="spec/t.py::test_x[fork]", method="fork", reason=""):
    return nodeid, {"claims": ["process.target-args"], "method": method, "doc": "d", "outcome": outcome, "reason": reason}


def _target_args(results, methods=ALL_METHODS):
    data = report.build(dict(results), list(methods), 1.0, env.facts())
    return next(c for c in data["claims"] if c["id"] == "process.target-args")["results"]


def test_one_failing_test_makes_the_claim_fail_on_that_method():
    results = [_result("passed", "spec/t.py::a[fork]"), _result("failed", "spec/t.py::b[fork]")]
    fork = _target_args(results)["fork"]
    assert fork["outcome"] == "failed" and fork["failed"] == ["spec/t.py::b[fork]"]


def test_a_skipped_demonstration_is_reported_beside_a_passing_guarantee():
    results = [_result("passed", "spec/t.py::a[fork]"), _result("skipped", "spec/t.py::b[fork]", reason="not observed")]
    fork = _target_args(results)["fork"]
    assert fork["outcome"] == "passed"
    assert fork["skipped"] == [{"test": "spec/t.py::b[fork]", "reason": "not observed"}]


def test_a_method_the_platform_lacks_is_not_applicable(monkeypatch):
    monkeypatch.setattr(env, "available_methods", lambda: ["spawn"])
    results = _target_args([_result("passed", "spec/t.py::a[spawn]", "spawn")])
    assert results["fork"]["verdict"] == "n/a"
    assert results["fork"]["outcome"] == "skipped"
    assert results["fork"]["reason"].startswith("not applicable: the fork start method does not exist")
    assert report.cell(results["fork"]) == "— n/a"  # an n/a verdict carries no mark of the run


def test_the_report_carries_both_sources_and_a_summary_per_chapter(small_run):
    data = small_run[1]
    sources = {c["id"]: (c["source"], c["chapter"]) for c in data["claims"]}
    assert sources["process.closure-target"] == ("article", "process")
    assert any(source == "docs" for source, _ in sources.values())
    for c in data["claims"]:
        assert c["source"] == CLAIMS[c["id"]].source and c["cite"] == CLAIMS[c["id"]].cite
    chapters = {(r["source"], r["chapter"]): r for r in data["summary"]["chapters"]}
    process = chapters[("article", "process")]
    assert process["claims"] == sum(c.section == "process" for c in CLAIMS.values())
    assert process["does-not-hold"] >= 1  # closure-target under fork
    listed = {r["id"] for r in data["summary"]["not_fully_holding"]}
    assert "process.closure-target" in listed and "basics.threads-share" not in listed


def test_spec_md_puts_the_summary_first_then_the_article_then_the_docs(small_run):
    text = small_run[2]
    summary = text.index("## Summary")
    article = text.index("# The article:")
    docs = text.index("# The documentation:")
    assert summary < article < docs
    assert text.index("## 进程类 — The Process class") < docs
    assert "**Claims that do not fully hold here:**" in text[summary:article]
    assert "[`process.closure-target`](#processclosure-target) (❌ does not hold (fork)" in text[summary:article]
