"""The requirement catalogue: its content follows the ID scheme and DECISIONS.md, and its loader refuses
broken files with a message naming the bad entry."""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from ingest_conformance.judging.catalogue import (
    DOC_PAGES,
    FEATURE_AREAS,
    ID_RE,
    OPERATION_IDS,
    Catalogue,
    CatalogueError,
    Level,
    contract_anchor,
    load_catalogue,
)
from ingest_conformance.spec import REQUIREMENTS_PATH

pytestmark = pytest.mark.unit

# The settings DECISIONS.md names, spelled as the shared contract fixes them.
EXPECTED_SETTINGS = {
    "max_request_bytes",
    "size_tolerance",
    "processing_timeout_s",
    "auth_failure_statuses",
    "upload_success_statuses",
    "id_pattern",
    "single_url_path",
    "file_server_public_url",
    "allow_http_urls",
    "rate_limit",
    "read_after_write_s",
    "uploads_accept_tif",
    "byurl_accepts_zip",
    "webhook_public_url",
    "webhook_events",
    "webhook_delay_s",
    "webhook_secret",
    "webhook_signature_header",
    "webhook_signature_algorithm",
    "webhook_custom_headers",
    "webhook_method",
    "webhook_max_retries",
    "webhook_receiver_timeout_s",
}
# The facts sheet lives outside this repository (the team's shared contract); give its path to check against it.
FACTS_SHEET = Path(os.environ.get("INGEST_FACTS_SHEET", "")) if os.environ.get("INGEST_FACTS_SHEET") else None


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="module")
def raw_entries() -> list[dict[str, Any]]:
    entries = yaml.safe_load(REQUIREMENTS_PATH.read_text(encoding="utf-8"))["requirements"]
    assert isinstance(entries, list)
    return entries


def test_ids_are_unique_in_the_file(raw_entries: list[dict[str, Any]]) -> None:
    ids = [entry["id"] for entry in raw_entries]
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_ids_follow_the_scheme_and_their_feature_area(catalogue: Catalogue) -> None:
    for requirement in catalogue:
        assert ID_RE.match(requirement.id), requirement.id
        assert requirement.area == FEATURE_AREAS[requirement.feature], requirement.id


def test_levels_are_valid_and_all_used(catalogue: Catalogue) -> None:
    assert {r.level for r in catalogue} == set(Level)
    assert all(isinstance(r.level, Level) for r in catalogue)


def test_size_is_in_the_planned_range(catalogue: Catalogue) -> None:
    assert 60 <= len(catalogue) <= 140


def test_statements_are_single_lines_ending_with_a_full_stop(catalogue: Catalogue) -> None:
    for requirement in catalogue:
        assert "\n" not in requirement.statement, requirement.id
        assert requirement.statement.endswith("."), requirement.id


def test_sources_are_facts_sheet_pages_and_the_contract_entry(catalogue: Catalogue) -> None:
    for requirement in catalogue:
        anchor = contract_anchor(requirement.id)
        assert anchor in requirement.sources, requirement.id
        assert set(requirement.sources) <= set(DOC_PAGES.values()) | {anchor}, requirement.id


def test_the_contract_page_has_one_anchor_per_requirement(catalogue: Catalogue) -> None:
    """Every requirement's contract source resolves: docs/contract.md holds its anchor exactly once."""
    page = (Path(__file__).resolve().parents[2] / "docs" / "contract.md").read_text(encoding="utf-8")
    anchors = re.findall(r'<a id="([a-z0-9-]+)"></a>', page)
    assert sorted(anchors) == sorted(r.id.lower() for r in catalogue)


@pytest.mark.skipif(
    FACTS_SHEET is None or not FACTS_SHEET.is_file(), reason="set INGEST_FACTS_SHEET to the facts sheet to compare"
)
def test_doc_pages_are_exactly_the_facts_sheet_source_table() -> None:
    text = FACTS_SHEET.read_text(encoding="utf-8")
    table = text.split("## 0. Sources", 1)[1].split("\n## ", 1)[0]
    paths = re.findall(r"Base \+ `(/[^`?]+)`", table)
    assert {"https://developers.invofox.com" + p for p in paths} == set(DOC_PAGES.values())


def test_every_operation_is_covered_by_a_must(catalogue: Catalogue) -> None:
    for operation_id in OPERATION_IDS:
        levels = {r.level for r in catalogue.by_operation(operation_id)}
        assert Level.MUST in levels, operation_id


def test_every_feature_has_requirements(catalogue: Catalogue) -> None:
    for feature in FEATURE_AREAS:
        assert catalogue.by_feature(feature), feature


def test_profile_items_carry_exactly_the_expected_settings(catalogue: Catalogue) -> None:
    profile = catalogue.by_level(Level.PROFILE)
    assert all(r.setting is not None for r in profile)
    assert {r.setting for r in profile} == EXPECTED_SETTINGS
    assert len(profile) == len(EXPECTED_SETTINGS)
    assert all(r.setting is None and r.default is None for r in catalogue if r.level is not Level.PROFILE)


def test_profile_defaults_are_typed_as_decisions_gives_them(catalogue: Catalogue) -> None:
    defaults = catalogue.profile_defaults()
    assert defaults == {
        "max_request_bytes": 100 * 1024 * 1024,
        "size_tolerance": 0.05,
        "processing_timeout_s": 120,
        "auth_failure_statuses": (401, 403),
        "upload_success_statuses": (200, 201),
        "id_pattern": "^[0-9a-f]{24}$",
        "single_url_path": "/v1/ingest/single-url",
        "file_server_public_url": None,
        "allow_http_urls": True,
        "rate_limit": None,
        "read_after_write_s": 0,
        "uploads_accept_tif": None,
        "byurl_accepts_zip": None,
        "webhook_public_url": None,
        "webhook_events": ("file.processed", "file.rejected", "import.processed"),
        "webhook_delay_s": 30,
        "webhook_secret": None,
        "webhook_signature_header": "x-invofox-signature",
        "webhook_signature_algorithm": "sha256",
        "webhook_custom_headers": (),
        "webhook_method": None,
        "webhook_max_retries": 3,
        "webhook_receiver_timeout_s": 30,
    }
    assert re.fullmatch(str(defaults["id_pattern"]), "66d721ec7edc0baa3794eec1")
    defaults["rate_limit"] = 5
    assert catalogue.profile_defaults()["rate_limit"] is None


def test_profile_backed_musts_exist_beside_their_setting(catalogue: Catalogue) -> None:
    # A MUST that DECISIONS.md states with a profile value is split into the behaviour and the setting.
    for must_id, setting in [
        ("AUTH-MISS-001", "auth_failure_statuses"),
        ("RESP-POST-001", "upload_success_statuses"),
        ("SIZE-413-001", "max_request_bytes"),
        ("SIZE-413-001", "size_tolerance"),
        ("LIFE-STATUS-003", "processing_timeout_s"),
        ("RAW-READ-001", "read_after_write_s"),
        ("HOOK-EVT-001", "webhook_delay_s"),
        ("HOOK-RETRY-002", "webhook_receiver_timeout_s"),
        ("HOOK-RETRY-003", "webhook_max_retries"),
        ("HOOK-SIG-002", "webhook_signature_algorithm"),
        ("HOOK-HDR-001", "webhook_custom_headers"),
    ]:
        assert catalogue[must_id].level is Level.MUST
        assert f"`{setting}`" in catalogue[must_id].statement
        assert setting in catalogue.profile_defaults()


def test_lookups(catalogue: Catalogue) -> None:
    assert catalogue["AUTH-KEY-001"].operations == OPERATION_IDS
    assert "AUTH-KEY-001" in catalogue and "NOPE-X-001" not in catalogue
    assert catalogue.ids[0] == "AUTH-KEY-001"
    assert [r.id for r in catalogue.by_operation("listImports") if r.feature == "validation"] == [
        "VAL-RANGE-001",
        "VAL-RANGE-002",
    ]
    assert all(r.level is Level.INFO for r in catalogue.by_level("INFO"))
    assert {r.feature for r in catalogue.by_feature("zip")} == {"zip"}
    with pytest.raises(KeyError, match="unknown requirement id 'NOPE-X-001'"):
        catalogue["NOPE-X-001"]
    with pytest.raises(KeyError, match="unknown operationId"):
        catalogue.by_operation("deleteFile")
    assert {r.area for r in catalogue.by_feature("webhooks")} == {"HOOK"}
    with pytest.raises(KeyError, match="unknown feature"):
        catalogue.by_feature("payments")
    with pytest.raises(ValueError):
        catalogue.by_level("MAY")


def test_load_is_cached_per_path(catalogue: Catalogue) -> None:
    assert load_catalogue() is catalogue
    assert load_catalogue(REQUIREMENTS_PATH) is load_catalogue(REQUIREMENTS_PATH)


# --- the loader refuses broken catalogues ------------------------------------------------------------

UF = DOC_PAGES["UF"]
VALID: dict[str, Any] = {
    "version": 1,
    "requirements": [
        {
            "id": "AUTH-KEY-001",
            "level": "MUST",
            "feature": "auth",
            "statement": "Every operation accepts a valid key.",
            "operations": ["uploadFiles", "getFile"],
            "sources": [UF, contract_anchor("AUTH-KEY-001")],
        },
        {
            "id": "SIZE-PROF-001",
            "level": "PROFILE",
            "feature": "size",
            "statement": "The largest body.",
            "operations": ["uploadFiles"],
            "sources": [contract_anchor("SIZE-PROF-001")],
            "setting": "max_request_bytes",
            "default": 100,
        },
    ],
}


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "requirements.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_minimal_catalogue_loads(tmp_path: Path) -> None:
    loaded = load_catalogue(_write(tmp_path, VALID))
    assert loaded.ids == ("AUTH-KEY-001", "SIZE-PROF-001")
    assert loaded.profile_defaults() == {"max_request_bytes": 100}


def _first(data: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = data["requirements"][0]
    return entry


def _profile(data: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = data["requirements"][1]
    return entry


BROKEN: dict[str, tuple[Callable[[dict[str, Any]], object], str]] = {
    "duplicate-id": (
        lambda d: d["requirements"].append(copy.deepcopy(_first(d))),
        r"requirement #3 \(AUTH-KEY-001\): duplicate id, first defined as requirement #1",
    ),
    "bad-level": (lambda d: _first(d).update(level="MAY"), r"#1 \(AUTH-KEY-001\): bad level 'MAY'"),
    "missing-sources": (
        lambda d: _first(d).pop("sources"),
        r"#1 \(AUTH-KEY-001\): missing keys \['sources'\]",
    ),
    "empty-sources": (
        lambda d: _first(d).update(sources=[]),
        r"\(AUTH-KEY-001\): `sources` must not be empty",
    ),
    "unknown-source": (
        lambda d: _first(d).update(sources=["https://example.com/blog"]),
        r"\(AUTH-KEY-001\): source\(s\) \['https://example.com/blog'\] are neither",
    ),
    "profile-without-setting": (
        lambda d: _profile(d).pop("setting"),
        r"#2 \(SIZE-PROF-001\): PROFILE requirement needs a snake_case `setting`",
    ),
    "profile-without-default": (
        lambda d: _profile(d).pop("default"),
        r"#2 \(SIZE-PROF-001\): PROFILE requirement needs a `default`",
    ),
    "unknown-setting": (
        lambda d: _profile(d).update(setting="max_bytes"),
        r"\(SIZE-PROF-001\): unknown profile setting 'max_bytes'",
    ),
    "duplicate-setting": (
        lambda d: d["requirements"].append(
            dict(_profile(d), id="SIZE-PROF-002", sources=[contract_anchor("SIZE-PROF-002")])
        ),
        r"#3 \(SIZE-PROF-002\): setting 'max_request_bytes' already defined by SIZE-PROF-001",
    ),
    "setting-on-must": (
        lambda d: _first(d).update(setting="id_pattern", default="x"),
        r"\(AUTH-KEY-001\): only PROFILE requirements carry `setting` and `default`",
    ),
    "unknown-operation": (
        lambda d: _first(d).update(operations=["uploadFiles", "deleteFile"]),
        r"\(AUTH-KEY-001\): unknown operation\(s\) \['deleteFile'\]",
    ),
    "bad-id-format": (
        lambda d: _first(d).update(id="auth-key-1"),
        r"#1 \(auth-key-1\): id 'auth-key-1' does not follow AREA-TOPIC-NNN",
    ),
    "area-not-of-feature": (
        lambda d: _first(d).update(feature="zip"),
        r"\(AUTH-KEY-001\): feature 'zip' requires ids starting with ZIP-",
    ),
    "unknown-feature": (lambda d: _first(d).update(feature="payments"), r"unknown feature 'payments'"),
    "empty-statement": (
        lambda d: _first(d).update(statement="  "),
        r"`statement` must be a non-empty string",
    ),
    "unknown-key": (
        lambda d: _first(d).update(verdict="x"),
        r"\(AUTH-KEY-001\): unknown keys \['verdict'\]",
    ),
    "wrong-version": (lambda d: d.update(version=2), r"`version` must be 1, got 2"),
    "unknown-top-level-key": (lambda d: d.update(verdicts={}), r"unknown top-level keys \['verdicts'\]"),
    "no-requirements": (lambda d: d.update(requirements=[]), r"`requirements` must be a non-empty list"),
    "unknown-page": (
        lambda d: d.update(pages={"X": "https://developers.invofox.com/nope"}),
        r"page 'X' = 'https://developers.invofox.com/nope' is not a page of the facts sheet",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_loader_rejects_broken_catalogue(tmp_path: Path, case: str) -> None:
    mutate, message = BROKEN[case]
    data = copy.deepcopy(VALID)
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(CatalogueError, match=message) as excinfo:
        load_catalogue(path)
    assert str(path) in str(excinfo.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 1\nrequirements: [\n", r"not valid YAML"),
        ("version: 1\nversion: 1\nrequirements: []\n", r"(?s)not valid YAML.*duplicate key 'version'"),
        ("- just a list\n", r"the top level must be a mapping"),
    ],
    ids=["syntax-error", "duplicate-yaml-key", "not-a-mapping"],
)
def test_loader_rejects_unparseable_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "requirements.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError, match=message):
        load_catalogue(path)


def test_loader_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="cannot read the catalogue"):
        load_catalogue(tmp_path / "absent.yaml")
