"""Facts about the environment a spec run happens in, and the library under test."""

from __future__ import annotations

import os
import platform
import sys

from mpspec import lib
from mpspec.registry import ALL_METHODS, Facts


def available_methods():
    """The start methods this platform offers, in the registry's order."""
    offered = set(lib.mp.get_all_start_methods())
    return [m for m in ALL_METHODS if m in offered]


def not_applicable_reason(method: str) -> str:
    return f"not applicable: the {method} start method does not exist on {sys.platform}"


def default_method() -> str:
    # The default context's name, without fixing the global default (which a later
    # set_start_method by someone else would then trip over).
    default = lib.module("context")._default_context
    actual = default._actual_context or default._default_context
    return actual.get_start_method()


def facts() -> Facts:
    return Facts.current(lib.name())


def describe(selected_methods) -> dict:
    """The ``environment`` block of report.json."""
    f = facts()
    return {
        "python_version": platform.python_version(),
        "implementation": f.implementation,
        "platform": f.platform,
        "optimize": f.optimize,
        "library": f.library,
        "start_methods": available_methods(),
        "default_start_method": default_method(),
        "selected_start_methods": list(selected_methods),
        "machine": platform.machine(),
        "system": platform.system(),
        "cpu_count": os.cpu_count(),
        "executable": sys.executable,
    }
