"""Section 基础 (basics): what threads and processes are."""

from mpspec.registry import Claim, holds

CLAIMS = [
    Claim(
        id="basics.thread-in-process",
        cite="基础 ¶1 and its first bullet",
        statement="A thread is the basic unit the CPU executes; it cannot live on its own "
        "and always runs inside some process.",
        explanation="A thread started inside a child runs in that child: it sees the "
        "child's pid, which is neither the parent's pid nor shared with it.",
        verdicts=(holds(),),
    ),
    Claim(
        id="basics.process-identity",
        cite="基础 ¶2",
        statement="A process is one run of a program and the unit the operating system "
        "allocates resources to; every running program is a process of its own.",
        explanation="Every child gets a pid of its own and multiprocessing.parent_process() "
        "names the process that started it. Under forkserver the OS-level parent "
        "(os.getppid()) is the fork server, not the process that called start().",
        verdicts=(
            holds(
                "Every child gets a pid of its own, but billiard has no parent_process(): a "
                "child can learn its parent only from os.getppid(), which under forkserver "
                "is the fork server.",
                libraries=("billiard",),
            ),
            holds(
                "Every child gets a pid of its own and parent_process() names the process "
                "that called start(), but its OS-level parent (os.getppid()) is the fork "
                "server. forkserver is Linux's default from 3.14, so by default a child's "
                "OS parent is no longer the process that started it.",
                methods=("forkserver",),
                python=">=3.14",
                libraries=("multiprocessing",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="basics.main-thread",
        cite="基础 ¶3 and the second bullet",
        statement="Each process begins with exactly one thread, its main thread, which may "
        "then start further threads.",
        explanation="A child's target runs on threading.main_thread() with no other thread "
        "alive (fork keeps only the forking thread); threads it starts agree on that main "
        "thread.",
        verdicts=(holds(),),
    ),
    Claim(
        id="basics.threads-share",
        cite="基础, third bullet",
        statement="The threads of one process share its address space, its open files and "
        "its other resources.",
        explanation="A write a thread makes to an object, and to an open file object, is "
        "seen at once by the main thread of the same process. No process is involved, so "
        "the start method does not matter.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="basics.processes-share-machine",
        cite="基础, fourth bullet",
        statement="Processes share the machine's resources (memory, disks, printers) but "
        "each has its own data.",
        explanation="A file one process writes is read by another (the disk is shared), "
        "while a global the child changes keeps its old value in the parent (address "
        "spaces are not).",
        verdicts=(holds(),),
    ),
]
