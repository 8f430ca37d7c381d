"""The suite's detection power: every named fault of the mock must be caught, every conformant
personality must pass. Prints the mutation score and writes reports/mutation.json and .md.

For each fault, a mock runs with `--fault NAME` and `ingest-conformance run --level quick` is
pointed at it, selected to the requirement the fault breaks (short runs); the fault counts as
detected when the run exits 1 *and* names that requirement failed (SHOULD faults run with
--strict and may show as `warn`). A few faults also run unselected, to show detection holds in a
whole run. Every personality gets a whole quick run under --strict: anything but exit 0 is a
false alarm. Jobs run in parallel, each with its own mock subprocess. Every mock delivers webhooks to the
run's receiver (matrix.webhook_wiring), so webhook faults are judged like the others and the webhook
personalities (mock/personalities.py WEBHOOK_PERSONALITIES) run beside the pairwise-covering ones.

    .venv/bin/python bench/mutation.py    # everything: 92 faults, 24 personalities (about 40 min on 2 cores)
    .venv/bin/python bench/mutation.py --faults zip-slip --personalities defaults
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from matrix import (
    CREDENTIALS,
    REPORTS,
    Target,
    clean_env,
    in_parallel,
    markdown_table,
    running_mock,
    targets,
    webhook_wiring,
    work_dir,
)

# Faults that also run without --select: one per kind of bug (auth, isolation, answer shape, size, filenames,
# ZIP, lifecycle, by-URL), to show selection is only a shortcut.
UNSELECTED = (
    "auth-any-api-key-accepted",
    "iso-file-any-environment",
    "upload-answer-without-import-id",
    "oversize-chunked-unlimited",
    "filename-latin1-as-utf8",
    "zip-children-without-parent",
    "retry-requeues-to-pending",
    "download-ignores-http-status",
    "webhook-stale-data",
)
SUITE_TIMEOUT_S = 1200
PORT_ATTEMPTS = 3
# Faults whose requirement is tested only from a higher level than the run's (the stalled-receiver test
# waits out the receiver timeout, so it is `standard`): they run at that level.
FAULT_LEVELS = {"webhook-timeout-not-retried": "standard"}
LEVEL_ORDER = ("quick", "standard", "full")


def suite_command(
    url: str,
    report_dir: Path,
    args: argparse.Namespace,
    select: list[str],
    strict: bool,
    hooks: list[str],
    level: str | None = None,
    profile: tuple[str, ...] = (),
) -> list[str]:
    creds = [item for key, value in CREDENTIALS.items() for item in (f"--{key.replace('_', '-')}", value)]
    command = [
        sys.executable,
        "-m",
        "ingest_conformance",
        "run",
        "--target-url",
        url,
        *creds,
        "--report-dir",
        str(report_dir),
        "--seed",
        str(args.seed),
        "--level",
        level or args.level,
        "--set",
        f"processing_timeout_s={args.processing_timeout}",
        "--no-preflight",  # a fault may break what the pre-flight probes (e.g. download-drops-port): judge it instead
        *hooks,
    ]
    command += [item for rid in select for item in ("--select", rid)]
    command += profile  # the personality's declared profile (e.g. read_after_write_s for a lagging store)
    return command + (["--strict"] if strict else [])


def _level(target: Target, args: argparse.Namespace) -> str:
    wanted = FAULT_LEVELS.get(target.name, args.level)
    return max(wanted, args.level, key=LEVEL_ORDER.index)


def run_one(job: tuple[Target, bool], args: argparse.Namespace) -> dict[str, Any]:
    target, selected = job
    strict = target.kind == "personality" or target.level == "SHOULD"
    select = [target.requirement] if selected and target.requirement else []
    workdir = work_dir(target.name)
    started = time.monotonic()
    proc: subprocess.CompletedProcess[str] | None = None
    record: dict[str, Any] = {**asdict(target), "select": select or "all", "strict": strict}
    try:
        for _ in range(PORT_ATTEMPTS):
            hook_mock, hook_suite = webhook_wiring()
            with running_mock([*target.mock_flags, *hook_mock], workdir) as url:
                proc = subprocess.run(
                    suite_command(
                        url,
                        workdir / "report",
                        args,
                        select,
                        strict,
                        hook_suite,
                        _level(target, args),
                        target.suite_flags,
                    ),
                    env=clean_env(),
                    text=True,
                    capture_output=True,
                    timeout=SUITE_TIMEOUT_S,
                )
            # The receiver's port was free when chosen; with many runs at once another process may take it
            # first (the run then stops at once with exit 2): choose again.
            if not (proc.returncode == 2 and "cannot listen" in proc.stderr):
                break
        record["exit_code"] = proc.returncode
        doc = json.loads((workdir / "report" / "results.json").read_text())
        outcomes = {r["id"]: r["outcome"] for r in doc["requirements"]}
        record["failed"] = sorted(rid for rid, o in outcomes.items() if o in ("fail", "error", "warn", "stale"))
        record["outcome"] = outcomes.get(target.requirement) if target.requirement else None
        record["verdict"] = doc["summary"]["verdict"]
    except (OSError, ValueError, KeyError, RuntimeError, subprocess.TimeoutExpired) as exc:
        record.update(exit_code=None, failed=[], outcome=None, verdict=f"harness: {type(exc).__name__}: {exc}")
        if proc is not None:  # the run ended but left no readable report: keep what it printed
            record["exit_code"] = proc.returncode
            record["output_tail"] = proc.stdout[-3000:] + proc.stderr[-1500:]
        proc = None
    record["seconds"] = round(time.monotonic() - started, 1)
    if target.kind == "fault":
        caught = ("fail", "warn") if strict else ("fail",)
        record["detected"] = record["exit_code"] == 1 and record["outcome"] in caught
    else:
        record["false_alarm"] = record["exit_code"] != 0
    if proc is not None and (record.get("false_alarm") or record.get("detected") is False):
        record["output_tail"] = proc.stdout[-3000:] + proc.stderr[-1500:]
    record["workdir"] = str(workdir)
    return record


def _last_seconds(out: Path) -> dict[tuple[str, bool], float]:
    """Each run's duration in the previous mutation.json, to start the longest first (less idle tail)."""
    try:
        runs = json.loads((out / "mutation.json").read_text())["runs"]
        return {(r["name"], r["select"] != "all"): float(r["seconds"]) for r in runs}
    except (OSError, ValueError, KeyError):
        return {}


def progress(r: dict[str, Any]) -> str:
    scope = "whole run" if r["select"] == "all" and r["kind"] == "fault" else ""
    if r["kind"] == "fault":
        mark = "DETECTED" if r["detected"] else "MISSED"
        return (
            f"{mark:8} {r['name']} ({r['requirement']}: {r['outcome']}, exit {r['exit_code']}) {scope} {r['seconds']} s"
        )
    mark = "FALSE ALARM" if r["false_alarm"] else "pass"
    return f"{mark:8} personality {r['name']} (exit {r['exit_code']}, {', '.join(r['failed']) or '-'}) {r['seconds']} s"


def render(results: list[dict[str, Any]], wall_s: float, args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    selected = [r for r in results if r["kind"] == "fault" and r["select"] != "all"]
    whole = [r for r in results if r["kind"] == "fault" and r["select"] == "all"]
    people = [r for r in results if r["kind"] == "personality"]
    detected = sum(1 for r in selected if r["detected"])
    alarms = [r["name"] for r in people if r["false_alarm"]]
    score = {
        "faults": len(selected),
        "detected": detected,
        "score": round(detected / len(selected), 3) if selected else None,
        "missed": [r["name"] for r in selected if not r["detected"]],
        "whole_runs": len(whole),
        "whole_runs_detected": sum(1 for r in whole if r["detected"]),
        "personalities": len(people),
        "false_alarms": alarms,
        "wall_s": round(wall_s, 1),
        "level": args.level,
        "seed": args.seed,
        "workers": args.workers,
    }
    lines = [
        f"# Mutation score: {detected}/{len(selected)} faults detected; "
        f"{len(alarms)} false alarm(s) on {len(people)} personalities",
        "",
        f"Level {args.level}, seed {args.seed}, processing_timeout_s={args.processing_timeout}, "
        f"{args.workers} workers; total wall time {wall_s / 60:.1f} min.",
        "",
    ]
    if selected:
        lines += [
            "## Faults (suite selected to the broken requirement)",
            "",
            markdown_table(
                ["fault", "requirement", "level", "detected", "exit", "outcome", "also failed", "s"],
                [
                    [
                        r["name"],
                        r["requirement"],
                        r["level"],
                        "yes" if r["detected"] else "**NO**",
                        r["exit_code"],
                        r["outcome"],
                        ", ".join(x for x in r["failed"] if x != r["requirement"]) or "-",
                        r["seconds"],
                    ]
                    for r in selected
                ],
            ),
            "",
        ]
    if whole:
        lines += [
            "## Faults in a whole run (no --select)",
            "",
            markdown_table(
                ["fault", "requirement", "detected", "exit", "failed requirements", "s"],
                [
                    [
                        r["name"],
                        r["requirement"],
                        "yes" if r["detected"] else "**NO**",
                        r["exit_code"],
                        ", ".join(r["failed"]) or "-",
                        r["seconds"],
                    ]
                    for r in whole
                ],
            ),
            "",
        ]
    if people:
        lines += [
            "## Conformant personalities (whole run, --strict)",
            "",
            markdown_table(
                ["personality", "mock flags", "exit", "false alarm", "failed requirements", "s"],
                [
                    [
                        r["name"],
                        f"`{r['description']}`",
                        r["exit_code"],
                        "**YES**" if r["false_alarm"] else "no",
                        ", ".join(r["failed"]) or "-",
                        r["seconds"],
                    ]
                    for r in people
                ],
            ),
            "",
        ]
    return "\n".join(lines), score


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--faults", nargs="*", default=None, metavar="NAME", help="only these faults (default: all)")
    parser.add_argument(
        "--personalities", nargs="*", default=None, metavar="NAME", help="only these personalities (default: all)"
    )
    parser.add_argument(
        "--unselected",
        nargs="*",
        default=list(UNSELECTED),
        metavar="NAME",
        help="faults that also get a whole, unselected run (default: one per kind of bug)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--level", default="quick", choices=("quick", "standard", "full"))
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--processing-timeout",
        type=float,
        default=10.0,
        help="profile processing_timeout_s for every run (the mock ends files within seconds)",
    )
    parser.add_argument("--out", type=Path, default=REPORTS)
    args = parser.parse_args()

    chosen = targets(args.faults, args.personalities)
    jobs = [(t, True) for t in chosen if t.kind == "fault"]
    jobs += [(t, False) for t in chosen if t.kind == "fault" and t.name in args.unselected]
    jobs += [(t, False) for t in chosen if t.kind == "personality"]
    last = _last_seconds(args.out)
    jobs.sort(key=lambda j: -last.get((j[0].name, j[1]), 1e9))  # longest (or never measured) first
    print(
        f"{len(jobs)} runs: {sum(1 for t, s in jobs if t.kind == 'fault' and s)} faults, "
        f"{sum(1 for t, s in jobs if t.kind == 'fault' and not s)} unselected fault runs, "
        f"{sum(1 for t, _ in jobs if t.kind == 'personality')} personalities; {args.workers} workers",
        flush=True,
    )
    started = time.monotonic()
    results = in_parallel(jobs, lambda job: run_one(job, args), args.workers, progress)
    wall = time.monotonic() - started
    order = {t.name: i for i, t in enumerate(chosen)}
    results.sort(key=lambda r: (r["kind"] != "fault", r["select"] == "all", order[r["name"]]))
    text, score = render(results, wall, args)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "mutation.json").write_text(json.dumps({"score": score, "runs": results}, indent=2) + "\n")
    (args.out / "mutation.md").write_text(text + "\n")
    print()
    print(text)
    print(
        f"mutation score: {score['detected']}/{score['faults']} faults detected"
        + (f" ({score['score']:.1%})" if score["score"] is not None else "")
        + f"; whole runs {score['whole_runs_detected']}/{score['whole_runs']}; false alarms "
        f"{len(score['false_alarms'])}/{score['personalities']}; wall {wall / 60:.1f} min; "
        f"written to {args.out / 'mutation.json'} and mutation.md"
    )
    return 0 if not score["missed"] and not score["false_alarms"] else 1


if __name__ == "__main__":
    sys.exit(main())
