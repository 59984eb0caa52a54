"""Programs of ``fixtures/scripts`` run in fresh interpreters, each in a session of
its own so that it and everything it starts can be killed together.  Tests use
these as ``support.<name>``."""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mpspec.deadlines import DEADLINE
from mpspec.toolkit.processes import ChildHung

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPTS = ROOT / "fixtures" / "scripts"

TRACKERS = ("resource_tracker", "semaphore_tracker")


def child_env(**extra):
    """The environment of a child interpreter: this one's, with the checkout on
    PYTHONPATH, without PYTHONOPTIMIZE, plus ``extra``."""
    env = dict(os.environ)
    path = [str(ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(path)
    env.pop("PYTHONOPTIMIZE", None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def kill_session(pgid: int, grace: float = 5.0):
    """SIGKILL every process of process group ``pgid`` (a script started in a session
    of its own) except its resource trackers; then give the trackers ``grace`` seconds
    to unlink the semaphores and shared memory the killed ones left (a tracker does so,
    and exits, once no process of the program holds its pipe); then kill what is left.
    Killing the tracker with the rest would leave those in /dev/shm for good.
    (``script`` sessions do this on their way out.)

        support.kill_session(proc.pid)  # proc: a Popen started with start_new_session=True
    """
    import psutil

    def members():
        found = []
        for proc in psutil.process_iter(["cmdline"]):
            try:
                if os.getpgid(proc.pid) == pgid:
                    found.append(proc)
            except (ProcessLookupError, PermissionError, psutil.Error):
                pass
        return found

    trackers = []
    for proc in members():
        if any(t in " ".join(proc.info["cmdline"] or ()) for t in TRACKERS):
            trackers.append(proc)
        else:
            with contextlib.suppress(psutil.Error):
                proc.kill()
    psutil.wait_procs(trackers, timeout=grace)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _command(name, args, optimize, options):
    cmd = [sys.executable] + (["-O"] if optimize else []) + list(options)
    return cmd + [str(SCRIPTS / name)] + [str(a) for a in args]


def _kill(proc):
    """Kill a script and its whole session (a process group), trackers last."""
    if hasattr(os, "killpg"):
        kill_session(proc.pid)
    else:  # Windows: no process groups to kill; the script at least
        proc.kill()


def run_script(name: str, *args, optimize: bool = False, options=(), timeout: float = DEADLINE, env=None,
               capture: str = "pipes"):
    """Run ``fixtures/scripts/<name>`` in a fresh interpreter (with ``-O`` and other
    interpreter ``options`` if asked) and return the CompletedProcess, text output.

    ``capture="pipes"`` (the default) waits for the end of the output: until every
    process that holds the script's stdout and stderr has ended (its resource tracker
    too).  ``capture="files"`` sends the output to unnamed temporary files and waits
    for the script alone: a process it leaves behind cannot keep the run waiting (nor
    is it killed: the test may want it).  A script still running after ``timeout`` is
    killed with its session (ChildHung).

        done = support.run_script("shm_attach_exit.py", name, "off")
        done = support.run_script("queue_api_flush.py", method, "exit", capture="files")
    """
    if capture not in ("pipes", "files"):
        raise ValueError(f"capture is 'pipes' or 'files', not {capture!r}")
    cmd = _command(name, args, optimize, options)
    with contextlib.ExitStack() as files:
        if capture == "files":
            out, err = (files.enter_context(tempfile.TemporaryFile()) for _ in range(2))
        else:
            out = err = subprocess.PIPE
        # A session of its own: on timeout the script and everything it started (pool
        # workers, its resource tracker) is killed, not just the script.
        proc = subprocess.Popen(cmd, cwd=str(ROOT), env=child_env(**(env or {})), stdout=out, stderr=err,
                                start_new_session=True)
        try:
            if capture == "files":
                proc.wait(timeout)
                stdout, stderr = (_decode(_read_all(f.fileno())) for f in (out, err))
            else:
                stdout, stderr = (_decode(b) for b in proc.communicate(timeout=timeout))
        except subprocess.TimeoutExpired as exc:
            _kill(proc)
            proc.communicate()
            raise ChildHung(f"{' '.join(cmd)} did not finish within {timeout:g} s") from exc
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)


def _decode(data: bytes) -> str:
    # what text=True would give: universal newlines
    return data.decode(errors="replace").replace("\r\n", "\n")


def _read_all(fd: int) -> bytes:
    chunks, offset = [], 0
    while True:
        chunk = os.pread(fd, 65536, offset)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        offset += len(chunk)


# --- a script's JSON report ------------------------------------------------------------


def report_of(text: str, what: str = "the script"):
    """The JSON object a script printed last: the last line of ``text`` that starts
    with ``{``, parsed.  Fails the test when there is none.

        report = support.report_of(done.stdout)
    """
    lines = [line for line in text.splitlines() if line.startswith("{")]
    if not lines:  # (no asserts in the toolkit: under -O pytest does not rewrite them here)
        raise AssertionError(f"{what} printed no JSON report; its output:\n{text}")
    return json.loads(lines[-1])


def script_report(name: str, *args, **kwargs):
    """Run ``fixtures/scripts/<name>`` (``run_script``'s arguments), which must exit
    0; return (the JSON object it printed last, the CompletedProcess).

        facts, done = support.script_report("start_executable.py", method, path)
        assert facts["executable"] == path, done.stderr
    """
    done = run_script(name, *args, **kwargs)  # this module's: the opt-in profiler wraps it here too
    if done.returncode != 0:
        raise AssertionError(f"{name} exited with {done.returncode}: {done.stderr}")
    return report_of(done.stdout, name), done


# --- a script the test talks to while it runs -------------------------------------------


class Script:
    """A script running in a session of its own (see ``script``)."""

    def __init__(self, name, args, optimize, options, env, stdin, capture):
        self.cmd = _command(name, args, optimize, options)
        self.capture = capture
        self._files = []
        if capture == "files":
            out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
            self._files = [out, err]
        elif capture == "pipes":
            out = err = subprocess.PIPE
        else:
            raise ValueError(f"capture is 'pipes' or 'files', not {capture!r}")
        self.proc = subprocess.Popen(
            self.cmd, cwd=str(ROOT), env=child_env(**(env or {})), start_new_session=True,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL, stdout=out, stderr=err,
        )
        self.pid = self.proc.pid
        self._seen = b""  # the stdout read so far
        self._lines = b""  # of which not yet returned by readline()
        self._finished = None

    # reading and writing while it runs

    def _out_fd(self):
        return self._files[0].fileno() if self._files else self.proc.stdout.fileno()

    def _read_some(self, timeout) -> bool:
        """Read what stdout has within ``timeout``; False at its end (pipes: EOF;
        files: nothing more and the script has exited)."""
        if self._files:
            exited = self.proc.poll() is not None  # before the read: it then reads all
            chunk = os.pread(self._out_fd(), 65536, len(self._seen))
            if not chunk:
                if exited:
                    return False
                time.sleep(min(0.01, max(timeout, 0)))
                return True
        else:
            with selectors.DefaultSelector() as selector:
                selector.register(self._out_fd(), selectors.EVENT_READ)
                if not selector.select(max(0.0, timeout)):
                    return True
            chunk = os.read(self._out_fd(), 65536)
            if not chunk:
                return False
        self._seen += chunk
        self._lines += chunk
        return True

    def readline(self, timeout: float = DEADLINE):
        """The next line the script prints, without its newline; None once its output
        has ended (with capture="files": once it has exited; a last line without a
        newline comes first).  ChildHung if no whole line comes within ``timeout``."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._lines:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChildHung(f"{' '.join(self.cmd)} printed no line within {timeout:g} s")
            if not self._read_some(left):
                rest, self._lines = self._lines, b""
                return _decode(rest) if rest else None
        line, self._lines = self._lines.split(b"\n", 1)
        return _decode(line)

    def report(self, timeout: float = DEADLINE):
        """The next JSON object the script prints (on a line that starts with ``{``;
        other lines before it are passed over), parsed.  ChildHung if none comes
        within ``timeout``; fails if its output ends first."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.readline(max(0.0, deadline - time.monotonic()))
            if line is None:
                raise AssertionError(f"{' '.join(self.cmd)} ended its output without a JSON report")
            if line.startswith("{"):
                return json.loads(line)

    def output(self):
        """(stdout, stderr) as written so far, by the script and by whatever inherited
        them (its children, orphans too), without waiting: capture="files" only."""
        if not self._files:
            raise ValueError("Script.output() needs capture='files'")
        return tuple(_decode(_read_all(f.fileno())) for f in self._files)

    def send(self, text: str):
        """Write ``text`` and a newline to the script's stdin (``stdin=True``)."""
        self.proc.stdin.write(text.encode() + b"\n")
        self.proc.stdin.flush()

    def signal(self, signum=signal.SIGINT):
        """Send ``signum`` to the script (not to the rest of its session)."""
        os.kill(self.pid, signum)

    def poll(self):
        return self.proc.poll()

    def wait(self, timeout: float = DEADLINE) -> int:
        """``Popen.wait``: the script's exit status, or subprocess.TimeoutExpired."""
        return self.proc.wait(timeout)

    def finish(self, timeout: float = DEADLINE) -> subprocess.CompletedProcess:
        """Wait for the script to end and return the CompletedProcess with all its
        output (text; what readline() returned included).  With capture="pipes" that
        is the end of its output (every holder of its pipes gone), with "files" the
        script's own exit.  ChildHung, its session killed, if not within ``timeout``."""
        try:
            if self._files:
                self.proc.wait(timeout)
                out, err = (_read_all(f.fileno()) for f in self._files)
            else:
                rest, err = self.proc.communicate(timeout=timeout)
                out = self._seen + (rest or b"")
        except subprocess.TimeoutExpired:
            self.kill()
            raise ChildHung(f"{' '.join(self.cmd)} did not finish within {timeout:g} s") from None
        self._finished = subprocess.CompletedProcess(self.cmd, self.proc.returncode, _decode(out), _decode(err or b""))
        return self._finished

    def kill(self):
        """Kill the script and its whole session (its resource trackers given their
        grace to clean up), and reap the script."""
        _kill(self.proc)
        self.proc.wait()

    def close(self):
        try:
            self.kill()
        finally:
            for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr, *self._files):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()


@contextlib.contextmanager
def script(name: str, *args, optimize: bool = False, options=(), env=None, stdin: bool = False,
           capture: str = "pipes"):
    """Start ``fixtures/scripts/<name>`` in a fresh interpreter, in a session of its
    own, and yield a ``Script`` to talk to it while it runs: ``readline()`` and
    ``report()`` (the next line; the next JSON object; each with a deadline),
    ``send(text)`` (to its stdin, with ``stdin=True``), ``signal(signum)``,
    ``poll()``, ``wait(timeout)``, and ``finish(timeout)``: wait for its end and get the
    CompletedProcess with all its output.  ``capture="files"`` puts its output in
    unnamed temporary files instead of pipes: a process it leaves behind then cannot
    keep finish() waiting, and ``output()`` reads what all of them wrote so far.  On the way out, whatever happened, the whole session is
    killed (what the script left behind too; its resource trackers get their grace
    to unlink what the killed ones leaked) and the script reaped.

        with support.script("manager_serve.py", "board") as server:
            address = tuple(server.report()["address"])
            ...
            done = server.finish()
        assert "stopped" in done.stdout, done.stderr
    """
    running = Script(name, args, optimize, options, env, stdin, capture)
    try:
        yield running
    finally:
        running.close()
