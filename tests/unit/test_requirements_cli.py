"""`ingest-conformance requirements` and `explain`: the catalogue listed, one requirement explained."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ingest_conformance.cli import lookup
from ingest_conformance.cli.main import main
from ingest_conformance.judging.catalogue import load_catalogue
from ingest_conformance.mock.faults import FAULTS


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_requirements_lists_the_whole_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "requirements")
    catalogue = load_catalogue()
    listed = [line.split()[0] for line in out.splitlines()[:-1]]
    assert code == 0 and listed == list(catalogue.ids)
    assert out.splitlines()[-1].startswith(f"{len(catalogue)} of {len(catalogue)} requirements")


def test_requirements_filters_by_level_and_feature(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "requirements", "--level", "MUST", "--feature", "zip", "--json")
    listed = json.loads(out)
    expected = [r.id for r in load_catalogue() if r.level == "MUST" and r.feature == "zip"]
    assert code == 0 and [r["id"] for r in listed] == expected and expected
    assert all(r["level"] == "MUST" and r["feature"] == "zip" for r in listed)
    assert listed[0]["contract"] == f"docs/contract.md#{expected[0].lower()}"


def test_requirements_json_carries_profile_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "requirements", "--level", "PROFILE", "--json")
    by_id = {r["id"]: r for r in json.loads(out)}
    assert by_id["SIZE-PROF-001"]["setting"] == "max_request_bytes"
    assert by_id["SIZE-PROF-001"]["default"] == 104857600
    assert by_id["AUTH-PROF-001"]["default"] == [401, 403]


def test_requirements_refuses_an_unknown_level(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "requirements", "--level", "MAY")
    assert code == 2 and "invalid choice: 'MAY'" in err


def test_explain_prints_every_part(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", "UPL-CORRUPT-001")
    assert code == 0
    assert out.startswith("UPL-CORRUPT-001 · MUST · formats\n")
    assert load_catalogue()["UPL-CORRUPT-001"].statement in out
    assert "PT: https://developers.invofox.com/documentation/core-features/processing-tracking" in out
    assert "docs/contract.md#upl-corrupt-001 (what the suite holds a target to" in out
    assert "ingest_conformance/contract/test_formats.py::test_files_that_are_not_what_they_claim [quick]" in out
    assert re.search(r"^  processing_timeout_s \(default 120; LIFE-PROF-001\): ", out, re.MULTILINE)
    assert re.search(r"^  corrupt-files-processed: content is never validated", out, re.MULTILINE)


def test_explain_takes_lower_case_and_gives_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", "size-413-001", "--json")
    facts = json.loads(out)
    assert code == 0 and facts["id"] == "SIZE-413-001"
    assert facts["settings"][0]["setting"] == "max_request_bytes"
    assert {f["fault"] for f in facts["faults"]} == {"oversize-content-length-400"}
    assert facts["tests"] and all(t["test"].startswith("test_size.py::") for t in facts["tests"])


def test_explain_an_unknown_id_suggests_close_ones(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "explain", "UPL-CORUPT-001")
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        "ingest-conformance: unknown requirement ID 'UPL-CORUPT-001'; did you mean "
        + " or ".join(lookup.close_matches("UPL-CORUPT-001", load_catalogue()))
        + "?"
    ]
    assert "UPL-CORRUPT-001" in err


def test_explain_an_id_like_nothing_points_to_the_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "explain", "nonsense")
    assert code == 2 and "`ingest-conformance requirements` lists all" in err


FAKE_TESTS = """
import pytest

pytestmark = pytest.mark.requirement("MOD-WIDE-001")
FULL = pytest.mark.level("full")


@pytest.mark.requirement("FN-ONLY-001")
@pytest.mark.level("standard")
def test_function_marks():
    pass


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(1, marks=[pytest.mark.requirement("CASE-QUICK-001")]),
        pytest.param(2, marks=[pytest.mark.requirement("CASE-BOTH-001", "CASE-FULL-001"), FULL]),
        pytest.param(3, marks=pytest.mark.requirement("CASE-BOTH-001")),
        4,
    ],
)
def test_case_marks(case):
    pass


def helper_not_a_test():
    pass
"""


def test_marks_are_read_per_case_at_their_lowest_level(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "fake_contract_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "test_fake.py").write_text(FAKE_TESTS)
    monkeypatch.syspath_prepend(str(tmp_path))
    found = {(t.nodeid, t.level): set(ids) for t, ids in lookup.contract_markers("fake_contract_pkg", package)}
    assert found == {
        ("test_fake.py::test_function_marks", "standard"): {"MOD-WIDE-001", "FN-ONLY-001"},
        ("test_fake.py::test_case_marks", "quick"): {"MOD-WIDE-001", "CASE-QUICK-001", "CASE-BOTH-001"},
        ("test_fake.py::test_case_marks", "full"): {"CASE-FULL-001"},
    }


def test_marks_of_parameter_sets_are_found_in_the_contract() -> None:
    """The size tests mark each case (pytest.param) with its requirement, not the function."""
    assert "test_size.py::test_oversized_body_gets_413" in {t.nodeid for t in lookup.tests_of("SIZE-413-002")}
    early = [
        t for t in lookup.tests_of("SIZE-413-003") if t.nodeid.endswith("early_answer_to_an_oversized_body_is_read")
    ]
    assert [t.level for t in early] == ["standard"]


def test_every_requirement_a_marker_names_is_in_the_catalogue() -> None:
    catalogue = load_catalogue()
    named = {rid for _, ids in lookup.contract_markers() for rid in ids}
    assert named and named <= set(catalogue.ids)


def test_shared_marker_tuples_resolve() -> None:
    """`*LIFECYCLE` (imported from flows.upload) and `*EVERY_ANSWER` (a module constant) both resolve."""
    assert any(t.nodeid.startswith("test_by_url.py::") for t in lookup.tests_of("LIFE-STATUS-001"))
    assert any(t.nodeid.startswith("test_fuzz.py::") for t in lookup.tests_of("RATE-429-002"))


def test_every_fault_is_listed_under_its_requirement() -> None:
    for fault in FAULTS:
        assert fault.name in {f.name for f in lookup.faults_of(fault.requirement_id)}


def test_settings_come_from_the_catalogue() -> None:
    catalogue = load_catalogue()
    own = lookup.settings_of(catalogue, catalogue["URL-PUB-001"])
    assert own[0].setting == "file_server_public_url"  # a PROFILE item's own setting first
    auth = [u.setting for u in lookup.settings_of(catalogue, catalogue["AUTH-BAD-001"])]
    assert auth == ["auth_failure_statuses"]
    iso = lookup.settings_of(catalogue, catalogue["ISO-FILE-001"])
    assert iso == []  # isolation reads no setting
    for use in lookup.settings_of(catalogue, catalogue["ZIP-CHILD-003"]):
        assert catalogue[use.requirement.id].setting == use.setting
