"""Shared memory: SharedMemory blocks, SharedMemoryManager and ShareableList.

Docs: multiprocessing.shared_memory (new in 3.8): SharedMemory (name, create, size;
track, new in 3.13), close(), unlink() (reworded in 3.13: close and unlink in any
order, data touched after unlink, nothing on Windows), buf, name and size, and the
NumPy example; SharedMemoryManager (start, shutdown, the with statement, address and
authkey as for BaseManager); ShareableList (the storable types and their 10 MB limit,
the example session, count, index, format, shm, name=).  Also bpo-38119 / gh-82300
(attaching registers the block with the resource tracker) and gh-106939 (values
ending in NUL).

Shared memory loses data silently, so every check compares exact bytes.  Every block
a test makes has a name the test knows before any process can create it, or is
recorded the moment the library names it; the ``blocks`` fixture closes every handle,
unlinks every block and clears it from this process's resource tracker, however the
test ends.  Children started by the library share their parent's resource tracker
(its cache is a set of names), so a child that attaches adds nothing to clean up; the
tests about the tracker itself run whole programs (fixtures/scripts/shm_*.py), whose
trackers and warnings stay in those programs.

Each claim's main test ends by declaring what it saw (``observed``); the registry's
verdict must agree.  Tests of the part of a claim that holds where the claim only
partly holds (a block outliving its creator when the tracker already runs, shutdown()
unlinking the blocks, a client in the same program, the storable types round trip)
pin that part and observe nothing.
"""

import os
import re
import signal
import struct

import pytest

from fixtures import shm
from mpspec import isolation, lib, support

# A resource tracker's warning at its end, on the program's stderr: support.run_script
# (pipes) returns only once the tracker has ended too, since it holds that stderr.
LEAK_WARNING = "leaked shared_memory"
EXAMPLE = ["apple", b"PeAr", 12.75, 300, None, True, 17]  # one item of each kind

NUMPY_MISSING = 'not installed: numpy (pip install -e ".[numpy]")'


def raised(call, *args, **kwargs):
    """The exception ``call(*args, **kwargs)`` raised, or None (after closing what it
    returned, if it has a close())."""
    try:
        result = call(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - what it raised is the observation
        return error
    getattr(result, "close", lambda: None)()
    return None


def SharedMemory(*args, **kwargs):
    return shm.shared_memory().SharedMemory(*args, **kwargs)


def SharedMemoryManager(**kwargs):
    return shm.managers().SharedMemoryManager(**kwargs)


class Blocks:
    """The blocks of one test: made, attached and remembered, and all destroyed at
    the end (``cleanup``)."""

    def __init__(self):
        self.names = []
        self.handles = []

    def name(self):
        """A fresh name, remembered before anything can create it."""
        name = shm.new_name()
        self.names.append(name)
        return name

    def keep(self, obj):
        """Remember a SharedMemory or ShareableList (its name and its handle)."""
        block = getattr(obj, "shm", obj)
        self.handles.append(block)
        if block.name not in self.names:
            self.names.append(block.name)
        return obj

    def record(self, name):
        if name not in self.names:
            self.names.append(name)
        return name

    def create(self, size, named=True, **kwargs):
        """A new block of ``size`` bytes: with a name of ours, or the library's."""
        name = self.name() if named else None
        return self.keep(SharedMemory(name, create=True, size=size, **kwargs))

    def attach(self, name, **kwargs):
        return self.keep(SharedMemory(name, **kwargs))

    def shareable(self, sequence):
        return self.keep(shm.shared_memory().ShareableList(sequence, name=self.name()))

    def cleanup(self):
        for handle in reversed(self.handles):
            try:
                handle.close()
            except BufferError:  # a view still exported: the memory goes with it
                pass
        for name in self.names:
            shm.destroy(name)


@pytest.fixture
def blocks():
    made = Blocks()
    try:
        yield made
    finally:
        made.cleanup()


# --- SharedMemory ---------------------------------------------------------------------


@pytest.mark.claim("shm.attach-by-name")
def test_a_child_attaches_by_name_and_both_see_the_same_bytes(ctx, blocks, observed):
    """The parent creates a block and writes 7, 70, 140, 210, 255; a child given only
    the name attaches, reads exactly those bytes (and the block's size), and writes
    b'salut'; the parent then reads b'salut' through its own mapping."""
    block = blocks.create(16)
    block.buf[:5] = bytes([7, 70, 140, 210, 255])
    (seen, size), _ = support.reports_back(ctx, shm.attach_read_write, block.name, 5, b"salut", support.REPLY)
    back = bytes(block.buf[:6])
    observed(
        "holds" if seen == bytes([7, 70, 140, 210, 255]) and size == block.size and back == b"salut\x00"
        else "does-not-hold",
        because=f"a child attached by name read {seen!r} (size {size} of {block.size}); after its write the parent "
        f"read {back!r}",
    )


@pytest.mark.claim("shm.auto-name")
def test_blocks_created_without_a_name_get_distinct_names_that_attach(blocks, facts, observed):
    """Two blocks created with name=None get different names ('psm_' and 8 hex digits
    on POSIX); each name attaches to its own block."""
    first, second = blocks.create(8, named=False), blocks.create(8, named=False)
    pattern = r"wnsm_[0-9a-f]{8}" if facts.platform == "win32" else r"psm_[0-9a-f]{8}"
    assert re.fullmatch(pattern, first.name) and re.fullmatch(pattern, second.name)
    first.buf[:5], second.buf[:5] = b"first", b"other"
    through = [bytes(blocks.attach(first.name).buf[:5]), bytes(blocks.attach(second.name).buf[:5])]
    observed(
        "holds" if first.name != second.name and through == [b"first", b"other"] else "does-not-hold",
        because=f"two unnamed blocks got {first.name!r} and {second.name!r}; attaching by those names read {through}",
    )


@pytest.mark.claim("shm.outlives-creator")
def test_a_block_outlives_the_child_that_created_it(ctx, blocks):
    """A child creates a block, writes to it, closes it without unlinking and exits;
    the parent (whose resource tracker the child used) then attaches and reads the
    child's bytes."""
    name = blocks.name()
    support.run(ctx, shm.create_fill_close, name, 32, b"left by the child")
    assert shm.exists(name)
    assert bytes(blocks.attach(name).buf[:17]) == b"left by the child"


@pytest.mark.claim("shm.outlives-creator")
def test_in_a_fresh_program_a_block_lasts_as_long_as_the_tracker_that_registered_it(start_method, blocks, observed):
    """In a program that has not used its resource tracker yet, a child creates a
    block, closes it and exits.  Under spawn and forkserver the child used the
    parent's tracker: the block is still there with its data.  Under fork the child
    launched a tracker of its own, which unlinked the block when the child ended.
    Either way the block is gone once the program has ended, with a 'leaked' warning."""
    name = blocks.name()
    report, done = support.script_report("shm_child_creator.py", start_method, name, "default")
    assert report["exitcode"] == 0
    assert not shm.exists(name)
    assert LEAK_WARNING in done.stderr
    kept = report["exists_after_child"] is True and report.get("data") == "kept"
    observed(
        "holds" if kept else "partly" if report["child_tracker"] is True else "does-not-hold",
        because=f"in a fresh program the {start_method} child launched a tracker of its own: {report['child_tracker']}; "
        f"its block after it exited: {'there, with its data' if kept else 'gone' if not report['exists_after_child'] else 'there, without its data'}",
    )


@pytest.mark.claim("shm.close-not-destroy")
def test_closing_a_handle_leaves_the_block_to_the_others(ctx, blocks, observed):
    """A child attaches, writes and closes its handle, and exits; the block is still
    there: the parent reads the child's bytes, writes, and attaches again.  A closed
    instance's buf is None, and a memoryview taken from it before close() is released."""
    block = blocks.create(16)
    block.buf[:4] = b"open"
    (seen, _size), _ = support.reports_back(ctx, shm.attach_read_write, block.name, 4, b"shut", support.REPLY)
    assert seen == b"open"
    after_child = shm.exists(block.name), bytes(block.buf[:4])
    block.buf[:4] = b"more"
    other = blocks.attach(block.name)
    view = other.buf
    assert bytes(view[:4]) == b"more"
    other.close()
    released = raised(lambda: view[0])
    after_mine = shm.exists(block.name), bytes(block.buf[:4])
    observed(
        "holds"
        if after_child == (True, b"shut") and after_mine == (True, b"more") and other.buf is None
        and isinstance(released, ValueError)
        else "does-not-hold",
        because=f"after a child closed its handle the block existed, with {after_child}; after this process closed "
        f"a second handle: {after_mine}, the closed handle's buf {other.buf!r}, its old view raised {released!r}",
    )


@pytest.mark.claim("shm.unlink-destroys")
def test_after_unlink_the_name_no_longer_attaches(blocks, observed):
    """After unlink() the name is gone: attaching raises FileNotFoundError, and the
    same name can be created afresh, as a new zero-filled block."""
    block = blocks.create(16)
    block.buf[:3] = b"old"
    block.unlink()
    gone = not shm.exists(block.name)
    attach = raised(SharedMemory, block.name)
    again = blocks.keep(SharedMemory(block.name, create=True, size=16))
    assert bytes(block.buf[:3]) == b"old"  # the old mapping is another block now
    observed(
        "holds" if gone and isinstance(attach, FileNotFoundError) and bytes(again.buf[:3]) == b"\x00\x00\x00"
        else "does-not-hold",
        because=f"after unlink() the name was gone: {gone}; attaching raised {attach!r}; created afresh, the block "
        f"began {bytes(again.buf[:3])!r}",
    )


@pytest.mark.claim("shm.unlink-once")
def test_a_second_unlink_anywhere_raises_file_not_found(blocks, observed):
    """Once a block is unlinked, unlink() raises FileNotFoundError: again on the same
    instance, on another instance in this process, and in this process after a child
    unlinked the block."""
    block = blocks.create(8)
    other = blocks.attach(block.name)
    block.unlink()
    second = [raised(block.unlink), raised(other.unlink)]

    ctx = support.cheapest_context()
    block = blocks.create(8)
    unlinked, _ = support.reports_back(ctx, shm.unlink_by_name, block.name, support.REPLY)
    assert unlinked is None
    assert not shm.exists(block.name)
    second.append(raised(block.unlink))
    observed(
        "holds" if all(isinstance(e, FileNotFoundError) for e in second) else "does-not-hold",
        because=f"unlink() after an unlink, on the same instance, another one, and after a child's: {second!r}",
    )


@pytest.mark.claim("shm.unlink-close-any-order")
def test_unlink_and_close_work_in_either_order(blocks, observed):
    """unlink() then close(), and close() then unlink(), both succeed and remove the
    block; a second close() is harmless.  (A resource-tracker warning would fail the
    run.)"""
    first = blocks.create(8)
    calls = [raised(first.unlink), raised(first.close)]
    second = blocks.create(8)
    calls += [raised(second.close), raised(second.unlink), raised(second.close)]
    gone = not shm.exists(first.name) and not shm.exists(second.name)
    observed(
        "holds" if calls == [None] * 5 and gone else "does-not-hold",
        because=f"unlink(), close(); close(), unlink(), close() raised {calls!r}; both blocks gone: {gone}",
    )


@pytest.mark.claim("shm.access-after-unlink")
def test_mappings_keep_working_after_unlink_and_fail_only_after_close(blocks, observed):
    """A child attaches; the parent unlinks the block and writes to it; the child
    still reads the parent's bytes and writes its own, which the parent reads: on
    Linux unlink() only removes the name.  After close(), buf is None (TypeError on
    use) and a memoryview kept from before is released (ValueError)."""
    ctx = support.cheapest_context()
    block = blocks.create(16)
    parent_end, child_end = ctx.Pipe()
    child = ctx.Process(target=shm.watch_after_unlink, args=(block.name, child_end))
    with support.started(child):
        child_end.close()
        assert support.receive(parent_end) == "attached"
        block.unlink()
        assert not shm.exists(block.name)
        block.buf[:8] = b"after!!!"
        assert bytes(block.buf[:8]) == b"after!!!"
        parent_end.send("go")
        child_saw = support.receive(parent_end)
        support.join(child)
    parent_end.close()
    parent_saw = bytes(block.buf[8:16])
    view = block.buf
    block.close()
    closed = [raised(lambda: block.buf[0]), raised(lambda: view[0])]
    assert isinstance(closed[0], TypeError) and isinstance(closed[1], ValueError)
    # nothing went wrong after unlink: the claimed errors do not come on Linux
    observed(
        "partly" if child_saw == b"after!!!" and parent_saw == b"childsaw" else "holds",
        because=f"after unlink() a child's mapping read the parent's write as {child_saw!r} and the parent read the "
        f"child's as {parent_saw!r}; only close() brought errors: {closed!r}",
    )


@pytest.mark.claim("shm.size-rounded")
def test_size_is_at_least_the_request_and_ignored_when_attaching(blocks, facts, observed):
    """A 10-byte block has size >= 10 and as many bytes in buf (exactly 10 on Linux);
    attaching with size=1 or size=4096 maps the whole block all the same."""
    block = blocks.create(10)
    if facts.platform.startswith("linux"):
        assert block.size == 10
    attached = [blocks.attach(block.name, size=asked).size for asked in (1, 4096)]
    observed(
        "holds" if block.size >= 10 and len(block.buf) == block.size and attached == [block.size] * 2
        else "does-not-hold",
        because=f"a 10-byte request gave size {block.size} and {len(block.buf)} bytes in buf; attaching with size=1 "
        f"and size=4096 mapped {attached}",
    )


@pytest.mark.claim("shm.size-zero-create")
def test_creating_a_block_of_size_zero_raises_value_error(blocks, observed):
    """create=True with size=0 raises ValueError and leaves no block behind; a
    negative size raises ValueError even when attaching."""
    name = blocks.name()
    zero = raised(SharedMemory, name, create=True, size=0)
    left = shm.exists(name)
    block = blocks.create(8)
    negative = raised(SharedMemory, block.name, size=-1)
    refused = [isinstance(e, ValueError) and "size" in str(e) for e in (zero, negative)]
    observed(
        "holds" if refused == [True, True] and not left else "does-not-hold",
        because=f"create=True with size=0 raised {zero!r} (a block left: {left}); attaching with size=-1 raised {negative!r}",
    )


@pytest.mark.claim("shm.buf-memoryview")
def test_buf_is_a_writable_memoryview_and_name_and_size_are_read_only(blocks, observed):
    """buf is a writable memoryview of exactly size bytes; assigning name, size or
    buf raises AttributeError."""
    block = blocks.create(24)
    writable_view = type(block.buf) is memoryview and not block.buf.readonly
    assert len(block.buf) == block.buf.nbytes == block.size == 24
    assigned = {
        attribute: type(raised(setattr, block, attribute, value)).__name__
        for attribute, value in (("name", "renamed"), ("size", 1), ("buf", memoryview(b"x")))
    }
    assert block.size == 24 and shm.exists(block.name)
    observed(
        "holds" if writable_view and set(assigned.values()) == {"AttributeError"} else "does-not-hold",
        because=f"buf is a {type(block.buf).__name__} (read-only: {block.buf.readonly}); assigning name, size and "
        f"buf raised {assigned}",
    )


@pytest.mark.claim("shm.create-existing-name")
def test_creating_a_block_under_a_taken_name_raises_file_exists(blocks, observed):
    """create=True under a name in use raises FileExistsError; the existing block and
    its bytes stay as they were."""
    block = blocks.create(16)
    block.buf[:5] = b"first"
    again = raised(SharedMemory, block.name, create=True, size=64)
    kept = bytes(blocks.attach(block.name).buf[:5])
    observed(
        "holds" if isinstance(again, FileExistsError) and kept == b"first" and block.size == 16 else "does-not-hold",
        because=f"create=True under a taken name raised {again!r}; the block then began {kept!r}, size {block.size}",
    )


@pytest.mark.claim("shm.attach-missing-name")
def test_attaching_to_a_missing_name_raises_file_not_found(blocks, observed):
    """SharedMemory(name) for a name no block has raises FileNotFoundError and
    creates nothing."""
    name = blocks.name()
    attach = raised(SharedMemory, name)
    made = shm.exists(name)
    observed(
        "holds" if isinstance(attach, FileNotFoundError) and not made else "does-not-hold",
        because=f"SharedMemory() of a missing name raised {attach!r}; a block exists afterwards: {made}",
    )


@pytest.mark.claim("shm.numpy-view")
def test_numpy_arrays_on_two_attachments_share_their_items(ctx, blocks, observed):
    """The parent copies an array into a block and views it as an array; a child
    views its own attachment as an array, sees the same items and sets the last to
    -777; the parent's array shows -777."""
    numpy = pytest.importorskip("numpy", reason=NUMPY_MISSING)
    source = numpy.array([9, -4, 16, 0, 25, 36], dtype=numpy.int64)
    block = blocks.create(source.nbytes)
    mine = numpy.ndarray(source.shape, dtype=source.dtype, buffer=block.buf)
    try:
        mine[:] = source
        seen, _ = support.reports_back(
            ctx, shm.numpy_write_last, block.name, source.shape, source.dtype.str, -777, support.REPLY
        )
        now = mine.tolist()
    finally:
        del mine  # before the block is closed: an array left on unmapped memory crashes its reader
    observed(
        "holds" if seen == [9, -4, 16, 0, 25, 36] and now == [9, -4, 16, 0, 25, -777] else "does-not-hold",
        because=f"the child's array over its attachment read {seen}; after it set the last item to -777 the "
        f"parent's array read {now}",
    )


@pytest.mark.claim("shm.numpy-view")
def test_closing_a_block_under_a_numpy_array_crashes_the_arrays_next_read(ctx, blocks):
    """Nothing stops close() while a NumPy array still uses buf (numpy keeps the
    memoryview object, not a buffer export, so no BufferError): the memory is unmapped
    and a sacrificial child that then reads the array dies of SIGSEGV."""
    pytest.importorskip("numpy", reason=NUMPY_MISSING)
    block = blocks.create(48)
    child = ctx.Process(target=shm.numpy_read_after_close, args=(block.name,))
    with support.started(child):
        support.join(child)
    assert child.exitcode == -signal.SIGSEGV


# --- SharedMemoryManager ---------------------------------------------------------------


def manager_children(before):
    return [p for p in lib.mp.active_children() if p.pid not in before]


@pytest.mark.claim("shm.smm-separate-process")
def test_starting_the_manager_adds_one_process_that_owns_its_blocks(ctx, blocks, observed):
    """start() adds exactly one child process, alive; a block made through the
    manager exists until the manager shuts down; then the block and the process are
    both gone."""
    before = {p.pid for p in lib.mp.active_children()}
    manager = SharedMemoryManager(ctx=ctx)
    manager.start()
    try:
        added = manager_children(before)
        alive = [p.is_alive() and p.pid != os.getpid() for p in added]
        block = blocks.keep(manager.SharedMemory(32))
        existed = shm.exists(block.name)
    finally:
        manager.shutdown()
    gone = not any(p.is_alive() for p in added) and not shm.exists(block.name)
    observed(
        "holds" if alive == [True] and existed and gone else "does-not-hold",
        because=f"start() added {len(added)} child process(es), alive: {alive}; a block made through the manager "
        f"existed until shutdown(): {existed}; after it, block and process gone: {gone}",
    )


@pytest.mark.claim("shm.smm-shutdown-unlinks")
def test_shutdown_unlinks_the_managers_blocks_and_lists(ctx, blocks):
    """After shutdown() neither a SharedMemory(128) nor a ShareableList(range(4)) made
    through the manager can be attached (FileNotFoundError), and the manager's process
    has ended."""
    manager = SharedMemoryManager(ctx=ctx)
    manager.start()
    try:
        block = blocks.keep(manager.SharedMemory(128))
        items = blocks.keep(manager.ShareableList(range(4)))
        assert list(items) == [0, 1, 2, 3]
        server = manager._process
    finally:
        manager.shutdown()
    for name in (block.name, items.shm.name):
        with pytest.raises(FileNotFoundError):
            SharedMemory(name)
    assert server.exitcode == 0


@pytest.mark.claim("shm.smm-shutdown-unlinks")
def test_a_block_unlinked_before_shutdown_stops_shutdown_from_unlinking_the_rest(ctx, blocks, observed):
    """Three blocks are made through the manager and the first is unlinked by hand.
    shutdown() returns without an error, but the server's unlinking failed on the
    missing block: the two later blocks are still there, and the server was
    terminated (SIGTERM) after its second of grace."""
    manager = SharedMemoryManager(ctx=ctx)
    manager.start()
    try:
        first, second, third = (blocks.keep(manager.SharedMemory(16)) for _ in range(3))
        first.unlink()
        server = manager._process
    finally:
        manager.shutdown()
    assert not server.is_alive()
    left = [shm.exists(second.name), shm.exists(third.name)]
    if server.exitcode == -signal.SIGTERM:
        # Terminated, the server never removed the pymp-* directory it made for its
        # address (when this process had none yet for it to share).
        isolation.remove_pymp_dirs_of_the_killed("the manager's server, terminated by shutdown()")
    observed(
        "holds" if left == [False, False] else "partly" if left == [True, True] else "does-not-hold",
        because=f"with the first of three blocks unlinked by hand, shutdown() left the later two linked: {left}; "
        f"the server exited {server.exitcode} (SIGTERM: {-signal.SIGTERM})",
    )
    if left == [True, True]:
        assert server.exitcode == -signal.SIGTERM


@pytest.mark.claim("shm.smm-with-releases")
def test_a_with_block_releases_the_list_its_children_filled(ctx, blocks, observed):
    """Inside `with SharedMemoryManager() as manager`, two children given a
    ShareableList(range(2000)) each store -i at their half's positions; the parent
    reads all 2000 values (sum included) inside the block.  After it the list's block
    cannot be attached and the manager's process is gone."""
    with SharedMemoryManager(ctx=ctx) as manager:
        items = blocks.keep(manager.ShareableList(range(2000)))
        halves = [ctx.Process(target=shm.shareable_fill, args=(items, a, b)) for a, b in ((0, 1000), (1000, 2000))]
        with support.started(*halves):
            for child in halves:
                support.join(child)
        assert [c.exitcode for c in halves] == [0, 0]
        values, total = list(items), sum(items)
        server = manager._process
    assert total == -sum(range(2000))
    attach = raised(SharedMemory, items.shm.name)
    observed(
        "holds"
        if values == [-i for i in range(2000)] and isinstance(attach, FileNotFoundError) and not server.is_alive()
        else "does-not-hold",
        because=f"inside the with block the parent read the children's values: {values == [-i for i in range(2000)]}; "
        f"after it, attaching to the list raised {attach!r} and the manager's process was alive: {server.is_alive()}",
    )


@pytest.mark.claim("shm.smm-connect-remote")
def test_a_process_that_connects_with_the_key_creates_blocks_the_manager_owns(blocks):
    """A manager listens on 127.0.0.1 with an authkey.  A child that connects with
    the key creates a block through it, writes, closes and exits: the block outlives
    the child, with its bytes, and goes at the manager's shutdown.  Connecting with
    a wrong key raises AuthenticationError."""
    ctx = support.cheapest_context()
    key = os.urandom(16)
    manager = SharedMemoryManager(address=("127.0.0.1", 0), authkey=key, ctx=ctx)
    manager.start()
    try:
        made, _ = support.reports_back(ctx, shm.manager_client_block, manager.address, key, 64, b"remote", support.REPLY)
        name = blocks.record(made)
        assert shm.exists(name) and shm.peek(name, 6) == b"remote"
        intruder = SharedMemoryManager(address=manager.address, authkey=b"not the key")
        with pytest.raises(lib.mp.AuthenticationError):
            intruder.connect()
    finally:
        manager.shutdown()
    assert not shm.exists(name)


@pytest.mark.claim("shm.smm-connect-remote")
def test_a_block_made_by_a_client_program_dies_with_that_program(blocks, observed):
    """A separate program connects with the key, creates a block through the
    manager and ends.  The block was registered with that program's resource
    tracker, which unlinked it (warning of a leak) when the program ended: the
    manager, which was to own it, has nothing left; its shutdown fails on the
    missing block and ends with the server terminated."""
    ctx = support.cheapest_context()
    key = os.urandom(16)
    manager = SharedMemoryManager(address=("127.0.0.1", 0), authkey=key, ctx=ctx)
    manager.start()
    try:
        host, port = manager.address
        report, done = support.script_report("shm_manager_client.py", host, port, key.hex())
        name = blocks.record(report["name"])
        server = manager._process
        kept = shm.exists(name)
        warned = LEAK_WARNING in done.stderr
    finally:
        manager.shutdown()
    assert not server.is_alive()
    observed(
        "holds" if kept else "partly" if warned else "does-not-hold",
        because=f"a block a client program made through the manager, after that program ended: "
        f"{'still there' if kept else 'gone'}; the program warned of a leak: {warned}; the server exited {server.exitcode}",
    )
    if not kept:
        assert server.exitcode == -signal.SIGTERM


# --- ShareableList ----------------------------------------------------------------------


@pytest.mark.claim("shm.sl-types")
def test_each_storable_type_crosses_to_a_child_and_back_with_its_type(blocks):
    """A str, bytes, float, int, None, bool and int reach a child attached by name
    with their values and types; the child stores them in reverse order and the
    parent reads them back, types included."""
    items = blocks.shareable(EXAMPLE)
    seen, _ = support.reports_back(support.cheapest_context(), shm.shareable_round_trip, items.shm.name, support.REPLY)
    assert seen == [(v, type(v).__name__) for v in EXAMPLE]
    back = list(items)
    assert back == EXAMPLE[::-1]
    assert [type(v) for v in back] == [type(v) for v in EXAMPLE[::-1]]


BIG = 9_999_992  # the first length whose struct format ('10000000s') exceeds 8 characters


@pytest.mark.claim("shm.sl-types")
def test_other_types_and_oversized_values_are_refused(blocks, observed):
    """A list item is refused with KeyError, before any block exists; an int beyond
    64 bits with struct.error, after its block was created.  A str of 9,999,991 bytes
    is stored and read back whole; one of 9,999,992 bytes fails an assert before any
    block exists, and under -O is stored with a cut format that makes reading it
    raise struct.error."""
    ShareableList = shm.shared_memory().ShareableList
    name = blocks.name()
    a_list = raised(ShareableList, [[1, 2]], name=name)
    assert not shm.exists(name)
    name = blocks.name()
    big_int = raised(ShareableList, [2**63], name=name)
    assert shm.exists(name)
    refused = isinstance(a_list, KeyError) and isinstance(big_int, struct.error)

    fits = blocks.shareable(["x" * (BIG - 1), 7])
    assert len(fits[0]) == BIG - 1 and fits[1] == 7
    name = blocks.name()
    try:
        cut = blocks.keep(ShareableList(["x" * BIG, 7], name=name))
        too_big = None
    except AssertionError as error:
        too_big = error
    if too_big is not None:
        assert not shm.exists(name)
        observed(
            "holds" if refused else "does-not-hold",
            because=f"a list item raised {a_list!r}, an int of 2**63 {big_int!r}; a str of {BIG} bytes failed the "
            "assert before any block existed",
        )
        return
    cut_read = raised(lambda: cut[0])
    assert cut[1] == 7
    observed(
        "partly" if refused and isinstance(cut_read, struct.error) else "does-not-hold",
        because=f"a list item raised {a_list!r}, an int of 2**63 {big_int!r}; a str of {BIG} bytes was stored "
        f"(no assert: -O) and reading it back raised {cut_read!r}",
    )


@pytest.mark.claim("shm.sl-fixed-length")
def test_a_shareable_list_cannot_grow_shrink_or_slice(blocks, facts, observed):
    """No append, insert, extend, pop, remove or clear; deleting an item raises
    AttributeError (there is no __delitem__; TypeError on PyPy), slicing TypeError,
    indexing past the end IndexError; the length stays 4."""
    items = blocks.shareable([1, 2, 3, 4])
    methods = [m for m in ("append", "insert", "extend", "pop", "remove", "clear") if hasattr(items, m)]
    refused = TypeError if facts.implementation == "PyPy" else AttributeError

    def delete():
        del items[0]

    def store_past_end():
        items[4] = 5

    deleted, sliced = raised(delete), raised(lambda: items[1:3])
    past = [raised(lambda: items[4]), raised(store_past_end)]
    assert isinstance(deleted, refused) and re.search("__delitem__|item deletion", str(deleted))
    assert all(isinstance(e, IndexError) for e in past)
    observed(
        "holds" if methods == [] and deleted is not None and isinstance(sliced, TypeError)
        and len(items) == 4 and list(items) == [1, 2, 3, 4]
        else "does-not-hold",
        because=f"length-changing methods present: {methods}; del items[0] raised {deleted!r}; items[1:3] raised "
        f"{sliced!r}; the list after: {list(items)}",
    )


@pytest.mark.claim("shm.sl-type-change")
def test_an_item_takes_a_value_of_another_type_that_fits(blocks, observed):
    """The float item takes 0.125, then the str 'glacier' and then an 8-byte str,
    each read back with its type; a 9-byte str there raises ValueError.  The int item
    takes True, and the None item an int."""
    items = blocks.shareable(EXAMPLE)
    back = []
    for value in (0.125, "glacier", "eight ch"):
        items[2] = value
        back.append((items[2], type(items[2]).__name__))

    def store_nine():
        items[2] = "nine char"

    nine = raised(store_nine)
    observed(
        "holds"
        if back == [(0.125, "float"), ("glacier", "str"), ("eight ch", "str")] and isinstance(nine, ValueError)
        else "does-not-hold",
        because=f"the float item read back 0.125, 'glacier' and 'eight ch' as {back}; a 9-byte str raised {nine!r}",
    )
    items[3], items[4] = True, 7
    assert items[3] is True and items[4] == 7 and type(items[4]) is int
    assert list(items)[5:] == [True, 17]


@pytest.mark.claim("shm.sl-overflow-valueerror")
def test_a_value_longer_than_its_storage_raises_and_keeps_the_old_one(blocks, observed):
    """A str longer than the item's storage raises ValueError ('exceeds available
    storage'), and so does bytes; each item keeps its old value and type."""
    items = blocks.shareable(EXAMPLE)
    items[2] = "glacier"

    def store(index, value):
        items[index] = value

    errors = [raised(store, 2, "a longer glacier"), raised(store, 0, "x" * 9), raised(store, 1, b"y" * 9)]
    kept = [items[2], items[0], items[1]]
    observed(
        "holds"
        if all(isinstance(e, ValueError) and "exceeds available storage" in str(e) for e in errors)
        and kept == ["glacier", "apple", b"PeAr"]
        else "does-not-hold",
        because=f"values longer than their items' storage raised {errors!r}; the items then held {kept!r}",
    )


@pytest.mark.claim("shm.sl-count-index")
def test_count_and_index_search_by_equality(blocks, facts, observed):
    """index(17) is 6; count(b'pear') is 0 and count(b'PeAr') 1; count(1) counts
    True; index of an absent value raises ValueError (its message changed in 3.14)."""
    items = blocks.shareable(EXAMPLE)
    found = [items.index(17), items.count(b"pear"), items.count(b"PeAr"), items.count(1), items.index(True)]
    absent = raised(items.index, "absent")
    observed(
        "holds" if found == [6, 0, 1, 1, 5] and isinstance(absent, ValueError) else "does-not-hold",
        because=f"index(17), count(b'pear'), count(b'PeAr'), count(1), index(True) gave {found}; "
        f"index('absent') raised {absent!r}",
    )
    if facts.python >= (3, 14):
        assert str(absent) == "ShareableList.index(x): x not in list"
    else:
        assert str(absent) == "'absent' not in this container"


@pytest.mark.claim("shm.sl-format-shm")
def test_format_is_the_struct_format_and_shm_the_backing_block(blocks, observed):
    """format is a struct format string of the items as stored, 8 bytes each, and
    follows a change of type; shm is the library's SharedMemory, and its name
    attaches to the same bytes."""
    items = blocks.shareable(EXAMPLE)
    formats = [items.format]
    assert struct.calcsize(items.format) == 8 * len(EXAMPLE)
    items[2] = "glacier"
    formats.append(items.format)
    other = blocks.attach(items.shm.name)
    same = other.size == items.shm.size and bytes(other.buf) == bytes(items.shm.buf)
    observed(
        "holds"
        if formats == ["8s8sdqxxxxxx?xxxxxxxx?q", "8s8s8sqxxxxxx?xxxxxxxx?q"]
        and isinstance(items.shm, shm.shared_memory().SharedMemory) and same
        else "does-not-hold",
        because=f"format before and after a float became a str: {formats}; shm is a {type(items.shm).__name__} "
        f"whose name attaches to the same bytes: {same}",
    )


@pytest.mark.claim("shm.sl-attach-by-name")
def test_a_child_attached_by_name_writes_into_the_parents_list(ctx, blocks, observed):
    """ShareableList(name=...) in the parent and a child given the list (it arrives
    attached by name) both reach the same items: the child sets the last to -999 and
    both parent lists see it."""
    first = blocks.shareable(range(5))
    second = blocks.keep(shm.shared_memory().ShareableList(name=first.shm.name))
    attached = list(second)
    support.run(ctx, shm.shareable_set_last, first, -999)
    observed(
        "holds" if attached == [0, 1, 2, 3, 4] and list(first) == list(second) == [0, 1, 2, 3, -999] else "does-not-hold",
        because=f"ShareableList(name=...) read {attached}; after a child set the last item to -999 the parent's "
        f"lists read {list(first)} and {list(second)}",
    )


@pytest.mark.claim("shm.sl-trailing-nul")
def test_values_ending_in_nul_come_back_without_it(blocks, observed):
    """b'a\\x00' comes back as b'a', 'b\\x00\\x00' as 'b' and b'\\x00' as b'', at
    creation and after a write; a NUL inside a value stays."""
    items = blocks.shareable([b"a\x00", "b\x00\x00", b"\x00", b"c\x00d"])
    created = list(items)
    items[0] = b"z\x00"
    written = items[0]
    observed(
        "holds" if created == [b"a", "b", b"", b"c\x00d"] and written == b"z" else "does-not-hold",
        because=f"[b'a\\x00', 'b\\x00\\x00', b'\\x00', b'c\\x00d'] came back as {created!r}; b'z\\x00' "
        f"written later as {written!r}",
    )


# --- the resource tracker --------------------------------------------------------------


@pytest.mark.claim("shm.track-param-313")
def test_a_block_created_untracked_outlives_the_program(start_method, blocks, observed):
    """A child creates a block with track=False and exits, and so does the program:
    the block is still there afterwards with its bytes, and no warning was given.
    With track=True the program's end (under fork, the child's) unlinks it, with a
    'leaked' warning."""
    name = blocks.name()
    report, done = support.script_report("shm_child_creator.py", start_method, name, "off")
    assert report["exists_after_child"] is True and report["child_tracker"] is False
    outlived = shm.exists(name) and shm.peek(name, 4) == b"kept"
    warned = LEAK_WARNING in done.stderr
    observed(
        "holds" if outlived and not warned else "does-not-hold",
        because=f"a block a {start_method} child created with track=False, after the program ended: "
        f"{'there, with its bytes' if outlived else 'gone'}; a leak warning: {warned}",
    )

    name = blocks.name()
    report, done = support.script_report("shm_child_creator.py", start_method, name, "on")
    assert not shm.exists(name)
    assert LEAK_WARNING in done.stderr


@pytest.mark.claim("shm.attach-tracked")
def test_a_program_that_only_attaches_destroys_the_block_when_it_ends(blocks, observed):
    """This process creates a block; a separate program attaches by name, reads it,
    closes its handle and ends.  Its resource tracker, with which the attach had
    registered the block, unlinks it at that program's end and warns of a leak."""
    block = blocks.create(16)
    block.buf[:4] = b"mine"
    report, done = support.script_report("shm_attach_exit.py", block.name, "default")
    assert report["data"] == "mine"
    left = shm.exists(block.name)
    warned = LEAK_WARNING in done.stderr
    observed(
        "holds" if left and not warned else "does-not-hold",
        because=f"after a program that only attached, read and closed had ended, the block was "
        f"{'still there' if left else 'gone'}; that program warned of a leak: {warned}",
    )


@pytest.mark.claim("shm.attach-tracked")
def test_from_3_13_a_program_that_attaches_untracked_leaves_the_block_alone(blocks, facts):
    """Attaching with track=False (3.13+) from a separate program that then ends
    leaves the block, and its bytes, to its creator, with no warning.  Before 3.13
    SharedMemory() has no track parameter: the program fails with TypeError before
    attaching, and the block stays too."""
    block = blocks.create(16)
    block.buf[:4] = b"mine"
    if facts.python < (3, 13):
        done = support.run_script("shm_attach_exit.py", block.name, "off")
        assert done.returncode == 1 and "TypeError" in done.stderr and "track" in done.stderr
    else:
        report, done = support.script_report("shm_attach_exit.py", block.name, "off")
        assert report["data"] == "mine"
        assert LEAK_WARNING not in done.stderr
    assert shm.exists(block.name) and bytes(block.buf[:4]) == b"mine"


@pytest.mark.claim("shm.attach-tracked")
def test_children_of_one_program_attach_without_harm(blocks):
    """A child of this program attaches, closes and exits: it shares this program's
    resource tracker, so the block stays."""
    block = blocks.create(16)
    block.buf[:4] = b"mine"
    (seen, _size), _ = support.reports_back(
        support.cheapest_context(), shm.attach_read_write, block.name, 4, b"ours", support.REPLY
    )
    assert seen == b"mine"
    assert shm.exists(block.name) and bytes(block.buf[:4]) == b"ours"
