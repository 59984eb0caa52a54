"""The claim registry: one entry per claim of the two catalogues, the article's
(``../shared/claims.md``) and the docs' (``../shared/docs-claims.md``).

A claim says what its source asserts, in our own words, where it asserts it (the
citation), and what is really true: a verdict per start method, possibly depending
on the Python version, ``-O``, the platform, the implementation or the library.
Verdicts are given as an ordered list of ``When`` rules; the first rule that matches
the environment and start method wins.  A rule may also say that the claim does not
apply (``na``): its tests are then skipped as "not applicable", with the reason.

The claims live in ``mpspec/claims/<chapter>.py``, one module per chapter (dashes
become underscores: ``process-api`` is ``process_api.py``), so chapters can be
written independently.  A claim's ID begins with its chapter's key
(``queue.fifo`` is in the ``queue`` chapter); ``CHAPTERS`` says which source each
chapter belongs to.  The README's "Adding a claim" lists every place a claim touches.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from dataclasses import dataclass
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

VERDICTS = ("holds", "does-not-hold", "partly")
NOT_APPLICABLE = "n/a"
# The verdict-flip check (python -m mpspec.mutate --verdicts) names one claim in this
# variable: wherever that claim applies, its verdict is turned around, and some test
# of the claim must then fail.
FLIP_ENV = "MPSPEC_FLIP_VERDICT"
FLIPPED = {"holds": "does-not-hold", "does-not-hold": "holds", "partly": "holds"}
FLIP_ALL = "*"  # FLIP_ENV=*: every claim at once; the observer then records, never fails
RULE_VERDICTS = VERDICTS + (NOT_APPLICABLE,)
ALL_METHODS = ("fork", "spawn", "forkserver")
ANY = "any"  # the results key of a method-independent claim

SOURCES = (
    ("article", "The article", "Process 进程模块 (QZQ的小世界, 2025, CC BY-NC 4.0)"),
    ("docs", "The documentation", "Python's multiprocessing documentation (library reference and What's New)"),
)
SOURCE_KEYS = tuple(s[0] for s in SOURCES)


class Chapter(NamedTuple):
    key: str  # the claim IDs' prefix
    source: str  # "article" or "docs"
    heading: str  # the source's own heading (the article's in Chinese)
    title: str  # in English

    @property
    def module(self) -> str:
        """The registry module (mpspec/claims/<module>.py) of this chapter."""
        return self.key.replace("-", "_")


# Every chapter, the article's in its order (queue and pipe are subsections of its
# communication chapter), then the docs' in the order of ../shared/docs-claims.md.
CHAPTERS: Tuple[Chapter, ...] = (
    Chapter("basics", "article", "基础", "Basics"),
    Chapter("process", "article", "进程类", "The Process class"),
    Chapter("ipc", "article", "多进程通信", "Communication between processes"),
    Chapter("queue", "article", "多进程通信 · Queue", "Communication: Queue"),
    Chapter("pipe", "article", "多进程通信 · Pipe", "Communication: Pipe"),
    Chapter("pool", "article", "进程池", "Process pools"),
    Chapter("map", "article", "进程池的map方法", "Pool.map"),
    Chapter("start", "docs", "Contexts and start methods", "Start methods and contexts"),
    Chapter("process-api", "docs", "The Process class", "The Process class, in full"),
    Chapter("guidelines", "docs", "Programming guidelines", "Programming guidelines"),
    Chapter("misc", "docs", "Miscellaneous", "cpu_count, logging, multiprocessing.dummy, exceptions"),
    Chapter("queue-api", "docs", "Pipes and Queues", "Queues in full: SimpleQueue, JoinableQueue, the feeder thread"),
    Chapter("pool-api", "docs", "Process Pools", "Pools in full: imap, starmap, callbacks, AsyncResult"),
    Chapter("sync", "docs", "Synchronization primitives", "Locks, semaphores, conditions, events and barriers"),
    Chapter("shared", "docs", "Shared ctypes Objects", "Value, Array and sharedctypes"),
    Chapter("shm", "docs", "multiprocessing.shared_memory", "Shared memory blocks and ShareableList"),
    Chapter("conn", "docs", "Listeners and Clients; Authentication keys", "Connections and authentication (security)"),
    Chapter("manager", "docs", "Managers; Proxy Objects", "Managers and proxies"),
    Chapter(
        "futures", "docs", "concurrent.futures: ProcessPoolExecutor",
        "concurrent.futures.ProcessPoolExecutor (and loky beside it)",
    ),
)
CHAPTER = {c.key: c for c in CHAPTERS}

# A library under test that replaces only part of what the spec covers: on its leg
# every claim outside these chapters is n/a, with this reason (mpspec.lib.EXECUTOR_ONLY).
LIBRARY_CHAPTERS = {
    "loky": (
        ("futures",),
        "loky replaces concurrent.futures' ProcessPoolExecutor, not multiprocessing: "
        "only the futures chapter tests it",
    ),
}

_VERSION_CLAUSE = re.compile(r"^\s*(>=|<=|==|<|>)\s*(\d+(?:\.\d+){0,2})\s*$")


def _version_tuple(text: str) -> Tuple[int, ...]:
    return tuple(int(x) for x in text.split("."))


def version_matches(spec: str, version: Sequence[int]) -> bool:
    """``spec`` is comma-separated clauses such as ``">=3.12.5,<3.14"``.

    Each clause compares the version truncated to the clause's precision, so
    ``"<3.13"`` is true for 3.12.9 and ``"==3.12"`` for every 3.12.x.
    """
    for clause in spec.split(","):
        m = _VERSION_CLAUSE.match(clause)
        if not m:
            raise ValueError(f"bad python version clause {clause!r} in {spec!r}")
        op, ref = m.group(1), _version_tuple(m.group(2))
        have = tuple(version[: len(ref)])
        ok = {
            ">=": have >= ref,
            "<=": have <= ref,
            "==": have == ref,
            "<": have < ref,
            ">": have > ref,
        }[op]
        if not ok:
            return False
    return True


@dataclass(frozen=True)
class When:
    """A verdict and the conditions under which it is the right one.

    Empty conditions match everything.  ``note`` says what really happens in this
    case; when empty the claim's ``explanation`` is used.
    """

    verdict: str
    note: str = ""
    methods: Tuple[str, ...] = ()
    python: str = ""
    optimize: Optional[bool] = None
    platforms: Tuple[str, ...] = ()
    implementations: Tuple[str, ...] = ()
    libraries: Tuple[str, ...] = ()

    def __post_init__(self):
        if self.verdict not in RULE_VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r}; valid: {', '.join(RULE_VERDICTS)}")
        if self.verdict == NOT_APPLICABLE and not self.note:
            raise ValueError("a not-applicable rule must say why (its note)")
        for m in self.methods:
            if m not in ALL_METHODS:
                raise ValueError(f"unknown start method {m!r} in a When rule")
        if self.python:
            version_matches(self.python, (3, 0, 0))  # validates the syntax

    def matches(self, env: "Facts", method: str) -> bool:
        if self.methods and method not in self.methods:
            return False
        if self.python and not version_matches(self.python, env.python):
            return False
        if self.optimize is not None and bool(env.optimize) != self.optimize:
            return False
        if self.platforms and not any(env.platform.startswith(p) for p in self.platforms):
            return False
        if self.implementations and env.implementation not in self.implementations:
            return False
        if self.libraries and env.library not in self.libraries:
            return False
        return True

    def depends_on_environment(self) -> bool:
        """True when the rule looks at more than the start method."""
        return bool(
            self.python or self.optimize is not None or self.platforms or self.implementations or self.libraries
        )

    def condition(self) -> str:
        """The rule's conditions in words, for the living doc."""
        parts = []
        if self.methods:
            parts.append("/".join(self.methods))
        if self.python:
            parts.append("Python " + self.python.replace(",", " and "))
        if self.optimize is not None:
            parts.append("under -O" if self.optimize else "without -O")
        if self.platforms:
            parts.append("on " + "/".join(self.platforms))
        if self.implementations:
            parts.append("/".join(self.implementations))
        if self.libraries:
            parts.append("with " + "/".join(self.libraries))
        return ", ".join(parts) or "otherwise"


@dataclass(frozen=True)
class Facts:
    """The parts of an environment that verdicts may depend on."""

    python: Tuple[int, ...]
    implementation: str = "CPython"
    platform: str = "linux"
    optimize: int = 0
    library: str = "multiprocessing"

    @classmethod
    def current(cls, library: str = "multiprocessing") -> "Facts":
        import platform

        return cls(
            python=tuple(sys.version_info[:3]),
            implementation=platform.python_implementation(),
            platform=sys.platform,
            optimize=sys.flags.optimize,
            library=library,
        )


@dataclass(frozen=True)
class Claim:
    id: str  # "<chapter key>.<name>": the prefix names the chapter (CHAPTERS)
    # Where the source says it: the article's section ("进程类 › Attention! 2") or the
    # docs' section, with the version wherever the promise changed ("What's New 3.14").
    cite: str
    statement: str  # the source's claim, in our own words
    explanation: str  # one line: what really happens
    verdicts: Tuple[When, ...]
    per_method: bool = True  # False: method-independent, results under "any"
    beyond: bool = False  # implied or omitted by the source, needed by a reader
    # A JSON file (relative to the repository root) of measurements that settle a
    # performance claim; the living doc shows it.  See mpspec.report.measurements.
    measurements: str = ""

    def __post_init__(self):
        if not re.fullmatch(r"[a-z][a-z-]*\.[a-z0-9-]+", self.id):
            raise ValueError(f"bad claim id {self.id!r}")
        if self.section not in CHAPTER:
            raise ValueError(f"{self.id}: unknown chapter {self.section!r} (the ID's prefix names it)")
        if not self.verdicts:
            raise ValueError(f"{self.id}: no verdict")
        last = self.verdicts[-1]
        if last.condition() != "otherwise":
            raise ValueError(f"{self.id}: the last When rule must be unconditional")

    @property
    def section(self) -> str:
        """The chapter's key: the ID's prefix."""
        return self.id.split(".", 1)[0]

    @property
    def source(self) -> str:
        """``article`` or ``docs``."""
        return CHAPTER[self.section].source

    @property
    def chapter(self) -> Chapter:
        return CHAPTER[self.section]

    def rule(self, env: Facts, method: str, flip: bool = True) -> When:
        """The rule that decides here; turned around under the verdict-flip check
        (``FLIP_ENV``) unless ``flip=False``."""
        scope = LIBRARY_CHAPTERS.get(env.library)
        if scope is not None and self.section not in scope[0]:
            return When(NOT_APPLICABLE, scope[1])
        for rule in self.verdicts:
            if rule.matches(env, method):
                if flip and rule.verdict in FLIPPED and os.environ.get(FLIP_ENV) in (self.id, FLIP_ALL):
                    return When(FLIPPED[rule.verdict], f"(flipped by the verdict-flip check) {rule.note}")
                return rule
        raise AssertionError("unreachable: the last rule is unconditional")

    def verdict(self, env: Facts, method: str) -> str:
        return self.rule(env, method).verdict

    def registered(self, env: Facts, method: str) -> str:
        """The registry's own verdict here, never flipped."""
        return self.rule(env, method, flip=False).verdict

    def note(self, env: Facts, method: str) -> str:
        return self.rule(env, method).note or self.explanation

    @property
    def methods(self) -> Tuple[str, ...]:
        return ALL_METHODS if self.per_method else (ANY,)


def holds(note: str = "", **conditions) -> When:
    return When("holds", note, **conditions)


def fails(note: str = "", **conditions) -> When:
    return When("does-not-hold", note, **conditions)


def partly(note: str = "", **conditions) -> When:
    return When("partly", note, **conditions)


def na(reason: str, **conditions) -> When:
    """The claim does not apply where ``conditions`` hold (another platform, a Python
    version before the promise was made): its tests there are skipped as "not
    applicable: <reason>" and the verdict is n/a."""
    return When(NOT_APPLICABLE, reason, **conditions)


def _load() -> Dict[str, Claim]:
    claims: Dict[str, Claim] = {}
    for chapter in CHAPTERS:
        name = f"mpspec.claims.{chapter.module}"
        module = importlib.import_module(name)
        for claim in module.CLAIMS:
            if claim.section != chapter.key:
                raise ValueError(f"{name} registers {claim.id}, a claim of another chapter")
            if claim.id in claims:
                raise ValueError(f"claim {claim.id} registered twice")
            claims[claim.id] = claim
    return claims


CLAIMS: Dict[str, Claim] = _load()


def get(claim_id: str) -> Claim:
    try:
        return CLAIMS[claim_id]
    except KeyError:
        raise KeyError(f"unknown claim {claim_id!r}") from None


def by_chapter(source: str = "") -> List[Tuple[Chapter, List[Claim]]]:
    """Each chapter (of ``source``, or of both) with its claims, in catalogue order."""
    return [
        (ch, [c for c in CLAIMS.values() if c.section == ch.key])
        for ch in CHAPTERS
        if not source or ch.source == source
    ]


def matching(pattern: str) -> List[str]:
    """The IDs a ``--claim`` pattern selects: an exact ID, or a glob (``start.*``)."""
    import fnmatch

    if pattern in CLAIMS:
        return [pattern]
    return [cid for cid in CLAIMS if fnmatch.fnmatchcase(cid, pattern)]
