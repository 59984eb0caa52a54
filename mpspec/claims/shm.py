"""Docs chapter `shm`: multiprocessing.shared_memory (SharedMemory, SharedMemoryManager,
ShareableList)."""

from mpspec.registry import Claim, fails, holds, na, partly

SECTION = "multiprocessing.shared_memory"

# billiard has neither shared_memory nor SharedMemoryManager.
NO_BILLIARD = na(
    "billiard has no shared_memory module and no SharedMemoryManager (its copy of "
    "multiprocessing predates 3.8, which added them)",
    libraries=("billiard",),
)


def cite(part):
    return f"{SECTION} › {part}"


CLAIMS = [
    Claim(
        id="shm.attach-by-name",
        cite=cite("SharedMemory (name, create)"),
        statement="A block created with create=True can be attached by its name from "
        "another process, and both then see the same bytes.",
        explanation="A child given only the name attaches, reads exactly the bytes the "
        "parent wrote and writes back; the parent sees the child's bytes through its "
        "own mapping, with no copy.",
        verdicts=(NO_BILLIARD, holds()),
    ),
    Claim(
        id="shm.auto-name",
        cite=cite("SharedMemory (name=None)"),
        statement="Creating a block without a name gives it a new, unique name, which "
        "others can use to attach.",
        explanation="Each block gets a random name ('psm_' and 8 hex digits on POSIX, "
        "'wnsm_' on Windows; the POSIX object itself is '/psm_...'); two blocks never "
        "share one (a clash is retried), and the name attaches.",
        verdicts=(NO_BILLIARD, holds()),
        per_method=False,
    ),
    Claim(
        id="shm.outlives-creator",
        cite=cite("SharedMemory (blocks may outlive their creator)"),
        statement="A block can outlive the process that created it: it lasts until "
        "someone unlinks it.",
        explanation="A child that creates a block, closes it and exits leaves it to its "
        "parent, which attaches and reads the child's data. But it lasts only as long "
        "as the resource tracker that registered it: when the program ends the tracker "
        "unlinks it, warning of a 'leaked shared_memory' object (from 3.13 track=False "
        "avoids that).",
        verdicts=(
            NO_BILLIARD,
            partly(
                "Only if the parent had started its resource tracker before forking. In a "
                "program that has not (fork contexts create no tracker until something "
                "registers), the fork child launches a tracker of its own to register the "
                "block; that tracker sees the child exit and unlinks the block at once, "
                "warning of a leak: the parent finds it gone. (From 3.13 track=False keeps "
                "it.)",
                methods=("fork",),
            ),
            holds(
                "The child writes to its parent's tracker (spawn and forkserver children "
                "inherit it: the parent starts it before the child), so the block lasts "
                "until unlinked or until the whole program ends, when the tracker unlinks "
                "it with a 'leaked' warning."
            ),
        ),
    ),
    Claim(
        id="shm.close-not-destroy",
        cite=cite("SharedMemory.close()"),
        statement="close() ends this instance's access to the block without destroying "
        "the block.",
        explanation="After a child closes its handle the parent still reads and writes "
        "the block and it can still be attached by name; the closed instance's buf is "
        "None and any memoryview taken from it before is released.",
        verdicts=(NO_BILLIARD, holds()),
    ),
    Claim(
        id="shm.unlink-destroys",
        cite=cite("SharedMemory.unlink()"),
        statement="unlink() asks for the block to be destroyed; after it, attaching by "
        "its name fails.",
        explanation="On POSIX unlink() removes the name at once: attaching then raises "
        "FileNotFoundError and the name can be created afresh, while mappings already "
        "open live on. On Windows unlink() does nothing: the block goes with its last "
        "handle (from the source and the 3.13 docs).",
        verdicts=(
            NO_BILLIARD,
            na("POSIX shared memory only: on Windows unlink() does nothing", platforms=("win32",)),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="shm.unlink-once",
        cite=cite("SharedMemory.unlink() (call it once across all processes)"),
        statement="Of all the processes sharing a block, just one should unlink() it; a "
        "second call fails.",
        explanation="A second unlink(), from the same instance, another instance or "
        "another process, raises FileNotFoundError (and leaves the resource tracker "
        "alone: the first call already unregistered the name).",
        verdicts=(
            NO_BILLIARD,
            na("POSIX shared memory only: on Windows unlink() does nothing", platforms=("win32",)),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="shm.unlink-close-any-order",
        cite=cite("SharedMemory.unlink() (3.13 wording: close and unlink in any order)"),
        statement="For the last user of a block, the order of unlink() and close() does not "
        "matter.",
        explanation="Both orders succeed with no error and no resource-tracker warning; "
        "close() may even be called again.",
        verdicts=(NO_BILLIARD, holds()),
        per_method=False,
    ),
    Claim(
        id="shm.access-after-unlink",
        cite=cite("SharedMemory.unlink() (touching data after unlink)"),
        statement="Touching a block's data after unlink() may cause memory access "
        "errors, depending on the platform.",
        explanation="On Linux nothing goes wrong: unlink() only removes the name, and "
        "every mapping already open, in this and other processes, keeps reading and "
        "writing the same memory until closed. The errors come with close(): buf is "
        "then None (TypeError), a memoryview kept from before is released (ValueError), "
        "and a NumPy array still on the block reads unmapped memory and dies of SIGSEGV "
        "(see shm.numpy-view).",
        verdicts=(
            NO_BILLIARD,
            partly(
                "From the source (not run here): unlink() does nothing on Windows, so the "
                "data stays usable until the last handle is closed.",
                platforms=("win32",),
            ),
            partly(),
        ),
        per_method=False,
    ),
    Claim(
        id="shm.size-rounded",
        cite=cite("SharedMemory.size"),
        statement="A block may be larger than requested (some platforms round up to "
        "the memory page size); size is ignored when attaching.",
        explanation="On Linux the block is exactly the requested size (size and "
        "len(buf) are 10 for 10); attaching with any size, larger or smaller, maps the "
        "whole block.",
        verdicts=(
            NO_BILLIARD,
            holds(
                "From the source (not run here): macOS rounds a POSIX shared memory object "
                "up to the page size, so size and len(buf) exceed the request.",
                platforms=("darwin",),
            ),
            holds(
                "From the source (not run here): a created block is the requested size, "
                "but attaching measures the mapped region (VirtualQuerySize), a multiple "
                "of the page size.",
                platforms=("win32",),
            ),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="shm.size-zero-create",
        cite=cite("SharedMemory (size)"),
        statement="Creating a block of size 0 is refused.",
        explanation="create=True with size=0 raises ValueError (\"'size' must be a "
        "positive number different from zero\"); a negative size raises ValueError "
        "even when attaching.",
        verdicts=(NO_BILLIARD, holds()),
        per_method=False,
        beyond=True,
    ),
    Claim(
        id="shm.buf-memoryview",
        cite=cite("SharedMemory.buf, .name, .size"),
        statement="buf is a memoryview of the block's contents; name and size are "
        "read-only.",
        explanation="buf is a writable memoryview of exactly size bytes; assigning "
        "name, size or buf raises AttributeError (the message differs by version).",
        verdicts=(NO_BILLIARD, holds()),
        per_method=False,
    ),
    Claim(
        id="shm.create-existing-name",
        cite=cite("SharedMemory (create=True with a name)"),
        statement="Creating a block under a name that is already in use fails.",
        explanation="create=True with an existing name raises FileExistsError and "
        "leaves the existing block and its contents untouched.",
        verdicts=(NO_BILLIARD, holds()),
        per_method=False,
        beyond=True,
    ),
    Claim(
        id="shm.attach-missing-name",
        cite=cite("SharedMemory (create=False)"),
        statement="Attaching to a name no block has fails.",
        explanation="SharedMemory(name) for a missing name raises FileNotFoundError and "
        "creates nothing.",
        verdicts=(NO_BILLIARD, holds()),
        per_method=False,
        beyond=True,
    ),
    Claim(
        id="shm.numpy-view",
        cite=cite("SharedMemory (the NumPy example)"),
        statement="A NumPy array built on one process's buf shows the writes another "
        "process makes through an array on its own attachment.",
        explanation="The child's array over its attachment sees the parent's values, and "
        "its write to the last item shows in the parent's array at once. Delete the "
        "arrays before close(), as the example does: close() does not refuse while an "
        "array still uses buf (no BufferError), it unmaps the memory, and the array's "
        "next access kills the process with SIGSEGV.",
        verdicts=(NO_BILLIARD, holds()),
    ),
    Claim(
        id="shm.smm-separate-process",
        cite=cite("SharedMemoryManager (start)"),
        statement="SharedMemoryManager.start() launches a separate process whose job is "
        "to own the blocks created through the manager.",
        explanation="start() adds exactly one child, the manager's server process; "
        "blocks made through the manager (in the calling process, then registered with "
        "the server) are destroyed when that process is shut down, and it is gone "
        "afterwards.",
        verdicts=(NO_BILLIARD, holds()),
    ),
    Claim(
        id="shm.smm-shutdown-unlinks",
        cite=cite("SharedMemoryManager (shutdown)"),
        statement="shutdown() unlinks every block created through the manager and "
        "stops its process.",
        explanation="Blocks and ShareableLists made through the manager can no longer be "
        "attached after shutdown(). But if one of them was already unlinked, the "
        "server's shutdown fails there (FileNotFoundError): the blocks registered after "
        "it stay linked, shutdown() reports nothing, and the server process is "
        "terminated after a second's wait.",
        verdicts=(NO_BILLIARD, partly()),
    ),
    Claim(
        id="shm.smm-with-releases",
        cite=cite("SharedMemoryManager (the with statement)"),
        statement="Used in a with statement, a SharedMemoryManager releases all its "
        "blocks at the end of the block; children can fill a ShareableList made inside.",
        explanation="Two children given the ShareableList fill their halves; the parent "
        "reads every value inside the with block, and after it the list's block can no "
        "longer be attached and the manager's process is gone.",
        verdicts=(NO_BILLIARD, holds()),
    ),
    Claim(
        id="shm.smm-connect-remote",
        cite=cite("SharedMemoryManager (address, authkey: as BaseManager)"),
        statement="Other processes can reach a SharedMemoryManager through its address "
        "and authkey, as with BaseManager, and create blocks through it.",
        explanation="A process that connects with the right key creates blocks the "
        "manager then owns (they outlive that process and go at the manager's "
        "shutdown); a wrong key is refused with AuthenticationError. But the connected "
        "process creates the block itself and registers it with its own resource "
        "tracker: a client that is a separate program loses the block when it exits "
        "(its tracker unlinks it, warning of a leak), and the manager's shutdown then "
        "fails on it.",
        verdicts=(NO_BILLIARD, partly()),
        per_method=False,
    ),
    Claim(
        id="shm.sl-types",
        cite=cite("ShareableList (the storable types)"),
        statement="A ShareableList stores only int, float, bool, str and bytes (each "
        "under 10 MB) and None, and gives each back with its type.",
        explanation="The seven kinds come back through a child with their types and "
        "values; any other type is refused with KeyError (the internal type table's), "
        "an int outside 64 bits with struct.error (after the block is created: it "
        "stays until unlinked). A str or bytes of 9,999,992 bytes or more fails an "
        "assert (AssertionError) before any block exists.",
        verdicts=(
            NO_BILLIARD,
            partly(
                "Under -O the assert that guards the 10 MB limit is gone: a str or bytes of "
                "9,999,992 bytes or more is stored with its format cut to 8 characters, and "
                "reading the item back raises struct.error.",
                optimize=True,
            ),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="shm.sl-fixed-length",
        cite=cite("ShareableList (no append, insert, slicing)"),
        statement="A ShareableList cannot change length (no append or insert), and "
        "slicing does not make new ShareableLists.",
        explanation="There are no append, insert, extend, pop or remove methods; "
        "deleting an item raises AttributeError ('__delitem__'; TypeError on PyPy); "
        "slicing raises TypeError: slices are not supported at all, not even reading.",
        verdicts=(NO_BILLIARD, holds()),
        per_method=False,
    ),
    Claim(
        id="shm.sl-type-change",
        cite=cite("ShareableList (the example session)"),
        statement="An item can be replaced by a value of another type, as long as it "
        "fits the item's storage.",
        explanation="A float slot takes another float and then a str of up to 8 bytes, "
        "read back with the new type; a str of 9 bytes there raises ValueError.",
        verdicts=(NO_BILLIARD, holds()),
        per_method=False,
    ),
    Claim(
        id="shm.sl-overflow-valueerror",
        cite=cite("ShareableList (the example session)"),
        statement="Storing a str or bytes longer than the item's storage raises "
        "ValueError and keeps the old value.",
        explanation="The ValueError says the item exceeds the available storage; the "
        "item keeps its value and type.",
        verdicts=(NO_BILLIARD, holds()),
        per_method=False,
    ),
    Claim(
        id="shm.sl-count-index",
        cite=cite("ShareableList.count(), .index()"),
        statement="count(value) counts occurrences; index(value) gives the first "
        "position, or raises ValueError when the value is absent.",
        explanation="Both compare with ==, so True counts as 1. The ValueError message "
        "was '... not in this container' up to 3.13 and is 'ShareableList.index(x): x "
        "not in list' from 3.14.",
        verdicts=(NO_BILLIARD, holds()),
        per_method=False,
    ),
    Claim(
        id="shm.sl-format-shm",
        cite=cite("ShareableList.format, .shm"),
        statement="format is the struct format of the values stored; shm is the "
        "SharedMemory instance holding them.",
        explanation="format is a struct format string (8 bytes per number, 'xxxxxxx?' "
        "for a bool, 'xxxxxx?x' for None, '<n>s' for str and bytes) that follows type "
        "changes; shm is the library's SharedMemory and attaches like any block.",
        verdicts=(NO_BILLIARD, holds()),
        per_method=False,
    ),
    Claim(
        id="shm.sl-attach-by-name",
        cite=cite("ShareableList (name=)"),
        statement="ShareableList(name=...) attaches to an existing list; writes are "
        "seen across processes.",
        explanation="A child attaching by name (or receiving the list, which is pickled "
        "as its name) reads every item and its writes show in the parent's list.",
        verdicts=(NO_BILLIARD, holds()),
    ),
    Claim(
        id="shm.sl-trailing-nul",
        cite=cite("ShareableList (known issue: values ending in NUL; not in the docs "
        "text checked)"),
        statement="A str or bytes value ending in NUL bytes comes back without them.",
        explanation="Reading strips every trailing b'\\x00' (gh-106939): b'a\\x00' comes "
        "back as b'a' and b'\\x00' as b''. Still so in 3.15.",
        verdicts=(NO_BILLIARD, holds()),
        per_method=False,
        beyond=True,
    ),
    Claim(
        id="shm.track-param-313",
        cite=cite("SharedMemory (track, new in 3.13)"),
        statement="SharedMemory(track=False) keeps the block away from the resource "
        "tracker, so it is neither unlinked nor reported as leaked when the program "
        "ends.",
        explanation="A block created with track=False in a child outlives the whole "
        "program, with no warning; with the default track=True the program's resource "
        "tracker unlinks it at the end and warns of a leaked shared_memory object.",
        verdicts=(
            NO_BILLIARD,
            na("SharedMemory has no track parameter before 3.13", python="<3.13"),
            holds(),
        ),
    ),
    Claim(
        id="shm.attach-tracked",
        cite=cite("SharedMemory (create=False; bpo-38119 / gh-82300)"),
        statement="A program that only attaches to a block, uses it and closes it "
        "leaves the block alone (close() does not destroy; unlinking is for the "
        "creator).",
        explanation="Attaching registers the block with the attaching program's own "
        "resource tracker: when that program ends its tracker unlinks the block, "
        "which other programs still use, and warns of a leak (bpo-38119). Children of "
        "the same program share one tracker, so among them attaching is harmless. "
        "From 3.13 attaching with track=False avoids it.",
        verdicts=(NO_BILLIARD, fails()),
        per_method=False,
        beyond=True,
    ),
]
