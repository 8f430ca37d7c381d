"""Seed sweep: every conformant personality under many seeds. A false alarm that only some draws
trip (one filename, one corrupt sample, one size) hides from a single-seed run; this shows it.

Each (personality, seed) pair is one whole `ingest-conformance run --level quick --strict` against
its own mock, exactly as bench/mutation.py runs a personality (same wiring, same profile flags).
A run is a *false alarm* when it exits 1 and a *harness error* when it exits anything else but 0
(2 usage, 3 internal error, 4 interrupted, or no report at all). Prints a personality x seed grid
and writes seed_sweep.json and .md; exits 1 on any false alarm or harness error.

    .venv/bin/python bench/seed_sweep.py                      # 10 seeds x 24 personalities (~1.5 h on 2 cores)
    .venv/bin/python bench/seed_sweep.py --seeds 1 2 3 --personalities defaults p01
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from matrix import REPORTS, Target, in_parallel, markdown_table, targets
from mutation import run_one

DEFAULT_SEEDS = (1, 2, 3, 7, 11, 42, 99, 1234, 12345, 20261203)


def _job(job: tuple[Target, int], base: argparse.Namespace) -> dict[str, Any]:
    target, seed = job
    args = argparse.Namespace(**{**vars(base), "seed": seed})
    record = run_one((target, False), args)
    record["seed"] = seed
    code = record["exit_code"]
    record["harness_error"] = code not in (0, 1) or str(record.get("verdict", "")).startswith("harness:")
    record["false_alarm"] = code == 1
    return record


def _mark(r: dict[str, Any]) -> str:
    if r["harness_error"]:
        return f"HARNESS (exit {r['exit_code']})"
    return f"FALSE ALARM ({', '.join(r['failed']) or '?'})" if r["false_alarm"] else "pass"


def render(results: list[dict[str, Any]], seeds: list[int], names: list[str], wall_s: float) -> str:
    cell = {(r["name"], r["seed"]): r for r in results}
    alarms = [r for r in results if r["false_alarm"] and not r["harness_error"]]
    errors = [r for r in results if r["harness_error"]]
    lines = [
        f"# Seed sweep: {len(results)} runs ({len(names)} personalities x {len(seeds)} seeds): "
        f"{len(alarms)} false alarm(s), {len(errors)} harness error(s)",
        "",
        f"Level quick, --strict; wall time {wall_s / 60:.1f} min. A cell is `ok`, `FA` (exit 1, false alarm) "
        "or `ERR` (any other non-zero exit).",
        "",
        markdown_table(
            ["personality", *map(str, seeds)],
            [
                [
                    name,
                    *(
                        "ERR" if cell[name, s]["harness_error"] else "FA" if cell[name, s]["false_alarm"] else "ok"
                        for s in seeds
                    ),
                ]
                for name in names
            ],
        ),
        "",
    ]
    if alarms or errors:
        lines += [
            "## Runs that did not pass",
            "",
            markdown_table(
                ["personality", "seed", "exit", "failed requirements", "report"],
                [
                    [r["name"], r["seed"], r["exit_code"], ", ".join(r["failed"]) or r["verdict"], r["workdir"]]
                    for r in alarms + errors
                ],
            ),
            "",
        ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", nargs="+", type=int, default=list(DEFAULT_SEEDS), metavar="N")
    parser.add_argument(
        "--personalities", nargs="*", default=None, metavar="NAME", help="only these personalities (default: all)"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--processing-timeout", type=float, default=10.0, help="profile processing_timeout_s (as bench/mutation.py)"
    )
    parser.add_argument("--out", type=Path, default=REPORTS)
    args = parser.parse_args()
    args.level = "quick"

    people = targets([], args.personalities)
    names = [t.name for t in people]
    jobs = [(t, s) for s in args.seeds for t in people]
    print(
        f"{len(jobs)} runs: {len(people)} personalities x {len(args.seeds)} seeds, {args.workers} workers",
        flush=True,
    )
    started = time.monotonic()
    results = in_parallel(
        jobs,
        lambda job: _job(job, args),
        args.workers,
        lambda r: f"{_mark(r):12} {r['name']} seed {r['seed']} (exit {r['exit_code']}) {r['seconds']} s",
    )
    wall = time.monotonic() - started
    text = render(results, args.seeds, names, wall)
    args.out.mkdir(parents=True, exist_ok=True)
    bad = [r for r in results if r["false_alarm"] or r["harness_error"]]
    summary = {
        "runs": len(results),
        "seeds": args.seeds,
        "personalities": names,
        "false_alarms": sum(1 for r in bad if not r["harness_error"]),
        "harness_errors": sum(1 for r in bad if r["harness_error"]),
        "wall_s": round(wall, 1),
    }
    (args.out / "seed_sweep.json").write_text(json.dumps({"summary": summary, "runs": results}, indent=2) + "\n")
    (args.out / "seed_sweep.md").write_text(text + "\n")
    print()
    print(text)
    print(f"written to {args.out / 'seed_sweep.json'} and seed_sweep.md")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
