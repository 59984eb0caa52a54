"""基础 — Basics: threads live in processes; processes are separate; threads share.

Article: 基础 (its opening paragraphs and the four bullets that follow).  That processes
do not share their address space is shown with ipc.no-shared-data, in test_ipc.py.

Each claim's main test ends by declaring what it saw (``observed``); the registry's
verdict must agree.
"""

import os
import threading

import pytest

from fixtures import identity, state, threads
from mpspec import lib, support


@pytest.mark.claim("basics.thread-in-process")
def test_a_thread_started_in_a_child_runs_inside_that_child(ctx, observed):
    """A thread started by a child reports the child's pid, not the parent's."""
    (child_pid, thread_pid), child = support.reports_back(ctx, threads.report_thread_pid, support.REPLY)
    assert child_pid == child.pid
    observed(
        "holds" if thread_pid == child_pid != os.getpid() else "does-not-hold",
        because=f"a thread the child (pid {child_pid}) started ran in pid {thread_pid}; the parent is {os.getpid()}",
    )


@pytest.mark.claim("basics.process-identity")
def test_every_child_is_a_process_of_its_own(ctx, start_method, facts, observed):
    """Each child has its own pid, and parent_process() in the child names this process
    (billiard has no parent_process())."""
    seen_first, first = support.reports_back(ctx, identity.report_identity, support.REPLY)
    seen_second, second = support.reports_back(ctx, identity.report_identity, support.REPLY)
    assert seen_first["pid"] == first.pid and seen_second["pid"] == second.pid
    own_pids = len({os.getpid(), seen_first["pid"], seen_second["pid"]}) == 3
    if facts.library == "billiard":
        assert not hasattr(lib.mp, "parent_process")
        assert seen_first["parent_process_pid"] == "no parent_process()"
        names_parent = True  # the caveat: the child can learn its parent only from os.getppid()
    else:
        names_parent = seen_first["parent_process_pid"] == seen_second["parent_process_pid"] == os.getpid()
    if start_method == "forkserver":
        # The OS-level parent is the fork server, which forked the child for us.
        assert seen_first["os_parent_pid"] != os.getpid()
    else:
        assert seen_first["os_parent_pid"] == os.getpid()
    observed(
        "holds" if own_pids and names_parent else "does-not-hold",
        because=f"children got pids {seen_first['pid']} and {seen_second['pid']} (the parent is {os.getpid()}); "
        f"parent_process() in them named {seen_first['parent_process_pid']} and {seen_second['parent_process_pid']}",
    )


@pytest.mark.claim("basics.main-thread")
def test_a_child_starts_with_exactly_one_thread_its_main_thread(ctx, observed):
    """The target runs on the child's main thread, alone; threads it starts see the
    same main thread."""
    seen, _ = support.reports_back(ctx, threads.report_main_thread, support.REPLY)
    assert seen["threads_while_running"] == 2
    assert seen["thread_is_main"] is False
    one_main = seen["target_on_main_thread"] is True and seen["threads_at_start"] == 1
    agreed = seen["thread_sees_main_ident"] == seen["main_ident"]
    observed(
        "holds" if one_main and agreed else "does-not-hold",
        because=f"the target ran on the main thread: {seen['target_on_main_thread']}, with "
        f"{seen['threads_at_start']} thread(s) alive; a thread it started saw the same main thread: {agreed}",
    )


@pytest.mark.claim("basics.threads-share")
def test_threads_of_one_process_share_objects_and_open_files(tmp_path, observed):
    """A write a thread makes to a list and to an open file object is seen by the main
    thread of the same process."""
    shared = []
    with open(tmp_path / "shared.txt", "w+", encoding="utf-8") as f:

        def worker():
            shared.append("from the thread")
            f.write("written by the thread\n")

        thread = threading.Thread(target=worker)
        thread.start()
        thread.join(support.DEADLINE)
        assert not thread.is_alive()
        f.seek(0)
        in_file = f.read()
    observed(
        "holds" if shared == ["from the thread"] and in_file == "written by the thread\n" else "does-not-hold",
        because=f"after the thread wrote, the main thread saw the list {shared!r} and the file {in_file!r}",
    )


@pytest.mark.claim("basics.threads-share")
def test_a_thread_backed_process_of_multiprocessing_dummy_changes_the_callers_list():
    """multiprocessing.dummy's Process is a thread of this process: the list its
    target appends to is the caller's own list, changed in place (a real child would
    change a copy)."""
    from mpspec import lib

    shared = []
    worker = lib.module("dummy").Process(target=shared.append, args=("from the thread",))
    worker.start()
    worker.join(support.DEADLINE)
    assert not worker.is_alive()
    assert shared == ["from the thread"]


@pytest.mark.claim("basics.processes-share-machine")
def test_processes_share_the_disk(ctx, tmp_path, observed):
    """A file written by the child is there for the parent to read."""
    target = tmp_path / "from-child.txt"
    support.run(ctx, state.write_file, str(target), "written by the child")
    read = target.read_text(encoding="utf-8") if target.exists() else None
    observed(
        "holds" if read == "written by the child" else "does-not-hold",
        because=f"the parent read {read!r} from the file the child wrote",
    )
