"""Mutation self-check: run the spec against deliberately broken multiprocessing
behaviours (mpspec/mutants/) and report, per claim, which mutants its tests killed.

    python -m mpspec.mutate [--mutant ID ...] [--json FILE] [--list]
    python -m mpspec.mutate --verdicts [--claim PATTERN ...] [--json FILE]
    python -m mpspec.mutate --verdicts --at-once [--python EXE] [-O] [--impl LIB]

First a baseline run (the mutation set-up, no mutant) must pass.  Then, per
mutant, the spec runs restricted to the claims that mutant targets (``--claim``),
with the mutant applied in every process of the run; the mutant is killed when a
test fails, and each failing test's claims count it as a killer.  A claim that no
mutant kills is a gap: its tests cannot fail.  Exit status 0 only if every claim
is killed by at least one mutant and the baseline passed.

``--verdicts`` checks the registry instead of the library: for each claim that
applies here, the spec of that claim runs with its verdict turned around wherever
it applies (holds and does-not-hold swap, partly becomes holds; see
``registry.FLIP_ENV``).  The flip is caught when a test of the claim then fails: a
test that observes the behaviour and compares it with the registry cannot pass a
wrong verdict.  A flip no test catches is a verdict nothing checks.  Exit status 0
only if every flip was caught.

``--verdicts --at-once`` flips every claim in one run of the whole spec
(``FLIP_ENV=*``), which makes the check cheap enough for every matrix leg
(``--python``, ``-O``, ``--impl`` choose the leg as for ``mpspec.flake``).  The
observer then checks what a test saw against the registry's own, unflipped verdict
(a disagreement still fails the test) and records it without failing on the flip, so
that a test that observes several claims observes them all; a flip counts as caught,
per claim and start method, when a test that passed observed the claim there (read
from the report's evidence, where a test whose variants include a not-shown one
counts as not shown: an undercount, never an overcount).  Only the observer can catch
a flip here, so the figure can only be lower than the one of the claim-by-claim
check, never higher.  ``--summarize`` merges the JSON of several legs into a table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from mpspec.mutants import ENV, MUTANTS
from mpspec.registry import CLAIMS, FLIP_ALL, FLIP_ENV, FLIPPED, NOT_APPLICABLE, matching
from mpspec.support import FAILURE_LINE, ROOT, run_session

SITE = Path(__file__).resolve().parent / "mutation_site"
SUMMARY = re.compile(FAILURE_LINE)


def environment(mutant_id, deadline, flip=None):
    env = dict(os.environ)
    env.pop("PYTEST_ADDOPTS", None)
    env.pop(ENV, None)
    env.pop(FLIP_ENV, None)
    if flip:
        env[FLIP_ENV] = flip
    path = [str(SITE), str(ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(path)
    env["MPSPEC_DEADLINE"] = str(deadline)  # a broken behaviour fails fast
    if mutant_id:
        env[ENV] = mutant_id
    return env


def pytest(args, mutant_id, options, timeout, flip=None, paths=("spec",)):
    cmd = [
        sys.executable, "-m", "pytest", *paths, "-q", "-rfE", "-p", "no:cacheprovider",
        "--spec-test-deadline", str(options.test_deadline), "--timeout", str(options.test_deadline * 3),
    ]
    cmd += ["-n", str(options.jobs)] if options.jobs > 1 else ["-p", "no:xdist"]
    cmd += args
    proc, out = run_session(cmd, environment(mutant_id, options.deadline, flip), timeout, "mutate")
    try:  # nothing of the run may outlive it
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    failed = {}
    for line in out.splitlines():
        m = SUMMARY.match(line)
        if m:
            failed.setdefault(m.group(2), (m.group(3) or "").strip())
    return proc.returncode, failed, out


def inventory():
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "inventory.json"
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "spec", "--collect-only", "-q", "-p", "no:cacheprovider",
             "--spec-inventory", str(out)],
            cwd=str(ROOT), capture_output=True, text=True, timeout=300,
        )
        if done.returncode != 0:
            sys.exit(f"mutate: collecting the spec failed:\n{done.stdout}{done.stderr}")
        return {row["nodeid"]: row["claims"] for row in json.loads(out.read_text())}


def files_of(claim_ids, claims_of):
    """The spec files with a test of any of these claims (collecting only those is
    faster than collecting the whole spec)."""
    wanted = set(claim_ids)
    return sorted({nodeid.split("::")[0] for nodeid, claims in claims_of.items() if wanted & set(claims)}) or ["spec"]


def baseline(claims, args, paths):
    """The chosen claims' spec under the mutation set-up, nothing changed: the tests
    that fail here are not counted as kills or catches."""
    print(f"baseline: the spec of {len(claims)} claim(s) under the mutation set-up, nothing changed ...", end=" ", flush=True)
    t0 = time.monotonic()
    code, unreliable, out = pytest(["--claim", ",".join(claims)], None, args, args.timeout, paths=paths)
    print(f"exit {code} ({time.monotonic() - t0:.0f} s)", flush=True)
    for test, reason in unreliable.items():
        print(f"    baseline failure (not counted): {test} - {reason}", flush=True)
    if code not in (0, 1) or (code == 1 and not unreliable):
        print("\n".join(out.splitlines()[-30:]))
        sys.exit("mutate: the baseline run did not complete")
    return unreliable


def flip_verdicts(args, claims_of):
    """The verdict-flip check (--verdicts): one run per claim that applies here."""
    from mpspec.env import facts

    here = facts()
    chosen = [CLAIMS[c] for c in dict.fromkeys(c for p in args.claim for c in matching(p))] if args.claim else list(CLAIMS.values())
    na = [c.id for c in chosen if all(c.verdict(here, m) == NOT_APPLICABLE for m in c.methods)]
    judged = [c for c in chosen if c.id not in na]
    started = time.monotonic()
    unreliable = {} if args.no_baseline else baseline([c.id for c in judged], args, files_of([c.id for c in judged], claims_of))
    results = {}
    for n, claim in enumerate(judged, 1):
        here_verdicts = {m: claim.verdict(here, m) for m in claim.methods}
        turned = ", ".join(f"{m} {v}->{FLIPPED[v]}" for m, v in here_verdicts.items() if v in FLIPPED)
        print(f"[{n}/{len(judged)}] {claim.id} ({turned}) ...", end=" ", flush=True)
        t0 = time.monotonic()
        code, failed, out = pytest(
            ["--claim", claim.id], None, args, args.timeout, flip=claim.id, paths=files_of([claim.id], claims_of)
        )
        counted = {t: r for t, r in failed.items() if t not in unreliable}
        status = "caught" if counted else "missed"  # a baseline failure catches nothing
        if code in (2, 3, 4) or "mutate: the run did not finish" in out:
            status = "error"  # interrupted, an internal or a collection error: no verdict
        print(f"{status} ({len(counted)} failing test(s), {time.monotonic() - t0:.0f} s)", flush=True)
        if status == "error":
            print("\n".join("    | " + line for line in out.splitlines()[-15:]), flush=True)
        results[claim.id] = {"status": status, "flipped": turned, "exit": code, "failing_tests": counted}
    caught = [c for c, r in results.items() if r["status"] == "caught"]
    missed = [c for c, r in results.items() if r["status"] != "caught"]
    print()
    if missed:
        print("| claim | flipped here | outcome |")
        print("|---|---|---|")
        for cid in missed:
            why = "no test failed" if results[cid]["status"] == "missed" else "the run did not complete"
            print(f"| `{cid}` | {results[cid]['flipped']} | {results[cid]['status']}: {why} |")
        print()
    print(
        f"verdict flips caught: {len(caught)}/{len(judged)} claims that apply here "
        f"(+{len(na)} n/a here, not flipped) ({time.monotonic() - started:.0f} s)"
    )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(
                {"caught": len(caught), "judged": len(judged), "not_applicable": na, "claims": results,
                 "baseline_failures": unreliable},
                f, indent=1, ensure_ascii=False,
            )
    return 1 if missed else 0


def flip_at_once(args):
    """The verdict-flip check in one run (--verdicts --at-once): every verdict flipped,
    the whole spec run once with its report, and the report read back."""
    from mpspec.flake import Leg

    leg = Leg(args.python, args.optimize, args.impl)
    problem = leg.check()
    if problem:
        sys.exit(f"mutate: {problem}")
    env = dict(os.environ)
    env.pop("PYTEST_ADDOPTS", None)
    env.pop(ENV, None)
    env[FLIP_ENV] = FLIP_ALL
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mpspec-flip-") as tmp:
        cmd = leg.command() + ["spec", "-q", "-p", "no:cacheprovider", "-rfE", f"--spec-report={tmp}"]
        cmd += leg.pytest_args() + (["-n", str(args.jobs)] if args.jobs > 1 else ["-p", "no:xdist"])
        cmd += ["--claim", ",".join(c for p in args.claim for c in matching(p))] if args.claim else []
        what = f"the spec of {len(args.claim)} claim pattern(s)" if args.claim else "the whole spec"
        print(f"{leg.name}: {what}, every verdict flipped at once ...", end=" ", flush=True)
        proc, out = run_session(cmd, env, args.timeout, "mutate")
        print(f"exit {proc.returncode} ({time.monotonic() - started:.0f} s)", flush=True)
        report_file = Path(tmp) / "report.json"
        if not report_file.exists():
            print("\n".join(out.splitlines()[-30:]))
            print("mutate: the run wrote no report", file=sys.stderr)
            return 2
        data = json.loads(report_file.read_text())
    failing = [line for line in out.splitlines() if SUMMARY.match(line)]
    chosen = set(c for p in args.claim for c in matching(p)) if args.claim else set(CLAIMS)
    results = {}
    for claim in data["claims"]:
        if claim["id"] not in chosen:
            continue
        cells = {}
        for method, cell in claim["results"].items():
            if cell["verdict"] == NOT_APPLICABLE:
                continue
            # A test that passed observed the claim here, and the observer checked that
            # what it saw is the registry's own verdict: so it differs from the flipped one.
            by = sorted(e["test"] for e in claim["evidence"] if e["outcomes"].get(method) == "observed")
            cells[method] = {"flipped_to": cell["verdict"], "observed_by": by, "outcome": cell["outcome"],
                             "caught": bool(by)}
        if cells:
            results[claim["id"]] = {"status": "caught" if any(c["caught"] for c in cells.values()) else "missed",
                                    "cells": cells}
    caught = [c for c, r in results.items() if r["status"] == "caught"]
    missed = [c for c, r in results.items() if r["status"] != "caught"]
    cells = [(c, m) for c, r in results.items() for m in r["cells"]]
    cells_caught = [(c, m) for c, r in results.items() for m, x in r["cells"].items() if x["caught"]]
    print()
    if missed:
        print("| claim (no test observed it) | start methods | outcome there |")
        print("|---|---|---|")
        for cid in missed:
            where = results[cid]["cells"]
            print(f"| `{cid}` | {', '.join(where)} | {', '.join(sorted({x['outcome'] for x in where.values()}))} |")
        print()
    for line in failing:
        print(f"  failed in the flipped run (not counted as a catch): {line}")
    uncaught = [f"{c} ({m}: {x['outcome']})" for c, r in results.items() if r["status"] == "caught"
                for m, x in r["cells"].items() if not x["caught"]]
    if uncaught:
        print(f"  cells of caught claims that no test observed this run: {', '.join(uncaught)}")
    na = len(chosen) - len(results)
    print(
        f"{leg.name}: verdict flips caught: {len(caught)}/{len(results)} claims that apply here "
        f"(+{na} n/a here, not flipped); {len(cells_caught)}/{len(cells)} claim × start method cells "
        f"({time.monotonic() - started:.0f} s)"
    )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"leg": leg.name, "caught": len(caught), "judged": len(results), "not_applicable": na,
                       "cells_caught": len(cells_caught), "cells": len(cells), "failing": failing,
                       "claims": results}, f, indent=1, ensure_ascii=False)
    return 1 if missed or failing else 0


def summarize(files):
    """The at-once figures of several legs (their --json files), one row a leg; exit 1
    if a leg missed a flip or had a failing test."""
    print("| leg | claims caught | claim × start method cells caught | failing tests | missed |")
    print("|---|---|---|---|---|")
    bad = False
    for name in files:
        d = json.loads(Path(name).read_text())
        missed = [c for c, r in d["claims"].items() if r["status"] != "caught"]
        bad = bad or bool(missed or d["failing"])
        print(f"| {d['leg']} | {d['caught']}/{d['judged']} (+{d['not_applicable']} n/a) | "
              f"{d['cells_caught']}/{d['cells']} | {len(d['failing'])} | {', '.join(missed) or '-'} |")
    return 1 if bad else 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m mpspec.mutate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--mutant", action="append", default=[], metavar="ID", help="run only these mutants (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--jobs", type=int, default=2, help="xdist workers per run (default 2; 1 = no xdist)")
    parser.add_argument("--deadline", type=float, default=10.0, help="MPSPEC_DEADLINE in mutation runs (default 10)")
    parser.add_argument("--test-deadline", type=float, default=20.0, help="hang guard per test (default 20)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds after which one run is killed (default 900)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the baseline run")
    parser.add_argument("--verdicts", action="store_true",
                        help="the verdict-flip check: turn each claim's verdict around in turn; some test must fail")
    parser.add_argument("--at-once", action="store_true",
                        help="with --verdicts: flip every verdict in one run of the whole spec (a figure per leg)")
    parser.add_argument("--python", metavar="EXE", help="with --at-once: the leg's interpreter (default: this one)")
    parser.add_argument("-O", "--optimize", action="store_true", help="with --at-once: run the spec under python -O")
    parser.add_argument("--impl", default="multiprocessing", help="with --at-once: the library under test")
    parser.add_argument("--summarize", nargs="+", metavar="JSON",
                        help="merge the --at-once JSON files of several legs into a table, and exit")
    parser.add_argument("--claim", action="append", default=[], metavar="PATTERN",
                        help="with --verdicts: only these claims (an ID or a glob such as 'queue.*'; repeatable)")
    args = parser.parse_args(argv)
    if args.summarize:
        return summarize(args.summarize)
    if args.claim and not args.verdicts:
        parser.error("--claim goes with --verdicts (mutants choose their claims)")
    for pattern in args.claim:
        if not matching(pattern):
            parser.error(f"--claim {pattern!r} matches no registered claim")
    if (args.at_once or args.python or args.optimize or args.impl != "multiprocessing") and not args.verdicts:
        parser.error("--at-once, --python, -O and --impl go with --verdicts")
    if (args.python or args.optimize or args.impl != "multiprocessing") and not args.at_once:
        parser.error("--python, -O and --impl go with --verdicts --at-once (the claim-by-claim check runs here)")
    if args.verdicts:
        if args.at_once:
            return flip_at_once(args)
        if args.mutant or args.list:
            parser.error("--verdicts flips the registry's verdicts; it takes no --mutant or --list")
        return flip_verdicts(args, inventory())
    unknown = [m for m in args.mutant if m not in MUTANTS]
    if unknown:
        parser.error(f"unknown mutant {', '.join(map(repr, unknown))}; valid: {', '.join(MUTANTS)}")
    if args.list:
        for m in MUTANTS.values():
            print(f"{m.id}: {m.description}  [{', '.join(m.claims)}]")
        return 0
    chosen = [MUTANTS[m] for m in args.mutant] if args.mutant else list(MUTANTS.values())
    claims_of = inventory()
    started = time.monotonic()

    unreliable = {}
    if not args.no_baseline:
        claims = sorted({c for m in chosen for c in m.claims})
        unreliable = baseline(claims, args, files_of(claims, claims_of))

    results = []
    for n, m in enumerate(chosen, 1):
        print(f"[{n}/{len(chosen)}] {m.id} ({', '.join(m.claims)}) ...", end=" ", flush=True)
        t0 = time.monotonic()
        code, failed, out = pytest(
            ["--claim", ",".join(m.claims)], m.id, args, args.timeout, paths=files_of(m.claims, claims_of)
        )
        counted = {t: r for t, r in failed.items() if t not in unreliable}
        killed_claims = sorted({c for t in counted for c in claims_of.get(t, [])} & set(CLAIMS))
        status = "killed" if counted else ("error" if code not in (0, 1, 5) else "survived")
        if code in (2, 3, 4) or "mutate: the run did not finish" in out:
            status = "error"
        print(f"{status} ({len(counted)} failing test(s), {time.monotonic() - t0:.0f} s)", flush=True)
        if status == "error":
            print("\n".join("    | " + line for line in out.splitlines()[-15:]), flush=True)
        results.append(
            {
                "mutant": m.id,
                "description": m.description,
                "targets": list(m.claims),
                "status": status,
                "exit": code,
                "killed_claims": killed_claims,
                "failing_tests": counted,
            }
        )
    return report(results, chosen, unreliable, args, time.monotonic() - started)


def not_applicable_here():
    """The claims whose verdict is n/a on every start method in this environment: their
    tests are skipped here, so no mutant can be killed through them here."""
    from mpspec.env import facts
    from mpspec.registry import NOT_APPLICABLE

    here = facts()
    return {cid for cid, c in CLAIMS.items() if all(c.verdict(here, m) == NOT_APPLICABLE for m in c.methods)}


def report(results, chosen, unreliable, args, seconds):
    na = not_applicable_here()
    for r in results:
        if r["status"] == "survived" and set(r["targets"]) <= na:
            r["status"] = "n/a here"
    targeted = defaultdict(list)
    killers = defaultdict(list)
    for r in results:
        for c in r["targets"]:
            targeted[c].append(r["mutant"])
        for c in r["killed_claims"]:
            killers[c].append(r["mutant"])
    # A partial run (--mutant) judges only the claims its mutants aim at.
    judged_claims = [c for c in CLAIMS if c in targeted] if args.mutant else list(CLAIMS)
    print()
    print("| claim | mutants aimed at it | killed by |")
    print("|---|---|---|")
    for cid in judged_claims:
        mark = ", ".join(killers[cid]) if killers[cid] else ("n/a here" if cid in na else "**none: a gap**")
        print(f"| `{cid}` | {len(targeted[cid])} | {mark} |")
    killed = [r for r in results if r["status"] == "killed"]
    survived = [r for r in results if r["status"] not in ("killed", "n/a here")]
    judged = [r for r in results if r["status"] != "n/a here"]
    # A claim n/a here may still be killed through a test it shares with another claim;
    # it counts with the n/a ones, never as covered.
    covered = [c for c in judged_claims if killers[c] and c not in na]
    score = len(killed) / len(judged) if judged else 0.0
    print()
    print(
        f"mutation score: {len(killed)}/{len(judged)} mutants killed ({score:.0%}); "
        f"claims killed by at least one mutant: {len(covered)}/{len(set(judged_claims) - na)} "
        f"(+{len(na & set(judged_claims))} n/a here) ({seconds:.0f} s)"
    )
    for r in survived:
        print(f"  {r['status']}: {r['mutant']} ({r['description']})")
    if na & set(targeted):
        print(f"  not applicable here (their mutants are not counted): {', '.join(sorted(na & set(targeted)))}")
    gaps = [c for c in judged_claims if not killers[c] and c not in na]
    if gaps:
        print(f"  claims no mutant killed (gaps): {', '.join(gaps)}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(
                {
                    "score": score,
                    "mutants": results,
                    "claims": {c: {"targeted_by": targeted[c], "killed_by": killers[c]} for c in CLAIMS},
                    "baseline_failures": unreliable,
                },
                f, indent=1, ensure_ascii=False,
            )
    if args.mutant:  # a partial run cannot judge every claim: judge its mutants
        return 1 if survived else 0
    return 1 if gaps else 0


if __name__ == "__main__":
    sys.exit(main())
