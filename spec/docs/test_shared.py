"""Shared ctypes objects — Value and Array, and the multiprocessing.sharedctypes module.

Docs: multiprocessing › Sharing state between processes › Shared memory; Shared ctypes
Objects (Value(), Array()); The multiprocessing.sharedctypes module (the note on
pointers, RawArray(), RawValue(), Array(), Value(), copy(), synchronized() — context
manager support since 3.5 — and the example of a child modifying several objects).
The module is the same in 3.8-3.14 and PyPy 3.9 (3.15 only words its bad-typecode
error); multiprocess ships the same file, billiard an older one of its own.

Each claim's main test ends by declaring what it saw (``observed``); the registry's
verdict must agree.  A race whose hazard (lost updates, a torn read) does not show
within its rounds is "not shown" (observed.not_shown), never a pass.
"""

import array
import ctypes
import signal
import statistics
import time

import pytest

from fixtures import shared
from fixtures.shared import Point
from mpspec import lib, support
from mpspec.deadlines import DEADLINE, WAIT

RACERS = 4
ROUNDS = 3


def sharedctypes():
    return lib.module("sharedctypes")


def race(ctx, counter, times, guarded):
    """Four children add 1 to ``counter`` ``times`` times each, all let go at once by
    a barrier; return the final value."""
    start = ctx.Barrier(RACERS + 1)
    racers = [
        ctx.Process(target=shared.increment, args=(counter, times, start, guarded, DEADLINE))
        for _ in range(RACERS)
    ]
    with support.started(*racers):
        start.wait(DEADLINE)
        for racer in racers:
            support.join(racer)
            assert racer.exitcode == 0
    return counter.value


def lost_updates(ctx, make_counter, times, what, observed):
    """Up to ROUNDS races of unguarded += on a fresh counter each; (the updates lost
    in the first race that lost any, the races run).  If none did, the test ends as
    "not shown": the hazard (``what`` lost updates) did not show."""
    for n in range(ROUNDS):
        total = race(ctx, make_counter(), times, guarded=False)
        assert 0 < total <= RACERS * times
        if total < RACERS * times:
            return RACERS * times - total, n + 1
    observed.not_shown(f"{what} losing updates", f"{ROUNDS} races of {RACERS} children x {times}")


def torn_reads(ctx, array_, rounds=1500):
    """A child fills ``array_`` with 1s, 2s, ... by whole-slice assignments while this
    process reads whole slices; the number of reads that mixed two fills (stops at
    the first), and the number of reads."""
    start = ctx.Barrier(2)
    writer = ctx.Process(target=shared.rewrite_whole_array, args=(array_, rounds, start, DEADLINE))
    reads = torn = 0
    with support.started(writer):
        start.wait(DEADLINE)
        deadline = time.monotonic() + DEADLINE
        while writer.exitcode is None and not torn and time.monotonic() < deadline:
            snapshot = array_[:]
            reads += 1
            torn += len(set(snapshot)) > 1
        support.join(writer)
    assert writer.exitcode == 0
    return torn, reads


# --- Sharing state between processes › Shared memory -------------------------------


@pytest.mark.claim("shared.value-array-visible")
def test_what_a_child_writes_into_a_value_and_an_array_the_parent_reads(ctx, observed):
    """A child sets a Value('d') to 2.718 and turns each item n of an Array('i')
    of seven numbers into 3n + 1; after join the parent reads exactly those numbers."""
    start = [4, -2, 0, 15, 7, -9, 100]
    number = ctx.Value("d", -1.0)
    numbers = ctx.Array("i", start)
    child = support.run(ctx, shared.write_ratio_and_triple, number, numbers)
    assert child.exitcode == 0
    got = number.value, numbers[:]
    observed(
        "holds" if got == (2.718, [3 * n + 1 for n in start]) else "does-not-hold",
        because=f"after the child wrote 2.718 and 3n + 1 of {start}, the parent reads {got}",
    )


@pytest.mark.claim("shared.typecodes")
def test_typecodes_pick_c_types_with_c_rules_not_the_array_modules(facts, observed):
    """'d' is a c_double (1/3 comes back bit for bit) and 'i' a signed c_int (-5 comes
    back); but an int too big for 'i' is silently wrapped where array.array raises
    OverflowError, 'c' is accepted though array has no such code, and an unknown
    letter (array's 'w' from 3.13; in billiard also 'q' and 'Q') raises TypeError."""
    mp = lib.mp
    third = mp.Value("d", 1 / 3)
    double = type(third.get_obj()) is ctypes.c_double and third.value == 1 / 3
    assert mp.Value("f", 1 / 3).value != 1 / 3  # a C float would not keep it
    negative = mp.Array("i", [-5])
    signed_int = negative.get_obj()._type_ is ctypes.c_int and negative[:] == [-5]
    with pytest.raises(OverflowError):
        array.array("i", [2**31])
    wrapped = mp.Value("i", 2**31).value
    assert mp.Array("i", [2**32 + 7])[:] == [7]
    char = mp.Array("c", b"ok")[:]
    with pytest.raises(TypeError):
        mp.Value("z")
    if facts.library == "billiard":
        for code in "qQ":
            with pytest.raises(TypeError):
                mp.Value(code, 1)
    else:
        assert mp.Value("q", 2**40).value == 2**40
    if "w" in getattr(array, "typecodes", ""):  # PyPy 3.9's array has no typecodes
        with pytest.raises(TypeError):
            mp.Value("w", "x")
    seen = (f"'d' a c_double keeping 1/3: {double}; 'i' a signed c_int: {signed_int}; Value('i', 2**31) "
            f"holds {wrapped} where array('i') raises OverflowError; 'c' (no array code) gives {char!r}")
    if not (double and signed_int):
        observed("does-not-hold", because=seen)
    else:
        observed("partly" if wrapped != 2**31 or char == b"ok" else "holds", because=seen)


@pytest.mark.claim("shared.value-array-synchronized")
def test_four_children_incrementing_under_the_values_lock_reach_the_exact_total(ctx, observed):
    """Four children each add 1 to a Value('i') 20,000 times, each time inside `with
    v.get_lock()`: the total is exactly 80,000."""
    total = race(ctx, ctx.Value("i", 0), 20_000, guarded=True)
    observed(
        "holds" if total == RACERS * 20_000 else "does-not-hold",
        because=f"{RACERS} children x 20,000 increments under get_lock() reached {total}",
    )


@pytest.mark.claim("shared.value-array-synchronized")
def test_a_slice_of_an_array_is_read_whole_while_a_child_rewrites_it(ctx, observed):
    """While a child fills a 1024-item Array with 1s, 2s, 3s... one slice assignment
    at a time, every slice the parent reads holds a single fill: each access through
    the wrapper holds the lock."""
    torn, reads = torn_reads(ctx, ctx.Array("i", 1024))
    assert reads > 0
    observed(
        "holds" if torn == 0 else "does-not-hold",
        because=f"{torn} of {reads} slice reads through the wrapper mixed two of a child's fills",
    )


# --- Shared ctypes Objects -------------------------------------------------------


@pytest.mark.claim("shared.inherited-by-children")
def test_values_arrays_and_raw_objects_passed_to_a_child_are_shared_with_it(ctx, observed):
    """A Value, an Array, a RawValue and a RawArray passed as Process arguments are
    the parent's memory in the child: its writes are all seen."""
    objects = (ctx.Value("i", 0), ctx.Array("i", 3), ctx.RawValue("i", 0), ctx.RawArray("i", 3))
    child = support.run(ctx, shared.mark_all, *objects, 41)
    assert child.exitcode == 0
    value, array_, raw_value, raw_array = objects
    got = value.value, array_[:], raw_value.value, raw_array[:]
    observed(
        "holds" if got == (41, [41] * 3, 41, [41] * 3) else "does-not-hold",
        because=f"after a child given them as arguments wrote 41s, the parent reads (Value, Array, RawValue, RawArray) {got}",
    )


@pytest.mark.claim("shared.inherited-by-children")
def test_a_shared_object_can_only_reach_a_child_when_it_starts(ctx):
    """Sent through a Pipe instead, a Value or a RawValue is refused with
    RuntimeError: shared ctypes objects are shared through inheritance only."""
    a, b = ctx.Pipe()
    try:
        for obj in (ctx.Value("i", 0), ctx.RawValue("i", 0)):
            with pytest.raises(RuntimeError, match="inheritance"):
                a.send(obj)
    finally:
        a.close()
        b.close()


@pytest.mark.claim("shared.value-sync-wrapper-default")
def test_value_is_a_synchronized_wrapper_whose_value_is_the_payload_for_simple_types(observed):
    """Value('i', 7) is a Synchronized wrapper with get_lock() and get_obj() (a
    c_int) whose .value is 7; with a Structure type the extra arguments fill its
    fields, but the wrapper has a property per field and no .value."""
    v = lib.mp.Value("i", 7)
    simple = (
        type(v).__name__ == "Synchronized"
        and type(v.get_obj()) is ctypes.c_int and v.get_obj().value == 7
        and hasattr(v.get_lock(), "acquire") and v.value == 7
    )
    p = lib.mp.Value(Point, 1.5, 2.5)
    assert (p.x, p.y) == (1.5, 2.5)
    assert type(p.get_obj()) is Point
    try:
        struct_value = p.value
    except AttributeError as error:
        struct_value = error
    seen = (f"Value('i', 7) is a {type(v).__name__} around a {type(v.get_obj()).__name__} with .value "
            f"{v.value}; Value(Point, 1.5, 2.5) fills the fields, and its .value: {struct_value!r}")
    if not simple:
        observed("does-not-hold", because=seen)
    else:
        observed("partly" if isinstance(struct_value, AttributeError) else "holds", because=seen)


@pytest.mark.claim("shared.value-ctype-or-typecode")
def test_a_ctypes_type_and_its_typecode_make_the_same_shared_object(ctx, observed):
    """Value(c_double, 1/3) and Value('d', 1/3) are both c_doubles, and a child
    squares both to 1/9; Array(c_int, ...) and Array('i', ...) hold the same c_ints."""
    by_type, by_code = ctx.Value(ctypes.c_double, 1 / 3), ctx.Value("d", 1 / 3)
    same_values = type(by_type.get_obj()) is type(by_code.get_obj()) is ctypes.c_double
    child = support.run(ctx, shared.square_each, by_type, by_code)
    assert child.exitcode == 0
    squared = by_type.value, by_code.value
    ints_by_type, ints_by_code = ctx.Array(ctypes.c_int, (9, 2, 8)), ctx.Array("i", (9, 2, 8))
    same_arrays = (
        ints_by_type.get_obj()._type_ is ints_by_code.get_obj()._type_ is ctypes.c_int
        and ints_by_type[:] == ints_by_code[:] == [9, 2, 8]
    )
    observed(
        "holds" if same_values and squared == ((1 / 3) ** 2,) * 2 and same_arrays else "does-not-hold",
        because=f"Value(c_double, ...) and Value('d', ...) both c_doubles: {same_values}, squared by a child to "
        f"{squared}; Array(c_int, ...) and Array('i', ...) the same c_ints: {same_arrays}",
    )


@pytest.mark.claim("shared.lock-true-rlock")
def test_each_value_and_array_gets_a_fresh_recursive_lock(observed):
    """Value and Array (lock=True, or lock=None) each get a new RLock of the library,
    which the owner can take a second time while holding it."""
    mp = lib.mp
    synchronize = lib.module("synchronize")
    objects = [mp.Value("i", 0), mp.Value("i", 0), mp.Array("i", 2), mp.Value("i", 0, lock=None)]
    locks = [o.get_lock() for o in objects]
    fresh = len({id(lock) for lock in locks}) == len(locks)
    recursive = []
    for lock in locks:
        assert lock.acquire(timeout=WAIT)
        try:
            again = lock.acquire(timeout=WAIT)
            if again:
                lock.release()
        finally:
            lock.release()
        recursive.append(type(lock) is synchronize.RLock and again)
    observed(
        "holds" if fresh and all(recursive) else "does-not-hold",
        because=f"the locks of three Values and an Array are {'distinct' if fresh else 'shared'}, each a "
        f"{', '.join(sorted({type(lock).__name__ for lock in locks}))} its owner takes again: {recursive}",
    )


@pytest.mark.claim("shared.lock-custom")
def test_one_given_lock_guards_two_arrays_and_a_child_holding_it_blocks_them(ctx, observed):
    """Two Arrays made with lock=L (a plain Lock) both return L from get_lock();
    while a child holds L, the parent's read through either array waits, and it
    finishes once the child lets go.  An object without acquire() is refused."""
    with pytest.raises(AttributeError, match="acquire"):
        ctx.Value("i", 0, lock=object())
    lock = ctx.Lock()
    text = ctx.Array("c", b"hello", lock=lock)
    points = ctx.Array(Point, [(1.0, 2.0)], lock=lock)
    assert text.get_lock() is lock and points.get_lock() is lock
    with support.holding(ctx, lock, use_with=True):
        readers = [support.in_thread(lambda: text.value), support.in_thread(lambda: points[0].x)]
        blocked = []
        for thread, result in readers:
            thread.join(WAIT)
            blocked.append(thread.is_alive() and not result)
    for thread, result in readers:
        thread.join(DEADLINE)
        assert not thread.is_alive()
    got = [result for _, result in readers]
    observed(
        "holds" if all(blocked) and got == [{"value": b"hello"}, {"value": 1.0}] else "does-not-hold",
        because=f"two Arrays made with lock=L return L from get_lock(); while a child held L, reads through each "
        f"waited: {blocked}; after it let go they gave {got}",
    )


@pytest.mark.claim("shared.lock-false-raw")
def test_lock_false_returns_the_bare_ctypes_object_in_shared_memory(observed):
    """Value('i', 0, lock=False) is a c_int and Array('i', 3, lock=False) an array of
    c_int, without get_lock(), allocated in shared memory all the same."""
    value = lib.mp.Value("i", 0, lock=False)
    ints = lib.mp.Array("i", 3, lock=False)
    bare = type(value) is ctypes.c_int and isinstance(ints, ctypes.Array) and ints._type_ is ctypes.c_int
    # _wrapper: the shared-memory block it lives in
    shape = [(hasattr(obj, "get_lock"), hasattr(obj, "_wrapper")) for obj in (value, ints)]
    with pytest.raises(AttributeError):
        value.get_lock()
    observed(
        "holds" if bare and shape == [(False, True)] * 2 else "does-not-hold",
        because=f"lock=False gave a {type(value).__name__} and a {type(ints).__name__}; (get_lock, in shared "
        f"memory) of each: {shape}",
    )


@pytest.mark.claim("shared.iadd-not-atomic")
def test_unguarded_increments_of_a_locked_value_lose_updates(ctx, observed):
    """Under get_lock(), four children adding 1 20,000 times each reach 80,000
    exactly; adding 1 40,000 times each with a bare `v.value += 1`, they end short
    (counted over at most three races)."""
    assert race(ctx, ctx.Value("i", 0), 20_000, guarded=True) == RACERS * 20_000
    lost, races = lost_updates(ctx, lambda: ctx.Value("i", 0), 40_000, "unguarded += on a Value", observed)
    observed(
        "holds",
        because=f"race {races}: {RACERS} children x 40,000 bare `v.value += 1` lost {lost} updates "
        f"(under get_lock() none were lost)",
    )


@pytest.mark.claim("shared.lock-keyword-only")
def test_lock_cannot_be_passed_by_position(observed):
    """Array('i', 3, True) and Value('i', 7, True) raise TypeError (the Value's extra
    argument goes to c_int), as does a misspelt keyword; by keyword, lock works.
    billiard's Array ignores extra positional arguments and unknown keywords."""
    mp, sc = lib.mp, sharedctypes()
    assert not hasattr(mp.Array("i", 3, lock=False), "get_lock")
    with pytest.raises(TypeError):
        mp.Value("i", 7, True)
    with pytest.raises(TypeError):
        sc.Array("i", 3, True)
    try:
        positional = mp.Array("i", 3, True)
    except TypeError as error:
        positional = error
    if isinstance(positional, TypeError):
        with pytest.raises(TypeError):
            mp.Array("i", 3, lokc=False)
        with pytest.raises(TypeError):
            sc.Value("i", 3, lokc=False)
        observed("holds", because=f"Array('i', 3, True) raised {positional!r}, as do Value('i', 7, True) and "
                 "misspelt keywords; lock= by keyword works")
    else:
        assert hasattr(mp.Array("i", 3, False), "get_lock")  # lock=False ignored
        assert hasattr(mp.Array("i", 3, lokc=False), "get_lock")
        with pytest.raises(ValueError):
            sc.Value("i", 3, lokc=False)
        observed("partly", because="Array('i', 3, True) and Array('i', 3, False) ignore the positional lock, and "
                 "Array(lokc=False) the unknown keyword; Value('i', 7, True) raises TypeError")


@pytest.mark.claim("shared.array-size-or-init")
def test_an_int_gives_zeroed_items_and_a_sequence_is_copied(observed):
    """Array('i', 4) and RawArray('i', 4) hold four zeros; Array('i', (9, 2, 8)) and
    RawArray('i', [9, 2, 8]) hold a copy of the sequence, of its length."""
    mp = lib.mp
    source = [9, 2, 8]
    seen = {}
    for make in (mp.Array, mp.RawArray):
        # reuse freed blocks of the heap first: zeroing must not rely on fresh memory
        dirty = make("i", [-1] * 4)
        del dirty
        zeros = make("i", 4)
        copied = make("i", source)
        source[0] = 100
        seen[make.__name__] = zeros[:], copied[:]
        source[0] = 9
    observed(
        "holds" if all(got == ([0, 0, 0, 0], [9, 2, 8]) for got in seen.values()) else "does-not-hold",
        because=f"(of 4, of [9, 2, 8] changed after) for each maker: {seen}",
    )


@pytest.mark.claim("shared.char-array-value-raw")
def test_a_char_array_stores_bytes_through_value_and_raw(ctx, observed):
    """A child upper-cases Array('c', b'hello world') through .value: the parent reads
    b'HELLO WORLD'.  .value stops at the first NUL, .raw returns every byte."""
    text = ctx.Array("c", b"hello world")
    child = support.run(ctx, shared.shout, text)
    assert child.exitcode == 0
    shouted = text.value
    text.raw = b"ab\0cdefghijk"[: len(text)]
    split = text.value, text.raw
    raw_text = ctx.RawArray("c", 4)
    raw_text.value = b"xy"
    raw_split = raw_text.value, raw_text.raw
    observed(
        "holds"
        if shouted == b"HELLO WORLD" and split == (b"ab", b"ab\0cdefghij") and raw_split == (b"xy", b"xy\0\0")
        else "does-not-hold",
        because=f"after the child's upper-casing .value is {shouted!r}; (value, raw) with a NUL inside: {split}; "
        f"of a RawArray('c', 4) given b'xy': {raw_split}",
    )


# --- The multiprocessing.sharedctypes module --------------------------------------


@pytest.mark.claim("shared.pointers-invalid")
def test_a_pointer_from_another_address_space_crashes_or_misleads_a_child(ctx, start_method, observed):
    """The parent stores the address of a private int (424242) in a RawValue; a
    sacrificial child dereferences it and writes 777 through it.  A spawn or
    forkserver child dies of SIGSEGV (or reads something else); a fork child reads
    424242 from its own copy, and its write never reaches the parent."""
    marker = 424242
    buffer = ctypes.create_string_buffer(1 << 20)  # a private mapping of its own
    target = ctypes.c_int.from_buffer(buffer)
    target.value = marker
    address = ctx.RawValue(ctypes.c_void_p, ctypes.addressof(target))
    seen = ctx.RawValue("i", 0)
    child = support.run(ctx, shared.dereference, address, seen, 777)
    assert target.value == marker  # nothing reached the parent's int
    if child.exitcode == 0 and seen.value == marker:
        observed("partly", because=f"the child read the parent's {marker} through the pointer, from its own copy: "
                 f"its write of 777 never reached the parent's int ({target.value})")
        return
    crash = {-signal.SIGSEGV, -signal.SIGBUS, support.unreported_exitcode(start_method, -signal.SIGSEGV)}
    assert child.exitcode in crash or (child.exitcode == 0 and seen.value != marker), (child.exitcode, seen.value)
    observed(
        "holds",
        because=f"the child dereferencing the parent's pointer exited {child.exitcode}" if child.exitcode in crash
        else f"the child dereferencing the parent's pointer read {seen.value}, not {marker}",
    )


@pytest.mark.claim("shared.raw-nonatomic")
def test_raw_values_have_no_lock_and_concurrent_increments_lose_updates(ctx, observed):
    """A RawValue has no get_lock(); four children adding 1 to it 200,000 times each
    end short of 800,000 (counted over at most three races)."""
    assert not hasattr(ctx.RawValue("i", 0), "get_lock")
    lost, races = lost_updates(ctx, lambda: ctx.RawValue("i", 0), 200_000, "+= on a RawValue", observed)
    observed("holds", because=f"race {races}: {RACERS} children x 200,000 `+= 1` on a RawValue lost {lost} updates")


@pytest.mark.claim("shared.raw-nonatomic")
def test_a_raw_array_slice_can_be_read_half_rewritten(ctx, observed):
    """While a child fills a 1024-item RawArray with 1s, 2s, 3s... one slice
    assignment at a time, some slice the parent reads mixes two fills (at most three
    tries)."""
    assert not hasattr(ctx.RawArray("i", 1), "get_lock")
    for n in range(ROUNDS):
        torn, reads = torn_reads(ctx, ctx.RawArray("i", 1024))
        if torn:
            observed("holds", because=f"round {n + 1}: read {reads} of a RawArray slice mixed two of a child's fills")
            return
    observed.not_shown("a RawArray slice read half rewritten", f"{ROUNDS} rounds of slice reads during 1500 rewrites")


@pytest.mark.claim("shared.synchronized-variants")
def test_sharedctypes_value_and_array_wrap_raw_objects_as_lock_says(observed):
    """sharedctypes.Value('i', 1) and Array('i', 2) are wrappers holding an RLock
    around a c_int and a c_int array; with lock=False they are the bare objects, as
    RawValue and RawArray return them."""
    sc = sharedctypes()
    synchronize = lib.module("synchronize")
    value, ints = sc.Value("i", 1), sc.Array("i", 2)
    wrapped = (
        type(value) is sc.Synchronized and type(ints) is sc.SynchronizedArray
        and type(value.get_lock()) is type(ints.get_lock()) is synchronize.RLock
        and type(value.get_obj()) is type(sc.RawValue("i", 1)) is ctypes.c_int
        and type(ints.get_obj()) is type(sc.RawArray("i", 2))
    )
    bare_value, bare_ints = sc.Value("i", 1, lock=False), sc.Array("i", 2, lock=False)
    bare = (
        type(bare_value) is ctypes.c_int and bare_value.value == 1
        and type(bare_ints) is type(sc.RawArray("i", 2)) and bare_ints[:] == [0, 0]
    )
    observed(
        "holds" if wrapped and bare else "does-not-hold",
        because=f"sharedctypes.Value/Array are {type(value).__name__}/{type(ints).__name__} with an RLock around what "
        f"RawValue/RawArray return: {wrapped}; with lock=False the bare {type(bare_value).__name__} and "
        f"{type(bare_ints).__name__}: {bare}",
    )


@pytest.mark.claim("shared.copy")
def test_copy_puts_a_copy_of_a_ctypes_object_in_shared_memory(ctx, observed):
    """copy(c_int(5)) is a new c_int of value 5: a child setting it to 6 leaves 6
    for the parent, and the original c_int is still 5."""
    original = ctypes.c_int(5)
    duplicate = sharedctypes().copy(original)
    assert type(duplicate) is ctypes.c_int and duplicate.value == 5
    child = support.run(ctx, shared.store, duplicate, 6)
    assert child.exitcode == 0
    observed(
        "holds" if duplicate.value == 6 and original.value == 5 else "does-not-hold",
        because=f"after a child set the copy to 6, the parent reads the copy {duplicate.value} and the original "
        f"{original.value}",
    )


@pytest.mark.claim("shared.synchronized-wrapper")
def test_synchronized_adds_get_obj_and_a_new_or_given_lock(facts, observed):
    """synchronized(RawValue('i', 0)).get_obj() is that very RawValue and get_lock()
    a new RLock (taken twice by its owner); with lock=L it is L.  Wrapping a wrapper
    again fails on an assert; under -O, on the missing _fields_ of a Structure."""
    mp, sc = lib.mp, sharedctypes()
    raw = mp.RawValue("i", 0)
    wrapped = sc.synchronized(raw)
    same_obj = wrapped.get_obj() is raw
    lock = wrapped.get_lock()
    with lock:
        recursive = lock.acquire(timeout=WAIT)
        if recursive:
            lock.release()
    rlock = type(lock) is lib.module("synchronize").RLock and recursive
    given = mp.Lock()
    takes_given = sc.synchronized(mp.RawArray("i", 2), given).get_lock() is given
    wrapped.value = 3
    observed(
        "holds" if same_obj and rlock and takes_given and raw.value == 3 else "does-not-hold",
        because=f"synchronized(raw).get_obj() is raw: {same_obj}; its lock a new recursive RLock: {rlock}; with "
        f"lock=L it is L: {takes_given}; a write through it reads back from raw as {raw.value}",
    )
    if facts.optimize:  # no assert: the wrapper is taken for a Structure without _fields_
        with pytest.raises(AttributeError, match="_fields_"):
            sc.synchronized(wrapped)
    else:
        with pytest.raises(AssertionError):
            sc.synchronized(wrapped)


def median_read_times(objects, batches=60, reads=1000):
    """The median time of ``reads`` reads of .value for each object, batches of the
    objects interleaved so that load hits them alike."""
    times = [[] for _ in objects]
    for _ in range(batches):
        for i, obj in enumerate(objects):
            times[i].append(shared.time_reads(obj, reads))
    return [statistics.median(t) for t in times]


@pytest.mark.claim("shared.synchronized-slower")
def test_reading_through_a_synchronized_wrapper_is_several_times_slower(observed):
    """The median time of 1000 reads of .value through a synchronized wrapper, over 60
    batches interleaved with reads of the bare c_int it wraps, is over 1.5 times the
    bare one's (2.5-6 times here)."""
    raw = lib.mp.RawValue("i", 1)
    wrapped = sharedctypes().synchronized(raw)
    raw_time, wrapped_time = median_read_times([raw, wrapped])
    observed(
        "holds" if wrapped_time > 1.5 * raw_time else "does-not-hold",
        because=f"median of 1000 reads: {wrapped_time * 1e3:.3f} ms through the wrapper, {raw_time * 1e3:.3f} ms "
        f"bare (wrapped/raw = {wrapped_time / raw_time:.2f})",
    )


@pytest.mark.claim("shared.synchronized-context-manager")
def test_a_child_inside_with_wrapper_holds_its_lock(ctx, observed):
    """While a child is inside `with v:` the parent's v.get_lock().acquire(False)
    fails; after the child leaves it succeeds."""
    v = ctx.Value("i", 0)
    with support.holding(ctx, v, use_with=True):
        inside = v.get_lock().acquire(False)
        if inside:
            v.get_lock().release()
    after = v.get_lock().acquire(timeout=DEADLINE)
    if after:
        v.get_lock().release()
    observed(
        "holds" if inside is False and after is True else "does-not-hold",
        because=f"acquire(False) while a child was inside `with v:` gave {inside}; after it left: {after}",
    )


@pytest.mark.claim("shared.struct-array-example")
def test_the_documented_example_prints_its_results_but_bytes_for_the_string(start_method, facts, observed):
    """A program shaped like the docs' example (our own values and changes), run
    under each start method, prints every value the child computed, but the c_char
    array's text as bytes (b'...') where the docs show a plain string.  Under
    multiprocess with spawn or forkserver, its child cannot be started
    (PicklingError); under billiard 4.2 (Python < 3.10) it dies looking for its
    target in a main module it never imported."""
    done = support.run_script("shared_example.py", start_method)
    if done.returncode != 0:
        assert not done.stdout
        if facts.library == "multiprocess":
            assert "PicklingError" in done.stderr and "PyCStructType" in done.stderr, done.stderr[-2000:]
        else:
            assert "AttributeError" in done.stderr and "'rework'" in done.stderr, done.stderr[-2000:]
        observed("does-not-hold", because=f"the example's child could not run (exit code {done.returncode}): "
                 "nothing printed")
        return
    lines = done.stdout.splitlines()
    numbers = [lines[i] for i in (0, 1, 3)] if len(lines) == 4 else None
    assert numbers == ["42", "6.0", "[(8.0, 1.0), (2.5, -6.0), (5.0, 20.0)]"], done.stdout
    if lines[2] == "SHARED MEMORY":
        observed("holds", because="every value the child computed printed, and the text as a plain string")
    else:
        assert lines[2] == "b'SHARED MEMORY'", done.stdout
        observed("partly", because=f"every value the child computed printed, but the text as bytes: {lines[2]}")
