"""Oversized uploads against the bundled mock: 413 after draining, in constant memory.

Starts `python -m ingest_conformance mock` as a subprocess (default 100 MiB limit, drain mode),
streams a 1 GiB multipart upload to POST /v1/ingest/uploads twice (chunked, then with a
Content-Length) with a valid key, and prints status, seconds, MB/s and the mock's peak RSS
(psutil, sampled every 20 ms).
Exits 1 if a status is not 413 or the peak RSS passes 150 MB.

    .venv/bin/python bench/mock_oversize.py [--size-mib 1024] [--max-rss-mb 150]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import psutil

from ingest_conformance.mock.process import MockProcess

MIB = 1024 * 1024
BLOCK = b"\0" * MIB  # one buffer, yielded again and again: the client stays in constant memory


class PeakRss:
    """Samples a process's resident memory in a thread and keeps the highest value."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.process = psutil.Process(pid)
        self.peak = self.process.memory_info().rss
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, self.process.memory_info().rss)
            except psutil.Error:
                return
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


HEAD = b'--bench\r\nContent-Disposition: form-data; name="files"; filename="huge.pdf"\r\n\r\n%PDF-1.7\n'
TAIL = b"\r\n--bench--\r\n"


def body(total: int) -> Iterator[bytes]:
    """A well-formed multipart upload of one `total`-byte file, so the mock really parses and spools
    the first 100 MiB before its limit cuts in (not just a header check)."""
    yield HEAD
    left = total - len(HEAD) - len(TAIL)
    while left > 0:
        piece = BLOCK if left >= MIB else BLOCK[:left]
        left -= len(piece)
        yield piece
    yield TAIL


def run_case(base: str, pid: int, size: int, *, chunked: bool) -> tuple[int, float, int]:
    headers = {"x-api-key": "mock-api-key-a", "content-type": "multipart/form-data; boundary=bench"}
    if not chunked:
        headers["content-length"] = str(size)  # httpx then streams the iterator without chunking
    with PeakRss(pid) as rss, httpx.Client(timeout=600) as client:
        started = time.perf_counter()
        response = client.post(f"{base}/v1/ingest/uploads", content=body(size), headers=headers)
        elapsed = time.perf_counter() - started
    return response.status_code, elapsed, rss.peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024, help="body size in MiB (default: %(default)s)")
    parser.add_argument("--max-rss-mb", type=float, default=150.0, help="RSS budget (default: %(default)s)")
    args = parser.parse_args()
    size = args.size_mib * MIB
    mock = MockProcess()
    base = mock.base_url
    failed = False
    try:
        idle = psutil.Process(mock.pid).memory_info().rss
        print(f"mock {base} pid {mock.pid}, idle RSS {idle / 1e6:.1f} MB, body {args.size_mib} MiB")
        for label, chunked in (("chunked", True), ("content-length", False)):
            status, seconds, peak = run_case(base, mock.pid, size, chunked=chunked)
            ok = status == 413 and peak / 1e6 <= args.max_rss_mb
            failed |= not ok
            print(
                f"{label:>15}: status {status}  {seconds:6.2f} s  {size / MIB / seconds:7.1f} MiB/s  "
                f"peak RSS {peak / 1e6:6.1f} MB  {'ok' if ok else 'FAIL'}"
            )
    finally:
        mock.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
