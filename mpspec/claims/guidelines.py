"""Docs chapter "Programming guidelines" (all start methods, then spawn and
forkserver)."""

from mpspec.registry import Claim, fails, holds, na, partly

GUIDELINES = "Programming guidelines"
ALL = GUIDELINES + " › All start methods"
SPAWN = GUIDELINES + " › The spawn and forkserver start methods"

CLAIMS = [
    Claim(
        id="guidelines.proxy-args-picklable",
        cite=ALL + " › Picklability",
        statement="The arguments given to a proxy's methods must be picklable.",
        explanation="A proxy call pickles its arguments in the caller before anything is "
        "sent: an unpicklable one (a lambda, a generator) raises there (PicklingError, "
        "TypeError), nothing reaches the manager, and the proxy goes on working.",
        verdicts=(
            holds(
                "multiprocess pickles with dill, which accepts far more: a lambda or a "
                "threading.Lock is stored in the managed list; a generator still raises "
                "TypeError in the caller, and the proxy goes on working.",
                libraries=("multiprocess",),
            ),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="guidelines.proxy-thread-safety",
        cite=ALL + " › Thread safety of proxies",
        statement="A proxy must not be used from more than one thread unless a lock "
        "protects it; several processes using the same proxy is never a problem.",
        explanation="Processes sharing a proxy are fine, but so are threads: BaseProxy "
        "keeps its connection in a thread-local (util.ForkAwareLocal), so every thread "
        "that calls a proxy opens its own connection to the manager, and eight threads "
        "hammering one unguarded proxy get every reply right (3.8 to 3.15, PyPy, "
        "multiprocess and billiard alike). Only compound operations (d[k] += 1) race, "
        "between threads exactly as between processes.",
        verdicts=(partly(),),
    ),
    Claim(
        id="guidelines.zombies-reaped",
        cite=ALL + " › Joining zombie processes",
        statement="On Unix a child that has finished but was not joined stays a zombie "
        "until the parent starts another process, calls active_children(), or calls "
        "is_alive() on it.",
        explanation="Under fork and spawn the ended child shows state Z in /proc until "
        "one of the three: starting another process and active_children() reap every "
        "finished child (process._cleanup polls them), is_alive() reaps its own.",
        verdicts=(
            na("Windows has no zombie processes", platforms=("win32",)),
            fails(
                "The child is the fork server's, not the caller's: the fork server reaps "
                "it as soon as it ends (its SIGCHLD handler calls waitpid; billiard's "
                "fork server ignores SIGCHLD, so the kernel reaps it), and it is never a "
                "zombie, whatever the caller calls.",
                methods=("forkserver",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="guidelines.inherit-not-send",
        cite=ALL + " › Better to inherit than pickle/unpickle",
        statement="Synchronisation objects and shared values are to be handed to a child "
        "when it is created, not sent through a pipe or queue, where sending them "
        "fails.",
        explanation="A Lock given as a Process argument works in the child; sending it "
        "through a Pipe raises RuntimeError ('Lock objects should only be shared between "
        "processes through inheritance') in the sender. Queue.put() does not raise: the "
        "feeder thread hits the error, prints it to stderr and drops the item, so the "
        "receiver never gets it; later items still arrive.",
        verdicts=(
            holds(
                "As with multiprocessing, except that billiard's feeder thread dies on the "
                "pickling error: the queue silently delivers nothing put after it.",
                libraries=("billiard",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="guidelines.terminate-breaks-shared",
        cite=ALL + " › Avoid terminating processes",
        statement="Terminating a process while it uses a shared lock, semaphore, pipe or "
        "queue can leave that object broken or unusable for the other processes.",
        explanation="terminate() is SIGTERM with no cleanup: a Semaphore(1) the child "
        "held stays taken for ever (acquire with a timeout fails), and a child killed "
        "while blocked in Queue.get() keeps the queue's read lock, so the next get() "
        "raises Empty although an item is waiting.",
        verdicts=(holds(),),
    ),
    Claim(
        id="guidelines.join-before-drain-deadlock",
        cite=ALL + " › Joining processes that use queues",
        statement="Joining a child before getting the large item it put on a queue "
        "deadlocks; getting the item first and then joining works.",
        explanation="A child that put 1 MiB cannot exit until its feeder thread has "
        "written the item into the pipe (64 KiB), which only a reader can empty: join() "
        "first waits for ever, get() first then join() returns the item and exitcode 0.",
        verdicts=(holds(),),
    ),
    Claim(
        id="guidelines.nondaemon-auto-joined",
        cite=ALL + " › Joining processes that use queues",
        statement="A parent that exits joins its non-daemonic children automatically.",
        explanation="The main program's code ends, then its exit handler "
        "(util._exit_function) joins the unjoined non-daemonic child: the program lasts "
        "at least as long as the child, whose work is complete when it returns.",
        verdicts=(
            fails(
                "billiard reuses multiprocessing's exit handler (billiard.util imports "
                "_exit_function from multiprocessing.util), whose active_children() lists "
                "multiprocessing's children, not billiard's: nothing joins a billiard child "
                "at exit, and the program ends while it still runs (orphaned, it finishes "
                "on its own).",
                libraries=("billiard",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="guidelines.pass-resources-explicitly",
        cite=ALL + " › Explicitly pass resources to child processes",
        statement="A resource handed to the child as a Process argument works with every "
        "start method, whereas a global that only the parent's main code created works "
        "only under fork.",
        explanation="A Lock created under the main guard and used by the child through "
        "its global name: under fork the child has it; spawn and forkserver children "
        "re-import the main module without running the guarded code, and the target "
        "dies with NameError (exitcode 1). Passed as an argument, it works everywhere.",
        verdicts=(
            holds(
                "billiard 4.2 (the last release for 3.8 and 3.9) never imports the main "
                "script in spawn and forkserver children (get_preparation_data names it "
                "'__main__', which prepare() skips; fixed in 4.3): the global-lock child "
                "dies even earlier, unable to find its target in __main__ (AttributeError; "
                "exitcode 1, 255 under forkserver). The lock passed as an argument works.",
                methods=("spawn", "forkserver"),
                python="<3.10",
                libraries=("billiard",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="guidelines.arg-keeps-alive",
        cite=ALL + " › Explicitly pass resources to child processes",
        statement="An object given to a child as a Process argument stays alive in the "
        "parent as long as the child runs, so a resource that its garbage collection "
        "releases is not pulled from under the child.",
        explanation="Not since 3.7 (bpo-30775): start() deletes the Process's target and "
        "arguments, so once the parent drops its own name the object is collected while "
        "the child runs. Under fork no harm follows (the child has its copy), but a spawn "
        "or forkserver child that has not yet unpickled a Lock finds its named semaphore "
        "already unlinked and dies with FileNotFoundError (exitcode 1).",
        verdicts=(
            holds(
                "billiard's start() keeps the target and arguments: the Process object "
                "holds the argument until the Process itself goes, and the child gets the "
                "lock.",
                libraries=("billiard",),
            ),
            fails(
                "The argument is collected as soon as the parent drops its name, but the "
                "fork child has its own copy of it and uses it undisturbed.",
                methods=("fork",),
            ),
            fails(),
        ),
    ),
    Claim(
        id="guidelines.stdin-devnull",
        cite=ALL + " › Beware of replacing sys.stdin with a \"file like object\"",
        statement="A child process closes the sys.stdin it starts with and replaces it "
        "with one reading os.devnull.",
        explanation="Before the target runs, the child closes sys.stdin and opens "
        "os.devnull in its place (util._close_stdin; opened by descriptor, so its name is "
        "the fd, not '/dev/null'): read() returns '' at once even when the parent's stdin "
        "is a pipe holding data, which stays there for the parent.",
        verdicts=(holds(),),
    ),
    Claim(
        id="guidelines.stdin-filelike-double-flush",
        cite=ALL + " › Beware of replacing sys.stdin with a \"file like object\"",
        statement="If sys.stdin is replaced by a buffered file-like object, each child "
        "that closes it may flush the same buffered data again; an object that keys its "
        "buffer on the pid avoids this.",
        explanation="Under fork the child inherits the parent's replacement with its "
        "unflushed buffer, and its start-up close() writes that buffer out; the parent "
        "writes it again when it closes the object: the data appears twice. A buffer "
        "that remembers its process's pid and is dropped elsewhere is written once.",
        verdicts=(
            fails(
                "A spawn or forkserver child is a fresh interpreter: it never sees the "
                "parent's replacement (it closes its own stdin), and the data is written "
                "once.",
                methods=("spawn", "forkserver"),
            ),
            holds(),
        ),
    ),
    Claim(
        id="guidelines.process-args-picklable",
        cite=SPAWN + " › More picklability",
        statement="Under spawn and forkserver all the arguments of Process() must be "
        "picklable, and so must a Process subclass's instance when start() is called.",
        explanation="start() pickles the Process object with its target and arguments, "
        "in the parent, before any child exists: a threading.Lock argument or a subclass "
        "holding a generator raises TypeError (cannot pickle ...) there.",
        verdicts=(
            fails(
                "Under fork nothing is pickled: the child gets the unpicklable objects by "
                "fork and runs.",
                methods=("fork",),
            ),
            holds(
                "multiprocess pickles with dill: a threading.Lock argument goes through (the "
                "child gets a new lock), but a subclass holding a generator still raises "
                "TypeError in start().",
                libraries=("multiprocess",),
            ),
            holds(
                "start() fails in the parent before any child exists, with PyPy's "
                "pure-Python pickle raising pickle.PicklingError (\"it's not found as "
                "_thread.lock\") where CPython raises TypeError.",
                implementations=("PyPy",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="guidelines.globals-may-differ",
        cite=SPAWN + " › Global variables",
        statement="Under spawn and forkserver a module global that the parent changed at "
        "run time may have another value in the child; module-level constants are the "
        "same.",
        explanation="The child imports the module afresh, so it sees the value set at "
        "import, not the one the parent assigned before start(); a constant is the same "
        "in both.",
        verdicts=(
            fails(
                "fork copies the parent's memory: the child sees the value the parent "
                "assigned at run time.",
                methods=("fork",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="guidelines.unguarded-main-runtimeerror",
        cite=SPAWN + " › Safe importing of main module",
        statement="Under spawn and forkserver a main module that starts a process when "
        "imported, without the main guard, makes the child fail with a RuntimeError about "
        "the bootstrapping phase.",
        explanation="The child re-imports the main module, whose start() raises "
        "RuntimeError('An attempt has been made to start a new process before the current "
        "process has finished its bootstrapping phase. ...', with a pointer to this docs "
        "section since 3.11.x); the child exits with 1, the parent carries on.",
        verdicts=(
            fails(
                "Under fork the child does not import the main module again: the unguarded "
                "script works.",
                methods=("fork",),
            ),
            fails(
                "billiard 4.2 (the last release for 3.8 and 3.9) never imports the main "
                "script in spawn and forkserver children (get_preparation_data names it "
                "'__main__', which prepare() skips; fixed in 4.3): the unguarded script works, "
                "and nothing the script defines can be a target there.",
                methods=("spawn", "forkserver"),
                python="<3.10",
                libraries=("billiard",),
            ),
            holds(
                "The child raises the RuntimeError, but billiard's fork server reports its "
                "exitcode as 255, not 1.",
                methods=("forkserver",),
                libraries=("billiard",),
            ),
            partly(
                "From 3.14.1 the fork server preloads the main script itself (gh-126631: "
                "before, the __main__ preload never got the script's path; 3.15 ignores "
                "preload errors): it runs the unguarded start(), raises the RuntimeError "
                "and dies, and the parent's start() fails in the handshake "
                "(ConnectionResetError): the whole script fails, no child ever exists.",
                methods=("forkserver",),
                python=">=3.14.1,<3.15",
                libraries=("multiprocessing",),
            ),
            partly(
                "From 3.13.8 the fork server preloads the main script itself (gh-126631, "
                "backported): it raises the RuntimeError and dies, and the parent's start() "
                "fails (EOFError reading the child's pid): the whole script fails, no child "
                "ever exists.",
                methods=("forkserver",),
                python=">=3.13.8,<3.14",
                libraries=("multiprocessing",),
            ),
            partly(
                "multiprocess 0.70.19 carries the fork server's preload of the main script "
                "(gh-126631) in its 3.13 and 3.14 sources, whatever the micro version: the "
                "fork server dies with the RuntimeError and the parent's start() fails "
                "(EOFError on 3.13, ConnectionResetError on 3.14).",
                methods=("forkserver",),
                python=">=3.13,<3.15",
                libraries=("multiprocess",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="guidelines.pool-manager-main-guard",
        cite=SPAWN + " › Safe importing of main module",
        statement="The main-guard rule applies equally to a Pool or a Manager created "
        "when the main module is imported.",
        explanation="Every child re-imports the unguarded module and dies with the "
        "bootstrapping RuntimeError, but the parent fails in different ways: the Pool "
        "replaces each dead worker with another that dies the same way, so map() never "
        "finishes (the program hangs); Manager() raises EOFError because its server died "
        "before sending its address.",
        verdicts=(
            fails(
                "Under fork nothing is re-imported: the unguarded Pool and Manager work.",
                methods=("fork",),
            ),
            fails(
                "billiard 4.2 (the last release for 3.8 and 3.9) never imports the main "
                "script in spawn and forkserver children (get_preparation_data names it "
                "'__main__', which prepare() skips; fixed in 4.3): the unguarded Pool and Manager work, "
                "and nothing the script defines can be a target there.",
                methods=("spawn", "forkserver"),
                python="<3.10",
                libraries=("billiard",),
            ),
            holds(
                "From 3.14.1 the fork server preloads the main script itself and dies with "
                "the RuntimeError, so Pool() and Manager() raise ConnectionResetError in "
                "the parent at once (no endless replacement of workers).",
                methods=("forkserver",),
                python=">=3.14.1,<3.15",
                libraries=("multiprocessing",),
            ),
            holds(
                "multiprocess 0.70.19's fork server preloads the main script on 3.13 and "
                "3.14 and dies with the RuntimeError, so Pool() and Manager() fail in the "
                "parent at once (EOFError on 3.13, ConnectionResetError on 3.14).",
                methods=("forkserver",),
                python=">=3.13,<3.15",
                libraries=("multiprocess",),
            ),
            holds(
                "From 3.13.8 the fork server preloads the main script itself and dies with "
                "the RuntimeError, so Pool() and Manager() fail in the parent at once "
                "(EOFError).",
                methods=("forkserver",),
                python=">=3.13.8,<3.14",
                libraries=("multiprocessing",),
            ),
            holds(),
        ),
    ),
]
