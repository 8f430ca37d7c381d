"""The mock in a process of its own: `ingest-conformance mock --port 0 --quiet ...` as a child.

Its own process, not a thread of the caller: the mock parses uploads and validates files (pypdf, Pillow)
while the suite generates cases (hypothesis, schemathesis), and inside one process the two take turns on the
GIL. Apart, each has a core. Used for the run's bundled mock (`suite.py`, when no target is given), for the
selftests that run the suite against faulty mocks, and by the benches that run several mocks at once.

    with MockProcess(["--fault", "zip-slip"], log_path=Path("mock.log")) as mock:
        ...  # mock.base_url

The child dies with the thread that started it (Linux parent-death signal), so a killed run leaves no mock
behind; `stop()` ends it gracefully otherwise. Its stderr is read to the end by a thread (a full pipe would
stall it: a fault's 500s are logged with tracebacks), kept in `last_lines` and copied to `log_path` if given.
"""

from __future__ import annotations

import collections
import os
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO

from .settings import MockSettings

BANNER = re.compile(r"serving .* on (http://\S+?:\d+)")
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 15.0
# prctl(PR_SET_PDEATHSIG, SIGTERM) where there is one (Linux), then the CLI's own `mock` command.
_BOOT = """import ctypes, signal, sys
try:
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)
except (AttributeError, OSError):
    pass
from ingest_conformance.cli.main import main
sys.exit(main(["mock", *sys.argv[1:]]))
"""


def settings_flags(settings: MockSettings) -> list[str]:
    """The CLI flags for what a run's bundled mock takes from `settings` (credentials, delay, size limit)."""
    return [
        "--host",
        settings.host,
        "--api-key",
        settings.api_key,
        "--access-token",
        settings.access_token,
        "--second-api-key",
        settings.second_api_key,
        "--second-access-token",
        settings.second_access_token,
        "--processing-delay",
        repr(settings.processing_delay),
        "--max-request-bytes",
        str(settings.max_request_bytes),
    ]


class MockProcess:
    """A running mock child started with `flags`; `base_url` once it listens."""

    def __init__(
        self,
        flags: list[str] | tuple[str, ...] = (),
        *,
        log_path: Path | None = None,
        quiet: bool = True,
        on_line: Callable[[str], None] | None = None,
    ) -> None:
        """`quiet=False` keeps the access log (one stderr line per request); `on_line` sees every stderr line
        as it arrives, in the reading thread."""
        self.log_path = log_path
        self._on_line = on_line
        self.last_lines: collections.deque[str] = collections.deque(maxlen=40)  # what it said, for errors
        # The mock takes everything from its flags, never from a run's own environment.
        env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_CONFORMANCE_")}
        self._proc = subprocess.Popen(
            [sys.executable, "-c", _BOOT, "--port", "0", *(["--quiet"] if quiet else []), *flags],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
            env=env,
        )
        banner: queue.Queue[str | None] = queue.Queue()
        assert self._proc.stderr is not None
        self._reader = threading.Thread(
            target=self._drain, args=(self._proc.stderr, banner), daemon=True, name="mock-process-stderr"
        )
        self._reader.start()
        try:
            line = banner.get(timeout=START_TIMEOUT_S)
        except queue.Empty:
            line = None
        found = BANNER.search(line or "")
        if found is None:
            self.stop()
            said = "; ".join(self.last_lines) or "nothing"
            raise RuntimeError(f"the mock ({' '.join(flags) or 'defaults'}) did not start; it said: {said[-2000:]}")
        self.base_url = found.group(1).rstrip("/")

    def _drain(self, stream: IO[str], banner: queue.Queue[str | None]) -> None:
        """Read the child's stderr to the end; the first line is the banner."""
        log = self.log_path.open("w") if self.log_path is not None else None
        try:
            first = True
            for line in stream:
                self.last_lines.append(line.rstrip())
                if self._on_line is not None:
                    self._on_line(line)
                if log is not None:
                    log.write(line)
                    log.flush()
                if first:
                    banner.put(line)
                    first = False
            banner.put(None)
        finally:
            if log is not None:
                log.close()

    @property
    def pid(self) -> int:
        return self._proc.pid

    def log(self) -> str:
        """Everything it said (from `log_path`), or its last lines."""
        if self.log_path is not None and self.log_path.exists():
            return self.log_path.read_text(errors="replace")
        return "\n".join(self.last_lines)

    def stop(self) -> None:
        """SIGTERM (the mock shuts down gracefully), then SIGKILL if it lingers; idempotent."""
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(STOP_TIMEOUT_S)
        self._reader.join(STOP_TIMEOUT_S)  # the log is complete once stop() returns
        if self._proc.stderr is not None:
            self._proc.stderr.close()

    def __enter__(self) -> MockProcess:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
