"""Command-line options: bad values are usage errors naming what is valid; good ones
select exactly the tests asked for."""

import pytest

from tests.helpers import inventory, pytest_run


@pytest.mark.parametrize(
    "args, message",
    [
        (["--start-method", "bogus"], "unknown start method 'bogus'; valid: fork, spawn, forkserver"),
        (["--start-method", "spawn,bogus"], "unknown start method 'bogus'"),
        (["--claim", "no.such"], "--claim: no claim matches 'no.such'; give a claim ID or a pattern"),
        (["--claim", "nosuch.*"], "the chapters are: basics.* (article), process.* (article)"),
    ],
)
def test_unknown_values_are_usage_errors(args, message):
    done = pytest_run("spec", "--collect-only", "-q", *args)
    assert done.returncode == 4  # pytest's usage-error exit code
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unwritable_report_directory_is_a_usage_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    done = pytest_run("spec", "--collect-only", "-q", "--spec-report", blocker / "report")
    assert done.returncode == 4
    assert "--spec-report: cannot write to" in done.stderr
    assert "Traceback" not in done.stderr


def test_claim_and_start_method_select_exactly_those_tests(tmp_path):
    rows = inventory(tmp_path, "--claim", "process.closure-target", "--start-method", "spawn")
    assert rows and all(r["claims"] == ["process.closure-target"] for r in rows)
    assert {r["method"] for r in rows} == {"spawn"}
    assert all(r["nodeid"].endswith("[spawn]") for r in rows)


def test_options_repeat_or_take_commas(tmp_path):
    repeated = inventory(tmp_path, "--start-method", "fork", "--start-method", "spawn")
    commas = inventory(tmp_path, "--start-method", "fork,spawn")
    assert [r["nodeid"] for r in repeated] == [r["nodeid"] for r in commas]
    assert {r["method"] for r in repeated} == {"fork", "spawn", "any"}


def test_method_independent_claims_run_once_without_a_method_id(tmp_path):
    rows = inventory(tmp_path, "--claim", "basics.threads-share")
    assert rows and {r["method"] for r in rows} == {"any"}
    assert all("[" not in r["nodeid"] for r in rows)



def test_a_glob_pattern_selects_a_whole_chapter(tmp_path):
    rows = inventory(tmp_path, "--claim", "process.*")
    claims = {cid for r in rows for cid in r["claims"]}
    assert claims and all(cid.startswith("process.") for cid in claims)
    assert "process.closure-target" in claims and "process.start-methods" in claims


def test_an_exact_id_and_a_pattern_combine(tmp_path):
    rows = inventory(tmp_path, "--claim", "basics.threads-share,pipe.*")
    claims = {cid for r in rows for cid in r["claims"]}
    assert "basics.threads-share" in claims and any(c.startswith("pipe.") for c in claims)
    assert not any(c.startswith(("process.", "queue.")) for c in claims)
