"""`ingest-conformance diff` and `run --baseline`: the comparison of two results documents."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from ingest_conformance.cli.main import main
from ingest_conformance.reporting import render_html, validate_document
from ingest_conformance.reporting.diff import attach_baseline, diff_documents
from ingest_conformance.reporting.diff_render import render_text
from ingest_conformance.reporting.document import dump_document
from ingest_conformance.reporting.summary import summary_markdown
from tests.unit.report_sample import sample_document


def _req(document: dict[str, Any], rid: str) -> dict[str, Any]:
    return next(r for r in document["requirements"] if r["id"] == rid)


def _set(document: dict[str, Any], rid: str, outcome: str) -> None:
    req = _req(document, rid)
    req["outcome"] = outcome
    for rec in req["records"]:
        rec["outcome"] = outcome
    if outcome == "disabled":
        req["records"] = []


@pytest.fixture
def old() -> dict[str, Any]:
    return sample_document()


@pytest.fixture
def new(old: dict[str, Any]) -> dict[str, Any]:
    """The sample run, one release later: every kind of change once."""
    doc = copy.deepcopy(old)
    _set(doc, "RESP-GET-001", "fail")  # pass -> fail: regressed
    _req(doc, "RESP-GET-001")["records"][0]["message"] = "GET file answered 500"
    _set(doc, "RATE-429-002", "fail")  # warn -> fail: regressed
    _set(doc, "ERR-5XX-001", "pass")  # fail -> pass: fixed
    _set(doc, "ISO-FILE-001", "pass")  # skip -> pass: started
    _set(doc, "SIZE-413-001", "disabled")  # pass -> not run: stopped
    _set(doc, "SIZE-413-002", "pass")  # error -> pass: harness
    _set(doc, "VAL-400-005", "pass")  # xfail -> pass: same judgement (ok), another label
    _req(doc, "NAME-LAT1-001")["level"] = "SHOULD"  # the catalogue changed its level
    doc["requirements"] = [r for r in doc["requirements"] if r["id"] != "AUTH-MISS-001"]
    doc["requirements"].append({**copy.deepcopy(_req(doc, "AUTH-BAD-001")), "id": "AUTH-NEW-001"})
    ops = doc["timings"]["operations"]
    ops["uploadFiles"]["p50_s"] = 0.25  # 0.07 -> 0.25: 3.6x and 180 ms: moved
    ops["getFile"]["p50_s"] = 0.05  # 0.014 -> 0.05: 3.6x but 36 ms: noise
    ops["other"]["p50_s"] = 2.0  # 4 ms -> 2 s, but one sample only: not compared
    return doc


def _ids(diff: dict[str, Any], key: str) -> list[str]:
    return [e["id"] for e in diff[key]]


def test_every_kind_of_change_is_sorted_out(old: dict[str, Any], new: dict[str, Any]) -> None:
    diff = diff_documents(old, new)
    assert _ids(diff, "regressed") == ["RESP-GET-001", "RATE-429-002"]
    assert diff["regressions"] == 2
    assert _ids(diff, "fixed") == ["ERR-5XX-001"]
    assert _ids(diff, "started") == ["ISO-FILE-001"]
    assert _ids(diff, "stopped") == ["SIZE-413-001"]
    assert _ids(diff, "harness") == ["SIZE-413-002"]
    assert _ids(diff, "changed") == ["VAL-400-005"]
    assert [(e["id"], e["old_level"], e["level"]) for e in diff["level_changed"]] == [
        ("NAME-LAT1-001", "MUST", "SHOULD")
    ]
    assert _ids(diff, "added") == ["AUTH-NEW-001"] and _ids(diff, "removed") == ["AUTH-MISS-001"]
    regressed = diff["regressed"][0]
    assert (regressed["old"], regressed["new"], regressed["reason"]) == ("pass", "fail", "GET file answered 500")


def test_timings_move_only_beyond_noise(old: dict[str, Any], new: dict[str, Any]) -> None:
    timings = diff_documents(old, new)["timings"]
    assert [(m["kind"], m["name"], m["direction"]) for m in timings["moved"]] == [("latency", "uploadFiles", "slower")]
    assert "latency:getFile" in timings["compared"] and "latency:other" not in timings["compared"]
    assert "2x" in timings["rule"] and "50 ms" in timings["rule"]
    faster = diff_documents(new, old)["timings"]["moved"]
    assert [(m["name"], m["direction"]) for m in faster] == [("uploadFiles", "faster")]


def test_a_run_compared_with_itself_has_no_change(old: dict[str, Any]) -> None:
    diff = diff_documents(old, copy.deepcopy(old))
    assert diff["regressions"] == 0 and not diff["notes"] and not diff["timings"]["moved"]
    assert render_text(diff).rstrip().endswith("0 regression(s); no change")


def test_older_results_without_timings_are_compared_on_requirements(old: dict[str, Any], new: dict[str, Any]) -> None:
    del old["timings"]
    old["version"] = 2
    diff = diff_documents(validate_document(old), new)
    assert diff["regressions"] == 2
    assert "OLD has no timings" in diff["timings"]["note"]


def test_text_lists_regressions_with_their_reason(old: dict[str, Any], new: dict[str, Any]) -> None:
    text = render_text(diff_documents(old, new, old_source="v1/results.json", new_source="v2/results.json"))
    assert "regressed (2):" in text and "GET file answered 500" in text
    assert "latency    uploadFiles" in text and "70 ms -> 250 ms (slower" in text
    assert "old: v1/results.json" in text


def _save(document: dict[str, Any], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "results.json"
    path.write_text(dump_document(document), encoding="utf-8")
    return path


def test_cli_exit_codes_and_json(
    old: dict[str, Any], new: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before, after = _save(old, tmp_path / "old"), _save(new, tmp_path / "new")
    assert main(["diff", str(before), str(after)]) == 1
    assert "2 regression(s)" in capsys.readouterr().out
    assert main(["diff", str(tmp_path / "old"), str(tmp_path / "old"), "--json"]) == 0  # report dirs work too
    assert json.loads(capsys.readouterr().out)["regressions"] == 0
    assert main(["diff", str(after), str(before), "--json"]) == 1  # the other way round, ERR-5XX-001 got worse
    assert _ids(json.loads(capsys.readouterr().out), "regressed") == ["ERR-5XX-001"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{", "not valid JSON"),
        ('{"schema": "ingest-conformance/results", "version": 99}', "unsupported schema version 99"),
        ('{"schema": "something/else", "version": 3}', "not an ingest-conformance results file"),
    ],
)
def test_cli_bad_input_is_exit_2(
    content: str | None, message: str, old: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _save(old, tmp_path / "good")
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content, encoding="utf-8")
    assert main(["diff", str(good), str(bad)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_cli_folder_without_results_is_exit_2(
    old: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["diff", str(tmp_path / "empty"), str(_save(old, tmp_path / "good"))]) == 2
    assert "a folder without results.json" in capsys.readouterr().err


def test_help_states_the_noise_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "more than 2x AND more than 50 ms" in text and "Exit codes: 0 no regression; 1" in text


def test_baseline_section_in_the_report_and_summary(old: dict[str, Any], new: dict[str, Any], tmp_path: Path) -> None:
    baseline = _save(old, tmp_path / "release-1")
    attach_baseline(new, tmp_path / "release-1")
    assert new["baseline"]["source"] == str(tmp_path / "release-1")
    validate_document(new)
    page = render_html(new)
    assert 'id="baseline"' in page and 'id="baseline-regressed"' in page
    assert page.index('id="baseline"') < page.index('id="matrix"')  # near the top, before the matrix
    assert '<a href="#req-RESP-GET-001">' in page
    summary = summary_markdown(new)
    assert "**Compared with the baseline**" in summary and "2 regressed, 1 fixed" in summary
    assert "regressed: RESP-GET-001 pass → fail" in summary
    baseline.write_text("{", encoding="utf-8")  # gone bad between the check and the end of the run
    attach_baseline(new, baseline)
    assert "could not be read" in render_html(new) and "not valid JSON" in new["baseline"]["error"]
