"""Docs chapter "Contexts and start methods" (library reference, multiprocessing), with
the reference entries of the functions it names and the What's New pages of 3.12 and
3.14."""

from mpspec.registry import Claim, fails, holds, na, partly

WINDOWS_NO_FORK = "Windows has neither fork nor forkserver"
WINDOWS_NO_FORKSERVER = "Windows has no forkserver start method"
WINDOWS_NO_TRACKER = "Windows has no resource tracker process (handles are closed with the process)"

CLAIMS = [
    Claim(
        id="start.default-per-platform",
        cite="Contexts and start methods; What's New in 3.14 › multiprocessing",
        statement="Without an explicit choice the start method is spawn on Windows and "
        "on macOS (since 3.8), and fork on other POSIX systems up to 3.13, forkserver "
        "from 3.14.",
        explanation="A fresh interpreter's get_start_method() is fork on Linux up to "
        "3.13 and forkserver from 3.14 (3.14's source falls back to spawn when no "
        "temporary directory is writable, gh-155717); macOS and Windows use spawn "
        "(from the source: context.py picks spawn for darwin and win32).",
        verdicts=(
            fails(
                "multiprocess defaults to fork on macOS too (its context.py: "
                "'FIXME: spawn'), on every version.",
                platforms=("darwin",),
                libraries=("multiprocess",),
            ),
            fails(
                "multiprocess keeps fork as the Linux default on 3.14+ (its 3.14 "
                "context.py: 'FIXME: forkserver').",
                python=">=3.14",
                libraries=("multiprocess",),
            ),
            fails(
                "billiard keeps fork as the Linux default on 3.14+ (its own context.py "
                "never changed).",
                python=">=3.14",
                libraries=("billiard",),
            ),
            holds("spawn on macOS since 3.8 (from the source).", platforms=("darwin",)),
            holds("spawn, the only method on Windows (from the source).", platforms=("win32",)),
            holds(
                "forkserver; 3.14's context.py picks spawn instead when no temporary "
                "directory is writable (gh-155717), since the server needs a socket file.",
                python=">=3.14",
            ),
            holds("fork on Linux up to 3.13."),
        ),
        per_method=False,
    ),
    Claim(
        id="start.spawn-fresh-interpreter",
        cite="Contexts and start methods (spawn)",
        statement="A spawned child is a new interpreter: module state the parent "
        "changed after importing is not what the child sees.",
        explanation="A module global changed in the parent at run time: spawn and "
        "forkserver children see the value as imported (a forkserver child is forked "
        "from the server, itself a fresh interpreter); a fork child sees the change.",
        verdicts=(
            na(WINDOWS_NO_FORK, methods=("fork", "forkserver"), platforms=("win32",)),
            fails("By design: a fork child is a copy of the parent and sees the change.", methods=("fork",)),
            holds(),
        ),
    ),
    Claim(
        id="start.fork-inherits-everything",
        cite="Contexts and start methods (fork)",
        statement="A fork child starts as a copy of the parent process and inherits "
        "all of its resources.",
        explanation="A fork child has the parent's open files on the same descriptors "
        "and its memory (a global changed at run time), but only the thread that called "
        "start(): the parent's other threads do not exist in it (see "
        "start.fork-threads-hazard).  Spawn and forkserver children inherit neither.",
        verdicts=(
            na(WINDOWS_NO_FORK, platforms=("win32",)),
            partly(
                "Open files and memory are inherited, threads are not: with three more "
                "threads running in the parent, the child has one.",
                methods=("fork",),
            ),
            fails(
                "Not a copy: the parent's open file is not on that descriptor in the child, "
                "and module state is as imported."
            ),
        ),
    ),
    Claim(
        id="start.spawn-no-stray-fds",
        cite="Contexts and start methods (spawn, forkserver)",
        statement="Spawn and forkserver children do not inherit file descriptors they "
        "do not need.",
        explanation="Even a descriptor the parent marked inheritable is absent from "
        "spawn children (the interpreter is launched with every descriptor closed but "
        "the ones passed) and from forkserver children (forked by the server, which "
        "passes only the child's pipes).",
        verdicts=(
            na(WINDOWS_NO_FORK, methods=("fork", "forkserver"), platforms=("win32",)),
            fails("A fork child has every descriptor of the parent, inheritable or not.", methods=("fork",)),
            holds(),
        ),
    ),
    Claim(
        id="start.spawn-slower",
        cite="Contexts and start methods (spawn)",
        statement="Starting a process is much slower with spawn than with fork or "
        "forkserver.",
        explanation="From start() until the child runs: about 1.7 ms with fork, 6-7 ms "
        "with forkserver and 24-32 ms with spawn on every CPython from 3.8 to 3.13 here "
        "(benchmarks/results/performance.json, start_ms_per_version); the spec compares "
        "medians of interleaved starts and asserts only their order.",
        verdicts=(
            na("Windows has only spawn: nothing to compare it with", platforms=("win32",)),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="start.forkserver-single-threaded",
        cite="Contexts and start methods (forkserver)",
        statement="The fork server is single-threaded, so the children it forks carry "
        "none of the parent's threads.",
        explanation="With extra threads running in the parent, a forkserver child's "
        "parent is the server, which runs one thread, and the child has one thread.",
        verdicts=(na(WINDOWS_NO_FORKSERVER, platforms=("win32",)), holds()),
        per_method=False,
    ),
    Claim(
        id="start.forkserver-availability",
        cite="Contexts and start methods (forkserver)",
        statement="forkserver is available only on Unix platforms that can pass file "
        "descriptors over Unix pipes.",
        explanation="On Linux it is offered and works.  On a Unix whose sockets cannot "
        "pass descriptors (simulated by removing socket.SCM_RIGHTS before the import) "
        "get_context('forkserver') raises ValueError and the default is not forkserver.",
        verdicts=(
            holds("Not offered on Windows (from the source).", platforms=("win32",)),
            holds(
                "billiard lists it only where descriptors can be passed, on every version.",
                libraries=("billiard",),
            ),
            partly(
                "get_context('forkserver') raises ValueError where descriptors cannot be "
                "passed, but 3.14's get_all_start_methods() lists every concrete context, "
                "so it still offers forkserver there (the default falls back to spawn).",
                python=">=3.14",
            ),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="start.resource-tracker-process",
        cite="Contexts and start methods (spawn, forkserver)",
        statement="On Unix, starting a process with spawn or forkserver launches a "
        "resource tracker process; fork does not.",
        explanation="In a fresh program, the first spawn or forkserver child makes the "
        "library launch its resource tracker (a child of the program); a fork child "
        "does not (the tracker then starts with the first named semaphore or shared "
        "memory segment).",
        verdicts=(
            na(WINDOWS_NO_TRACKER, platforms=("win32",)),
            holds(
                "billiard launches its semaphore tracker (it has no resource tracker).",
                libraries=("billiard",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="start.resource-tracker-cleans-leaks",
        cite="Contexts and start methods (spawn, forkserver: the resource tracker)",
        statement="Named semaphores and shared memory segments left by processes "
        "killed by a signal are unlinked by the resource tracker when the program "
        "ends; otherwise they would stay until reboot.",
        explanation="A child of any start method creates a shared memory segment and a "
        "named semaphore and dies by SIGKILL: both stay in /dev/shm while the program "
        "runs; once the program lets go of the tracker (as at exit) the tracker "
        "unlinks both and warns 'leaked shared_memory objects' and 'leaked semaphore "
        "objects' on stderr.",
        verdicts=(
            na(WINDOWS_NO_TRACKER, platforms=("win32",)),
            partly(
                "billiard has no shared_memory module; its semaphore tracker unlinks the "
                "leaked semaphore and warns.",
                libraries=("billiard",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="start.set-start-method-once",
        cite="Contexts and start methods; set_start_method",
        statement="The global start method can be set once: a second "
        "set_start_method() raises RuntimeError unless force=True.",
        explanation="In a fresh interpreter set_start_method('spawn') works; "
        "set_start_method('fork') then raises RuntimeError('context has already been "
        "set') and changes nothing; with force=True it replaces the method.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="start.get-context-multiple-methods",
        cite="Contexts and start methods (get_context)",
        statement="Context objects have the same API as the multiprocessing module and "
        "let one program use several start methods.",
        explanation="Contexts of fork, spawn and forkserver used side by side in one "
        "process each behave as their method; but a context lacks one name of the "
        "module's API, get_all_start_methods(), and its set_start_method() raises "
        "ValueError ('cannot set start method of concrete context').",
        verdicts=(
            partly(
                "billiard's concrete set_start_method(method=None) has no force "
                "parameter: without it, ValueError as in the standard library; with "
                "force=True, TypeError (unexpected keyword argument 'force').",
                libraries=("billiard",),
            ),
            partly(),
        ),
        per_method=False,
    ),
    Claim(
        id="start.get-context-does-not-set-global",
        cite="Contexts and start methods (get_context)",
        statement="Getting a context does not fix the global start method, so a library "
        "that uses get_context() leaves the program's choice alone.",
        explanation="get_context('spawn') (any named method) leaves the start method "
        "unset and set_start_method() still works; but get_context() without a name "
        "returns the default context and fixes it: set_start_method() then raises "
        "RuntimeError.",
        verdicts=(partly(),),
        per_method=False,
    ),
    Claim(
        id="start.cross-context-lock-rejected",
        cite="Contexts and start methods (objects of one context with another)",
        statement="A lock created with a fork context cannot be passed to a process "
        "started with spawn or forkserver.",
        explanation="A fork child uses the lock; for a spawn or forkserver process "
        "start() raises RuntimeError ('A SemLock created in a fork context is being "
        "shared with a process in a spawn context') in the parent, before any child "
        "exists.",
        verdicts=(
            na(WINDOWS_NO_FORK, platforms=("win32",)),
            holds("A fork child takes the lock (the claim concerns the other methods).", methods=("fork",)),
            partly(
                "billiard has no such check: start() succeeds and the child crashes with "
                "SIGSEGV unpickling the lock (a semaphore the fork context unlinked at "
                "creation travels as the parent's raw sem_t pointer); under forkserver "
                "billiard reports that as exitcode 255.",
                libraries=("billiard",),
            ),
            partly(
                "The check came in 3.11: before, start() succeeds and the child crashes "
                "with SIGSEGV unpickling the lock (a semaphore the fork context unlinked "
                "at creation travels as the parent's raw sem_t pointer, meaningless in "
                "another process).",
                python="<3.11",
            ),
            holds(),
        ),
    ),
    Claim(
        id="start.get-all-start-methods",
        cite="get_all_start_methods; What's New in 3.14 › multiprocessing",
        statement="get_all_start_methods() lists the available start methods with the "
        "default first: only spawn on Windows, always fork and spawn on Unix.",
        explanation="On Linux ['fork', 'spawn', 'forkserver'] up to 3.13 and "
        "['forkserver', 'fork', 'spawn'] from 3.14, the default first either way; "
        "calling it fixes nothing.  From the source (context.py): up to 3.13 the list "
        "is fixed per platform, from 3.14 it is the default followed by the other "
        "concrete contexts in the order fork, spawn, forkserver.",
        verdicts=(
            fails(
                "billiard on macOS defaults to spawn but lists ['fork', 'spawn', "
                "'forkserver'] (from the source).",
                platforms=("darwin",),
                libraries=("billiard",),
            ),
            fails(
                "multiprocess before 3.14 on macOS defaults to fork but lists ['spawn', "
                "'fork', 'forkserver'] (from the source).",
                platforms=("darwin",),
                libraries=("multiprocess",),
                python="<3.14",
            ),
            holds(
                "From the source (not run here): only ['spawn'], the one concrete "
                "context of context.py's Windows branch, and the default.",
                platforms=("win32",),
            ),
            holds(
                "From the source (not run here): ['spawn', 'fork', 'forkserver'], spawn "
                "the default since 3.8 and listed first (up to 3.13 a fixed macOS list, "
                "from 3.14 the default followed by the other contexts).",
                platforms=("darwin",),
            ),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="start.get-context-invalid",
        cite="get_context",
        statement="get_context(None) returns the default context, and an unknown or "
        "unavailable method name raises ValueError.",
        explanation="get_context() returns the default method's context (ForkContext up "
        "to 3.13 on Linux, ForkServerContext from 3.14); get_context('bogus') raises "
        "ValueError(\"cannot find context for 'bogus'\").",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="start.get-start-method-fixes-default",
        cite="get_start_method",
        statement="get_start_method() fixes the start method to the default if none was "
        "set; with allow_none=True it returns None instead.",
        explanation="In a fresh interpreter get_start_method(allow_none=True) is None; "
        "get_start_method() returns the default and fixes it, so set_start_method() "
        "then raises RuntimeError.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="start.set-executable",
        cite="set_executable",
        statement="set_executable() sets the Python interpreter child processes are "
        "launched with (sys.executable by default).",
        explanation="After set_executable(wrapper), spawn launches each child through "
        "the wrapper and forkserver launches its server through it (the server then "
        "forks the children); a server already running keeps its interpreter.",
        verdicts=(
            na(WINDOWS_NO_FORK, methods=("fork", "forkserver"), platforms=("win32",)),
            fails("fork launches no interpreter: the wrapper never runs.", methods=("fork",)),
            holds(),
        ),
    ),
    Claim(
        id="start.set-start-method-invalid",
        cite="set_start_method",
        statement="set_start_method() accepts only the names of available start "
        "methods.",
        explanation="set_start_method('bogus') raises ValueError(\"cannot find context "
        "for 'bogus'\"), with or without force=True, and leaves the start method unset.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="start.default-forkserver-314",
        cite="What's New in 3.14 › multiprocessing",
        statement="From 3.14 the default start method on POSIX platforms other than "
        "macOS is forkserver instead of fork; macOS and Windows keep spawn.",
        explanation="A fresh Linux interpreter's default is fork up to 3.13 and "
        "forkserver from 3.14, and get_all_start_methods() lists it first (gh-84559).",
        verdicts=(
            fails(
                "multiprocess defaults to fork on macOS (its context.py: 'FIXME: spawn'), "
                "on every version.",
                platforms=("darwin",),
                libraries=("multiprocess",),
            ),
            fails("multiprocess keeps fork as the default on 3.14+.", python=">=3.14", libraries=("multiprocess",)),
            fails("billiard keeps fork as the default on 3.14+.", python=">=3.14", libraries=("billiard",)),
            holds("spawn stays the macOS default (from the source).", platforms=("darwin",)),
            holds("spawn, the only method, stays the Windows default (from the source).", platforms=("win32",)),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="start.default-change-breaks-fork-reliance",
        cite="What's New in 3.14 › multiprocessing",
        statement="Code that relies on fork (unpicklable targets or arguments, state set "
        "at run time) breaks under the 3.14 default unless it asks for fork with "
        "get_context('fork') or set_start_method().",
        explanation="A lambda target and a module global set at run time: under an "
        "explicit fork context both work; under forkserver the lambda fails to pickle "
        "in start() and the child sees the global as imported.  The default context "
        "is fork up to 3.13 (the program works) and forkserver from 3.14 (it breaks).",
        verdicts=(
            partly(
                "multiprocess pickles the lambda with dill (up to 3.14; on 3.15 dill fails "
                "with AttributeError 'code' object has no attribute 'co_lnotab'), so "
                "there only the run-time state is lost under forkserver; and its default "
                "stays fork on 3.14+, so nothing breaks by default.",
                libraries=("multiprocess",),
            ),
            partly(
                "Under billiard's forkserver such code breaks as described, but billiard's "
                "default stays fork on 3.14+, so it keeps working by default (before 3.14 "
                "billiard behaves as the standard library: the claim holds).",
                python=">=3.14",
                libraries=("billiard",),
            ),
            holds(),
        ),
        per_method=False,
    ),
    Claim(
        id="start.forkserver-authenticated-socket",
        cite="What's New in 3.14 › multiprocessing",
        statement="The fork server's control socket is authenticated, so reaching the "
        "socket is no longer enough to make the server fork processes.",
        explanation="From 3.14 the server challenges every client with a random key it "
        "got through a pipe at launch: a wrong key is refused, and a request sent "
        "without the key forks nothing.  The socket itself is reachable by its owner "
        "only (mode 0600 in a 0700 directory) on every version.",
        verdicts=(
            na(WINDOWS_NO_FORKSERVER, platforms=("win32",)),
            fails(
                "billiard's fork server has no authentication on any version, and forks "
                "for every connection it accepts: a stranger's request runs its code.",
                libraries=("billiard",),
            ),
            holds(
                "Authenticated: a wrong key gets AuthenticationError, a request without "
                "the key forks nothing.  But the server is still single-threaded and "
                "unguarded against a client that sends part of a message and hangs up: "
                "it dies (OSError 'got end of file during message' is not among the "
                "errors it catches); the program's next start launches a new server.",
                python=">=3.14",
            ),
            fails(
                "Before 3.14 there is no authentication: anyone who can connect to the "
                "socket (the same user) gets a child forked that unpickles and runs "
                "whatever they send."
            ),
        ),
        per_method=False,
    ),
    Claim(
        id="start.fork-threads-deprecationwarning-312",
        cite="What's New in 3.12 › Deprecated (os.fork)",
        statement="From 3.12, forking a process that runs other threads emits a "
        "DeprecationWarning; spawn and forkserver are the remedy.",
        explanation="With a second thread running, a fork start emits DeprecationWarning "
        "'This process (pid=N) is multi-threaded, use of fork() may lead to deadlocks "
        "in the child'; spawn and forkserver emit none.  As an error (-W error) it is "
        "swallowed on 3.12-3.14: start() succeeds, nothing is shown.",
        verdicts=(
            na("the warning was added in 3.12", python="<3.12"),
            na(WINDOWS_NO_FORK, platforms=("win32",)),
            holds(
                "The warning is emitted; turned into an error it now propagates: start() "
                "raises DeprecationWarning after the child was forked, so the child runs, "
                "the Process object has no pid, and nobody joins the child.",
                python=">=3.15",
                methods=("fork",),
            ),
            holds(),
        ),
    ),
    Claim(
        id="start.fork-threads-hazard",
        cite="Contexts and start methods (fork); What's New in 3.12 › Deprecated",
        statement="A lock held by another thread of the parent when a child is started "
        "stays locked in the child for ever: forking a multithreaded process is unsafe.",
        explanation="A fork child finds the module-level lock the parent's other thread "
        "held at fork time locked, and no thread that could release it; a spawn or "
        "forkserver child has its own lock, free.",
        verdicts=(
            na(WINDOWS_NO_FORK, methods=("fork", "forkserver"), platforms=("win32",)),
            holds(methods=("fork",)),
            fails("The hazard is fork's: this child imported the module afresh and its lock is free."),
        ),
    ),
    Claim(
        id="start.no-runtime-warning-default-change-312",
        cite="What's New in 3.12 › Deprecated (multiprocessing)",
        statement="No runtime warning announces the 3.14 change of the default start "
        "method: code that needs fork has to ask for it explicitly.",
        explanation="Under -W error a fresh program with no threads starts and joins a "
        "default-context child with no warning at all, on every version.",
        verdicts=(holds(),),
        per_method=False,
    ),
    Claim(
        id="start.forkserver-preload",
        cite="set_forkserver_preload; Contexts and start methods (forkserver)",
        statement="set_forkserver_preload() makes the fork server import the listed "
        "modules once, so that its children start with them imported; '__main__' is "
        "preloaded by default.",
        explanation="A preloaded module is imported once, by the server, never by its "
        "children, whether it is found through PYTHONPATH or only through the parent's "
        "sys.path (the script's directory); with no call, the default list "
        "['__main__'] has the server import the main script once.",
        verdicts=(
            na(WINDOWS_NO_FORKSERVER, platforms=("win32",)),
            partly(
                "billiard's fork server ignores the parent's sys.path and never gets the "
                "main script's path: a module found only through the script's directory, "
                "and '__main__', are silently imported by every child instead (billiard "
                "4.2, what installs on 3.8 and 3.9, has no child import the main script "
                "at all).",
                libraries=("billiard",),
            ),
            holds(
                "multiprocess 0.70.19's copy of the 3.13 standard library carries both "
                "fixes.",
                python=">=3.13",
                libraries=("multiprocess",),
            ),
            partly(
                "multiprocess 0.70.19's copy for 3.12 passes the parent's sys.path to "
                "the server (gh-117378) but never preloads '__main__': every child "
                "imports the main script.",
                python="==3.12",
                libraries=("multiprocess",),
            ),
            holds(python=">=3.14.1"),
            holds(python=">=3.13.8,<3.14"),
            partly(
                "The server gets the parent's sys.path (gh-117378) but '__main__' is "
                "never preloaded: every child imports the main script (gh-126631, fixed "
                "in 3.14.1).",
                python=">=3.14",
            ),
            partly(
                "A module the server finds on its own (PYTHONPATH) is preloaded once, but "
                "the server ignored the parent's sys.path (fixed by gh-117378 in 3.14 and "
                "the 3.12/3.13 branches in November 2024) and never got the main "
                "script's path (gh-126631, fixed in 3.13.8 and 3.14.1): a module found "
                "only through the script's directory, and '__main__', are silently "
                "imported by every child instead (checked on 3.8 to 3.13.0 and PyPy)."
            ),
        ),
        per_method=False,
    ),
    Claim(
        id="start.forkserver-threads-caveat",
        cite="Contexts and start methods (forkserver)",
        statement="The fork server is single-threaded unless system libraries or "
        "preloaded imports start threads as a side effect.",
        explanation="A preloaded module that starts a thread on import leaves the server "
        "with two threads; the children it forks have one, and from 3.12 each fork "
        "emits the multi-threaded fork DeprecationWarning in the server.",
        verdicts=(na(WINDOWS_NO_FORKSERVER, platforms=("win32",)), holds()),
        per_method=False,
    ),
    Claim(
        id="start.spawn-functions-picklable",
        cite="Contexts and start methods (spawn), 3.14 docs",
        statement="A process target run under spawn (or forkserver) must be picklable.",
        explanation="A bound method of an object holding a generator as target: spawn "
        "and forkserver raise TypeError \"cannot pickle 'generator' object\" in start(), "
        "in the parent, before any child exists; fork runs it (closures and lambdas: "
        "process.closure-target).",
        verdicts=(
            na(WINDOWS_NO_FORK, methods=("fork", "forkserver"), platforms=("win32",)),
            fails("fork pickles nothing: the bound method runs in the child.", methods=("fork",)),
            holds(
                "PyPy's pure-Python pickle raises pickle.PicklingError (\"Can't pickle "
                "<class 'generator'>\") instead of TypeError.",
                implementations=("PyPy",),
            ),
            holds(),
        ),
    ),
]
