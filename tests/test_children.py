"""The children the spec starts do not pay the test runner's ``__main__`` tax: however
pytest is launched (the ``pytest`` console script, ``python -m pytest``, under
xdist), a spawn or forkserver child started from a test imports neither pytest nor
the runner's main module, and forkserver children start with the fixtures preloaded
(see mpspec/children.py)."""

import json
import os
import subprocess
import sys

import pytest

from tests.helpers import ROOT

SESSION = "tests/sessions/child_modules.py"
# What the ``pytest`` console script is: a file that is run as __main__.
CONSOLE_SCRIPT = (
    "import sys\nfrom pytest import console_main\nif __name__ == '__main__':\n    sys.exit(console_main())\n"
)


def _launch(how, tmp_path):
    out = tmp_path / f"modules-{how}.json"
    env = dict(os.environ, MPSPEC_CHILD_MODULES=str(out))
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("PYTEST_XDIST_WORKER", None)
    env.pop("MPSPEC_PROFILE", None)
    args = [SESSION, "-q", "-p", "no:cacheprovider"]
    if how == "console-script":
        script = tmp_path / "pytest"
        script.write_text(CONSOLE_SCRIPT)
        cmd = [sys.executable, str(script), *args]
    elif how == "python -m pytest":
        cmd = [sys.executable, "-m", "pytest", *args]
    else:
        cmd = [sys.executable, "-m", "pytest", "-n", "2", *args]
    done = subprocess.run(cmd, cwd=str(ROOT), env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(out.read_text())


@pytest.mark.parametrize("how", ["console-script", "python -m pytest", "xdist"])
def test_children_started_from_a_test_do_not_import_pytest(how, tmp_path):
    seen = _launch(how, tmp_path)
    assert seen, "no child reported"
    for method, modules in seen.items():
        heavy = [m for m in modules if m.split(".")[0] in ("pytest", "_pytest", "xdist", "execnet", "pluggy")]
        assert heavy == [], f"{method} child imported {heavy}"


def test_forkserver_children_start_with_the_fixtures_preloaded(tmp_path):
    seen = _launch("python -m pytest", tmp_path)
    if "forkserver" not in seen:
        pytest.skip("forkserver is not available here")
    assert {"fixtures.pools", "fixtures.queues", "mpspec.lib"} <= set(seen["forkserver"])
    assert "fixtures.pools" not in seen["spawn"]  # spawn imports only what it unpickles


def test_the_session_restores_the_real_main_module():
    from mpspec import children

    main = sys.modules["__main__"]
    assert main.__spec__ is None and not hasattr(main, "__file__")  # the stand-in, now
    assert children._saved_main and children._saved_main[0] is not main
