"""Mutation self-check: run the spec against deliberately broken multiprocessing
behaviours (mpspec/mutants/) and report, per claim, which mutants its tests killed.

    python -m mpspec.mutate [--mutant ID ...] [--json FILE] [--list]

First a baseline run (the mutation set-up, no mutant) must pass.  Then, per
mutant, the spec runs restricted to the claims that mutant targets (``--claim``),
with the mutant applied in every process of the run; the mutant is killed when a
test fails, and each failing test's claims count it as a killer.  A claim that no
mutant kills is a gap: its tests cannot fail.  Exit status 0 only if every claim
is killed by at least one mutant and the baseline passed.
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
from mpspec.registry import CLAIMS
from mpspec.support import FAILURE_LINE, ROOT, run_session

SITE = Path(__file__).resolve().parent / "mutation_site"
SUMMARY = re.compile(FAILURE_LINE)


def environment(mutant_id, deadline):
    env = dict(os.environ)
    env.pop("PYTEST_ADDOPTS", None)
    env.pop(ENV, None)
    path = [str(SITE), str(ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(path)
    env["MPSPEC_DEADLINE"] = str(deadline)  # a broken behaviour fails fast
    if mutant_id:
        env[ENV] = mutant_id
    return env


def pytest(args, mutant_id, options, timeout):
    cmd = [
        sys.executable, "-m", "pytest", "spec", "-q", "-rfE", "-p", "no:cacheprovider",
        "--spec-test-deadline", str(options.test_deadline), "--timeout", str(options.test_deadline * 3),
    ]
    cmd += ["-n", str(options.jobs)] if options.jobs > 1 else ["-p", "no:xdist"]
    cmd += args
    proc, out = run_session(cmd, environment(mutant_id, options.deadline), timeout, "mutate")
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
    args = parser.parse_args(argv)
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
        print(f"baseline: the spec of {len(claims)} claim(s) under the mutation set-up, no mutant ...", end=" ", flush=True)
        t0 = time.monotonic()
        code, unreliable, out = pytest(["--claim", ",".join(claims)], None, args, args.timeout)
        print(f"exit {code} ({time.monotonic() - t0:.0f} s)", flush=True)
        for test, reason in unreliable.items():
            print(f"    baseline failure (not counted as a kill): {test} - {reason}", flush=True)
        if code not in (0, 1) or (code == 1 and not unreliable):
            print("\n".join(out.splitlines()[-30:]))
            sys.exit("mutate: the baseline run did not complete")

    results = []
    for n, m in enumerate(chosen, 1):
        print(f"[{n}/{len(chosen)}] {m.id} ({', '.join(m.claims)}) ...", end=" ", flush=True)
        t0 = time.monotonic()
        code, failed, out = pytest(["--claim", ",".join(m.claims)], m.id, args, args.timeout)
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
    covered = [c for c in judged_claims if killers[c]]
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
