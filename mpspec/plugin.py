"""The pytest plugin: the start-method axis, claim markers, ``--claim`` and the
living-doc report.  Loaded by the project's root ``conftest.py``.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from mpspec import children, env, lib, registry, support
from mpspec.items import is_spec_item
from mpspec.registry import ALL_METHODS, ANY, CLAIMS, NOT_APPLICABLE, VERDICTS

# The guards: the leak guard, the hang guard, the run's checks (mpspec/guards/);
# the order of the tests under -n (mpspec/schedule.py).
pytest_plugins = ["mpspec.guards.options", "mpspec.guards.hooks", "mpspec.schedule"]


def pytest_addoption(parser):
    group = parser.getgroup("mpspec", "multiprocessing spec")
    group.addoption(
        "--start-method",
        action="append",
        default=[],
        metavar="NAME",
        help="run only these start methods (repeatable or comma-separated): "
        + ", ".join(ALL_METHODS),
    )
    group.addoption(
        "--claim",
        action="append",
        default=[],
        metavar="ID",
        help="run only the tests of these claims: IDs or glob patterns such as 'start.*' "
        "(repeatable or comma-separated)",
    )
    group.addoption(
        "--impl",
        default="multiprocessing",
        metavar="NAME",
        help="the library under test: " + ", ".join(lib.IMPLS) + " (default multiprocessing)",
    )
    group.addoption(
        "--spec-report",
        metavar="DIR",
        default=None,
        help="write DIR/report.json and DIR/SPEC.md, the living documentation",
    )
    group.addoption(
        "--spec-inventory",
        metavar="FILE",
        default=None,
        help="write the collected spec tests and their claims as JSON (for self-tests)",
    )


def _choices(config, dest, flag, what, valid):
    """The values of a repeatable, comma-separable option; any not in ``valid`` is a
    usage error that lists the valid ones."""
    values = [v.strip() for value in config.getoption(dest) for v in value.split(",") if v.strip()]
    unknown = [v for v in values if v not in valid]
    if unknown:
        raise pytest.UsageError(
            f"{flag}: unknown {what} {', '.join(map(repr, unknown))}; valid: {', '.join(valid)}"
        )
    return values


class SpecState:
    """What the plugin knows about this run."""

    def __init__(self, config):
        self.config = config
        self.library = self._library(config)
        self.methods = self._methods(config)
        self.claims = self._claims(config)
        self.report_dir = self._report_dir(config)
        self.facts = env.facts()
        self.results = {}  # nodeid -> {"outcome", "reason", "claims", "method", "doc"}
        self.started = time.time()

    @staticmethod
    def _methods(config):
        names = _choices(config, "start_method", "--start-method", "start method", ALL_METHODS)
        return [m for m in ALL_METHODS if m in names] if names else list(ALL_METHODS)

    @staticmethod
    def _library(config):
        chosen = config.getoption("impl")
        if chosen not in lib.IMPLS:
            raise pytest.UsageError(f"--impl: unknown library {chosen!r}; valid: {', '.join(lib.IMPLS)}")
        try:
            lib.select(chosen)
        except lib.NotInstalled as exc:
            raise pytest.UsageError(f"--impl: {exc}") from None
        return chosen

    @staticmethod
    def _claims(config):
        patterns = [v.strip() for value in config.getoption("claim") for v in value.split(",") if v.strip()]
        chosen, unmatched = set(), []
        for pattern in patterns:
            ids = registry.matching(pattern)
            chosen.update(ids)
            if not ids:
                unmatched.append(pattern)
        if unmatched:
            chapters = ", ".join(f"{c.key}.* ({c.source})" for c in registry.CHAPTERS)
            raise pytest.UsageError(
                f"--claim: no claim matches {', '.join(map(repr, unmatched))}; "
                f"give a claim ID or a pattern; the chapters are: {chapters}"
            )
        return chosen

    @staticmethod
    def _report_dir(config):
        value = config.getoption("spec_report")
        if value is None:
            return None
        path = Path(value)
        try:
            path.mkdir(parents=True, exist_ok=True)
            probe = path / ".mpspec-write-test"
            probe.write_text("")
            probe.unlink()
        except OSError as exc:
            raise pytest.UsageError(
                f"--spec-report: cannot write to {value!r}: {exc.strerror or exc}"
            ) from None
        return path


STATE = pytest.StashKey[SpecState]()


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "claim(*ids): the catalogue claims this spec test checks (see mpspec/claims/)",
    )
    if sys.flags.optimize and not os.environ.get("PYTHONOPTIMIZE"):
        # xdist starts its workers as plain `python`: without this, `python -O -m
        # pytest -n 2` would run every test unoptimized (the asserts back in place).
        os.environ["PYTHONOPTIMIZE"] = str(sys.flags.optimize)
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        # Started in the background by a shell (`nox &`, CI runners), the run inherits
        # SIGINT ignored, and so would every child: interrupt() and Ctrl-C would show
        # nothing.  Give the run a foreground program's handler, as Python installs it.
        signal.signal(signal.SIGINT, signal.default_int_handler)
    config.stash[STATE] = SpecState(config)
    children.start_session(lib.mp, lib.name())  # no __main__ re-run in children, forkserver preload
    support.profile_scripts()  # opt-in (MPSPEC_PROFILE): the child interpreters too


def pytest_unconfigure(config):
    children.end_session()


def _state(config) -> SpecState:
    return config.stash[STATE]


def _claim_ids(item):
    return [cid for mark in item.iter_markers("claim") for cid in mark.args]


def pytest_generate_tests(metafunc):
    if "start_method" not in metafunc.fixturenames:
        return
    state = _state(metafunc.config)
    available = env.available_methods()
    params = []
    for method in state.methods:
        marks = () if method in available else pytest.mark.skip(
            reason=env.not_applicable_reason(method)
        )
        params.append(pytest.param(method, id=method, marks=marks))
    metafunc.parametrize("start_method", params)


def _check_item(item, ids):
    """Every spec test declares known claims, and takes the start method exactly when
    its claims are per method."""
    where = item.nodeid
    if not ids:
        return f"{where}: a spec test must declare its claim(s) with @pytest.mark.claim"
    unknown = [i for i in ids if i not in CLAIMS]
    if unknown:
        return f"{where}: unknown claim {', '.join(unknown)}"
    per_method = {CLAIMS[i].per_method for i in ids}
    if len(per_method) > 1:
        return f"{where}: mixes per-method and method-independent claims"
    has_method = "start_method" in getattr(item, "fixturenames", ())
    if per_method == {True} and not has_method:
        return f"{where}: claim {ids[0]} is per start method; use the ctx or start_method fixture"
    if per_method == {False} and has_method:
        return f"{where}: claim {ids[0]} is method-independent; it must not take a start method"
    return None


def _not_applicable(facts, ids, method):
    """The reason a test does not apply here, when every claim it checks is n/a for
    this environment and start method; else None."""
    rules = [CLAIMS[i].rule(facts, method) for i in ids]
    if rules and all(r.verdict == NOT_APPLICABLE for r in rules):
        return "; ".join(dict.fromkeys(r.note for r in rules))
    return None


def pytest_collection_modifyitems(session, config, items):
    state = _state(config)
    problems, keep, drop = [], [], []
    for item in items:
        if not is_spec_item(item):
            keep.append(item)
            continue
        ids = _claim_ids(item)
        problem = _check_item(item, ids)
        if problem:
            problems.append(problem)
            continue
        callspec = getattr(item, "callspec", None)
        method = callspec.params.get("start_method", ANY) if callspec else ANY
        doc = (item.function.__doc__ or "").strip().split("\n\n")[0]
        reason = _not_applicable(state.facts, ids, method)
        if reason:
            item.add_marker(pytest.mark.skip(reason=f"not applicable: {reason}"))
        item.user_properties.append(
            ("mpspec", {"claims": ids, "method": method, "doc": " ".join(doc.split())})
        )
        if state.claims and not state.claims.intersection(ids):
            drop.append(item)
        else:
            keep.append(item)
    if problems:
        raise pytest.UsageError("spec tests and the claim registry disagree:\n  " + "\n  ".join(problems))
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    inventory = config.getoption("spec_inventory")
    if inventory:
        rows = [dict(p[1], nodeid=i.nodeid) for i in items for p in i.user_properties if p[0] == "mpspec"]
        Path(inventory).write_text(json.dumps(rows, indent=1))


# --- fixtures ---------------------------------------------------------------


@pytest.fixture
def ctx(start_method):
    """The multiprocessing context of this test's start method.  Every child still
    alive when the test ends is stopped, and the test then fails (a leak); so does a
    queue feeder thread that outlives its test."""
    yield support.get_context(start_method)
    leaked = support.reap_children()
    if leaked:
        pytest.fail(f"the test left {len(leaked)} child(ren) running: {leaked!r}", pytrace=False)
    feeders = support.lingering_feeder_threads()
    if feeders:
        pytest.fail(f"the test left {len(feeders)} queue feeder thread(s) running", pytrace=False)


@pytest.fixture
def facts(request):
    return _state(request.config).facts


def _method_of(item):
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("start_method", ANY) if callspec else ANY


class Observer:
    """What the ``observed`` fixture gives a test: see there."""

    def __init__(self, item, facts):
        self.item, self.facts, self.method = item, facts, _method_of(item)
        self.claims = _claim_ids(item)

    def _claims(self, claim, every=False):
        if claim is None:
            if len(self.claims) == 1 or every:
                return list(self.claims)
            raise pytest.UsageError(
                f"{self.item.nodeid}: say which claim was observed (claim=...): the test names {', '.join(self.claims)}"
            )
        if claim not in self.claims:
            raise pytest.UsageError(f"{self.item.nodeid}: observed a claim it does not name: {claim}")
        return [claim]

    def __call__(self, verdict, because, claim=None):
        """Declare the verdict the test saw, and why; fail if the registry predicts
        another one here."""
        if verdict not in VERDICTS:
            raise pytest.UsageError(f"{self.item.nodeid}: observed {verdict!r}; a verdict is one of {', '.join(VERDICTS)}")
        (claim_id,) = self._claims(claim)
        predicted = CLAIMS[claim_id].verdict(self.facts, self.method)
        registered = CLAIMS[claim_id].registered(self.facts, self.method)
        self.item.user_properties.append(
            ("mpspec-observed", {"claim": claim_id, "verdict": verdict, "because": because, "predicted": predicted,
                                 "registered": registered})
        )
        # With every verdict flipped at once, only a disagreement with the registry's own
        # verdict fails (the flip is read from the report), so that a test observing
        # several claims goes on to observe them all.
        expected = registered if os.environ.get(registry.FLIP_ENV) == registry.FLIP_ALL else predicted
        if verdict != expected:
            pytest.fail(
                f"{claim_id} ({self.method}): the test observed '{verdict}' ({because}), "
                f"but the registry predicts '{expected}' here",
                pytrace=False,
            )

    def not_shown(self, what, effort, claim=None):
        """End a demonstration whose hazard did not show within its bounded effort:
        the test is skipped as "not shown", and its claims (or ``claim``) count as not
        shown this run, never as confirmed."""
        claims = self._claims(claim, every=True)
        self.item.user_properties.append(("mpspec-not-shown", {"claims": claims, "what": what, "effort": effort}))
        pytest.skip(f"not shown: {what} (within {effort})")


@pytest.fixture
def observed(request):
    """Declare what the test saw as a verdict of its claim::

        observed("partly", because="get_nowait() raised Empty for an item just put")

    The plugin compares it with the registry's verdict for this environment and start
    method: a disagreement fails the test and names both; an agreement makes the
    result "observed" in the living doc (a claim whose tests pass without observing
    stays "registered, not observed").  ``claim=`` picks the claim when the test
    names several.  ``observed.not_shown(what, effort)`` ends a demonstration whose
    hazard did not show within its bounded effort."""
    return Observer(request.node, _state(request.config).facts)


# --- results and the living doc ----------------------------------------------


def pytest_runtest_logreport(report):
    props = dict(report.user_properties).get("mpspec")
    if props is None:
        return
    state = _REPORTING.get("state")
    if state is None:
        return
    row = state.results.setdefault(report.nodeid, dict(props, outcome="not-run", reason=""))
    observations = [v for k, v in report.user_properties if k == "mpspec-observed"]
    if observations:
        row["observed"] = observations
    for k, v in report.user_properties:
        if k == "mpspec-not-shown":
            row["not_shown"] = v
    if report.failed:
        row["outcome"] = "failed"
        row["reason"] = f"{report.when} failed"
    elif report.skipped and row["outcome"] != "failed":
        row["outcome"] = "skipped"
        longrepr = report.longrepr
        row["reason"] = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        if row["reason"].startswith("Skipped: "):
            row["reason"] = row["reason"][len("Skipped: "):]
    elif report.when == "call" and report.passed and row["outcome"] != "failed":
        row["outcome"] = "passed"


# The state that gathers the results: the controller's under xdist (workers send it
# their reports), else the only one.
_REPORTING = {}


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):
        _REPORTING["state"] = _state(session.config)


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if hasattr(config, "workerinput"):
        return
    state = _state(config)
    _REPORTING.pop("state", None)
    if state.report_dir is None:
        return
    from mpspec import report

    data = report.build(state.results, state.methods, time.time() - state.started, state.facts)
    report.write(state.report_dir, data)
    state.written = state.report_dir


def pytest_terminal_summary(terminalreporter, config):
    state = config.stash.get(STATE, None)
    if state is None or getattr(state, "written", None) is None:
        return
    from mpspec import report

    terminalreporter.write_sep("-", "multiprocessing spec")
    for line in report.summary_lines(json.loads((state.written / "report.json").read_text())):
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"living doc: {os.path.join(str(state.written), 'SPEC.md')}")
