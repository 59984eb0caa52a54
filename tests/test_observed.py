"""A verdict is what a test observed: a test declares what it saw with the ``observed``
fixture, the plugin compares it with the registry, and the living doc tells an
observed verdict from one that is only registered, a demonstration that did not
show, and a failure.  The verdict-flip check turns a registered verdict around: a
test that observes must then fail."""

import json

import pytest

from tests.helpers import pytest_run

CONFTEST = """
from mpspec import registry

for name, rule in (("agrees", registry.holds()), ("disagrees", registry.holds()),
                   ("hazard", registry.partly()), ("silent", registry.holds())):
    cid = "start.selftest-" + name
    registry.CLAIMS[cid] = registry.Claim(cid, "s", "A statement.", "e", (rule,), per_method=False)
pytest_plugins = ["mpspec.plugin"]
"""
TESTS = """
import pytest

@pytest.mark.claim("start.selftest-agrees")
def test_agrees(observed):
    "observes what the registry predicts"
    observed("holds", because="it did what was promised")

@pytest.mark.claim("start.selftest-disagrees")
def test_disagrees(observed):
    "observes the opposite of the registry"
    observed("does-not-hold", because="it broke the promise")

@pytest.mark.claim("start.selftest-hazard")
def test_hazard(observed):
    "a demonstration whose hazard does not show"
    observed.not_shown("the race", "50 tries")

@pytest.mark.claim("start.selftest-silent")
def test_silent():
    "passes without observing anything"
"""


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    (root / "spec").mkdir(parents=True)
    (root / "conftest.py").write_text(CONFTEST)
    (root / "spec" / "test_x.py").write_text(TESTS)
    return root


def run(project):
    done = pytest_run("spec", "-p", "no:cacheprovider", "--spec-report", "out", cwd=project)
    data = json.loads((project / "out" / "report.json").read_text())
    outcomes = {c["id"].split("-", 1)[1]: c["results"]["any"]["outcome"] for c in data["claims"] if "selftest" in c["id"]}
    return done, outcomes, data


def test_an_observed_verdict_that_the_registry_does_not_predict_fails_naming_both(project):
    done, outcomes, _ = run(project)
    assert done.returncode == 1
    assert (
        "start.selftest-disagrees (any): the test observed 'does-not-hold' (it broke the promise), "
        "but the registry predicts 'holds' here"
    ) in done.stdout
    assert outcomes["disagrees"] == "failed"


def test_the_report_counts_observed_registered_not_shown_and_failed_apart(project):
    _, outcomes, data = run(project)
    assert outcomes == {"agrees": "observed", "disagrees": "failed", "hazard": "not-shown", "silent": "passed"}
    counts = data["summary"]["results"]
    assert {k: counts[k] for k in ("observed", "passed", "not-shown", "failed")} == {
        "observed": 1, "passed": 1, "not-shown": 1, "failed": 1,
    }
    spec = (project / "out" / "SPEC.md").read_text()
    assert "✅ holds (registered, not observed)" in spec
    assert "🟡 partly (not shown this run)" in spec
    assert "**observed**" not in spec and "**holds** — it did what was promised" in spec


def test_a_flipped_verdict_fails_the_test_that_observes_it(project, monkeypatch):
    monkeypatch.setenv("MPSPEC_FLIP_VERDICT", "start.selftest-agrees")
    done, outcomes, _ = run(project)
    assert "start.selftest-agrees (any): the test observed 'holds'" in done.stdout
    assert "the registry predicts 'does-not-hold' here" in done.stdout
    assert outcomes["agrees"] == "failed"


def test_with_every_verdict_flipped_at_once_only_a_disagreement_with_the_registry_fails(project, monkeypatch):
    """The one-run flip check (``mutate --verdicts --at-once``) reads the catches from
    the report: the observer checks what a test saw against the registry's own
    verdict, records it, and lets the test go on; a wrong observation still fails."""
    monkeypatch.setenv("MPSPEC_FLIP_VERDICT", "*")
    done, outcomes, data = run(project)
    assert done.returncode == 1
    assert "start.selftest-disagrees (any): the test observed 'does-not-hold'" in done.stdout
    assert "the registry predicts 'holds' here" in done.stdout
    cells = {c["id"].split("-", 1)[1]: c for c in data["claims"] if "selftest" in c["id"]}
    assert cells["agrees"]["results"]["any"]["verdict"] == "does-not-hold"  # flipped
    assert cells["agrees"]["evidence"][0]["outcomes"] == {"any": "observed"}
    assert outcomes == {"agrees": "observed", "disagrees": "failed", "hazard": "not-shown", "silent": "passed"}


def test_an_observation_that_contradicts_the_registry_is_a_failure_even_if_its_test_passed():
    """Made where the failure cannot reach the test (a thread, a callback), a
    contradicting observation still makes the result a failure, never confirmed."""
    from mpspec.report import _aggregate

    row = {"nodeid": "t", "outcome": "passed", "reason": "", "observed": [
        {"claim": "c", "verdict": "holds", "because": "b", "predicted": "partly", "registered": "partly"}]}
    assert _aggregate([row], "c")["outcome"] == "failed"
