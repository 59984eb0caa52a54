"""The environment matrix: the spec on every interpreter found on this machine, under
-O, and against the drop-in libraries; then one merged living document.

    nox                  # every session below, then the merged matrix (docs/)
    nox -l               # list the sessions
    nox -s spec-3.12     # one interpreter

Each run writes .matrix/reports/<session>/report.json; `nox -s matrix` merges every
report there into docs/results.json (what the site is built from: python -m mpspec.site
DIR) and the short docs/MATRIX.md.  An interpreter that is not
installed is reported as missing (skipped), never as a failure.

Interpreters are found on PATH (as python3.X / pypy3.X) and among pyenv's versions.
MPSPEC_PYTHON_DIRS names more directories to search, separated like PATH, e.g.
MPSPEC_PYTHON_DIRS=/opt/sid-python/3.14/usr/bin:/opt/sid-python/3.15/usr/bin nox
"""

import glob
import os
import shutil
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
REPORTS = ROOT / ".matrix" / "reports"
DOCS = ROOT / "docs"

PYTHONS = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15", "pypy3.9", "pypy3.10", "pypy3.11"]
DEFAULT = f"{sys.version_info[0]}.{sys.version_info[1]}"  # the interpreter nox runs on
# The drop-ins, and loky (its executor only: every chapter but futures is n/a there).
LIBRARIES = ["multiprocess", "billiard", "loky"]

nox.options.sessions = ["spec", "optimized", "impl", "matrix"]
nox.options.error_on_missing_interpreters = False  # missing ones are listed, not failed
nox.options.reuse_existing_virtualenvs = True
# The standard library's venv: current virtualenv no longer seeds Python 3.8.
nox.options.default_venv_backend = "venv"


def _expose_pyenv_interpreters():
    """pyenv's shims answer `python3.9` only for the selected versions; put a link to
    every installed version's real binary on PATH so nox finds them all."""
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    links = ROOT / ".matrix" / "bin"
    links.mkdir(parents=True, exist_ok=True)
    for binary in sorted(glob.glob(os.path.join(root, "versions", "*", "bin", "python3.*"))):
        name = os.path.basename(binary)
        if not name.replace("python3.", "").isdigit():
            continue
        link = links / name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(binary)
    os.environ["PATH"] = f"{links}{os.pathsep}{os.environ.get('PATH', '')}"



def _expose_extra_interpreters():
    """Directories named in MPSPEC_PYTHON_DIRS go first on PATH."""
    extra = [d for d in os.environ.get("MPSPEC_PYTHON_DIRS", "").split(os.pathsep) if d]
    missing = [d for d in extra if not os.path.isdir(d)]
    if missing:
        raise SystemExit(f"noxfile: MPSPEC_PYTHON_DIRS names no such directory: {', '.join(missing)}")
    if extra:
        os.environ["PATH"] = os.pathsep.join(extra + [os.environ.get("PATH", "")])


_expose_pyenv_interpreters()
_expose_extra_interpreters()


def _extras(extra=""):
    """The project with numpy (for shm.numpy-view) and ``extra`` ("[billiard]")."""
    return ".[" + ",".join(["numpy"] + ([extra.strip("[]")] if extra else [])) + "]"


def _run_spec(session, name, *pytest_args, python_flags=(), extra=""):
    out = REPORTS / name
    if out.exists():
        shutil.rmtree(out)
    session.install("-e", _extras(extra))
    session.run(
        "python", *python_flags, "-m", "pytest", "spec", "-n", "2", "-q", "-p", "no:cacheprovider",
        f"--spec-report={out}", *pytest_args, *session.posargs,
    )


@nox.session(python=PYTHONS)
def spec(session):
    """The spec on one interpreter (CPython or PyPy)."""
    _run_spec(session, f"spec-{session.python}")


@nox.session(python=DEFAULT)
def optimized(session):
    """The spec under python -O: assert-based guarantees flip as registered."""
    _run_spec(session, "optimized", python_flags=("-O",))


@nox.session(python=DEFAULT)
@nox.parametrize("library", LIBRARIES)
def impl(session, library):
    """The spec against a drop-in replacement of multiprocessing (or loky's executor)."""
    _run_spec(session, f"impl-{library}", f"--impl={library}", extra=f"[{library}]")


# --- checks over every leg (not in the default sessions) ----------------------------
# nox -s flake flake_optimized flake_impl flake_report   (MPSPEC_FLAKE_RUNS, default 4)
# nox -s flip flip_optimized flip_impl flip_report       (every verdict flipped, one run a leg)
FLAKE = ROOT / ".matrix" / "flake"
FLIPS = ROOT / ".matrix" / "flips"


def _flake_command(name):
    runs = int(os.environ.get("MPSPEC_FLAKE_RUNS", "4"))
    return ["mpspec.flake", "--runs", str(runs), "--loaded", str(runs // 2), "--json", str(FLAKE / f"{name}.json")]


def _flip_command(name):
    return ["mpspec.mutate", "--verdicts", "--at-once", "--json", str(FLIPS / f"{name}.json")]


def _leg_sessions(check, command, out, what):
    """The sessions of one check over every leg: <check> (per interpreter),
    <check>_optimized and <check>_impl.  A failing run is reported in its JSON (the
    check's summary), so the session itself succeeds."""

    def run(session, name, *args, extra=""):
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{name}.json").unlink(missing_ok=True)  # never an older run's figures
        session.install("-e", _extras(extra))
        session.run("python", "-m", *command(name), *args, *session.posargs, success_codes=[0, 1])

    def per_python(session):
        run(session, f"{check}-{session.python}")

    def optimized(session):
        run(session, f"{check}-optimized", "-O")

    def impl(session, library):
        run(session, f"{check}-impl-{library}", f"--impl={library}", extra=f"[{library}]")

    per_python.__doc__ = f"{what} on one interpreter."
    optimized.__doc__ = f"{what} under python -O."
    impl.__doc__ = f"{what} against a drop-in library."
    nox.session(python=PYTHONS, name=check)(per_python)
    nox.session(python=DEFAULT, name=f"{check}_optimized")(optimized)
    nox.session(python=DEFAULT, name=f"{check}_impl")(nox.parametrize("library", LIBRARIES)(impl))


_leg_sessions("flake", _flake_command, FLAKE, "A few flake rounds of the spec")
_leg_sessions("flip", _flip_command, FLIPS, "The verdict-flip check (every verdict flipped at once)")


def _summarize(session, folder, check, module):
    files = sorted(str(p) for p in folder.glob("*.json"))
    if not files:
        session.error(f"no {check} results under {folder.relative_to(ROOT)}: run the {check} sessions first")
    session.run(sys.executable, "-m", module, "--summarize", *files)


@nox.session(python=False)
def flake_report(session):
    """Failures per leg and test, over every flake JSON under .matrix/flake."""
    _summarize(session, FLAKE, "flake", "mpspec.flake")


@nox.session(python=False)
def flip_report(session):
    """The verdict-flip figures per leg, over every JSON under .matrix/flips; fails if a
    leg missed a flip or had a failing test."""
    _summarize(session, FLIPS, "flip", "mpspec.mutate")


@nox.session(python=False)
def matrix(session):
    """Merge every report under .matrix/reports into docs/results.json (the site's data),
    docs/MATRIX.md and the README's table of differences."""
    reports = sorted(str(p) for p in REPORTS.glob("*/report.json"))
    if not reports:
        session.error("no reports under .matrix/reports: run the other sessions first")
    session.run(sys.executable, "-m", "mpspec.matrix", *reports, "--out", str(DOCS), "--readme", str(ROOT / "README.md"))
