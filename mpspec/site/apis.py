"""The API index: which names of the library's API each claim is about.

Each entry is an API name as a reader would search for it and a pattern that finds it
in a claim's ID, statement or explanation.  The site tags every claim page with
the names it matches, and the generator's tags index lists them by name.
"""

from __future__ import annotations

import re

# (name, pattern); the pattern is searched case-sensitively in the claim's text.
APIS = (
    ("Process", r"\bProcess\b(?!\w*Pool)|kwargs"),
    ("Process.start", r"\bstart\(\)"),
    ("Process.join", r"\bjoin\(|\bjoined\b"),
    ("Process.terminate", r"\bterminate\(\)|SIGTERM"),
    ("Process.kill", r"\bkill\(\)|SIGKILL"),
    ("Process.close", r"process-api\.close|Process\.close"),
    ("Process.daemon", r"\bdaemon"),
    ("Process.exitcode", r"\bexitcode|exit code"),
    ("Process.name", r"\.name\b|\bname setter|process\.name|default-name"),
    ("Process.pid", r"\bpid\b|\bident\b"),
    ("Process.sentinel", r"\bsentinel"),
    ("Process.is_alive", r"is_alive|is-alive"),
    ("parent_process", r"parent_process|parent-process"),
    ("current_process", r"current_process"),
    ("active_children", r"active_children|active-children"),
    ("get_context", r"get_context|get-context"),
    ("set_start_method", r"set_start_method|set-start-method"),
    ("get_start_method", r"get_start_method"),
    ("set_executable", r"set_executable|set-executable"),
    ("set_forkserver_preload", r"set_forkserver_preload|forkserver-preload"),
    ("start method: fork", r"\bfork\b"),
    ("start method: spawn", r"\bspawn"),
    ("start method: forkserver", r"forkserver|fork server"),
    ("if __name__ == '__main__'", r"__main__|main guard|main-guard|unguarded"),
    ("freeze_support", r"freeze_support|freeze-support"),
    ("cpu_count", r"cpu_count|process_cpu_count|cpu-count|default-size"),
    ("Queue", r"\bQueue\b|\bqueue\b"),
    ("Queue.put", r"\bput\(|put_nowait|\bput\b"),
    ("Queue.get", r"\bget\(|get_nowait|get-nowait"),
    ("Queue.empty / full / qsize", r"empty\(\)|full\(\)|qsize"),
    ("Queue.close / join_thread", r"join_thread|cancel_join_thread|join-thread|feeder"),
    ("queue.Empty / queue.Full", r"queue\.Empty|queue\.Full|Queue\.Empty|Queue\.Full|exception-names"),
    ("JoinableQueue", r"JoinableQueue|task_done|task-done"),
    ("SimpleQueue", r"SimpleQueue|simplequeue"),
    ("Pipe", r"\bPipe\b|\bpipe\b"),
    ("Connection", r"\bConnection\b|^conn\.|fileno"),
    ("Connection.send / recv", r"\bsend\(|\brecv\(|send_bytes|recv_bytes"),
    ("Connection.poll", r"\bpoll\("),
    ("connection.wait", r"connection\.wait|\bwait\(\) on|conn\.wait-"),
    ("Listener", r"\bListener\b"),
    ("Client", r"\bClient\b"),
    ("authkey", r"authkey|authentication|AuthenticationError|HMAC"),
    ("Pool", r"\bPool\b|\bpool\b"),
    ("Pool.map", r"\bmap\(|\bmap\b|map_async|map-async"),
    ("Pool.imap / imap_unordered", r"\bimap"),
    ("Pool.starmap", r"starmap"),
    ("Pool.apply / apply_async", r"\bapply"),
    ("Pool.close / terminate / join", r"close\(\) and join|must-close|terminate-abandons|join-requires-close|close-drains"),
    ("AsyncResult", r"AsyncResult|asyncresult|\.get\(timeout|successful\(\)"),
    ("maxtasksperchild", r"maxtasksperchild"),
    ("ThreadPool", r"ThreadPool|threadpool"),
    ("multiprocessing.dummy", r"multiprocessing\.dummy|\bdummy\b"),
    ("Lock", r"\bLock\b|\block\b"),
    ("RLock", r"\bRLock\b|rlock"),
    ("Semaphore / BoundedSemaphore", r"Semaphore|semaphore|sem_timedwait"),
    ("Condition", r"\bCondition\b|condition"),
    ("Event", r"\bEvent\b"),
    ("Barrier", r"\bBarrier\b|barrier"),
    ("Value", r"\bValue\b"),
    ("Array", r"\bArray\b"),
    ("sharedctypes", r"sharedctypes|RawValue|RawArray|synchronized"),
    ("SharedMemory", r"SharedMemory|shared memory|shm\."),
    ("ShareableList", r"ShareableList|\bsl-"),
    ("SharedMemoryManager", r"SharedMemoryManager|smm-"),
    ("resource tracker", r"resource[ _-]tracker"),
    ("Manager", r"\bManager\b|\bmanager\b|SyncManager"),
    ("BaseManager", r"BaseManager|register\("),
    ("Proxy objects", r"\bproxy\b|\bproxies\b|\bproxy-|BaseProxy"),
    ("Namespace", r"Namespace|namespace"),
    ("pickling", r"pickl"),
    ("logging", r"log_to_stderr|get_logger|\blogging\b|\blogger"),
    ("threads", r"\bthreads?\b|threading"),
    ("signals / Ctrl-C", r"SIGINT|KeyboardInterrupt|Ctrl-C|signal"),
    ("python -O", r"under -O|\bassert"),
)

_COMPILED = tuple((name, re.compile(pattern)) for name, pattern in APIS)


def apis_of(claim: dict) -> list:
    """The API names a claim (merged results) is about, in the index's order: found in
    what the claim says and what really happens, not in every environment's note."""
    text = " ".join([claim["id"], claim["statement"], claim.get("explanation", "")])
    return [name for name, pattern in _COMPILED if pattern.search(text)]
