"""`ingest-conformance report`: re-renders from a saved results.json; bad input is one line and exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from report_sample import sample_document

from ingest_conformance.cli.main import main
from ingest_conformance.reporting import render, write_reports

pytestmark = pytest.mark.unit


@pytest.fixture()
def saved(tmp_path: Path) -> dict[str, Path]:
    return write_reports(sample_document(), tmp_path / "run", ["json", "junit", "html", "console"])


def test_rerenders_identical_reports_into_out(
    saved: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "again"
    assert main(["report", str(saved["json"]), "--out", str(out)]) == 0
    assert (out / "report.html").read_bytes() == saved["html"].read_bytes()
    assert (out / "junit.xml").read_bytes() == saved["junit"].read_bytes()
    captured = capsys.readouterr()
    assert captured.out == saved["console"].read_text(encoding="utf-8")
    assert f"wrote html to {out / 'report.html'}" in captured.err
    assert not (out / "results.json").exists()  # json only when asked for


def test_default_out_is_the_results_folder_and_formats_narrow(
    saved: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    saved["html"].unlink()
    saved["junit"].unlink()
    before = saved["json"].read_bytes()
    assert main(["report", str(saved["json"]), "--format", "junit,json"]) == 0
    assert saved["junit"].exists() and not saved["html"].exists()
    assert saved["json"].read_bytes() == before  # never rewrites the file it reads
    assert capsys.readouterr().out == ""  # no console format asked for


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file"),
        ("{", "not valid JSON"),
        ('{"schema": "ingest-conformance/results", "version": 7}', "unsupported schema version 7"),
        ('{"schema": "other", "version": 1}', "not an ingest-conformance results file"),
        (
            '{"schema": "ingest-conformance/results", "version": 2, "run": {}, "config": {}, "requirements": [],'
            ' "exchanges": {}}',
            "invalid results document at run",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, expected: str
) -> None:
    path = tmp_path / "results.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert main(["report", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("ingest-conformance report: ") and expected in err
    assert not (tmp_path / "out").exists()


def test_unknown_format_is_a_usage_error(saved: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(saved["json"]), "--format", "html,pdf"]) == 2
    assert "unknown format(s) pdf" in capsys.readouterr().err


def test_unwritable_out_is_exit_2(saved: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    blocker = saved["json"].parent / "a-file"
    blocker.write_text("x")
    assert main(["report", str(saved["json"]), "--out", str(blocker / "sub"), "--format", "html"]) == 2
    assert "cannot write to" in capsys.readouterr().err


def test_installed_command_never_shows_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "results.json"
    bad.write_bytes(json.dumps({"schema": "ingest-conformance/results", "version": 99}).encode())
    done = subprocess.run(
        [sys.executable, "-m", "ingest_conformance.cli.main", "report", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().endswith("re-render it with the version that wrote it")


def test_console_output_matches_render(saved: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(saved["json"]), "--format", "console", "--out", str(saved["json"].parent / "x")]) == 0
    assert capsys.readouterr().out == render(json.loads(saved["json"].read_text("utf-8")), "console").decode()
