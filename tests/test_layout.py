"""The harness's layout: no import cycle between its modules, and no harness module
outside mpspec/claims and mpspec/mutants (one module per chapter, long by nature)
over 500 lines."""

import ast

from tests.helpers import ROOT

PACKAGE = ROOT / "mpspec"
MAX_LINES = 500
LONG_BY_NATURE = ("claims", "mutants")


def _name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _module_of(dotted):
    """The harness module that importing ``dotted`` runs (``mpspec.guards.tree.kill_tree``
    is mpspec.guards.tree), or None outside the harness."""
    while dotted and dotted not in MODULES:
        dotted = dotted.rpartition(".")[0]
    return dotted or None


def imports(name):
    """The harness modules that module ``name`` imports: at the top or inside a
    function, absolute or relative, and the plugins its ``pytest_plugins`` names (a
    plugin loop is a cycle too), with the packages whose ``__init__`` they run."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            dotted = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            dotted = [base] + [f"{base}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "pytest_plugins" for t in node.targets):
            dotted = [c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant) and isinstance(c.value, str)]
        else:
            continue
        for target in filter(None, map(_module_of, dotted)):
            found.add(target)
            while "." in target:  # importing a.b.c runs a/__init__ and a/b/__init__ first
                target = target.rpartition(".")[0]
                if not name.startswith(target + "."):  # already running for a module inside it
                    found.add(target)
    found.discard(name)
    return found


def cycles(graph):
    """The strongly connected components of ``graph`` with more than one module
    (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_graph_sees_function_local_imports_and_plugins():
    assert "mpspec.guards.hooks" in imports("mpspec.plugin")  # pytest_plugins
    assert "mpspec.report" in imports("mpspec.plugin")  # inside a function
    assert "mpspec.guards" in imports("mpspec.schedule")  # the package's __init__ runs first


def test_the_harness_has_no_import_cycle():
    graph = {name: imports(name) for name in MODULES}
    found = cycles(graph)
    assert found == [], "import cycles: " + "; ".join(
        ", ".join(f"{m} -> {sorted(graph[m] & set(c))}" for m in c) for c in found
    )


def test_no_harness_module_outside_claims_and_mutants_is_over_500_lines():
    long = {
        str(path.relative_to(ROOT)): n
        for path in MODULES.values()
        if path.relative_to(PACKAGE).parts[0] not in LONG_BY_NATURE
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"over {MAX_LINES} lines: {long}"


def test_the_shared_toolkit_checks_without_assert_statements():
    """pytest rewrites the asserts of test modules only: under ``python -O`` an assert
    in the toolkit (or in a child it runs) would vanish, so its checks raise."""
    shared = [ROOT / "mpspec" / "support.py", *sorted((ROOT / "mpspec" / "toolkit").glob("*.py"))]
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in shared
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Assert)
    ]
    assert found == []
