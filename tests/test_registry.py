"""The claim registry keeps the catalogue's contract, and every claim has tests."""

import re
from collections import defaultdict

import pytest

from mpspec import registry
from mpspec.registry import ALL_METHODS, CLAIMS, Facts, When, holds, version_matches
from tests.helpers import ROOT, inventory

CATALOGUE = (ROOT / "tests" / "catalogue-ids.txt").read_text().split()
SHARED_CATALOGUE = ROOT.parent / "shared" / "claims.md"


def test_every_catalogue_id_is_registered():
    missing = [cid for cid in CATALOGUE if cid not in CLAIMS]
    assert missing == []


def test_claims_are_stated_in_our_own_words():
    for claim in CLAIMS.values():
        # The statement is ours (English); the article is cited by section, never quoted.
        assert not re.search(r"[\u4e00-\u9fff]", claim.statement + claim.explanation), claim.id
        assert claim.cite and claim.statement.endswith(".") and claim.explanation, claim.id


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    return inventory(tmp_path_factory.mktemp("inventory"))


def test_every_registered_claim_has_tests_on_each_of_its_methods(collected):
    methods = defaultdict(set)
    for row in collected:
        for cid in row["claims"]:
            methods[cid].add(row["method"])
    for claim in CLAIMS.values():
        assert methods[claim.id] == set(claim.methods), f"{claim.id}: tests on {sorted(methods[claim.id])}"


def test_every_spec_test_says_what_it_proves(collected):
    undocumented = [row["nodeid"] for row in collected if len(row["doc"]) < 20]
    assert undocumented == []


def test_a_test_naming_an_unknown_claim_stops_the_run(tmp_path):
    from tests.helpers import pytest_run

    project = tmp_path / "project"
    (project / "spec").mkdir(parents=True)
    (project / "conftest.py").write_text('pytest_plugins = ["mpspec.plugin"]\n')
    (project / "spec" / "test_x.py").write_text(
        "import pytest\n\n@pytest.mark.claim('no.such-claim')\ndef test_x():\n    '''x'''\n"
    )
    done = pytest_run("spec", "-p", "no:cacheprovider", cwd=project)
    assert done.returncode == 4
    assert "unknown claim no.such-claim" in done.stderr


@pytest.mark.parametrize(
    "spec, version, expected",
    [
        (">=3.13", (3, 13, 0), True),
        (">=3.13", (3, 12, 9), False),
        ("<3.12.5", (3, 12, 4), True),
        ("<3.12.5", (3, 12, 5), False),
        ("==3.12", (3, 12, 7), True),
        (">=3.9,<3.12", (3, 11, 7), True),
        (">=3.9,<3.12", (3, 12, 0), False),
    ],
)
def test_version_conditions(spec, version, expected):
    assert version_matches(spec, version) is expected


def test_the_first_matching_rule_wins():
    rules = (
        When("holds", methods=("fork",), optimize=True),
        When("does-not-hold", methods=("fork",)),
        holds(),
    )
    claim = registry.Claim("basics.y", "s", "A statement.", "e", rules)
    plain, optimized = Facts((3, 11, 7)), Facts((3, 11, 7), optimize=1)
    assert [claim.verdict(plain, m) for m in ALL_METHODS] == ["does-not-hold", "holds", "holds"]
    assert claim.verdict(optimized, "fork") == "holds"


def test_bad_registry_entries_are_refused():
    with pytest.raises(ValueError, match="unknown verdict"):
        When("maybe")
    with pytest.raises(ValueError, match="last When rule must be unconditional"):
        registry.Claim("basics.y", "s", "A statement.", "e", (When("holds", methods=("fork",)),))
    with pytest.raises(ValueError, match="unknown chapter 'nowhere'"):
        registry.Claim("nowhere.y", "s", "A statement.", "e", (holds(),))
    with pytest.raises(ValueError, match="must say why"):
        When("n/a")


def test_a_not_applicable_rule_gives_the_verdict_n_a_with_its_reason():
    rules = (registry.na("only from 3.14", python="<3.14"), holds())
    claim = registry.Claim("start.x", "s", "A statement.", "e", rules)
    assert claim.source == "docs" and claim.chapter.title == "Start methods and contexts"
    assert claim.verdict(Facts((3, 13, 0)), "fork") == "n/a"
    assert claim.note(Facts((3, 13, 0)), "fork") == "only from 3.14"
    assert claim.verdict(Facts((3, 14, 0)), "fork") == "holds"


NA_CONFTEST = """
from mpspec import registry

registry.CLAIMS["start.selftest-na"] = registry.Claim(
    "start.selftest-na", "s", "A statement.", "e",
    (registry.na("only on a platform called nowhere", platforms=("linux", "darwin", "win32")), registry.holds()),
    per_method=False,
)
pytest_plugins = ["mpspec.plugin"]
"""
NA_TEST = """
import pytest

@pytest.mark.claim("start.selftest-na")
def test_x():
    "never runs here"
    assert False
"""


def test_a_test_of_a_claim_that_does_not_apply_is_skipped_with_the_reason(tmp_path):
    from tests.helpers import pytest_run

    project = tmp_path / "project"
    (project / "spec").mkdir(parents=True)
    (project / "conftest.py").write_text(NA_CONFTEST)
    (project / "spec" / "test_x.py").write_text(NA_TEST)
    done = pytest_run("spec", "-p", "no:cacheprovider", "-rs", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "not applicable: only on a platform called nowhere" in done.stdout


def test_every_chapter_belongs_to_a_source_and_every_claim_to_the_chapter_its_id_names():
    assert {c.source for c in registry.CHAPTERS} == set(registry.SOURCE_KEYS)
    assert {claim.section for claim in CLAIMS.values()} == set(registry.CHAPTER)


DOCS_CATALOGUE = (ROOT / "tests" / "docs-catalogue-ids.txt").read_text().split()
SHARED_DOCS_CATALOGUE = ROOT.parent / "shared" / "docs-claims.md"


def test_every_docs_id_of_a_written_chapter_is_registered_and_none_is_invented():
    """A docs chapter, once written, registers every ID the catalogue gives it, spelled
    exactly; docs claims of our own (beyond the catalogue) are marked as such."""
    written = {c.section for c in CLAIMS.values() if c.source == "docs"}
    expected = {cid for cid in DOCS_CATALOGUE if cid.split(".")[0] in written}
    registered = {cid for cid, c in CLAIMS.items() if c.source == "docs"}
    assert sorted(expected - registered) == []
    assert all(CLAIMS[cid].beyond for cid in registered - expected)


@pytest.mark.parametrize(
    "shared, snapshot",
    [(SHARED_CATALOGUE, "catalogue-ids.txt"), (SHARED_DOCS_CATALOGUE, "docs-catalogue-ids.txt")],
    ids=["article", "docs"],
)
def test_the_snapshot_of_the_catalogue_is_current(shared, snapshot):
    """The snapshot in tests/ (what a clone without ../shared checks against) has every
    ID of the catalogue beside the checkout."""
    if not shared.exists():
        pytest.skip(f"not applicable: {shared} is not beside this checkout")
    ids = re.findall(r"^- `([a-z-]+\.[a-z0-9-]+)`", shared.read_text(encoding="utf-8"), re.M)
    assert set(ids) <= set((ROOT / "tests" / snapshot).read_text().split()), f"catalogue has new IDs: update tests/{snapshot}"


def test_on_the_loky_leg_only_the_futures_chapter_applies():
    """loky replaces concurrent.futures' executor only: every claim of another chapter
    is n/a there, with the reason; the futures claims keep their own rules."""
    loky, plain = Facts((3, 11, 7), library="loky"), Facts((3, 11, 7))
    for claim in CLAIMS.values():
        for method in claim.methods:
            if claim.section == "futures":
                assert claim.rule(loky, method) in claim.verdicts, claim.id
            else:
                assert claim.verdict(loky, method) == "n/a", claim.id
                assert "only the futures chapter tests it" in claim.note(loky, method)
    assert CLAIMS["process.closure-target"].verdict(plain, "spawn") != "n/a"
