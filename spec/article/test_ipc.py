"""多进程通信 — Communication between processes: processes share no data.

Article: 多进程通信, its opening paragraph (Queue and Pipe have files of their own).
"""

import pytest

from fixtures import state
from mpspec import support


@pytest.mark.claim("ipc.no-shared-data", "basics.processes-share-machine")
def test_a_childs_change_to_a_global_stays_in_the_child(ctx):
    """A module global the child increments keeps its old value in the parent."""
    before = state.COUNTER
    seen, _ = support.reports_back(ctx, state.bump_global, support.REPLY)
    assert seen == before + 1
    assert state.COUNTER == before


@pytest.mark.claim("ipc.no-shared-data")
def test_a_childs_change_to_a_mutable_argument_stays_in_the_child(ctx):
    """A list passed as an argument and appended to by the child is unchanged in the
    parent."""
    items = ["from the parent"]
    seen, _ = support.reports_back(ctx, state.change_argument, items, support.REPLY)
    assert seen == ["from the parent", "added by the child"]
    assert items == ["from the parent"]


@pytest.mark.claim("ipc.no-shared-data")
def test_state_set_before_start_reaches_a_fork_child_only_as_a_copy(ctx, start_method):
    """A global the parent changed before start() is seen by a fork child (its memory is
    a copy of the parent's) but not by a spawn or forkserver child (a fresh import); in
    every case the child's own change never reaches the parent."""
    state.INHERITED.append("set by the parent")
    try:
        seen, _ = support.reports_back(ctx, state.change_inherited, support.REPLY)
        assert seen == (["set by the parent"] if start_method == "fork" else [])
        assert state.INHERITED == ["set by the parent"]
    finally:
        state.INHERITED.clear()
