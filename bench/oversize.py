"""Oversized bodies: 1 GiB streamed by the suite's own sending code to the bundled mock.

The mock runs in its own process (`python -m ingest_conformance mock`, 100 MiB limit, drain mode: it
parses and spools the first 100 MiB, decides 413, then reads and discards the rest). The sender runs in
another process doing only what the suite does for a sized body: `sized_upload_body` (a padded valid
PDF in a multipart upload, built as it streams) sent by
- `probe`: the raw-socket probe test_size uses for oversized bodies (ingest_conformance.wire.rawhttp), or
- `client`: the recording TargetClient (httpx) test_size uses for bodies within the limit,
each with Content-Length and chunked. Both processes' RSS is sampled every 20 ms (bench/mock_oversize.py's
PeakRss). Throughput is body bytes / time from first byte to the 413. bench/mock_oversize.py (a bare httpx
client) and bench/stream_memory.py (the body generator without a network) stay as they are.
Targets: >= 300 MB/s, peak RSS <= 150 MB for each process. Exits 1 on a miss (`--report-only`: never).

    .venv/bin/python bench/oversize.py [--size-mib 1024] [--senders probe,client] [--report-only]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import psutil
from mock_oversize import PeakRss  # bench/ is on sys.path when run as a script

from ingest_conformance.mock.process import MockProcess

MIB = 1024 * 1024
TARGET_MB_S = 300.0
TARGET_RSS_MB = 150.0
KEY = "mock-api-key-a"


def send(base_url: str, sender: str, framing: str, size: int) -> dict[str, object]:
    """In the sender process: stream one body the suite's way; report status, seconds and bytes."""
    from ingest_conformance.config.target import Secret
    from ingest_conformance.strategies import Part, sized_upload_body
    from ingest_conformance.wire.client import Credentials, TargetClient
    from ingest_conformance.wire.rawhttp import probe

    body = sized_upload_body(size, extra_parts=[Part.json("info", {"clientData": {"bench": "oversize"}})])
    length = body.content_length if framing == "content-length" else None
    started = time.perf_counter()
    if sender == "probe":
        result, _ = probe(
            base_url + "/v1/ingest/uploads",
            "POST",
            [("x-api-key", KEY), ("Content-Type", body.content_type)],
            body.iter_bytes(),
            content_length=length,
            timeout_s=600,
        )
        status, sent = result.status, result.bytes_sent
    else:
        headers = {"content-type": body.content_type}
        if length is not None:
            headers["content-length"] = str(length)
        with TargetClient(base_url, Credentials(api_key=Secret(KEY)), timeout_s=600) as client:
            ex = client.send("POST", "/v1/ingest/uploads", headers=headers, content=body.iter_bytes)
        status, sent = ex.status, ex.request_body_size
    return {"status": status, "seconds": time.perf_counter() - started, "sent": sent}


def run_case(base_url: str, mock_pid: int, sender: str, framing: str, size: int) -> dict[str, float]:
    proc = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--send",
            base_url,
            "--sender",
            sender,
            "--framing",
            framing,
            "--size-mib",
            str(size // MIB),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    with PeakRss(proc.pid) as suite_rss, PeakRss(mock_pid) as mock_rss:
        out, _ = proc.communicate(timeout=900)
    result = json.loads(out.strip().splitlines()[-1])
    return {
        "status": result["status"],
        "seconds": result["seconds"],
        "sent": result["sent"],
        "suite_rss": suite_rss.peak / 1e6,
        "mock_rss": mock_rss.peak / 1e6,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024, help="body size in MiB (default: %(default)s)")
    parser.add_argument("--senders", default="probe,client", help="comma-separated (default: %(default)s)")
    parser.add_argument("--report-only", action="store_true", help="print figures; never fail on a target")
    parser.add_argument("--send", metavar="URL", help=argparse.SUPPRESS)  # the sender process
    parser.add_argument("--sender", default="probe", help=argparse.SUPPRESS)
    parser.add_argument("--framing", default="content-length", help=argparse.SUPPRESS)
    args = parser.parse_args()
    size = args.size_mib * MIB
    if args.send:
        print(json.dumps(send(args.send, args.sender, args.framing, size)))
        return 0
    mock = MockProcess()
    base_url = mock.base_url
    missed = False
    try:
        idle = psutil.Process(mock.pid).memory_info().rss / 1e6
        print(
            f"mock {base_url} pid {mock.pid}, idle RSS {idle:.1f} MB; body {args.size_mib} MiB; "
            f"targets >= {TARGET_MB_S:.0f} MB/s, RSS <= {TARGET_RSS_MB:.0f} MB"
        )
        print(
            f"{'sender':<7} {'framing':<15} {'status':>6} {'seconds':>8} {'MB/s':>7} {'suite RSS MB':>13} "
            f"{'mock RSS MB':>12}  verdict"
        )
        for sender in args.senders.split(","):
            for framing in ("content-length", "chunked"):
                r = run_case(base_url, mock.pid, sender, framing, size)
                rate = r["sent"] / r["seconds"] / 1e6 if r["seconds"] else 0.0
                ok = (
                    r["status"] == 413
                    and r["sent"] == size
                    and rate >= TARGET_MB_S
                    and max(r["suite_rss"], r["mock_rss"]) <= TARGET_RSS_MB
                )
                missed |= not ok
                print(
                    f"{sender:<7} {framing:<15} {r['status']!s:>6} {r['seconds']:>8.2f} {rate:>7.0f} "
                    f"{r['suite_rss']:>13.1f} {r['mock_rss']:>12.1f}  {'ok' if ok else 'MISSED'}"
                )
    finally:
        mock.stop()
    return 1 if missed and not args.report_only else 0


if __name__ == "__main__":
    sys.exit(main())
