"""Wall time of `ingest-conformance run` at each level against the bundled mock.

Each level runs as its own process (`python -m ingest_conformance run --level L --seed S`), timed from
start to exit, so start-up, collection, the bundled mock's start and the reports all count. The table
shows wall time, exit code, tests and exchanges (from results.json) and the target.
Exits 1 when a run misses its target or does not exit 0 (`--report-only`: always 0 unless a run broke).

    .venv/bin/python bench/run_levels.py [--levels quick,standard] [--seed 1] [--repeat 1]
        [--run-arg=--workers=2 ...] [--report-only]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS_S = {"quick": 20.0, "standard": 60.0, "full": None}  # seconds on the 2-core reference machine


def run_level(level: str, seed: int, extra: list[str], report_dir: Path) -> tuple[float, int, dict[str, int]]:
    command = [
        sys.executable,
        "-m",
        "ingest_conformance",
        "run",
        "--level",
        level,
        "--seed",
        str(seed),
        "--report-dir",
        str(report_dir),
        *extra,
    ]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)
    elapsed = time.perf_counter() - started
    counts: dict[str, int] = {}
    try:
        summary = json.loads((report_dir / "results.json").read_text())["summary"]
        counts = {"tests": summary["tests"], "exchanges": summary["exchanges"]}
    except (OSError, ValueError, KeyError):
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
    return elapsed, done.returncode, counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="quick,standard", help="comma-separated (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="runs per level; the median is judged")
    parser.add_argument(
        "--run-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="one extra argument for `ingest-conformance run` (repeatable)",
    )
    parser.add_argument("--report-only", action="store_true", help="print figures; never fail on a target")
    args = parser.parse_args()
    print(f"{'level':<9} {'wall s':>8} {'runs':>14} {'exit':>4} {'tests':>6} {'exchanges':>9} {'target s':>8}  verdict")
    missed = broken = False
    for level in args.levels.split(","):
        times: list[float] = []
        codes: set[int] = set()
        counts: dict[str, int] = {}
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory(prefix=f"bench-{level}-") as tmp:
                elapsed, code, counts = run_level(level, args.seed, args.run_arg, Path(tmp))
            times.append(elapsed)
            codes.add(code)
        wall = statistics.median(times)
        target = TARGETS_S.get(level)
        ok = target is None or wall <= target
        missed |= not ok
        broken |= codes != {0}
        runs = "/".join(f"{t:.1f}" for t in times)
        verdict = "no target" if target is None else ("ok" if ok else "MISSED")
        print(
            f"{level:<9} {wall:>8.1f} {runs:>14} {','.join(map(str, sorted(codes))):>4} "
            f"{counts.get('tests', 0):>6} {counts.get('exchanges', 0):>9} "
            f"{'-' if target is None else f'{target:.0f}':>8}  {verdict}"
        )
    if broken:
        print("a run did not exit 0: see the output above", file=sys.stderr)
        return 1
    return 1 if missed and not args.report_only else 0


if __name__ == "__main__":
    sys.exit(main())
