"""The claim registry: one entry per claim of the catalogue (``../shared/claims.md``).

A claim says what the article asserts, in our own words, where it asserts it, and
what is really true: a verdict per start method, possibly depending on the Python
version, ``-O``, the platform, the implementation or the library.  Verdicts are
given as an ordered list of ``When`` rules; the first rule that matches the
environment and start method wins.

The claims themselves live in ``mpspec/claims/<section>.py``, one module per
article section, so chapters can be written independently.
"""

from __future__ import annotations

import importlib
import re
import sys
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

VERDICTS = ("holds", "does-not-hold", "partly")
NOT_APPLICABLE = "n/a"
ALL_METHODS = ("fork", "spawn", "forkserver")
ANY = "any"  # the results key of a method-independent claim

# The article's headings, in the article's order; queue and pipe are subsections
# of the communication chapter.
SECTIONS: Tuple[Tuple[str, str, str], ...] = (
    # (key, Chinese heading, English heading)
    ("basics", "基础", "Basics"),
    ("process", "进程类", "The Process class"),
    ("ipc", "多进程通信", "Communication between processes"),
    ("queue", "多进程通信 · Queue", "Communication: Queue"),
    ("pipe", "多进程通信 · Pipe", "Communication: Pipe"),
    ("pool", "进程池", "Process pools"),
    ("map", "进程池的map方法", "Pool.map"),
)
SECTION_KEYS = tuple(s[0] for s in SECTIONS)

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
        if self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r}; valid: {', '.join(VERDICTS)}")
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
    id: str
    section: str
    article: str  # where the article says it, e.g. "进程类 › Attention! 2"
    statement: str  # the article's claim, in our own words
    explanation: str  # one line: what really happens
    verdicts: Tuple[When, ...]
    per_method: bool = True  # False: method-independent, results under "any"
    beyond: bool = False  # implied or omitted by the article, needed by a reader
    # A JSON file (relative to the repository root) of measurements that settle a
    # performance claim; the living doc shows it.  See mpspec.report.measurements.
    measurements: str = ""

    def __post_init__(self):
        if not re.fullmatch(r"[a-z]+\.[a-z0-9-]+", self.id):
            raise ValueError(f"bad claim id {self.id!r}")
        if self.section not in SECTION_KEYS:
            raise ValueError(f"{self.id}: unknown section {self.section!r}")
        if not self.verdicts:
            raise ValueError(f"{self.id}: no verdict")
        last = self.verdicts[-1]
        if last.condition() != "otherwise":
            raise ValueError(f"{self.id}: the last When rule must be unconditional")

    def rule(self, env: Facts, method: str) -> When:
        for rule in self.verdicts:
            if rule.matches(env, method):
                return rule
        raise AssertionError("unreachable: the last rule is unconditional")

    def verdict(self, env: Facts, method: str) -> str:
        return self.rule(env, method).verdict

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


def _load() -> Dict[str, Claim]:
    claims: Dict[str, Claim] = {}
    for key in SECTION_KEYS:
        module_name = {"queue": "ipc", "pipe": "ipc"}.get(key, key)
        try:
            module = importlib.import_module(f"mpspec.claims.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"mpspec.claims.{module_name}":
                raise
            continue
        for claim in module.CLAIMS:
            if claim.section != key:
                continue
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


def by_section() -> List[Tuple[Tuple[str, str, str], List[Claim]]]:
    return [(sec, [c for c in CLAIMS.values() if c.section == sec[0]]) for sec in SECTIONS]
