"""The bundled mock in a process of its own, for runs without a target URL.

Its own process, not a thread of the test process: the mock parses uploads and validates files (pypdf,
Pillow) while the tests generate cases (hypothesis, schemathesis), and inside one process the two take
turns on the GIL. Apart, each has a core: `run --level standard` drops from about 25 s to about 19 s
on 2 cores (bench/run_levels.py). The child is `ingest-conformance mock` itself, started quiet on a free
loopback port; it dies with the thread that started it (Linux parent-death signal), so a killed run
leaves no mock behind, and `stop()` ends it gracefully otherwise.
"""

from __future__ import annotations

import collections
import queue
import re
import subprocess
import sys
import threading
from typing import IO

from ingest_conformance.mock.settings import MockSettings

START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
# prctl(PR_SET_PDEATHSIG, SIGTERM) where there is one (Linux), then the CLI's own `mock` command.
_BOOT = """import ctypes, signal, sys
try:
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)
except (AttributeError, OSError):
    pass
from ingest_conformance.cli import main
sys.exit(main(["mock", *sys.argv[1:]]))
"""
_BANNER = re.compile(r"on (http://\S+) ")


class MockProcess:
    """A running `ingest-conformance mock` child; `base_url` once it listens."""

    def __init__(self, settings: MockSettings) -> None:
        self.settings = settings
        args = ["--host", settings.host, "--port", "0", "--quiet",
                "--api-key", settings.api_key, "--access-token", settings.access_token,
                "--second-api-key", settings.second_api_key, "--second-access-token", settings.second_access_token,
                "--processing-delay", repr(settings.processing_delay),
                "--max-request-bytes", str(settings.max_request_bytes)]
        self._proc = subprocess.Popen([sys.executable, "-c", _BOOT, *args], stdin=subprocess.DEVNULL,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.last_lines: collections.deque[str] = collections.deque(maxlen=40)  # what it said, for errors
        lines: queue.Queue[str | None] = queue.Queue()
        assert self._proc.stderr is not None
        threading.Thread(target=self._drain, args=(self._proc.stderr, lines), name="bundled-mock-stderr",
                         daemon=True).start()
        try:
            line = lines.get(timeout=START_TIMEOUT_S)
        except queue.Empty:
            line = None
        found = _BANNER.search(line or "")
        if found is None:
            self.stop()
            said = "; ".join(self.last_lines) or "nothing"
            raise RuntimeError(f"the bundled mock did not start (it said: {said})")
        self.base_url = found.group(1).rstrip("/")

    def _drain(self, stream: IO[str], lines: queue.Queue[str | None]) -> None:
        """Read the child's stderr to the end (a full pipe would block it); the first line is the banner."""
        first = True
        for line in stream:
            self.last_lines.append(line.rstrip())
            if first:
                lines.put(line)
                first = False
        lines.put(None)

    def stop(self) -> None:
        """SIGTERM (the mock shuts down gracefully), then SIGKILL if it lingers; idempotent."""
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(STOP_TIMEOUT_S)
        if self._proc.stderr is not None:
            self._proc.stderr.close()
