"""Side by side: the same faults and personalities against bare `schemathesis run` on our spec.

Bare means: `schemathesis run spec/ingest.openapi.yaml --url <mock> --checks all -H "x-api-key: ..."`
with its default phases (examples, coverage, fuzzing, stateful), a bounded number of examples, a
fixed seed, and no custom strategies, hooks or config file (it runs in an empty directory).

Two readings of its result, both reported:
- exit code: schemathesis exits non-zero when any check fails. On a personality that is a false alarm.
- new failures: the (check, operation) pairs it reports against the faulty mock that it never reports
  against the conformant defaults (three clean runs, to absorb its own variance). This is the most
  generous reading: a tester who already triaged the clean run's failures would notice only these.

Writes reports/schemathesis.json and, with reports/mutation.json from bench/mutation.py present,
reports/side_by_side.md (fault, requirement, our suite, bare schemathesis), and prints the table.

    .venv/bin/python bench/schemathesis_baseline.py              # everything (about 8 minutes)
    .venv/bin/python bench/schemathesis_baseline.py --faults zip-slip --personalities defaults
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from matrix import (
    CREDENTIALS,
    REPO,
    REPORTS,
    Target,
    clean_env,
    in_parallel,
    markdown_table,
    running_mock,
    targets,
    work_dir,
)

SPEC = REPO / "spec" / "ingest.openapi.yaml"
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
RUN_TIMEOUT_S = 600
CLEAN_RUNS = 3


def run_one(job: tuple[Target, int], args: argparse.Namespace) -> dict[str, Any]:
    target, attempt = job
    workdir = work_dir(f"st-{target.name}")
    report = workdir / "schemathesis.json"
    command = [
        str(SCHEMATHESIS),
        "run",
        str(SPEC),
        "--url",
        "{url}",
        "--checks",
        "all",
        "-H",
        f"x-api-key: {CREDENTIALS['api_key']}",
        "--max-examples",
        str(args.max_examples),
        "--seed",
        str(args.seed),
        "--request-timeout",
        "20",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    started = time.monotonic()
    record: dict[str, Any] = {
        "kind": target.kind,
        "name": target.name,
        "requirement": target.requirement,
        "attempt": attempt,
    }
    try:
        with running_mock(target.mock_flags, workdir) as url:
            proc = subprocess.run(
                [url if part == "{url}" else part for part in command],
                cwd=workdir,
                env=clean_env(),
                text=True,
                capture_output=True,
                timeout=RUN_TIMEOUT_S,
            )
        doc = json.loads(report.read_text())
        record["exit_code"] = proc.returncode
        record["failures"] = [
            {"code": f["code"], "title": f["title"], "operations": f["operations"]} for f in doc.get("failures", [])
        ]
        record["errors"] = len(doc.get("errors", []))
        record["test_cases"] = doc.get("test_cases", {}).get("generated")
    except (OSError, ValueError, RuntimeError, subprocess.TimeoutExpired) as exc:
        record.update(exit_code=None, failures=[], errors=1, harness=f"{type(exc).__name__}: {exc}")
    record["signatures"] = sorted({f"{f['code']} {op}" for f in record["failures"] for op in f["operations"]})
    record["seconds"] = round(time.monotonic() - started, 1)
    return record


def progress(r: dict[str, Any]) -> str:
    codes = sorted({f["code"] for f in r["failures"]})
    return (
        f"{r['kind']} {r['name']}: schemathesis exit {r['exit_code']}, {', '.join(codes) or 'no failures'}, "
        f"{r['seconds']} s"
    )


def summarise(results: list[dict[str, Any]]) -> tuple[set[str], list[dict[str, Any]]]:
    """The clean baseline's signatures, and one row per target with exit-code and new-failure verdicts."""
    clean = {sig for r in results if r["name"] == "defaults" for sig in r["signatures"]}
    rows = []
    for r in results:
        if r["name"] == "defaults" and r["attempt"] > 0:
            continue
        new = sorted(set(r["signatures"]) - clean)
        rows.append({**r, "flags": r["exit_code"] not in (0, None), "new": new})
    return clean, rows


def side_by_side(rows: list[dict[str, Any]], mutation: dict[str, Any] | None) -> str:
    ours = {}
    if mutation:
        ours = {r["name"]: r for r in mutation["runs"] if r["kind"] == "personality" or r["select"] != "all"}

    def our_cell(name: str, kind: str) -> str:
        r = ours.get(name)
        if r is None:
            return "(not run)"
        if kind == "fault":
            return f"detected ({r['requirement']} {r['outcome']})" if r["detected"] else f"**missed** ({r['outcome']})"
        return "**FALSE ALARM**" if r["false_alarm"] else "pass"

    def st_cell(r: dict[str, Any]) -> str:
        return f"exit {r['exit_code']}" + (" (flags)" if r["flags"] else "")

    def new_cell(r: dict[str, Any]) -> str:
        codes: dict[str, int] = {}
        for signature in r["new"]:
            code = signature.split(" ", 1)[0]
            codes[code] = codes.get(code, 0) + 1
        return ", ".join(f"{code} ({n} op{'s' if n > 1 else ''})" for code, n in sorted(codes.items())) or "-"

    faults = [r for r in rows if r["kind"] == "fault"]
    people = [r for r in rows if r["kind"] == "personality"]
    ours_detected = sum(1 for r in faults if (ours.get(r["name"]) or {}).get("detected"))
    st_exit = sum(1 for r in faults if r["flags"])
    st_new = sum(1 for r in faults if r["new"])
    others = [r for r in people if r["name"] != "defaults"]  # the clean baseline itself has nothing new
    our_alarms = sum(1 for r in people if (ours.get(r["name"]) or {}).get("false_alarm"))
    lines = [
        "# Our suite vs bare schemathesis",
        "",
        f"- Our suite: detects {ours_detected}/{len(faults)} faults (the named requirement fails, exit 1); "
        f"false alarms on {our_alarms}/{len(people)} conformant personalities.",
        f"- Bare schemathesis, by exit code: non-zero on {st_exit}/{len(faults)} faults, and on "
        f"{sum(1 for r in people if r['flags'])}/{len(people)} conformant personalities (false alarms).",
        f"- Bare schemathesis, by new failures (what its clean-run report lacks): {st_new}/{len(faults)} "
        f"faults; false alarms on {sum(1 for r in others if r['new'])}/{len(others)} personalities other "
        "than the defaults it is compared with.",
        "",
        "## Faults",
        "",
        markdown_table(
            ["fault", "requirement", "our suite", "schemathesis exit", "schemathesis: new failures vs clean"],
            [[r["name"], r["requirement"], our_cell(r["name"], "fault"), st_cell(r), new_cell(r)] for r in faults],
        ),
        "",
        "## Conformant personalities (false alarms)",
        "",
        markdown_table(
            ["personality", "our suite", "schemathesis exit", "schemathesis failures", "new vs clean"],
            [
                [
                    r["name"],
                    our_cell(r["name"], "personality"),
                    st_cell(r),
                    ", ".join(sorted({f["code"] for f in r["failures"]})) or "-",
                    new_cell(r),
                ]
                for r in people
            ],
        ),
        "",
    ]
    titles = sorted({(f["code"], f["title"]) for r in rows for f in r["failures"]})
    lines += ["Schemathesis codes seen: " + "; ".join(f"{code} {title}" for code, title in titles) + ".", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--faults", nargs="*", default=None, metavar="NAME")
    parser.add_argument("--personalities", nargs="*", default=None, metavar="NAME")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-examples", type=int, default=20, help="schemathesis --max-examples (default 20)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, default=REPORTS)
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="rebuild side_by_side.md from the saved schemathesis.json and mutation.json; run nothing",
    )
    args = parser.parse_args()
    if args.render_only:
        saved = json.loads((args.out / "schemathesis.json").read_text())
        args.max_examples, args.seed = saved["summary"]["max_examples"], saved["summary"]["seed"]
        return render(saved["runs"], saved["summary"]["wall_s"], args)

    chosen = targets(args.faults, args.personalities)
    defaults = next((t for t in targets([], ["defaults"])), None)
    jobs = [(t, 0) for t in chosen if t.name != "defaults"]
    jobs = [(defaults, i) for i in range(CLEAN_RUNS)] + jobs if defaults else jobs
    print(f"{len(jobs)} schemathesis runs ({CLEAN_RUNS} clean baselines); {args.workers} workers", flush=True)
    started = time.monotonic()
    results = in_parallel(jobs, lambda job: run_one(job, args), args.workers, progress)
    wall = time.monotonic() - started
    clean, _ = summarise(results)
    args.out.mkdir(parents=True, exist_ok=True)
    summary = {
        "max_examples": args.max_examples,
        "seed": args.seed,
        "wall_s": round(wall, 1),
        "clean_signatures": sorted(clean),
    }
    (args.out / "schemathesis.json").write_text(json.dumps({"summary": summary, "runs": results}, indent=2) + "\n")
    return render(results, wall, args)


def render(results: list[dict[str, Any]], wall: float, args: argparse.Namespace) -> int:
    clean, rows = summarise(results)
    mutation_path = args.out / "mutation.json"
    mutation = json.loads(mutation_path.read_text()) if mutation_path.exists() else None
    text = side_by_side(rows, mutation)
    text += (
        f"\nBare schemathesis: --checks all, --max-examples {args.max_examples}, seed {args.seed}, default "
        f"phases; clean-run failures (ignored in 'new'): {', '.join(sorted(clean)) or 'none'}. "
        f"Wall time {wall / 60:.1f} min.\n"
    )
    (args.out / "side_by_side.md").write_text(text)
    print()
    print(text)
    if mutation is None:
        print(f"(no {mutation_path}: run bench/mutation.py first for the 'our suite' column)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
