"""Mutants of the behaviours the docs chapter `shm` (multiprocessing.shared_memory)
relies on.  billiard has no shared_memory: there every mutant here is a no-op."""

from __future__ import annotations

import mmap
import os

from mpspec.mutants import mutant, replacing, sub


def _shared_memory():
    try:
        return sub("shared_memory")
    except ImportError:  # billiard
        return None


def _exists(name):
    from fixtures.shm import exists

    return exists(name)


def _shared_memory_class():
    module = _shared_memory()
    return None if module is None else module.SharedMemory


def _remap(block, length, access=mmap.ACCESS_WRITE):
    """Replace ``block``'s mapping by one of ``length`` bytes with ``access``."""
    block._buf.release()
    block._mmap.close()
    block._mmap = mmap.mmap(block._fd, length, access=access)
    block._buf = memoryview(block._mmap)
    block._size = length


# --- SharedMemory ----------------------------------------------------------------------


@mutant(
    "shm-attach-private-copy",
    ["shm.attach-by-name", "shm.numpy-view", "shm.sl-attach-by-name"],
    "Attaching by name maps the block copy-on-write: the attacher reads the data, "
    "but its writes stay private",
)
@replacing(_shared_memory_class, "__init__")
def shm_attach_private_copy(original, self, name=None, create=False, size=0, **kwargs):
    original(self, name, create, size, **kwargs)
    if not create and os.name == "posix":
        _remap(self, self._size, access=mmap.ACCESS_COPY)


@mutant(
    "shm-close-unlinks",
    ["shm.close-not-destroy", "shm.outlives-creator", "shm.unlink-close-any-order"],
    "close() also unlinks the block (ignoring a block already gone)",
)
@replacing(_shared_memory_class, "close")
def shm_close_unlinks(original, self):
    if self._name and self._fd >= 0:
        try:
            self.unlink()
        except FileNotFoundError:
            pass
    original(self)


@mutant(
    "shm-unlink-does-nothing",
    ["shm.unlink-destroys", "shm.unlink-once"],
    "unlink() does nothing, as on Windows: the name stays and a second unlink() "
    "succeeds",
)
def _(mp):
    module = _shared_memory()
    if module is not None:
        module.SharedMemory.unlink = lambda self: None


@mutant(
    "shm-unlink-unmaps",
    ["shm.access-after-unlink"],
    "unlink() also closes this instance's mapping, as if the memory went with the name",
)
@replacing(_shared_memory_class, "unlink")
def shm_unlink_unmaps(original, self):
    original(self)
    self.close()


@mutant(
    "shm-attach-honours-size",
    ["shm.size-rounded"],
    "Attaching with a size smaller than the block maps only that many bytes",
)
@replacing(_shared_memory_class, "__init__")
def shm_attach_honours_size(original, self, name=None, create=False, size=0, **kwargs):
    original(self, name, create, size, **kwargs)
    if not create and 0 < size < self._size and os.name == "posix":
        _remap(self, size)


@mutant(
    "shm-size-zero-allowed",
    ["shm.size-zero-create"],
    "Creating a block of size 0 silently makes a 1-byte block",
)
@replacing(_shared_memory_class, "__init__")
def shm_size_zero_allowed(original, self, name=None, create=False, size=0, **kwargs):
    if create and size == 0:
        size = 1
    original(self, name, create, size, **kwargs)


@mutant(
    "shm-name-writable",
    ["shm.buf-memoryview"],
    "SharedMemory.name becomes a plain writable attribute",
)
def _(mp):
    module = _shared_memory()
    if module is None:
        return
    cls = module.SharedMemory
    getter = cls.name.fget

    def setter(self, value):
        self._name = value

    cls.name = property(getter, setter)


@mutant(
    "shm-create-reuses-name",
    ["shm.create-existing-name"],
    "create=True under a name in use attaches to the existing block instead of failing",
)
@replacing(_shared_memory_class, "__init__")
def shm_create_reuses_name(original, self, name=None, create=False, size=0, **kwargs):
    if create and name is not None and _exists(name):
        create, size = False, 0
    original(self, name, create, size, **kwargs)


@mutant(
    "shm-attach-creates",
    ["shm.attach-missing-name"],
    "Attaching to a missing name creates a block of that name (one page)",
)
@replacing(_shared_memory_class, "__init__")
def shm_attach_creates(original, self, name=None, create=False, size=0, **kwargs):
    if not create and name is not None and not _exists(name):
        create, size = True, max(size, mmap.PAGESIZE)
    original(self, name, create, size, **kwargs)


@mutant(
    "shm-auto-name-prefix",
    ["shm.auto-name"],
    "Blocks created without a name get Windows-style 'wnsm_' names on POSIX too",
)
def _(mp):
    module = _shared_memory()
    if module is not None and getattr(module, "_USE_POSIX", False):
        module._SHM_NAME_PREFIX = "/wnsm_"


@mutant(
    "shm-attach-untracked",
    ["shm.attach-tracked"],
    "Attaching (create=False) never registers the block with the resource tracker "
    "(the fix bpo-38119 asked for)",
)
@replacing(_shared_memory_class, "__init__")
def shm_attach_untracked(original, self, name=None, create=False, size=0, **kwargs):
    if create:
        return original(self, name, create, size, **kwargs)
    tracker = sub("resource_tracker")
    register = tracker.register
    tracker.register = lambda *args: None
    try:
        original(self, name, create, size, **kwargs)
    finally:
        tracker.register = register


@mutant(
    "shm-track-ignored",
    ["shm.track-param-313"],
    "track=False is accepted but ignored: every block is registered with the tracker",
)
@replacing(_shared_memory_class, "__init__")
def shm_track_ignored(original, self, name=None, create=False, size=0, **kwargs):
    kwargs.pop("track", None)
    original(self, name, create, size, **kwargs)


# --- SharedMemoryManager ---------------------------------------------------------------


@mutant(
    "smm-server-does-not-track",
    ["shm.smm-separate-process", "shm.smm-shutdown-unlinks", "shm.smm-with-releases", "shm.smm-connect-remote"],
    "The SharedMemoryManager's server ignores the blocks made through it: it owns "
    "nothing, and shutdown unlinks nothing",
)
def _(mp):
    if _shared_memory() is None:
        return
    managers = sub("managers")
    server = getattr(managers, "SharedMemoryServer", None)
    if server is not None:
        server.track_segment = lambda self, c, segment_name: None


# --- ShareableList -------------------------------------------------------------------


def _shareable_list():
    module = _shared_memory()
    return None if module is None else module.ShareableList


@mutant(
    "sl-bool-as-int",
    ["shm.sl-types"],
    "A ShareableList stores bool as a 64-bit int: True comes back as 1",
)
def _(mp):
    cls = _shareable_list()
    if cls is not None:
        cls._types_mapping = dict(cls._types_mapping)
        cls._types_mapping[bool] = "q"


@mutant(
    "sl-slices-as-lists",
    ["shm.sl-fixed-length"],
    "Slicing a ShareableList returns a plain list of the items",
)
@replacing(_shareable_list, "__getitem__")
def sl_slices_as_lists(original, self, position):
    if isinstance(position, slice):
        return [original(self, i) for i in range(*position.indices(len(self)))]
    return original(self, position)


@mutant(
    "sl-type-code-kept",
    ["shm.sl-type-change"],
    "Replacing an item keeps its old back-transform code, so a new type reads back as "
    "the old kind",
)
def _(mp):
    cls = _shareable_list()
    if cls is None:
        return
    import struct

    def _set_packing_format_and_transform(self, position, fmt_as_str, value):
        if (position >= self._list_len) or (self._list_len < 0):
            raise IndexError("Requested position out of range.")
        struct.pack_into("8s", self.shm.buf, self._offset_packing_formats + position * 8, fmt_as_str.encode("utf8"))

    cls._set_packing_format_and_transform = _set_packing_format_and_transform


@mutant(
    "sl-overflow-truncates",
    ["shm.sl-overflow-valueerror"],
    "A str or bytes too long for its item is cut to fit instead of raising ValueError",
)
@replacing(_shareable_list, "__setitem__")
def sl_overflow_truncates(original, self, position, value):
    if isinstance(value, (str, bytes)):
        position = position if position >= 0 else position + self._list_len
        offsets = getattr(self, "_allocated_offsets", None)
        room = offsets[position + 1] - offsets[position] if offsets else self._allocated_bytes[position]
        encoded = value.encode("utf8") if isinstance(value, str) else value
        if len(encoded) > room:
            value = encoded[:room].decode("utf8", "ignore") if isinstance(value, str) else encoded[:room]
    original(self, position, value)


@mutant(
    "sl-index-minus-one",
    ["shm.sl-count-index"],
    "ShareableList.index() returns -1 for an absent value instead of raising",
)
@replacing(_shareable_list, "index")
def sl_index_minus_one(original, self, value):
    try:
        return original(self, value)
    except ValueError:
        return -1


@mutant(
    "sl-format-separated",
    ["shm.sl-format-shm"],
    "ShareableList.format separates the items' formats with commas (not a struct format)",
)
def _(mp):
    cls = _shareable_list()
    if cls is not None:
        cls.format = property(lambda self: ",".join(self._get_packing_format(i) for i in range(self._list_len)))


@mutant(
    "sl-keeps-nul",
    ["shm.sl-trailing-nul"],
    "ShareableList gives str and bytes back with their storage's NUL padding",
)
def _(mp):
    cls = _shareable_list()
    if cls is not None:
        mapping = dict(cls._back_transforms_mapping)
        mapping[1] = lambda value: value.decode("utf8")
        mapping[2] = lambda value: value
        cls._back_transforms_mapping = mapping
