"""Shared by bench/mutation.py and bench/schemathesis_baseline.py: the fault and personality matrix,
mock subprocesses on free ports, and running jobs in parallel.

Each job starts its own `python -m ingest_conformance mock --port 0` (with `--fault NAME` or a
personality's flags), waits for its banner, runs one tool against it, and stops it with SIGTERM.
"""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ingest_conformance.judging.catalogue import load_catalogue
from ingest_conformance.mock.faults import FAULTS
from ingest_conformance.mock.personalities import PERSONALITIES, WEBHOOK_PERSONALITIES, cli_flags, suite_flags
from ingest_conformance.mock.process import MockProcess

REPO = Path(__file__).resolve().parents[1]
REPORTS = REPO / "reports"
CREDENTIALS = {
    "api_key": "mock-api-key-a",
    "access_token": "mock-access-token-a",
    "second_api_key": "mock-api-key-b",
    "second_access_token": "mock-access-token-b",
}
T = TypeVar("T")


@dataclass(frozen=True)
class Target:
    """One mock to test: a fault (must be caught) or a conformant personality (must pass)."""

    kind: str  # "fault" or "personality"
    name: str
    requirement: str | None = None
    level: str | None = None  # the requirement's level (MUST, SHOULD)
    feature: str | None = None
    description: str = ""
    mock_flags: tuple[str, ...] = field(default=())
    suite_flags: tuple[str, ...] = field(default=())  # `--set KEY=VALUE` the target's profile needs


def targets(faults: Sequence[str] | None = None, personalities: Sequence[str] | None = None) -> list[Target]:
    """Every fault and personality (or the named ones), faults first."""
    catalogue = load_catalogue()
    unknown = [n for n in faults or () if n not in {f.name for f in FAULTS}]
    unknown += [n for n in personalities or () if n not in PERSONALITIES and n not in WEBHOOK_PERSONALITIES]
    if unknown:
        raise SystemExit(f"unknown fault or personality: {', '.join(unknown)}")
    found = [
        Target(
            "fault",
            f.name,
            f.requirement_id,
            str(catalogue[f.requirement_id].level),
            str(catalogue[f.requirement_id].feature),
            f.description,
            ("--fault", f.name),
        )
        for f in FAULTS
        if faults is None or f.name in faults
    ]
    found += [
        Target(
            "personality",
            name,
            mock_flags=tuple(cli_flags(overrides)),
            suite_flags=tuple(suite_flags(overrides)),
            description=(" ".join(cli_flags(overrides)) or "the mock's defaults")
            + (f" (suite: {' '.join(suite_flags(overrides))})" if suite_flags(overrides) else ""),
        )
        for name, overrides in {**PERSONALITIES, **WEBHOOK_PERSONALITIES}.items()
        if personalities is None or name in personalities
    ]
    return found


# Webhooks: every bench mock delivers to the run's receiver, configured as `run` configures the bundled
# mock (a secret, a custom header, a short receiver timeout), so webhook faults can be caught and every
# personality is judged on its webhooks too. The receiver's two paths are the suite's (webhooks/receiver.py).
HOOK_SECRET = "bench-webhook-secret"
HOOK_HEADER = ("x-bench-hook", "bench-hook-value")
HOOK_TIMEOUT_S = 2.0
HOOK_DELAY_S = 5.0  # above the webhook-slow personality's 3 s


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def webhook_wiring() -> tuple[list[str], list[str]]:
    """(mock flags, suite flags): the mock delivers to a receiver the run starts on a free loopback port."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    name, value = HOOK_HEADER
    mock = ["--webhook-url", f"{base}/webhooks/primary", "--webhook-url-b", f"{base}/webhooks/second"]
    mock += ["--webhook-secret", HOOK_SECRET, "--webhook-header", f"{name}:{value}"]
    mock += ["--webhook-timeout-s", str(HOOK_TIMEOUT_S)]
    suite = ["--webhook-listen", f"127.0.0.1:{port}", "--set", f"webhook_secret={HOOK_SECRET}"]
    suite += ["--set", f"webhook_custom_headers={name}:{value}", "--set", f"webhook_delay_s={HOOK_DELAY_S}"]
    suite += ["--set", f"webhook_receiver_timeout_s={HOOK_TIMEOUT_S}"]
    return mock, suite


def clean_env() -> dict[str, str]:
    """The environment without INGEST_CONFORMANCE_* settings, so only our flags configure a run."""
    return {k: v for k, v in os.environ.items() if not k.startswith("INGEST_CONFORMANCE_")}


@contextlib.contextmanager
def running_mock(flags: Sequence[str], log_dir: Path) -> Iterator[str]:
    """A mock subprocess on a free loopback port (its stderr in log_dir/mock.log); yields its base URL."""
    with MockProcess(list(flags), log_path=log_dir / "mock.log") as mock:
        yield mock.base_url


def work_dir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"ic-{prefix}-"))


def in_parallel(
    jobs: Sequence[T], run: Callable[[T], dict[str, Any]], workers: int, progress: Callable[[dict[str, Any]], str]
) -> list[dict[str, Any]]:
    """Run every job (at most `workers` at a time); results in the jobs' order, progress as they end."""
    results: dict[int, dict[str, Any]] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(run, job): i for i, job in enumerate(jobs)}
        for done, future in enumerate(as_completed(futures), 1):
            result = future.result()
            results[futures[future]] = result
            print(f"[{done}/{len(jobs)}] {progress(result)}", flush=True)
    return [results[i] for i in range(len(jobs))]


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)
