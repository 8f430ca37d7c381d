"""Test cases per second on uploadFiles: our schemathesis-driven fuzz tests vs bare `schemathesis run`.

Both run side by side in one invocation against ONE bundled mock (`python -m ingest_conformance mock` in
its own process, access log on), on the same spec. A case is one request the mock received on
POST /v1/ingest/uploads: the bench timestamps each access-log line as it arrives, so both sides are counted
the same way, by the server.

- ours: `pytest ingest_conformance/contract/test_fuzz.py -k "test_fuzz_operation and uploadFiles" --level full`
  (150 positive + 150 negative cases with real files, sent through the recording client and judged);
- bare: `schemathesis run SPEC --include-operation-id uploadFiles --phases fuzzing -n 300 --mode all`
  with the configured key, `--continue-on-failure --no-shrink` and the two checks our tests deliberately
  do not apply (positive_data_acceptance, negative_data_rejection: the spec is permissive by design).

"steady cases/s" counts from the first to the last upload the mock saw (start-up excluded on both sides);
"wall cases/s" divides by the whole process's wall time. The target (ours >= 5x bare) is judged on the
steady rate. Exits 1 when it is missed (`--report-only`: never).

    .venv/bin/python bench/cases_rate.py [--seed 1] [--repeat 3] [--pytest-arg=-n2 ...] [--report-only]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import ingest_conformance
from ingest_conformance.mock.process import MockProcess

# The installed suite's own files (so a PYTHONPATH pointing at another checkout benches that checkout).
PACKAGE = Path(ingest_conformance.__file__).resolve().parent
ROOT = PACKAGE.parent
SPEC = PACKAGE / "spec" / "ingest.openapi.yaml"
CONTRACT = PACKAGE / "contract"
RUN_INI = PACKAGE / "run.ini"
KEY = "mock-api-key-a"
TARGET_RATIO = 5.0
UPLOAD_LINE = re.compile(r"^mock POST /v1/ingest/uploads (\d+) ")


class MockLog:
    """A mock in its own process with its access log on, each upload line stamped as it arrives."""

    def __init__(self) -> None:
        self.uploads: list[tuple[float, int]] = []
        self._lock = threading.Lock()
        self._mock = MockProcess(quiet=False, on_line=self._line)
        self.base_url = self._mock.base_url

    def _line(self, line: str) -> None:
        match = UPLOAD_LINE.match(line)
        if match:
            with self._lock:
                self.uploads.append((time.perf_counter(), int(match.group(1))))

    def mark(self) -> int:
        with self._lock:
            return len(self.uploads)

    def since(self, mark: int) -> list[tuple[float, int]]:
        time.sleep(0.3)  # the last log lines are still in the pipe
        with self._lock:
            return self.uploads[mark:]

    def stop(self) -> None:
        self._mock.stop()


def timed(command: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False, cwd=ROOT)
    return time.perf_counter() - started, done


def ours(base_url: str, seed: int, extra: list[str]) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="bench-cases-") as tmp:
        return [
            sys.executable,
            "-m",
            "pytest",
            str(CONTRACT / "test_fuzz.py"),
            "-c",
            str(RUN_INI),
            "--rootdir",
            str(CONTRACT),
            "-p",
            "no:cacheprovider",
            "-p",
            "ingest_conformance.pytest.plugin",
            "-q",
            "-k",
            "test_fuzz_operation and uploadFiles",
            "--ic-target-url",
            base_url,
            "--ic-api-key",
            KEY,
            "--ic-level",
            "full",
            "--ic-seed",
            str(seed),
            "--ic-report-dir",
            tmp,
            *extra,
        ]


def bare(base_url: str, seed: int, cases: int) -> list[str]:
    return [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        str(SPEC),
        "-u",
        base_url,
        "--include-operation-id",
        "uploadFiles",
        "--phases",
        "fuzzing",
        "-n",
        str(cases),
        "--mode",
        "all",
        "--seed",
        str(seed),
        "-H",
        f"x-api-key: {KEY}",
        "--no-shrink",
        "--continue-on-failure",
        "--exclude-checks",
        "positive_data_acceptance,negative_data_rejection",
    ]


def rates(stamps: list[tuple[float, int]], wall: float) -> tuple[int, float, float, str]:
    count = len(stamps)
    span = stamps[-1][0] - stamps[0][0] if count > 1 else 0.0
    steady = (count - 1) / span if span > 0 else 0.0
    statuses: dict[int, int] = {}
    for _, status in stamps:
        statuses[status] = statuses.get(status, 0) + 1
    return count, steady, count / wall if wall else 0.0, " ".join(f"{s}x{n}" for s, n in sorted(statuses.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--pytest-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="one extra argument for our pytest run (repeatable), e.g. --pytest-arg=-n2",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; medians are shown")
    parser.add_argument("--report-only", action="store_true", help="print figures; never fail on the target")
    args = parser.parse_args()
    mock = MockLog()
    runs: dict[str, list[tuple[int, float, float, float, str]]] = {"bare": [], "ours": []}
    try:
        for _ in range(args.repeat):
            for name in runs:  # interleaved, so a slow spell of the machine hits both sides
                mark = mock.mark()
                cases = 300  # ours sends 150 positive + 150 negative at --level full
                command = (
                    bare(mock.base_url, args.seed, cases)
                    if name == "bare"
                    else ours(mock.base_url, args.seed, args.pytest_arg)
                )
                wall, done = timed(command)
                if done.returncode != 0:
                    sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
                    print(f"{name}: exited {done.returncode}", file=sys.stderr)
                    return 2
                count, steady, overall, statuses = rates(mock.since(mark), wall)
                runs[name].append((count, steady, overall, wall, statuses))
    finally:
        mock.stop()
    print(f"mock {mock.base_url} (own process); operation uploadFiles; seed {args.seed}; median of {args.repeat}")
    print(
        f"{'runner':<6} {'cases':>6} {'steady cases/s':>15} {'runs':>20} {'wall s':>7} {'wall cases/s':>13}  "
        "statuses (last run)"
    )
    results: dict[str, tuple[int, float, float, float, str]] = {}
    for name, rows in runs.items():
        steady_all = [row[1] for row in rows]
        count, _, _, _, statuses = rows[-1]
        wall = statistics.median(row[3] for row in rows)
        steady = statistics.median(steady_all)
        results[name] = (count, steady, count / wall, wall, statuses)
        shown = "/".join(f"{r:.0f}" for r in steady_all)
        print(f"{name:<6} {count:>6} {steady:>15.1f} {shown:>20} {wall:>7.2f} {count / wall:>13.1f}  {statuses}")
    ratio = results["ours"][1] / results["bare"][1] if results["bare"][1] else 0.0
    ok = ratio >= TARGET_RATIO
    print(f"ours / bare (steady): {ratio:.2f}x  target >= {TARGET_RATIO:.0f}x  {'ok' if ok else 'MISSED'}")
    return 0 if ok or args.report_only else 1


if __name__ == "__main__":
    sys.exit(main())
