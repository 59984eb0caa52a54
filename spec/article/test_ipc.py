"""多进程通信 — Communication between processes: processes share no data.

Article: 多进程通信, its opening paragraph (Queue and Pipe have files of their own).

Each test ends by declaring what it saw (``observed``); the registry's verdict must
agree.
"""

import pytest

from fixtures import state
from mpspec import support


@pytest.mark.claim("ipc.no-shared-data", "basics.processes-share-machine")
def test_a_childs_change_to_a_global_stays_in_the_child(ctx, observed):
    """A module global the child increments keeps its old value in the parent."""
    before = state.COUNTER
    seen, _ = support.reports_back(ctx, state.bump_global, support.REPLY)
    assert seen == before + 1
    after = state.COUNTER
    seen_verdict = "holds" if after == before else "does-not-hold"
    because = f"the child incremented a global to {seen}; in the parent it went from {before} to {after}"
    observed(seen_verdict, because=because, claim="ipc.no-shared-data")
    observed(seen_verdict, because=f"each has its own data: {because}", claim="basics.processes-share-machine")


@pytest.mark.claim("ipc.no-shared-data")
def test_a_childs_change_to_a_mutable_argument_stays_in_the_child(ctx, observed):
    """A list passed as an argument and appended to by the child is unchanged in the
    parent."""
    items = ["from the parent"]
    seen, _ = support.reports_back(ctx, state.change_argument, items, support.REPLY)
    assert seen == ["from the parent", "added by the child"]
    observed(
        "holds" if items == ["from the parent"] else "does-not-hold",
        because=f"the child's copy of the list became {seen!r}; the parent's is {items!r}",
    )


@pytest.mark.claim("ipc.no-shared-data")
def test_state_set_before_start_reaches_a_fork_child_only_as_a_copy(ctx, start_method, observed):
    """A global the parent changed before start() is seen by a fork child (its memory is
    a copy of the parent's) but not by a spawn or forkserver child (a fresh import); in
    every case the child's own change never reaches the parent."""
    state.INHERITED.append("set by the parent")
    try:
        seen, _ = support.reports_back(ctx, state.change_inherited, support.REPLY)
        assert seen == (["set by the parent"] if start_method == "fork" else [])
        after = list(state.INHERITED)
    finally:
        state.INHERITED.clear()
    observed(
        "holds" if after == ["set by the parent"] else "does-not-hold",
        because=f"the child found {seen!r} and appended to it; the parent's global is {after!r}",
    )
