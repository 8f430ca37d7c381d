"""The mock in a process of its own: `python -m ingest_conformance mock --port 0 ...`, for running
several mocks truly in parallel (each in-process mock shares the caller's interpreter lock).

    with MockProcess(["--fault", "zip-slip"], log_path=Path("mock.log")) as mock:
        ...  # mock.base_url
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

BANNER = re.compile(r"serving .* on (http://\S+?:\d+)")
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 15.0


class MockProcess:
    """Starts the mock CLI on a free loopback port with `flags`; stderr goes to `log_path` (a fault's 500s
    are logged with tracebacks, and a pipe nobody reads could fill and stall the mock)."""

    def __init__(self, flags: list[str] | tuple[str, ...], *, log_path: Path) -> None:
        self.log_path = log_path
        env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_CONFORMANCE_")}
        with log_path.open("w") as log:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "ingest_conformance", "mock", "--port", "0", "--quiet", *flags],
                stdout=subprocess.DEVNULL, stderr=log, env=env)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not (match := BANNER.search(log_path.read_text(errors="replace"))):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the mock ({' '.join(flags)}) did not start: {self.log()[-2000:]}")
            time.sleep(0.05)
        self.base_url = match.group(1)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """SIGTERM (a graceful stop), then kill after a bound; idempotent."""
        if self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(STOP_TIMEOUT_S)

    def __enter__(self) -> MockProcess:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
