"""Run by tests/test_children.py in its own pytest sessions (not collected by default:
the name does not start with test_): spawn and forkserver children started from a
test report the modules they have imported, to the JSON file named by
MPSPEC_CHILD_MODULES."""

import json
import os

import pytest

from mpspec import children, lib, support


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_report_the_modules_of_a_child(method):
    if method not in lib.mp.get_all_start_methods():
        pytest.skip(f"{method} is not available here")
    reader, writer = lib.mp.get_context(method).Pipe(duplex=False)
    child = lib.mp.get_context(method).Process(target=children.loaded_modules, args=(writer,))
    child.start()
    writer.close()
    try:
        modules = support.receive(reader)
    finally:
        support.join(child)
        reader.close()
    path = os.environ["MPSPEC_CHILD_MODULES"]
    seen = json.loads(open(path).read()) if os.path.exists(path) else {}
    seen[method] = modules
    with open(path, "w") as out:
        json.dump(seen, out)
