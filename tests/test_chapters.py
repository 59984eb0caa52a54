"""One name per chapter: every chapter has its registry module, its test file and its
mutants module, all named after the chapter's key (dashes become underscores), and
each of them holds only its own chapter's claims.  A test or a mutant belongs to the
chapter of the first claim it names; it may name claims of other chapters after it
when the same observation settles them too (the article and the docs promising the
same thing: ``queue.fifo`` and ``queue-api.per-producer-order``).  The README's
"Adding a claim" is the checklist this test enforces."""

import ast
from pathlib import Path

import pytest

from mpspec import mutants, registry

ROOT = Path(__file__).resolve().parents[1]


def _is_claim_marker(node):
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "claim"
        and isinstance(node.func.value, ast.Attribute)
        and node.func.value.attr == "mark"
    )


def _claims_of(node, path):
    ids = []
    for marker in sorted((n for n in ast.walk(node) if _is_claim_marker(n)), key=lambda n: (n.lineno, n.col_offset)):
        for arg in marker.args:
            assert isinstance(arg, ast.Constant), f"{path}:{marker.lineno}: a claim marker names its claim literally"
            ids.append(arg.value)
    return ids


def claim_markers(path):
    """``(line, claim IDs)`` for each test of a file, in the order its claim markers
    name them (decorators and ``pytest.param(marks=...)`` alike)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    tests = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    found = [(t.lineno, [c for d in t.decorator_list for c in _claims_of(d, path)]) for t in tests]
    return [(line, ids) for line, ids in found if ids]


def files(chapter):
    return {
        "registry module": ROOT / "mpspec" / "claims" / f"{chapter.module}.py",
        "test file": ROOT / "spec" / chapter.source / f"test_{chapter.module}.py",
        "mutants module": ROOT / "mpspec" / "mutants" / f"{chapter.module}.py",
    }


@pytest.mark.parametrize("chapter", registry.CHAPTERS, ids=lambda c: c.key)
def test_every_chapter_has_its_registry_module_test_file_and_mutants_module(chapter):
    missing = [f"{kind} {path.relative_to(ROOT)}" for kind, path in files(chapter).items() if not path.exists()]
    assert not missing, f"chapter {chapter.key}: missing " + ", ".join(missing)


def test_no_module_or_test_file_belongs_to_no_chapter():
    expected = {path for chapter in registry.CHAPTERS for path in files(chapter).values()}
    present = {
        *(ROOT / "mpspec" / "claims").glob("*.py"),
        *(p for p in (ROOT / "mpspec" / "mutants").glob("*.py") if p.name != "__init__.py"),
        *(ROOT / "spec").glob("*/test_*.py"),
    }
    strays = sorted(str(p.relative_to(ROOT)) for p in present - expected)
    assert not strays, "not named after a chapter (or in the wrong source's folder): " + ", ".join(strays)


@pytest.mark.parametrize("chapter", registry.CHAPTERS, ids=lambda c: c.key)
def test_a_chapters_files_name_only_its_own_claims(chapter):
    paths = files(chapter)
    others = []
    module = __import__(f"mpspec.claims.{chapter.module}", fromlist=["CLAIMS"])
    others += [f"registry module registers {c.id}" for c in module.CLAIMS if c.section != chapter.key]
    if paths["test file"].exists():
        others += [
            f"the test at line {line} names first {ids[0]}"
            for line, ids in claim_markers(paths["test file"])
            if ids[0].split(".")[0] != chapter.key
        ]
    # A mutant lives in the chapter of the first claim it names (it may name claims of
    # other chapters after it: tests there notice it too).
    others += [
        f"mutants module holds {m.id}, whose first claim is {m.claims[0]}"
        for m in mutants.MUTANTS.values()
        if m.patch.__module__ == f"mpspec.mutants.{chapter.module}" and m.claims[0].split(".")[0] != chapter.key
    ]
    assert not others, f"chapter {chapter.key}: " + "; ".join(others)


def test_every_claim_marker_names_a_registered_claim():
    unknown = [
        f"{path.relative_to(ROOT)}:{line} {claim_id}"
        for path in sorted((ROOT / "spec").glob("*/test_*.py"))
        for line, ids in claim_markers(path)
        for claim_id in ids
        if claim_id not in registry.CLAIMS
    ]
    assert not unknown, "unregistered claims: " + ", ".join(unknown)
