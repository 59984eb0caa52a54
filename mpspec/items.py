"""Which collected tests are spec tests: those under <rootdir>/spec.  The plugin
(mpspec/plugin.py) checks their claims; the hang guard (mpspec/guards/) gives them a
deadline.  The self-tests (tests/) are not spec tests."""

from __future__ import annotations

from pathlib import Path

SPEC_DIR = "spec"


def is_spec_item(item) -> bool:
    """Tests under <rootdir>/spec are spec tests; others (the self-tests) are not."""
    try:
        rel = Path(str(item.path)).resolve().relative_to(Path(str(item.config.rootpath)).resolve())
    except ValueError:
        return False
    return rel.parts[:1] == (SPEC_DIR,)
