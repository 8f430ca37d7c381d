"""The CI recipes run as written: action.yml's steps and the GitLab template's script, as plain shell.

action.yml is parsed with PyYAML; its `run:` steps are executed with bash the way GitHub runs a
`shell: bash` step (`bash --noprofile --norc -eo pipefail`), with every `${{ … }}` expression
substituted by a test value (an expression this test does not know fails it, so the recipe cannot
grow one unchecked), GITHUB_STEP_SUMMARY and GITHUB_OUTPUT as temp files, and GitHub's rule that a
failed step skips the later ones unless they say `if: always()`. Skipped on purpose: the `uses:`
steps (setup-python, upload-artifact: GitHub's own actions; their inputs are checked) and the
install step, which would `pip install` a copy of the package over this test's editable install
(its command is checked instead); `ingest-conformance` comes from this venv on PATH.

Runs: the bundled mock (exit 0, summary appended, junit.xml written), and a mock started with a
fault, credentials passed as INGEST_CONFORMANCE_* (exit 1 kept by the last step, an ::error
annotation for the broken requirement). Each run is narrowed to the tests of that requirement.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from ingest_conformance.mock import MockSettings, run_mock

pytestmark = pytest.mark.selftest

REPO = Path(__file__).resolve().parents[2]
ACTION = REPO / "action.yml"
GITLAB = REPO / "templates" / "gitlab" / "ingest-conformance.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
NARROW = "--select AUTH-BAD-001 --seed 7"  # the tests of one requirement: a few seconds
FAULT, BROKEN = "auth-any-api-key-accepted", "AUTH-BAD-001"
CREDENTIALS = {
    "INGEST_CONFORMANCE_API_KEY": "mock-api-key-a",
    "INGEST_CONFORMANCE_ACCESS_TOKEN": "mock-access-token-a",
    "INGEST_CONFORMANCE_SECOND_API_KEY": "mock-api-key-b",
    "INGEST_CONFORMANCE_SECOND_ACCESS_TOKEN": "mock-access-token-b",
}
STEP_TIMEOUT_S = 600


def _base_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment, minus any INGEST_CONFORMANCE_* of the developer, with the venv first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_CONFORMANCE_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["CI"] = "true"
    return {**env, **(extra or {})}


@dataclass
class ActionRun:
    codes: dict[str, int] = field(default_factory=dict)  # step name -> exit code
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)  # step id -> outputs
    stdout: str = ""
    stderr: str = ""
    skipped: list[str] = field(default_factory=list)
    summary: str = ""


def _action() -> dict[str, Any]:
    data = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _expand(text: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    def one(match: re.Match[str]) -> str:
        expr = match.group(1)
        if expr.startswith("inputs."):
            return inputs[expr.removeprefix("inputs.")]
        if expr == "github.action_path":
            return str(REPO)
        step = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
        if step:
            return outputs.get(step.group(1), {}).get(step.group(2), "")
        raise AssertionError(f"action.yml uses an expression this test does not know: {expr}")

    return EXPRESSION.sub(one, text)


def run_action(workspace: Path, given: dict[str, str], env: dict[str, str]) -> ActionRun:
    action = _action()
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    unknown = set(given) - set(inputs)
    assert not unknown, f"not inputs of action.yml: {unknown}"
    inputs.update(given)
    workspace.mkdir(parents=True, exist_ok=True)
    summary = workspace.parent / "step-summary.md"
    summary.write_text("", encoding="utf-8")
    result, failed = ActionRun(), False
    for index, step in enumerate(action["runs"]["steps"]):
        name = step.get("name", f"step {index}")
        condition = step.get("if")
        assert condition in (None, "always()"), f"{name}: a condition this test does not evaluate: {condition}"
        if failed and condition != "always()":
            result.skipped.append(name)
            continue
        if "uses" in step or step.get("id") == "install":
            result.skipped.append(name)
            continue
        assert step.get("shell") == "bash", f"{name}: only bash steps are run here"
        output = workspace.parent / f"output-{index}.txt"
        output.write_text("", encoding="utf-8")
        step_env = {k: _expand(str(v), inputs, result.outputs) for k, v in (step.get("env") or {}).items()}
        script = workspace.parent / f"step-{index}.sh"
        script.write_text(_expand(step["run"], inputs, result.outputs), encoding="utf-8")
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env={
                **env,
                **step_env,
                "GITHUB_STEP_SUMMARY": str(summary),
                "GITHUB_OUTPUT": str(output),
                "GITHUB_ACTION_PATH": str(REPO),
                "GITHUB_WORKSPACE": str(workspace),
            },
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT_S,
            check=False,
        )
        result.codes[name] = done.returncode
        result.stdout += done.stdout
        result.stderr += done.stderr
        failed = failed or done.returncode != 0
        if step.get("id"):
            pairs = (line.partition("=") for line in output.read_text(encoding="utf-8").splitlines() if "=" in line)
            result.outputs[step["id"]] = {k: v for k, _, v in pairs}
    result.summary = summary.read_text(encoding="utf-8")
    return result


def _junit_cases(path: Path) -> list[ET.Element]:
    return list(ET.parse(path).getroot().iter("testcase"))


def test_the_action_declares_what_the_docs_promise() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    assert {"target-url", "level", "profile", "expected-failures", "report-dir", "extra-args"} <= set(action["inputs"])
    steps = action["runs"]["steps"]
    uses = {step["uses"].split("@")[0]: step for step in steps if "uses" in step}
    assert set(uses) == {"actions/setup-python", "actions/upload-artifact"}
    upload = uses["actions/upload-artifact"]
    assert upload["if"] == "always()" and upload["with"]["path"] == "${{ inputs.report-dir }}"
    install = next(step for step in steps if step.get("id") == "install")
    assert install["env"]["IC_ACTION_PATH"] == "${{ github.action_path }}"
    assert re.search(r"pip install .*\"\$IC_ACTION_PATH\"", install["run"])
    assert "--github-annotations" in next(step for step in steps if step.get("id") == "run")["run"]
    for step in steps:  # inputs reach scripts through env only, never pasted into the script text
        assert "${{" not in step.get("run", ""), step.get("name")
    assert action["outputs"]["exit-code"]["value"] == "${{ steps.run.outputs.exit-code }}"


def test_the_action_against_the_bundled_mock(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    run = run_action(workspace, {"extra-args": NARROW}, _base_env())
    assert run.skipped == ["Set up Python", "Install ingest-conformance", "Upload the report folder"]
    assert run.outputs["run"]["exit-code"] == "0", run.stdout[-3000:] + run.stderr[-2000:]
    assert list(run.codes.values()) == [0, 0, 0]
    assert run.summary.startswith("## ✅ Ingest API conformance: conformant (exit code 0)")
    assert run.summary == (workspace / "ingest-conformance-report" / "summary.md").read_text(encoding="utf-8")
    cases = _junit_cases(workspace / "ingest-conformance-report" / "junit.xml")
    assert any(case.get("name", "").startswith("AUTH-BAD-001 ") for case in cases)
    assert "::error" not in run.stdout


def test_the_action_keeps_a_failing_exit_code_and_annotates(tmp_path: Path) -> None:
    with run_mock(MockSettings(quiet=True, processing_delay=0.01, fault=FAULT)) as faulty:
        workspace = tmp_path / "workspace"
        run = run_action(
            workspace,
            {"target-url": faulty.base_url, "extra-args": NARROW, "report-dir": "out/conformance"},
            _base_env(CREDENTIALS),
        )
    assert run.outputs["run"]["exit-code"] == "1", run.stdout[-3000:] + run.stderr[-2000:]
    assert list(run.codes.values()) == [0, 0, 1]  # the run step goes on; the last step exits 1
    assert re.search(rf"^::error title={BROKEN}::MUST fail: ", run.stdout, re.M)
    assert run.summary.startswith("## ❌ Ingest API conformance: non-conformant (exit code 1)")
    assert f"[{BROKEN}](report.html#detail-{BROKEN})" in run.summary
    report = workspace / "out" / "conformance"
    assert any(case.find("failure") is not None for case in _junit_cases(report / "junit.xml"))
    for secret in CREDENTIALS.values():  # the credentials came from the environment and went nowhere
        assert secret not in run.summary and secret not in (report / "report.html").read_text(encoding="utf-8")


def test_the_action_reports_a_configuration_error_and_still_writes_a_summary(tmp_path: Path) -> None:
    run = run_action(tmp_path / "workspace", {"level": "everything"}, _base_env())
    assert run.outputs["run"]["exit-code"] == "2"
    assert list(run.codes.values()) == [0, 0, 2]
    assert "No summary.md in ingest-conformance-report" in run.summary


def _gitlab() -> dict[str, Any]:
    data = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return dict(data[".ingest-conformance"])


def test_the_gitlab_template_wires_junit_to_merge_requests() -> None:
    job = _gitlab()
    artifacts = job["artifacts"]
    assert artifacts["when"] == "always"
    assert artifacts["reports"]["junit"] == "ingest-conformance-report/junit.xml"
    assert "ingest-conformance-report/" in artifacts["paths"]
    assert any("--report-dir ingest-conformance-report" in line for line in job["script"])
    assert any("summary.md" in line for line in job["after_script"])


def test_the_gitlab_script_runs_against_the_bundled_mock(tmp_path: Path) -> None:
    job = _gitlab()
    variables = {k: str(v) for k, v in job["variables"].items()} | {"IC_EXTRA_ARGS": NARROW}
    install = [line for line in job["script"] if "pip install" in line]
    assert install == ['python -m pip install --disable-pip-version-check --quiet "$IC_PACKAGE"']
    script = tmp_path / "job.sh"
    script.write_text("\n".join(line for line in job["script"] if line not in install) + "\n", encoding="utf-8")
    env = _base_env(variables)
    done = subprocess.run(
        ["bash", "-eo", "pipefail", str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    junit = tmp_path / job["artifacts"]["reports"]["junit"]
    assert _junit_cases(junit)
    after = subprocess.run(
        ["bash", "-c", "\n".join(job["after_script"])], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert after.stdout.startswith("## ✅ Ingest API conformance: conformant")
