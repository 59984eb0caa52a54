"""Reliability guards for every test: no leaked processes, no hangs, no leaked
semaphores or shared memory.  Loaded by mpspec.plugin (``pytest_plugins``):
``mpspec.guards.options`` and ``mpspec.guards.hooks``.

After CPython's multiprocessing tests (dangling-process checks, ``reap_children``,
a deadline on everything) and mspec's leak checks.  Each guard's module explains it:

- **Leak guard** (every test; ``hooks``, on ``tree``): once the test is over, no
  descendant of the test process may be alive or a zombie, nor a queue feeder
  thread running.
- **Hang guard** (spec tests; ``hang``): a test still running after
  ``--spec-test-deadline`` seconds is interrupted, its child tree killed.
- **Resource tracker** (the run; ``tracker``): the trackers' "leaked
  semaphore/shared_memory objects" warnings fail the run.
- **/dev/shm** (the run; ``shm``): an entry the run left there is removed and fails
  the run.
- **Temporary files** (every test; ``temp``): whatever a test left in its test
  process's temp dir is removed and fails the test.
- **Listening sockets** (every test; ``sockets``): a socket left listening fails the
  test.
- The options (``options``): ``--spec-test-deadline`` and ``--spec-shuffle``.

``hooks`` holds every pytest hook of the guards but the options'; the other modules
hold no hook.
"""

# The directory of the run (made at its start by the controller, or the only process;
# workers inherit it): each test process logs its resource tracker there, notes the
# /dev/shm names its tests left, and has its temp dir there.
GUARD_DIR = "MPSPEC_GUARD_DIR"
