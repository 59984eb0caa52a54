"""Mutants of the behaviours the docs chapter `shared` relies on: shared ctypes objects
(Value, Array, RawValue, RawArray) and the sharedctypes wrappers."""

from __future__ import annotations

import ctypes

from mpspec.mutants import mutant, rebind_default, replacing, sub


@mutant(
    "shared-ctypes-private-memory",
    [
        "shared.value-array-visible",
        "shared.inherited-by-children",
        "shared.char-array-value-raw",
        "shared.value-ctype-or-typecode",
    ],
    "Every shared ctypes object lives in a private buffer of its process instead of "
    "the shared arena: a child's writes never reach the parent",
)
def _(mp):
    heap = sub("heap")
    heap.BufferWrapper.create_memoryview = lambda self: memoryview(bytearray(self._state[1]))


@mutant(
    "typecode-d-is-float",
    ["shared.typecodes", "shared.value-ctype-or-typecode"],
    "The typecode 'd' makes a C float (c_float) instead of a C double",
)
def _(mp):
    sub("sharedctypes").typecode_to_type["d"] = ctypes.c_float


def _patch_default_lock(make_lock):
    """Value/Array (lock=True or None) and synchronized() (lock=None) get
    ``make_lock(ctx)`` instead of a new RLock."""
    sc = sub("sharedctypes")
    value, array = sc.Value, sc.Array

    def Value(typecode_or_type, *args, lock=True, ctx=None):
        if lock is True or lock is None:
            lock = make_lock(ctx or sub("sharedctypes").get_context())
        return value(typecode_or_type, *args, lock=lock, ctx=ctx)

    def Array(typecode_or_type, size_or_initializer, *, lock=True, ctx=None):
        if lock is True or lock is None:
            lock = make_lock(ctx or sub("sharedctypes").get_context())
        return array(typecode_or_type, size_or_initializer, lock=lock, ctx=ctx)

    init = sc.SynchronizedBase.__init__

    def __init__(self, obj, lock=None, ctx=None):
        if not lock:
            lock = make_lock(ctx or sub("sharedctypes").get_context())
        init(self, obj, lock, ctx)

    sc.Value, sc.Array, sc.SynchronizedBase.__init__ = Value, Array, __init__


@mutant(
    "default-lock-not-recursive",
    ["shared.lock-true-rlock", "shared.synchronized-wrapper"],
    "Value, Array and synchronized() create a plain Lock instead of an RLock when no "
    "lock is given",
)
def _(mp):
    _patch_default_lock(lambda ctx: ctx.Lock())


@mutant(
    "given-lock-ignored",
    ["shared.lock-custom"],
    "A synchronized wrapper ignores the lock it is given and makes a new RLock of its own",
)
@replacing("sharedctypes.SynchronizedBase", "__init__")
def given_lock_ignored(init, self, obj, lock=None, ctx=None):
    return init(self, obj, None, ctx)


@mutant(
    "wrapper-with-takes-no-lock",
    ["shared.synchronized-context-manager"],
    "`with wrapper:` neither acquires nor releases the wrapper's lock",
)
def _(mp):
    sc = sub("sharedctypes")
    sc.SynchronizedBase.__enter__ = lambda self: self
    sc.SynchronizedBase.__exit__ = lambda self, *exc: None


@mutant(
    "lock-false-still-wrapped",
    ["shared.lock-false-raw", "shared.synchronized-variants"],
    "Value and Array with lock=False still return a synchronized wrapper (with a new RLock)",
)
def _(mp):
    sc = sub("sharedctypes")
    value, array = sc.Value, sc.Array

    def Value(typecode_or_type, *args, lock=True, ctx=None):
        return value(typecode_or_type, *args, lock=True if lock is False else lock, ctx=ctx)

    def Array(typecode_or_type, size_or_initializer, *, lock=True, ctx=None):
        return array(typecode_or_type, size_or_initializer, lock=True if lock is False else lock, ctx=ctx)

    sc.Value, sc.Array = Value, Array


@mutant(
    "get-lock-returns-another-lock",
    ["shared.value-array-synchronized", "shared.iadd-not-atomic"],
    "get_lock() returns a new private RLock, not the lock the wrapper's own accesses take: "
    "`with v.get_lock()` guards nothing",
)
def _(mp):
    import threading

    sub("sharedctypes").SynchronizedBase.get_lock = lambda self: threading.RLock()


@mutant(
    "array-access-unlocked",
    ["shared.value-array-synchronized"],
    "A synchronized array reads and writes items and slices without taking its lock",
)
def _(mp):
    sc = sub("sharedctypes")
    sc.SynchronizedArray.__getitem__ = lambda self, i: self._obj[i]

    def __setitem__(self, i, value):
        self._obj[i] = value

    sc.SynchronizedArray.__setitem__ = __setitem__


@mutant(
    "raw-array-one-item-longer",
    ["shared.array-size-or-init"],
    "RawArray (so Array too) given a size makes one item more than asked",
)
@replacing("sharedctypes", "RawArray")
def RawArray(raw_array, typecode_or_type, size_or_initializer):
    if isinstance(size_or_initializer, int):
        size_or_initializer += 1
    return raw_array(typecode_or_type, size_or_initializer)


@mutant(
    "char-array-not-a-string",
    ["shared.char-array-value-raw", "shared.struct-array-example"],
    "A synchronized c_char array is a plain SynchronizedArray, without value and raw",
)
@replacing("sharedctypes", "synchronized")
def plain(synchronized, obj, lock=None, ctx=None):
    if isinstance(obj, ctypes.Array) and obj._type_ is ctypes.c_char:
        return sub("sharedctypes").SynchronizedArray(obj, lock, ctx)
    return synchronized(obj, lock, ctx)


@mutant(
    "array-items-copied",
    ["shared.struct-array-example"],
    "Items of a synchronized array of structures are handed out as copies: changing "
    "their fields changes nothing shared",
)
@replacing("sharedctypes.SynchronizedArray", "__getitem__")
def array_items_copied(getitem, self, i):
    item = getitem(self, i)
    if isinstance(item, ctypes.Structure):
        return type(item).from_buffer_copy(item)
    return item


@mutant(
    "raw-value-synchronized",
    ["shared.raw-nonatomic"],
    "RawValue and RawArray return synchronized wrappers with a lock",
)
def _(mp):
    context = sub("context")
    sc = sub("sharedctypes")

    def RawValue(self, typecode_or_type, *args):
        return sc.synchronized(sc.RawValue(typecode_or_type, *args), ctx=self.get_context())

    def RawArray(self, typecode_or_type, size_or_initializer):
        return sc.synchronized(sc.RawArray(typecode_or_type, size_or_initializer), ctx=self.get_context())

    context.BaseContext.RawValue, context.BaseContext.RawArray = RawValue, RawArray
    rebind_default(mp, "RawValue")
    rebind_default(mp, "RawArray")


@mutant(
    "copy-is-private",
    ["shared.copy"],
    "sharedctypes.copy() returns an ordinary ctypes copy in private memory",
)
def _(mp):
    sub("sharedctypes").copy = lambda obj: type(obj).from_buffer_copy(obj)


@mutant(
    "synchronized-returns-the-object",
    ["shared.synchronized-slower"],
    "synchronized() hands back the ctypes object itself, with get_obj() and get_lock() "
    "attached: access costs what raw access costs",
)
def _(mp):
    sc = sub("sharedctypes")

    def synchronized(obj, lock=None, ctx=None):
        lock = lock or (ctx or sub("sharedctypes").get_context()).RLock()
        obj.get_obj = lambda: obj
        obj.get_lock = lambda: lock
        return obj

    sc.synchronized = synchronized


@mutant(
    "value-passes-first-argument-only",
    ["shared.value-sync-wrapper-default"],
    "RawValue (so Value too) passes only the first of its extra arguments to the ctypes "
    "constructor",
)
@replacing("sharedctypes", "RawValue")
def value_passes_first_argument_only(raw_value, typecode_or_type, *args):
    return raw_value(typecode_or_type, *args[:1])


@mutant(
    "array-lock-positional",
    ["shared.lock-keyword-only"],
    "The library's Array takes and ignores extra positional arguments and unknown "
    "keywords (as billiard's does)",
)
def _(mp):
    context = sub("context")

    def Array(self, typecode_or_type, size_or_initializer, *args, **kwargs):
        from importlib import import_module

        array = import_module(f"{mp.__name__}.sharedctypes").Array
        return array(typecode_or_type, size_or_initializer, lock=kwargs.get("lock", True), ctx=self.get_context())

    context.BaseContext.Array = Array
    rebind_default(mp, "Array")


@mutant(
    "spawn-forks-the-parent",
    ["shared.pointers-invalid"],
    "spawn and forkserver children are really forked from the parent, so they inherit "
    "its address space and the parent's pointers work in them",
)
def _(mp):
    context = sub("context")
    fork = context.ForkProcess._Popen
    for name in ("SpawnProcess", "ForkServerProcess"):
        if hasattr(context, name):
            getattr(context, name)._Popen = fork
